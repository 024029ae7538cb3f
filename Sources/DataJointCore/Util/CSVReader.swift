import Foundation

/// Reads comma-separated text (RFC 4180) into a header and records of text fields.
///
/// Fields are separated by commas; a field in double quotes may contain commas, line breaks and doubled
/// quotes (`""` for `"`). Lines may end in CRLF or LF. A leading UTF-8 byte-order mark and blank lines
/// (including a trailing newline) are ignored. The first record is the header; every other record must
/// have as many fields as the header.
///
/// ```swift
/// let (header, records) = try CSVReader().read(contentsOf: URL(fileURLWithPath: "Student.csv"))
/// ```
public struct CSVReader: Sendable {
    /// Creates a reader.
    public init() {}

    /// Reads and parses a UTF-8 CSV file.
    ///
    /// - Throws: `DataJointError(.invalidValue)` when the file cannot be read, is not UTF-8 text or is
    ///   malformed (see `parse(_:)`).
    public func read(contentsOf url: URL) throws -> (header: [String], records: [[String]]) {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw DataJointError(.invalidValue, "cannot read CSV file \(url.path): \(error.localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DataJointError(.invalidValue, "CSV file \(url.path) is not UTF-8 text")
        }
        return try parse(text)
    }

    /// Parses CSV text.
    ///
    /// - Throws: `DataJointError(.invalidValue)` when a record has a different number of fields than the
    ///   header, a quoted field is not closed, or text follows a closing quote.
    public func parse(_ text: String) throws -> (header: [String], records: [[String]]) {
        var text = text
        return try text.withUTF8 { try parse(bytes: $0) }
    }

    private static let quote = UInt8(ascii: "\"")
    private static let comma = UInt8(ascii: ",")
    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")

    private func parse(bytes: UnsafeBufferPointer<UInt8>) throws -> (header: [String], records: [[String]]) {
        let quote = Self.quote, comma = Self.comma, cr = Self.cr, lf = Self.lf
        let n = bytes.count
        var i = 0
        if n >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }

        var header: [String]? = nil
        var records: [[String]] = []
        var record: [String] = []
        var quoted: [UInt8] = []
        var line = 1  // physical line of `i`
        var recordLine = 1  // physical line where the current record started

        func string(_ start: Int, _ end: Int) -> String {
            String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        }

        func finishRecord() throws {
            defer { record.removeAll(keepingCapacity: true) }
            guard let header else {
                header = record
                return
            }
            guard record.count == header.count else {
                throw DataJointError(
                    .invalidValue,
                    "CSV line \(recordLine) has \(record.count) fields but the header has \(header.count)")
            }
            records.append(record)
        }

        while i < n {
            // At the start of a record: skip blank lines.
            if record.isEmpty {
                if bytes[i] == lf {
                    i += 1
                    line += 1
                    continue
                }
                if bytes[i] == cr {
                    i += 1
                    if i < n, bytes[i] == lf { i += 1 }
                    line += 1
                    continue
                }
                recordLine = line
            }

            // One field.
            if bytes[i] == quote {
                let fieldLine = line
                i += 1
                quoted.removeAll(keepingCapacity: true)
                var segment = i
                while true {
                    guard i < n else {
                        throw DataJointError(.invalidValue, "CSV line \(fieldLine) has a quoted field that is never closed")
                    }
                    let b = bytes[i]
                    if b == quote {
                        quoted.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[segment..<i]))
                        if i + 1 < n, bytes[i + 1] == quote {
                            quoted.append(quote)
                            i += 2
                            segment = i
                            continue
                        }
                        i += 1
                        break
                    }
                    if b == lf || (b == cr && (i + 1 == n || bytes[i + 1] != lf)) { line += 1 }
                    i += 1
                }
                record.append(String(decoding: quoted, as: UTF8.self))
                if i < n, bytes[i] != comma, bytes[i] != cr, bytes[i] != lf {
                    throw DataJointError(.invalidValue, "CSV line \(line) has text after the closing quote of a field")
                }
            } else {
                let start = i
                while i < n {
                    let b = bytes[i]
                    if b == comma || b == lf || b == cr { break }
                    i += 1
                }
                record.append(string(start, i))
            }

            // The delimiter after it.
            if i == n { break }
            switch bytes[i] {
            case comma:
                i += 1
                if i == n { record.append("") }  // a trailing comma ends with an empty field
            case cr:
                i += 1
                if i < n, bytes[i] == lf { i += 1 }
                line += 1
                try finishRecord()
            default:  // lf
                i += 1
                line += 1
                try finishRecord()
            }
        }
        if !record.isEmpty { try finishRecord() }
        return (header ?? [], records)
    }
}
