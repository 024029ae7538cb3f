import Foundation

/// A minimal JSON reader for the blob tests that keeps numbers as their text, so that floats convert with correct
/// rounding (`Double(String)`) and large integers stay exact. Objects become `[String: Any]`, arrays `[Any]`,
/// numbers ``BlobTestJSON/Number``, `null` becomes `NSNull`.
enum BlobTestJSON {
    struct Number {
        let text: String
    }

    struct ParseError: Error, CustomStringConvertible {
        let description: String
    }

    static func parse(_ data: Data) throws -> Any {
        let bytes = [UInt8](data)
        var i = 0
        let value = try parseValue(bytes, &i)
        skipSpace(bytes, &i)
        guard i == bytes.count else { throw ParseError(description: "trailing characters at \(i)") }
        return value
    }

    private static func skipSpace(_ b: [UInt8], _ i: inout Int) {
        while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
    }

    private static func parseValue(_ b: [UInt8], _ i: inout Int) throws -> Any {
        skipSpace(b, &i)
        guard i < b.count else { throw ParseError(description: "unexpected end") }
        switch b[i] {
        case UInt8(ascii: "{"):
            i += 1
            var object: [String: Any] = [:]
            skipSpace(b, &i)
            if b[i] == UInt8(ascii: "}") {
                i += 1
                return object
            }
            while true {
                skipSpace(b, &i)
                guard let key = try parseValue(b, &i) as? String else { throw ParseError(description: "key at \(i)") }
                skipSpace(b, &i)
                guard b[i] == UInt8(ascii: ":") else { throw ParseError(description: "expected : at \(i)") }
                i += 1
                object[key] = try parseValue(b, &i)
                skipSpace(b, &i)
                if b[i] == UInt8(ascii: ",") {
                    i += 1
                } else if b[i] == UInt8(ascii: "}") {
                    i += 1
                    return object
                } else {
                    throw ParseError(description: "expected , or } at \(i)")
                }
            }
        case UInt8(ascii: "["):
            i += 1
            var array: [Any] = []
            skipSpace(b, &i)
            if b[i] == UInt8(ascii: "]") {
                i += 1
                return array
            }
            while true {
                array.append(try parseValue(b, &i))
                skipSpace(b, &i)
                if b[i] == UInt8(ascii: ",") {
                    i += 1
                } else if b[i] == UInt8(ascii: "]") {
                    i += 1
                    return array
                } else {
                    throw ParseError(description: "expected , or ] at \(i)")
                }
            }
        case UInt8(ascii: "\""):
            i += 1
            var scalars = String.UnicodeScalarView()
            var utf8: [UInt8] = []
            func flush() {
                scalars.append(contentsOf: String(decoding: utf8, as: UTF8.self).unicodeScalars)
                utf8.removeAll()
            }
            while b[i] != UInt8(ascii: "\"") {
                if b[i] == UInt8(ascii: "\\") {
                    flush()
                    i += 1
                    switch b[i] {
                    case UInt8(ascii: "n"): scalars.append("\n")
                    case UInt8(ascii: "t"): scalars.append("\t")
                    case UInt8(ascii: "r"): scalars.append("\r")
                    case UInt8(ascii: "b"): scalars.append("\u{8}")
                    case UInt8(ascii: "f"): scalars.append("\u{C}")
                    case UInt8(ascii: "u"):
                        var code = UInt32(String(decoding: b[(i + 1)...(i + 4)], as: UTF8.self), radix: 16)!
                        i += 4
                        if (0xD800..<0xDC00).contains(code), b[i + 1] == UInt8(ascii: "\\"), b[i + 2] == UInt8(ascii: "u") {
                            let low = UInt32(String(decoding: b[(i + 3)...(i + 6)], as: UTF8.self), radix: 16)!
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                            i += 6
                        }
                        scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
                    default: scalars.append(Unicode.Scalar(b[i]))
                    }
                    i += 1
                } else {
                    utf8.append(b[i])
                    i += 1
                }
            }
            flush()
            i += 1
            return String(scalars)
        case UInt8(ascii: "t"):
            i += 4
            return true
        case UInt8(ascii: "f"):
            i += 5
            return false
        case UInt8(ascii: "n"):
            i += 4
            return NSNull()
        default:
            let start = i
            while i < b.count, "+-0123456789.eE".utf8.contains(b[i]) { i += 1 }
            guard i > start else { throw ParseError(description: "unexpected character at \(i)") }
            return Number(text: String(decoding: b[start..<i], as: UTF8.self))
        }
    }
}
