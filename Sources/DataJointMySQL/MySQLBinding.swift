import CMariaDB
import DataJointCore
import Foundation

/// An error reported by libmariadb or the server, before it is translated into a `DataJointError`.
struct MySQLClientError: Error {
    var code: UInt32
    var message: String

    init(_ code: UInt32, _ message: String) {
        self.code = code
        self.message = message
    }

    init(_ mysql: UnsafeMutablePointer<MYSQL>) {
        code = mysql_errno(mysql)
        message = String(cString: mysql_error(mysql))
    }

    init(statement: UnsafeMutablePointer<MYSQL_STMT>) {
        code = mysql_stmt_errno(statement)
        message = String(cString: mysql_stmt_error(statement))
    }

    /// Foreign-key violations: ER_ROW_IS_REFERENCED(_2), ER_NO_REFERENCED_ROW(_2), ER_FK_CANNOT_DROP_PARENT.
    static let foreignKeyCodes: Set<UInt32> = [1451, 1452, 1216, 1217, 3730]

    /// The server refuses `LOAD DATA LOCAL INFILE`: ER_NOT_ALLOWED_COMMAND, ER_LOAD_INFILE_CAPABILITY_DISABLED, or
    /// the client library's refusal (CR_LOAD_DATA_LOCAL_INFILE_REJECTED).
    static let localDataRefusedCodes: Set<UInt32> = [1148, 4166, 2068]

    /// True when the connection is unusable: the server went away or closed it.
    var isConnectionLost: Bool {
        switch code {
        case 2006, 2013, 2055:  // CR_SERVER_GONE_ERROR, CR_SERVER_LOST, CR_SERVER_LOST_EXTENDED
            true
        case 1927, 4031:  // ER_CONNECTION_KILLED (MariaDB), ER_CLIENT_INTERACTION_TIMEOUT (MySQL 8)
            true
        case 5013, 5014:  // CR_ERR_NET_READ, CR_ERR_NET_WRITE (libmariadb: the socket failed, e.g. a broken pipe)
            true
        default:
            false
        }
    }
}

/// The parameters of one prepared statement, laid out as `MYSQL_BIND` structures over one buffer.
///
/// Values are always sent as parameters: strings as `MYSQL_TYPE_STRING`, bytes as `MYSQL_TYPE_BLOB` (binary),
/// integers as `LONGLONG`, doubles as `DOUBLE`. Values of a megabyte or more travel separately with
/// `mysql_stmt_send_long_data`, so that a statement's packet stays small whatever its values weigh.
final class MySQLParameters {
    static let longDataThreshold = 1 << 20
    static let longDataChunk = 1 << 20

    let count: Int
    let binds: UnsafeMutablePointer<MYSQL_BIND>
    private let lengths: UnsafeMutablePointer<UInt>
    private let arena: UnsafeMutableRawPointer
    /// Parameters sent with `mysql_stmt_send_long_data`: index and payload.
    private(set) var longData: [(index: Int, payload: Data)] = []

    init(_ values: [Value]) {
        count = values.count
        let slots = max(1, count)
        binds = .allocate(capacity: slots)
        binds.initialize(repeating: MYSQL_BIND(), count: slots)
        lengths = .allocate(capacity: slots)
        lengths.initialize(repeating: 0, count: slots)

        // Convert values to the primitives the wire carries and size the arena.
        enum Primitive {
            case null, integer(Int64), double(Double), text(String), bytes(Data)
        }
        var primitives: [Primitive] = []
        primitives.reserveCapacity(count)
        var size = 0
        for value in values {
            let p: Primitive
            switch value {
            case .null: p = .null
            case .bool(let b): p = .integer(b ? 1 : 0)
            case .int(let i): p = .integer(i)
            case .double(let d): p = .double(d)
            case .string(let s): p = .text(s)
            case .bytes(let d): p = .bytes(d)
            case .decimal(let d): p = .text(d.description)
            case .date(let d): p = .text(d.description)
            case .datetime(let d): p = .text(d.formatted(fractionalDigits: 6))
            case .uuid(let u): p = .bytes(withUnsafeBytes(of: u.uuid) { Data($0) })
            case .json(let j): p = .text(j.serialized())
            // Codec values are encoded before they reach a statement; this only guards the invariant.
            case .custom(let c): p = .text(c.description)
            }
            switch p {
            case .null: break
            case .integer, .double: size += 8
            case .text(let s) where s.utf8.count < MySQLParameters.longDataThreshold: size += s.utf8.count
            case .bytes(let d) where d.count < MySQLParameters.longDataThreshold: size += d.count
            default: break
            }
            primitives.append(p)
        }
        arena = .allocate(byteCount: max(8, size), alignment: 8)

        var offset = 0
        for (i, p) in primitives.enumerated() {
            let slot = binds + i
            switch p {
            case .null:
                slot.pointee.buffer_type = MYSQL_TYPE_NULL
            case .integer(let v):
                (arena + offset).storeBytes(of: v, as: Int64.self)
                slot.pointee.buffer = arena + offset
                slot.pointee.buffer_type = MYSQL_TYPE_LONGLONG
                offset += 8
            case .double(let v):
                (arena + offset).storeBytes(of: v, as: Double.self)
                slot.pointee.buffer = arena + offset
                slot.pointee.buffer_type = MYSQL_TYPE_DOUBLE
                offset += 8
            case .text(var s):
                slot.pointee.buffer_type = MYSQL_TYPE_STRING
                if s.utf8.count >= MySQLParameters.longDataThreshold {
                    longData.append((i, Data(s.utf8)))
                } else {
                    s.withUTF8 { utf8 in
                        offset += Self.place(UnsafeRawBufferPointer(utf8), in: slot, at: arena + offset, length: lengths + i)
                    }
                }
            case .bytes(let d):
                slot.pointee.buffer_type = MYSQL_TYPE_BLOB
                if d.count >= MySQLParameters.longDataThreshold {
                    longData.append((i, d))
                } else {
                    d.withUnsafeBytes { offset += Self.place($0, in: slot, at: arena + offset, length: lengths + i) }
                }
            }
        }
    }

    /// Copies a short variable-length value into the arena and points its bind slot at it; returns its size.
    private static func place(
        _ bytes: UnsafeRawBufferPointer, in slot: UnsafeMutablePointer<MYSQL_BIND>, at target: UnsafeMutableRawPointer,
        length: UnsafeMutablePointer<UInt>
    ) -> Int {
        if let base = bytes.baseAddress { target.copyMemory(from: base, byteCount: bytes.count) }
        slot.pointee.buffer = target
        slot.pointee.buffer_length = UInt(bytes.count)
        length.pointee = UInt(bytes.count)
        slot.pointee.length = length
        return bytes.count
    }

    /// Binds the parameters to a prepared statement and sends the long values.
    func bind(to statement: UnsafeMutablePointer<MYSQL_STMT>) throws {
        guard count > 0 else { return }
        if mysql_stmt_bind_param(statement, binds) != 0 {
            throw MySQLClientError(statement: statement)
        }
        for (index, payload) in longData {
            try payload.withUnsafeBytes { raw in
                guard let base = raw.baseAddress else { return }
                var sent = 0
                repeat {
                    let n = min(MySQLParameters.longDataChunk, raw.count - sent)
                    let chunk = (base + sent).assumingMemoryBound(to: CChar.self)
                    if mysql_stmt_send_long_data(statement, UInt32(index), chunk, UInt(n)) != 0 {
                        throw MySQLClientError(statement: statement)
                    }
                    sent += n
                } while sent < raw.count
            }
        }
    }

    deinit {
        binds.deallocate()
        lengths.deallocate()
        arena.deallocate()
    }
}

/// How a result column is read and which primitive it becomes.
enum MySQLColumnKind {
    case signed, unsigned, double
    /// `float` columns, read as 4-byte floats (libmariadb's conversion to double goes through 6 digits).
    case float
    /// Exact text: strings, JSON.
    case text
    /// `DECIMAL` values, sent as exact text and read as `Decimal` (as PostgreSQL's `numeric` and DataJoint-Python's
    /// `decimal.Decimal`), so that a computed decimal (`sum`, `avg`, `round`) is a number, not a string.
    case decimal
    /// Binary strings and blobs.
    case bytes
    case date
    case datetime(digits: Int)
    case time(digits: Int)

    init(_ field: MYSQL_FIELD) {
        switch field.type {
        case MYSQL_TYPE_TINY, MYSQL_TYPE_SHORT, MYSQL_TYPE_LONG, MYSQL_TYPE_INT24, MYSQL_TYPE_LONGLONG, MYSQL_TYPE_YEAR:
            self = field.flags & UInt32(UNSIGNED_FLAG) != 0 ? .unsigned : .signed
        case MYSQL_TYPE_FLOAT:
            self = .float
        case MYSQL_TYPE_DOUBLE:
            self = .double
        case MYSQL_TYPE_DECIMAL, MYSQL_TYPE_NEWDECIMAL:
            self = .decimal
        case MYSQL_TYPE_JSON, MYSQL_TYPE_NULL:
            self = .text
        case MYSQL_TYPE_DATE, MYSQL_TYPE_NEWDATE:
            self = .date
        case MYSQL_TYPE_DATETIME, MYSQL_TYPE_TIMESTAMP, MYSQL_TYPE_DATETIME2, MYSQL_TYPE_TIMESTAMP2:
            self = .datetime(digits: Int(field.decimals))
        case MYSQL_TYPE_TIME, MYSQL_TYPE_TIME2:
            self = .time(digits: Int(field.decimals))
        default:
            // Strings, blobs, enums, sets, bits: binary when the column's character set is `binary` (63).
            self = field.charsetnr == 63 ? .bytes : .text
        }
    }

    /// Converts a value as the text protocol sends it.
    func value(text pointer: UnsafePointer<CChar>, length: Int) -> Value {
        let raw = UnsafeRawBufferPointer(start: pointer, count: length)
        switch self {
        case .signed:
            return MySQLColumnKind.parseInt(raw).map(Value.int) ?? .string(String(decoding: raw, as: UTF8.self))
        case .unsigned:
            let text = String(decoding: raw, as: UTF8.self)
            if let n = MySQLColumnKind.parseInt(raw) { return .int(n) }
            return .string(text)
        case .double, .float:
            let text = String(decoding: raw, as: UTF8.self)
            return Double(text).map(Value.double) ?? .string(text)
        case .bytes:
            return .bytes(Data(raw))
        case .decimal:
            return MySQLColumnKind.decimal(String(decoding: raw, as: UTF8.self))
        case .text, .date, .datetime, .time:
            return .string(String(decoding: raw, as: UTF8.self))
        }
    }

    /// A `DECIMAL` value from its text; the text itself if it is not a number.
    static func decimal(_ text: String) -> Value {
        Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")).map(Value.decimal) ?? .string(text)
    }

    static func parseInt(_ raw: UnsafeRawBufferPointer) -> Int64? {
        guard !raw.isEmpty, raw.count <= 20 else { return nil }
        var i = 0
        var negative = false
        if raw[0] == UInt8(ascii: "-") {
            negative = true
            i = 1
        } else if raw[0] == UInt8(ascii: "+") {
            i = 1
        }
        guard i < raw.count else { return nil }
        var result: Int64 = 0
        while i < raw.count {
            let c = raw[i]
            guard c >= 48, c <= 57 else { return nil }
            let digit = Int64(c - 48)
            let (m, o1) = result.multipliedReportingOverflow(by: 10)
            let (s, o2) = negative ? m.subtractingReportingOverflow(digit) : m.addingReportingOverflow(digit)
            if o1 || o2 { return nil }
            result = s
            i += 1
        }
        return result
    }

    /// Formats a `MYSQL_TIME` as the server writes it in text.
    func format(_ t: MYSQL_TIME) -> String {
        func pad(_ n: UInt32, _ width: Int) -> String {
            let s = String(n)
            return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        }
        func fraction(_ digits: Int) -> String {
            let d = digits > 6 ? (t.second_part == 0 ? 0 : 6) : digits
            guard d > 0 else { return "" }
            let micro = pad(UInt32(t.second_part), 6)
            return "." + micro.prefix(d)
        }
        switch self {
        case .date:
            return "\(pad(t.year, 4))-\(pad(t.month, 2))-\(pad(t.day, 2))"
        case .time(let digits):
            let hours = t.day * 24 + t.hour
            return (t.neg != 0 ? "-" : "") + "\(pad(hours, 2)):\(pad(t.minute, 2)):\(pad(t.second, 2))" + fraction(digits)
        case .datetime(let digits):
            return "\(pad(t.year, 4))-\(pad(t.month, 2))-\(pad(t.day, 2)) \(pad(t.hour, 2)):\(pad(t.minute, 2)):\(pad(t.second, 2))"
                + fraction(digits)
        default:
            return ""
        }
    }
}

/// A result set being read row by row: either from a prepared statement (binary protocol) or from a plain
/// query (text protocol). Rows are read from the network as they are fetched, never stored whole by the client.
protocol MySQLResultCursor: AnyObject {
    /// The next row, or nil at the end.
    func next() throws -> [Value]?
    /// Frees the result (reading and discarding any rows not fetched).
    func close()
}

/// The result of a prepared statement, fetched with `mysql_stmt_fetch` into typed buffers.
final class MySQLStatementCursor: MySQLResultCursor {
    private var statement: UnsafeMutablePointer<MYSQL_STMT>?
    private let kinds: [MySQLColumnKind]
    private let binds: UnsafeMutablePointer<MYSQL_BIND>
    private let lengths: UnsafeMutablePointer<UInt>
    private let nulls: UnsafeMutablePointer<my_bool>
    private let errors: UnsafeMutablePointer<my_bool>
    private var buffers: [UnsafeMutableRawPointer]
    private var capacities: [Int]

    /// Binds result buffers for an executed statement that returns rows.
    init(statement: UnsafeMutablePointer<MYSQL_STMT>) throws {
        self.statement = statement
        guard let metadata = mysql_stmt_result_metadata(statement) else {
            throw MySQLClientError(statement: statement)
        }
        defer { mysql_free_result(metadata) }
        let count = Int(mysql_num_fields(metadata))
        let fields = mysql_fetch_fields(metadata)!
        let slots = max(1, count)
        binds = .allocate(capacity: slots)
        binds.initialize(repeating: MYSQL_BIND(), count: slots)
        lengths = .allocate(capacity: slots)
        lengths.initialize(repeating: 0, count: slots)
        nulls = .allocate(capacity: slots)
        nulls.initialize(repeating: 0, count: slots)
        errors = .allocate(capacity: slots)
        errors.initialize(repeating: 0, count: slots)
        var kinds: [MySQLColumnKind] = []
        buffers = []
        capacities = []
        for i in 0..<count {
            let field = fields[i]
            let kind = MySQLColumnKind(field)
            kinds.append(kind)
            let capacity: Int
            let type: enum_field_types
            switch kind {
            case .signed, .unsigned:
                capacity = 8
                type = MYSQL_TYPE_LONGLONG
                binds[i].is_unsigned = field.flags & UInt32(UNSIGNED_FLAG) != 0 ? 1 : 0
            case .double:
                capacity = 8
                type = MYSQL_TYPE_DOUBLE
            case .float:
                capacity = 4
                type = MYSQL_TYPE_FLOAT
            case .date:
                capacity = MemoryLayout<MYSQL_TIME>.size
                type = MYSQL_TYPE_DATE
            case .datetime:
                capacity = MemoryLayout<MYSQL_TIME>.size
                type = MYSQL_TYPE_DATETIME
            case .time:
                capacity = MemoryLayout<MYSQL_TIME>.size
                type = MYSQL_TYPE_TIME
            case .text, .bytes, .decimal:
                // Grown on demand when a longer value arrives.
                capacity = max(16, min(Int(field.length), 1024))
                type = MYSQL_TYPE_BLOB
            }
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
            buffers.append(buffer)
            capacities.append(capacity)
            binds[i].buffer_type = type
            binds[i].buffer = buffer
            binds[i].buffer_length = UInt(capacity)
            binds[i].length = lengths + i
            binds[i].is_null = nulls + i
            binds[i].error = errors + i
        }
        self.kinds = kinds
        if count > 0, mysql_stmt_bind_result(statement, binds) != 0 {
            let error = MySQLClientError(statement: statement)
            release()
            throw error
        }
    }

    func next() throws -> [Value]? {
        guard let statement else { return nil }
        let rc = mysql_stmt_fetch(statement)
        if rc == MYSQL_NO_DATA { return nil }
        if rc == 1 {
            let error = MySQLClientError(statement: statement)
            guard error.code == 0 else { throw error }
            // libmariadb could not read the row and does not say why (a row larger than the client accepts): the
            // rest of the row is still on its way, so the connection is out of step and must not be used again.
            let reason = statement.pointee.mysql.map { String(cString: mysql_error($0)) } ?? ""
            throw MySQLClientError(
                2013, "a row of the result could not be read\(reason.isEmpty ? "" : " (\(reason))"); it may be larger than "
                    + "the client accepts (max_allowed_packet), and the connection was closed")
        }
        // 0, or MYSQL_DATA_TRUNCATED when a value outgrew its buffer: such values are read below.
        var row: [Value] = []
        row.reserveCapacity(kinds.count)
        var rebind = false
        for (i, kind) in kinds.enumerated() {
            if nulls[i] != 0 {
                row.append(.null)
                continue
            }
            let buffer = buffers[i]
            switch kind {
            case .signed:
                row.append(.int(buffer.load(as: Int64.self)))
            case .unsigned:
                let u = buffer.load(as: UInt64.self)
                row.append(u <= UInt64(Int64.max) ? .int(Int64(u)) : .string(String(u)))
            case .double:
                row.append(.double(buffer.load(as: Double.self)))
            case .float:
                row.append(.double(Double(buffer.load(as: Float.self))))
            case .date, .datetime, .time:
                row.append(.string(kind.format(buffer.load(as: MYSQL_TIME.self))))
            case .text, .bytes, .decimal:
                let length = Int(lengths[i])
                if length > capacities[i] {
                    let capacity = max(length, capacities[i] * 2)
                    buffers[i].deallocate()
                    let bigger = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
                    buffers[i] = bigger
                    capacities[i] = capacity
                    binds[i].buffer = bigger
                    binds[i].buffer_length = UInt(capacity)
                    if mysql_stmt_fetch_column(statement, binds + i, UInt32(i), 0) != 0 {
                        throw MySQLClientError(statement: statement)
                    }
                    rebind = true
                }
                let raw = UnsafeRawBufferPointer(start: buffers[i], count: length)
                if case .bytes = kind {
                    row.append(.bytes(Data(raw)))
                } else if case .decimal = kind {
                    row.append(MySQLColumnKind.decimal(String(decoding: raw, as: UTF8.self)))
                } else {
                    row.append(.string(String(decoding: raw, as: UTF8.self)))
                }
            }
        }
        if rebind, mysql_stmt_bind_result(statement, binds) != 0 {
            throw MySQLClientError(statement: statement)
        }
        return row
    }

    func close() {
        release()
    }

    private func release() {
        guard let statement else { return }
        mysql_stmt_close(statement)
        self.statement = nil
        for b in buffers { b.deallocate() }
        buffers = []
        binds.deallocate()
        lengths.deallocate()
        nulls.deallocate()
        errors.deallocate()
    }

    deinit { release() }
}

/// The result of a plain query, read with `mysql_use_result` / `mysql_fetch_row`.
final class MySQLTextCursor: MySQLResultCursor {
    private let mysql: UnsafeMutablePointer<MYSQL>
    private var result: UnsafeMutablePointer<MYSQL_RES>?
    private let kinds: [MySQLColumnKind]

    init(mysql: UnsafeMutablePointer<MYSQL>, result: UnsafeMutablePointer<MYSQL_RES>) {
        self.mysql = mysql
        self.result = result
        let count = Int(mysql_num_fields(result))
        let fields = mysql_fetch_fields(result)!
        kinds = (0..<count).map { MySQLColumnKind(fields[$0]) }
    }

    func next() throws -> [Value]? {
        guard let result else { return nil }
        guard let cells = mysql_fetch_row(result) else {
            if mysql_errno(mysql) != 0 { throw MySQLClientError(mysql) }
            return nil
        }
        let lengths = mysql_fetch_lengths(result)!
        var row: [Value] = []
        row.reserveCapacity(kinds.count)
        for (i, kind) in kinds.enumerated() {
            if let cell = cells[i] {
                row.append(kind.value(text: cell, length: Int(lengths[i])))
            } else {
                row.append(.null)
            }
        }
        return row
    }

    func close() {
        guard let result else { return }
        mysql_free_result(result)
        self.result = nil
    }

    deinit { close() }
}
