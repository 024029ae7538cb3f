import DataJointCore
import Foundation

/// Rows sent with `LOAD DATA LOCAL INFILE`: the statement, and the rows' data in the format it names, produced a
/// piece at a time as the client library asks for it (no file, and never the whole data in memory at once).
///
/// The data are values, not SQL: tab-separated fields, one row a line, `\N` for NULL and a backslash before a
/// backslash, tab, newline or NUL in a value (raw bytes otherwise, so strings go as UTF-8 and bytes as they are).
/// Numbers are written in full (doubles as their shortest exact decimal form), and decimals, dates, datetimes
/// and JSON as the dialect encoded them for a statement.
final class MySQLLoadData {
    /// The statement that reads the data into `columns` of `table`. The file name is a label: the client's
    /// handler serves this object's data whatever name the server asks for.
    static func statement(into table: SQLTableName, columns: [String], dialect: MySQLDialect) -> RenderedSQL {
        RenderedSQL(
            "LOAD DATA LOCAL INFILE 'datajoint-rows' INTO TABLE " + dialect.qualifiedName(table)
                + " CHARACTER SET utf8mb4 FIELDS TERMINATED BY X'09' ESCAPED BY X'5C' LINES TERMINATED BY X'0A' ("
                + columns.map(dialect.quote).joined(separator: ", ") + ")")
    }

    private let rows: [[Value]]
    private var next = 0
    private var buffer: [UInt8] = []
    private var position = 0

    init(rows: [[Value]]) {
        self.rows = rows
    }

    /// Copies up to `capacity` bytes of the data into `destination`; returns how many (0 at the end).
    func read(into destination: UnsafeMutableRawPointer, capacity: Int) -> Int {
        if position == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            position = 0
            while buffer.count < capacity, next < rows.count {
                Self.append(rows[next], to: &buffer)
                next += 1
            }
        }
        let count = min(capacity, buffer.count - position)
        buffer.withUnsafeBytes { bytes in
            destination.copyMemory(from: bytes.baseAddress! + position, byteCount: count)
        }
        position += count
        return count
    }

    /// Appends one row: its fields separated by tabs, ended by a newline.
    static func append(_ row: [Value], to buffer: inout [UInt8]) {
        for (index, value) in row.enumerated() {
            if index > 0 { buffer.append(0x09) }
            append(value, to: &buffer)
        }
        buffer.append(0x0A)
    }

    static func append(_ value: Value, to buffer: inout [UInt8]) {
        switch value {
        case .null: buffer.append(contentsOf: [0x5C, 0x4E])  // \N
        case .bool(let b): buffer.append(b ? 0x31 : 0x30)
        case .int(let i): appendText(String(i), to: &buffer)
        case .double(let d): appendText(d.description, to: &buffer)
        case .string(var s): s.withUTF8 { appendEscaped($0, to: &buffer) }
        case .bytes(let data): data.withUnsafeBytes { appendEscaped($0.bindMemory(to: UInt8.self), to: &buffer) }
        case .decimal(let d): appendText(d.description, to: &buffer)
        case .date(let d): appendText(d.description, to: &buffer)
        case .datetime(let d): appendText(d.formatted(fractionalDigits: 6), to: &buffer)
        case .uuid(let u): withUnsafeBytes(of: u.uuid) { appendEscaped($0.bindMemory(to: UInt8.self), to: &buffer) }
        case .json(let j): appendEscapedText(j.serialized(), to: &buffer)
        // Codec values are encoded before they reach the data; this only guards the invariant.
        case .custom(let c): appendEscapedText(c.description, to: &buffer)
        }
    }

    /// Text that holds no character needing an escape (digits, signs, letters, '.', '-', ':', ' ').
    private static func appendText(_ text: String, to buffer: inout [UInt8]) {
        var text = text
        text.withUTF8 { buffer.append(contentsOf: $0) }
    }

    private static func appendEscapedText(_ text: String, to buffer: inout [UInt8]) {
        var text = text
        text.withUTF8 { appendEscaped($0, to: &buffer) }
    }

    /// Appends bytes, with a backslash escape for the bytes the format reserves.
    static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to buffer: inout [UInt8]) {
        // Most values need no escaping: one copy.
        if !bytes.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x00 }) {
            buffer.append(contentsOf: bytes)
            return
        }
        for byte in bytes {
            switch byte {
            case 0x5C: buffer.append(contentsOf: [0x5C, 0x5C])
            case 0x09: buffer.append(contentsOf: [0x5C, 0x74])  // \t
            case 0x0A: buffer.append(contentsOf: [0x5C, 0x6E])  // \n
            case 0x00: buffer.append(contentsOf: [0x5C, 0x30])  // \0
            default: buffer.append(byte)
            }
        }
    }
}
