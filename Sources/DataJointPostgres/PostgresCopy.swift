import DataJointCore
import Foundation
import NIOCore

/// Rows in the text format of `COPY ... FROM STDIN`: tab-separated columns, `\N` for NULL, backslash escapes.
enum PostgresCopy {
    /// Appends one row to `buffer`.
    static func append(_ row: [Value], to buffer: inout ByteBuffer) {
        for (index, value) in row.enumerated() {
            if index > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
            append(value, to: &buffer)
        }
        buffer.writeInteger(UInt8(ascii: "\n"))
    }

    static func append(_ value: Value, to buffer: inout ByteBuffer) {
        switch value {
        case .null: buffer.writeStaticString("\\N")
        case .bool(let b): buffer.writeStaticString(b ? "t" : "f")
        case .int(let i): buffer.writeString(String(i))
        case .double(let d):
            if d.isNaN {
                buffer.writeStaticString("NaN")
            } else if d.isInfinite {
                buffer.writeStaticString(d < 0 ? "-Infinity" : "Infinity")
            } else {
                buffer.writeString(d.description)
            }
        case .string(let s): appendEscaped(s, to: &buffer)
        case .bytes(let data):
            // bytea's hex form, its backslash doubled for COPY.
            buffer.writeStaticString("\\\\x")
            buffer.reserveCapacity(minimumWritableBytes: data.count * 2)
            let digits: [UInt8] = Array("0123456789abcdef".utf8)
            data.withUnsafeBytes { raw in
                for byte in raw {
                    buffer.writeInteger(digits[Int(byte >> 4)])
                    buffer.writeInteger(digits[Int(byte & 0x0F)])
                }
            }
        case .decimal(let d): buffer.writeString(PostgresDialect.decimalText(d))
        case .date(let d): buffer.writeString(d.description)
        case .datetime(let d): buffer.writeString(d.formatted(fractionalDigits: 6))
        case .uuid(let u): buffer.writeString(u.uuidString)
        case .json(let j): appendEscaped(j.serialized(), to: &buffer)
        case .custom(let c): appendEscaped(c.description, to: &buffer)
        }
    }

    static func appendEscaped(_ text: String, to buffer: inout ByteBuffer) {
        var text = text
        text.withUTF8 { bytes in
            // Most values need no escaping: one write.
            if !bytes.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
                buffer.writeBytes(bytes)
                return
            }
            for byte in bytes {
                switch byte {
                case 0x5C: buffer.writeStaticString("\\\\")
                case 0x09: buffer.writeStaticString("\\t")
                case 0x0A: buffer.writeStaticString("\\n")
                case 0x0D: buffer.writeStaticString("\\r")
                default: buffer.writeInteger(byte)
                }
            }
        }
    }
}
