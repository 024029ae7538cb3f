import DataJointCore
import Foundation
import Logging
import SQLiteNIO
import Synchronization

/// The embedded SQLite backend: one database file (or an in-memory database), no server.
///
/// Opened with foreign keys enforced, write-ahead logging and a busy timeout, so that several processes on
/// one machine can work on the same file.
public final class SQLiteDriver: DatabaseDriver {
    public let dialect: any Dialect = SQLiteDialect()
    public let catalog: any Catalog = SQLiteCatalog()
    /// The database file path, or `:memory:`.
    public let path: String
    private let connection: SQLiteConnection
    private let lock = AsyncLock()
    /// Set once the connection is closed: sqlite-nio crashes when a closed connection is closed again.
    private let closed = Mutex(false)

    public var targetDescription: String { "SQLite database \(path)" }

    private init(path: String, connection: SQLiteConnection) {
        self.path = path
        self.connection = connection
    }

    /// Opens (creating if needed) a database file, or an in-memory database for `:memory:`. With `readOnly`, every
    /// statement that would change the database is refused (`PRAGMA query_only`).
    public static func open(path: String, busyTimeoutMilliseconds: Int = 30_000, readOnly: Bool = false) async throws
        -> SQLiteDriver
    {
        let storage: SQLiteConnection.Storage = path == ":memory:" ? .memory : .file(path: path)
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(storage: storage, logger: Logger(label: "datajoint.sqlite"))
        } catch {
            throw DataJointError(
                .connection, "cannot open SQLite database \(path): \(error)", underlying: error,
                serverCode: (error as? SQLiteError)?.reason.resultCodeName)
        }
        let driver = SQLiteDriver(path: path, connection: connection)
        try await SQLiteFunctions.install(on: connection)
        let session = SQLiteSession(connection: connection)
        _ = try await session.query(RenderedSQL("PRAGMA busy_timeout = \(busyTimeoutMilliseconds)"))
        _ = try await session.execute(RenderedSQL("PRAGMA foreign_keys = ON"))
        if path != ":memory:" {
            _ = try await session.query(RenderedSQL("PRAGMA journal_mode = WAL"))
            _ = try await session.execute(RenderedSQL("PRAGMA synchronous = NORMAL"))
        }
        try await SQLiteCatalog.ensureCatalogTables(session)
        if readOnly { _ = try await session.execute(RenderedSQL("PRAGMA query_only = ON")) }
        return driver
    }

    public func withSession<T: Sendable>(_ body: @Sendable (any DatabaseSession) async throws -> T) async throws -> T {
        let session = SQLiteSession(connection: connection)
        return try await lock.withLock { try await body(session) }
    }

    public func close() async throws {
        try await lock.withLock {
            guard self.markClosed() else { return }
            try await self.connection.close()
        }
    }

    /// Marks the connection closed; false if it already was.
    private func markClosed() -> Bool {
        closed.withLock { wasClosed in
            defer { wasClosed = true }
            return !wasClosed
        }
    }

    deinit {
        // sqlite-nio requires an explicit close, exactly once.
        if markClosed() { _ = connection.close() }
    }
}
