import DataJointCore
import Foundation
import Logging
import PostgresNIO
import Synchronization

/// One pooled PostgreSQL connection, used by one task at a time (the driver's `withSession` guarantees it).
///
/// Values are bound as typed parameters: integers as `int8`, floats as `float8`, booleans as `boolean`, bytes as
/// `bytea`, dates as `date`, datetimes as `timestamp`, UUIDs as `uuid`. Strings, decimals and JSON are sent as
/// text of unspecified type, so that the server gives them the type of the column or expression they meet
/// (`varchar`, an enum type, `numeric`, `jsonb`, ...), as a quoted literal would be.
final class PostgresSession: DatabaseSession, @unchecked Sendable {
    private struct State {
        var connection: PostgresConnection
        var inTransaction = false
        var broken = false
    }

    private let state: Mutex<State>
    let pool: PostgresConnectionPool

    init(connection: PostgresConnection, pool: PostgresConnectionPool) {
        state = Mutex(State(connection: connection))
        self.pool = pool
    }

    var target: PostgresTarget { pool.target }

    var preferredExecutor: (any TaskExecutor)? {
        EventLoopTaskExecutor(state.withLock { $0.connection.eventLoop })
    }

    private func setInTransaction(_ value: Bool) {
        state.withLock { $0.inTransaction = value }
    }

    func begin() async throws {
        try await execute(RenderedSQL("BEGIN"))
        setInTransaction(true)
    }

    func commit() async throws {
        defer { setInTransaction(false) }
        try await execute(RenderedSQL("COMMIT"))
    }

    func rollback() async throws {
        defer { setInTransaction(false) }
        try await execute(RenderedSQL("ROLLBACK"))
    }

    /// The connection to run the next statement on. A connection found closed outside a transaction is replaced
    /// (nothing was lost with it); inside a transaction its loss is an error.
    private func usableConnection() async throws -> PostgresConnection {
        let (connection, inTransaction) = state.withLock { ($0.connection, $0.inTransaction) }
        guard connection.isClosed else { return connection }
        if inTransaction {
            state.withLock { $0.broken = true }
            throw DataJointError(
                .connection,
                "lost the connection to PostgreSQL \(target.account) during a transaction; the transaction was rolled back")
        }
        return try await replace(connection)
    }

    /// Puts a new connection in the place of a lost one.
    private func replace(_ connection: PostgresConnection) async throws -> PostgresConnection {
        let fresh = try await pool.connect()
        state.withLock {
            $0.connection = fresh
            $0.broken = false
        }
        try? await connection.close()
        return fresh
    }

    /// Runs a statement. A connection lost outside a transaction (typically ended by the server while it sat idle
    /// in the pool, which the client learns only from the next statement) is replaced and the statement run once
    /// more, as the MySQL driver does: nothing was lost with it. Inside a transaction the loss is the caller's error.
    private func run<T>(_ sql: String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await usableConnection()
        do {
            return try await body(connection)
        } catch {
            let translated = failure(error, sql: sql)
            let inTransaction = state.withLock { $0.inTransaction }
            guard let lost = translated as? DataJointError, lost.kind == .connection, !inTransaction else { throw translated }
            pool.logger.warning("\(lost.message); reconnecting")
            let fresh = try await replace(connection)
            do {
                return try await body(fresh)
            } catch {
                throw failure(error, sql: sql)
            }
        }
    }

    private func failure(_ error: any Error, sql: String) -> any Error {
        let translated = PostgresErrors.translate(error, sql: sql, target: target, connecting: false)
        if translated.kind == .connection { state.withLock { $0.broken = true } }
        return translated
    }

    func execute(_ statement: RenderedSQL) async throws -> Int {
        try await run(statement.sql) { connection in
            let result = try await connection.query(PostgresSession.query(statement), logger: pool.statementLogger).get()
            return result.metadata.rows ?? 0
        }
    }

    func query(_ statement: RenderedSQL) async throws -> [[Value]] {
        try await run(statement.sql) { connection in
            // Rows are converted as they arrive, while the server is still sending the rest.
            var rows: [[Value]] = []
            for try await row in try await connection.query(PostgresSession.query(statement), logger: pool.statementLogger) {
                rows.append(row.map(PostgresSession.value))
            }
            return rows
        }
    }

    var supportsBulkCopy: Bool { true }

    func copy(into table: SQLTableName, columns: [String], rows: [[Value]]) async throws -> Int {
        let connection = try await usableConnection()
        let quote = { (name: String) in "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        let sql = "COPY \(quote(table.schema)).\(quote(table.table))"
        var buffer = ByteBufferAllocator().buffer(capacity: 1 << 16)
        for row in rows { PostgresCopy.append(row, to: &buffer) }
        do {
            // On the connection's own event loop, so that no message from the server is handled between a check
            // of the connection below and the writer call that follows it (see `CopySafety`).
            try await withTaskExecutorPreference(EventLoopTaskExecutor(connection.eventLoop)) {
                // postgres-nio quotes the names itself (`COPY "<table>"("<column>", ...)`): schema and table names
                // hold no quotes (DataJoint names are validated), so `schema"."table` yields `"schema"."table"`.
                try await connection.copyFrom(
                    table: table.schema + "\".\"" + table.table, columns: columns, logger: pool.statementLogger
                ) { [buffer] writer in
                    try await CopySafety.ensureOpen(connection, target: target, "at the start of a COPY")
                    do {
                        if buffer.readableBytes > 0 { try await writer.write(buffer) }
                    } catch {
                        try await CopySafety.ensureOpen(connection, target: target, "during a COPY")
                        throw error
                    }
                    try await CopySafety.ensureOpen(connection, target: target, "at the end of a COPY")
                }
            }
            return rows.count
        } catch {
            throw failure(error, sql: sql)
        }
    }

    func stream(_ statement: RenderedSQL) -> AsyncThrowingStream<[Value], any Error> {
        // Rows are pulled from the server as the consumer asks for them (postgres-nio applies back-pressure).
        let cursor = RowCursor()
        return AsyncThrowingStream(unfolding: { [self] in
            do {
                if cursor.iterator == nil {
                    let connection = try await usableConnection()
                    cursor.iterator = try await connection.query(PostgresSession.query(statement), logger: pool.statementLogger)
                        .makeAsyncIterator()
                }
                guard let row = try await cursor.iterator!.next() else { return nil }
                return row.map(PostgresSession.value)
            } catch let error as DataJointError {
                throw error
            } catch {
                throw failure(error, sql: statement.sql)
            }
        })
    }

    /// Returns the connection to the pool, rolling back a transaction left open.
    func finish() async {
        let (connection, inTransaction, broken) = state.withLock { ($0.connection, $0.inTransaction, $0.broken) }
        var isBroken = broken
        if inTransaction, !broken {
            do {
                _ = try await connection.query(PostgresQuery(unsafeSQL: "ROLLBACK"), logger: pool.statementLogger).get()
            } catch {
                isBroken = true
            }
        }
        await pool.release(connection, broken: isBroken)
    }

    // MARK: parameters

    static func query(_ statement: RenderedSQL) -> PostgresQuery {
        var binds = PostgresBindings(capacity: statement.binds.count)
        for value in statement.binds { bind(value, into: &binds) }
        return PostgresQuery(unsafeSQL: statement.sql, binds: binds)
    }

    static func bind(_ value: Value, into binds: inout PostgresBindings) {
        switch value {
        case .null: binds.appendNull()
        case .bool(let b): binds.append(b)
        case .int(let i): binds.append(i)
        case .double(let d): binds.append(d)
        case .string(let s): binds.append(TextParameter(text: s, type: .null))
        case .bytes(let d): binds.append(ByteaParameter(data: d))
        case .decimal(let d): binds.append(TextParameter(text: PostgresDialect.decimalText(d), type: .null))
        case .date(let d): binds.append(TextParameter(text: d.description, type: .date))
        case .datetime(let d): binds.append(TextParameter(text: d.formatted(fractionalDigits: 6), type: .timestamp))
        case .uuid(let u): binds.append(u)
        case .json(let j): binds.append(TextParameter(text: j.serialized(), type: .null))
        // Codec values are encoded before they reach a statement; this only guards the invariant.
        case .custom(let c): binds.append(TextParameter(text: c.description, type: .null))
        }
    }

    // MARK: results

    /// Converts a cell (binary format, as postgres-nio requests) into a value.
    static func value(_ cell: PostgresCell) -> Value {
        guard var buffer = cell.bytes else { return .null }
        switch cell.dataType {
        case .bool:
            return .bool((buffer.readInteger(as: UInt8.self) ?? 0) != 0)
        case .int2:
            return buffer.readInteger(as: Int16.self).map { .int(Int64($0)) } ?? .null
        case .int4:
            return buffer.readInteger(as: Int32.self).map { .int(Int64($0)) } ?? .null
        case .int8:
            return buffer.readInteger(as: Int64.self).map { .int($0) } ?? .null
        case .oid, .regproc, PostgresDataType(2205), PostgresDataType(2206):
            return buffer.readInteger(as: UInt32.self).map { .int(Int64($0)) } ?? .null
        case .float4:
            return buffer.readInteger(as: UInt32.self).map { .double(Double(Float(bitPattern: $0))) } ?? .null
        case .float8:
            return buffer.readInteger(as: UInt64.self).map { .double(Double(bitPattern: $0)) } ?? .null
        case .numeric:
            return PostgresBinary.numeric(&buffer)
        case .bytea:
            return .bytes(Data(buffer.readableBytesView))
        case .uuid:
            guard let bytes = buffer.readBytes(length: 16) else { return .null }
            let u = UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
            return .uuid(u)
        case .date:
            return buffer.readInteger(as: Int32.self).map(PostgresBinary.date) ?? .null
        case .timestamp, .timestamptz:
            return buffer.readInteger(as: Int64.self).map(PostgresBinary.timestamp) ?? .null
        case .time:
            return buffer.readInteger(as: Int64.self).map { .string(PostgresBinary.clock($0)) } ?? .null
        case .jsonb:
            _ = buffer.readInteger(as: UInt8.self)  // format version
            return .string(buffer.readString(length: buffer.readableBytes) ?? "")
        default:
            // Text-like types (text, varchar, char, name, json, enum types, ...) are sent as their text.
            if let text = String(validating: buffer.readableBytesView, as: UTF8.self) { return .string(text) }
            return .bytes(Data(buffer.readableBytesView))
        }
    }
}

/// A parameter sent as text: of unspecified type (OID 0), so the server infers it from context, or of a given type.
struct TextParameter: PostgresDynamicTypeEncodable {
    let text: String
    let type: PostgresDataType

    var psqlType: PostgresDataType { type }
    var psqlFormat: PostgresFormat { .text }

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        byteBuffer.writeString(text)
    }
}

/// Bytes sent as `bytea`, written straight from the `Data` into the message (no intermediate buffer).
struct ByteaParameter: PostgresDynamicTypeEncodable {
    let data: Data

    var psqlType: PostgresDataType { .bytea }
    var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        byteBuffer.writeBytes(data)
    }
}

/// Holds the row iterator of a streamed query between pulls.
private final class RowCursor: @unchecked Sendable {
    var iterator: PostgresRowSequence.AsyncIterator?
}

/// Decoders for PostgreSQL's binary formats.
enum PostgresBinary {
    /// Microseconds from 1970-01-01 to 2000-01-01 (PostgreSQL's epoch) in days.
    static let epochDays: Int64 = 10_957

    /// Year, month, day of a day count since 1970-01-01 (proleptic Gregorian calendar).
    static func civil(daysSince1970 z0: Int64) -> (year: Int64, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, Int(m), Int(d))
    }

    static func date(_ days: Int32) -> Value {
        if days == Int32.max { return .string("infinity") }
        if days == Int32.min { return .string("-infinity") }
        let (y, m, d) = civil(daysSince1970: Int64(days) + epochDays)
        if let date = CalendarDate(year: Int(y), month: m, day: d) { return .date(date) }
        return .string(String(format: "%04lld-%02d-%02d", y, m, d))
    }

    static func timestamp(_ micros: Int64) -> Value {
        if micros == Int64.max { return .string("infinity") }
        if micros == Int64.min { return .string("-infinity") }
        let perDay: Int64 = 86_400_000_000
        var days = micros / perDay
        var rest = micros % perDay
        if rest < 0 {
            rest += perDay
            days -= 1
        }
        let (y, m, d) = civil(daysSince1970: days + epochDays)
        let seconds = Int(rest / 1_000_000)
        let micro = Int(rest % 1_000_000)
        if let date = CalendarDate(year: Int(y), month: m, day: d),
            let value = DateTime(date: date, hour: seconds / 3600, minute: seconds / 60 % 60, second: seconds % 60, microsecond: micro)
        {
            return .datetime(value)
        }
        return .string(String(format: "%04lld-%02d-%02d ", y, m, d) + clock(rest))
    }

    /// `HH:MM:SS[.ffffff]` of microseconds since midnight.
    static func clock(_ micros: Int64) -> String {
        let seconds = micros / 1_000_000
        let fraction = micros % 1_000_000
        var text = String(format: "%02lld:%02lld:%02lld", seconds / 3600, seconds / 60 % 60, seconds % 60)
        if fraction != 0 { text += String(format: ".%06lld", fraction) }
        return text
    }

    /// A `numeric` value as an exact decimal (or its text when Foundation's `Decimal` cannot hold it).
    static func numeric(_ buffer: inout ByteBuffer) -> Value {
        guard let ndigits = buffer.readInteger(as: Int16.self), let weight = buffer.readInteger(as: Int16.self),
            let sign = buffer.readInteger(as: UInt16.self), let dscale = buffer.readInteger(as: Int16.self)
        else { return .null }
        switch sign {
        case 0xC000: return .double(.nan)
        case 0xD000: return .double(.infinity)
        case 0xF000: return .double(-.infinity)
        default: break
        }
        var digits: [Int] = []
        for _ in 0..<max(0, Int(ndigits)) {
            guard let d = buffer.readInteger(as: Int16.self) else { return .null }
            digits.append(Int(d))
        }
        func digit(atWeight w: Int) -> Int {
            let index = Int(weight) - w
            return index >= 0 && index < digits.count ? digits[index] : 0
        }
        var text = sign == 0x4000 ? "-" : ""
        if weight < 0 {
            text += "0"
        } else {
            text += String(digit(atWeight: Int(weight)))
            var w = Int(weight) - 1
            while w >= 0 {
                text += String(format: "%04d", digit(atWeight: w))
                w -= 1
            }
        }
        if dscale > 0 {
            var fraction = ""
            var w = -1
            while fraction.count < Int(dscale) {
                fraction += String(format: "%04d", digit(atWeight: w))
                w -= 1
            }
            text += "." + fraction.prefix(Int(dscale))
        }
        let significant = text.filter(\.isNumber).drop(while: { $0 == "0" }).count
        if significant <= 38, let decimal = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) {
            return .decimal(decimal)
        }
        return .string(text)
    }
}
