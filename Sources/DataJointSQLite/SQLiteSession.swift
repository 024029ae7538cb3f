import DataJointCore
import Foundation
import NIOCore
import SQLiteNIO

/// One SQLite connection, used by one task at a time (the driver's lock guarantees it).
struct SQLiteSession: DatabaseSession {
    let connection: SQLiteConnection

    func execute(_ statement: RenderedSQL) async throws -> Int {
        do {
            _ = try await connection.query(statement.sql, statement.binds.map(SQLiteSession.bind))
            let rows = try await connection.query("SELECT changes()", [])
            return rows.first?.column("changes()")?.integer ?? 0
        } catch let error as SQLiteError {
            throw SQLiteSession.translate(error, sql: statement.sql)
        }
    }

    func query(_ statement: RenderedSQL) async throws -> [[Value]] {
        do {
            let rows = try await connection.query(statement.sql, statement.binds.map(SQLiteSession.bind))
            return rows.map { row in row.columns.map { SQLiteSession.value($0.data) } }
        } catch let error as SQLiteError {
            throw SQLiteSession.translate(error, sql: statement.sql)
        }
    }

    func begin() async throws {
        // IMMEDIATE takes the write lock up front, so concurrent writers wait (busy timeout) instead of deadlocking.
        try await execute(RenderedSQL("BEGIN IMMEDIATE"))
    }

    func commit() async throws {
        try await execute(RenderedSQL("COMMIT"))
    }

    func rollback() async throws {
        try await execute(RenderedSQL("ROLLBACK"))
    }

    func stream(_ statement: RenderedSQL) -> AsyncThrowingStream<[Value], any Error> {
        // Rows are read ahead of the consumer only as far as the buffer holds; when the consumer lets go of the
        // stream, the remaining rows are skipped.
        let buffer = SQLiteRowBuffer()
        let connection = self.connection
        Task {
            do {
                try await connection.query(statement.sql, statement.binds.map(SQLiteSession.bind)) { row in
                    guard !buffer.isStopped else { return }
                    buffer.append(row.columns.map { SQLiteSession.value($0.data) })
                }
                buffer.finish(.success(()))
            } catch let error as SQLiteError {
                buffer.finish(.failure(SQLiteSession.translate(error, sql: statement.sql)))
            } catch {
                buffer.finish(.failure(error))
            }
        }
        let reader = SQLiteStreamReader(buffer)
        return AsyncThrowingStream(unfolding: { try await reader.next() })
    }

    static func bind(_ value: Value) -> SQLiteData {
        switch value {
        case .null: .null
        case .bool(let b): .integer(b ? 1 : 0)
        case .int(let i): .integer(Int(i))
        case .double(let d): .float(d)
        case .string(let s): .text(s)
        case .bytes(let d): .blob(ByteBuffer(bytes: d))
        case .decimal(let d): .text(d.description)
        case .date(let d): .text(d.description)
        case .datetime(let d): .text(d.description)
        case .uuid(let u): .blob(ByteBuffer(bytes: withUnsafeBytes(of: u.uuid) { Array($0) }))
        case .json(let j): .text(j.serialized())
        // Codec values are encoded before they reach a statement; this only guards the invariant.
        case .custom(let c): .text(c.description)
        }
    }

    static func value(_ data: SQLiteData) -> Value {
        switch data {
        case .null: .null
        case .integer(let i): .int(Int64(i))
        case .float(let d): .double(d)
        case .text(let s): .string(s)
        case .blob(var buffer): .bytes(buffer.readData(length: buffer.readableBytes) ?? Data())
        }
    }

    /// Maps an SQLite error to a `DataJointError` that carries the error, its extended result code name and the
    /// statement.
    static func translate(_ error: SQLiteError, sql: String) -> DataJointError {
        let (kind, message) = classify(error, sql: sql)
        return DataJointError(
            kind, message, underlying: error, sql: sql, serverCode: error.reason.resultCodeName,
            isForeignKeyViolation: error.reason == .constraintForeignKeyFailed
                || error.message.contains("FOREIGN KEY constraint failed"))
    }

    /// The kind and message of an SQLite error: by its extended result code, else by its message.
    static func classify(_ error: SQLiteError, sql: String) -> (DataJointError.Kind, String) {
        let message = error.message
        let statement = sql.prefix(300)
        switch error.reason {
        case .constraintPrimaryKeyFailed, .constraintUniqueFailed, .constraintUniqueRowIDFailed:
            return (.duplicate, message)
        case .constraintForeignKeyFailed:
            return (.integrity, message)
        case .busy, .busyInRecovery, .busyInSnapshot, .busyTimeout, .locked, .lockedBySharedCache, .lockedVirtualTable:
            return (.lockTimeout, "\(message): another connection holds the database's write lock and the busy timeout "
                + "expired; try again in: \(statement)")
        case .readOnly, .readonlyInRecovery, .readonlyCantLock, .readonlyInRollback, .readonlyBackingMoved,
            .readonlyDirectory, .permission, .auth, .authUnauthorizedUser:
            return (.permissionDenied, "\(message) (the database is opened read-only, or its file or folder is not "
                + "writable) in: \(statement)")
        default:
            break
        }
        if message.contains("UNIQUE constraint failed") || message.contains("PRIMARY KEY") {
            return (.duplicate, message)
        }
        if message.contains("constraint failed") {
            return (.integrity, message)
        }
        if message.contains("no such table") {
            return (.missingTable, message)
        }
        if message.contains("no such column") || message.contains("syntax error") || message.contains("no such function") {
            return (.query, "\(message) in: \(statement)")
        }
        return (.database, "\(error) in: \(statement)")
    }
}
