import DataJointCore
import Foundation
import Logging
import Synchronization

/// The MySQL/MariaDB backend, over the C client library libmariadb.
///
/// Keeps a pool of up to `ServerOptions.maxSessions` connections, each with a thread of its own for the blocking
/// client calls. Values are always sent as prepared-statement parameters, or, for inserts of many rows, as the
/// data of a `LOAD DATA LOCAL INFILE` streamed from memory (`MySQLLoadData`; never SQL text, and INSERT statements
/// when the server refuses it or `ServerOptions.localInfile` is off). Connections are opened like
/// DataJoint-Python's: utf8mb4, TCP, and the same `sql_mode`; a connection lost outside a transaction is
/// reopened and the statement run again.
///
/// ```swift
/// let driver = try await MySQLDriver.open(ServerOptions(host: "db.lab.org", port: 3306, user: "alice", password: "..."))
/// let db = Connection(driver: driver)
/// ```
public final class MySQLDriver: DatabaseDriver {
    public let dialect: any Dialect = MySQLDialect()
    public let catalog: any Catalog
    /// Where the driver connects (the password is kept but never shown).
    public let options: ServerOptions
    /// The server's version string, e.g. `10.11.19-MariaDB-0+deb12u1` or `8.0.36`.
    public let serverVersion: String
    /// True when the server is MariaDB rather than MySQL.
    public let isMariaDB: Bool
    private let pool: MySQLPool

    /// "MySQL user@host:port" (never the password).
    public var targetDescription: String { "MySQL \(options)" }

    private init(options: ServerOptions, pool: MySQLPool, serverVersion: String, isMariaDB: Bool) {
        self.options = options
        self.pool = pool
        self.serverVersion = serverVersion
        self.isMariaDB = isMariaDB
        catalog = MySQLCatalog(isMariaDB: isMariaDB)
    }

    /// Connects to a server. The first connection is opened right away, so a wrong password or an unreachable
    /// server is reported here (as a `.connection` error naming `user@host:port`).
    public static func open(_ options: ServerOptions, logger: Logger? = nil) async throws -> MySQLDriver {
        let first = try await MySQLConnection.open(options, logger: logger)
        let (version, mariaDB) = try await first.run { ($0.serverVersion, $0.isMariaDB) }
        let pool = MySQLPool(options: options, logger: logger, first: first)
        logger?.info("Connected to \(version) at \(options)")
        return MySQLDriver(options: options, pool: pool, serverVersion: version, isMariaDB: mariaDB)
    }

    public func withSession<T: Sendable>(_ body: @Sendable (any DatabaseSession) async throws -> T) async throws -> T {
        let connection = try await pool.acquire()
        let session = MySQLSession(connection: connection)
        do {
            let result = try await body(session)
            await pool.release(connection)
            return result
        } catch {
            await pool.release(connection)
            throw error
        }
    }

    public func close() async throws {
        await pool.close()
    }

    deinit {
        pool.closeNow()
    }
}

/// Exclusive use of one pooled connection.
struct MySQLSession: DatabaseSession {
    let connection: MySQLConnection

    var preferredExecutor: (any TaskExecutor)? { connection.worker }

    func execute(_ statement: RenderedSQL) async throws -> Int {
        try await connection.run { try $0.execute(statement) }
    }

    func query(_ statement: RenderedSQL) async throws -> [[Value]] {
        try await connection.run { try $0.query(statement) }
    }

    var supportsBulkCopy: Bool { connection.loadsLocalData.load(ordering: .relaxed) }

    /// Loads the rows with `LOAD DATA LOCAL INFILE`, their data streamed from memory (see `MySQLLoadData`).
    func copy(into table: SQLTableName, columns: [String], rows: [[Value]]) async throws -> Int {
        let statement = MySQLLoadData.statement(into: table, columns: columns, dialect: MySQLDialect())
        return try await connection.run { try $0.load(statement, rows: rows) }
    }

    func begin() async throws {
        try await connection.run { try $0.begin() }
    }

    func commit() async throws {
        try await connection.run { try $0.commit() }
    }

    func rollback() async throws {
        try await connection.run { try $0.rollback() }
    }

    /// Delivers rows in batches as they are fetched from the server; the next batch is fetched only when the
    /// consumer has taken the previous one.
    func stream(_ statement: RenderedSQL) -> AsyncThrowingStream<[Value], any Error> {
        let reader = MySQLStreamReader(connection: connection, statement: statement)
        return AsyncThrowingStream(unfolding: { try await reader.next() })
    }
}

/// Reads one streamed result for `MySQLSession.stream`. Used by one consumer at a time.
final class MySQLStreamReader: @unchecked Sendable {
    static let batchRows = 1_000
    static let batchBytes = 4 << 20

    let connection: MySQLConnection
    let statement: RenderedSQL
    private var id: Int?
    private var opened = false
    private var done = false
    private var buffer: [[Value]] = []
    private var position = 0

    init(connection: MySQLConnection, statement: RenderedSQL) {
        self.connection = connection
        self.statement = statement
    }

    func next() async throws -> [Value]? {
        if position < buffer.count {
            defer { position += 1 }
            return buffer[position]
        }
        if done { return nil }
        let statement = self.statement
        if !opened {
            opened = true
            id = try await connection.run { try $0.openStream(statement) }
            if id == nil {
                done = true
                return nil
            }
        }
        let id = self.id!
        let batch = try await connection.run {
            try $0.fetch(stream: id, sql: statement.sql, maxRows: MySQLStreamReader.batchRows, maxBytes: MySQLStreamReader.batchBytes)
        }
        done = batch.done
        buffer = batch.rows
        position = 0
        if buffer.isEmpty { return nil }
        position = 1
        return buffer[0]
    }

    deinit {
        // A stream abandoned before its end: free its result before the connection runs anything else.
        if let id, !done {
            let connection = self.connection
            connection.worker.submit { connection.closeStream(id) }
        }
    }
}

/// Up to `maxSessions` connections, handed out one task at a time.
final class MySQLPool: Sendable {
    private struct State {
        var idle: [MySQLConnection] = []
        var open = 0
        var waiters: [CheckedContinuation<Grant, any Error>] = []
        var closed = false
    }

    private enum Grant {
        case connection(MySQLConnection)
        case create
    }

    private let options: ServerOptions
    private let logger: Logger?
    private let state: Mutex<State>

    init(options: ServerOptions, logger: Logger?, first: MySQLConnection) {
        self.options = options
        self.logger = logger
        state = Mutex(State(idle: [first], open: 1))
    }

    private var limit: Int { max(1, options.maxSessions) }

    func acquire() async throws -> MySQLConnection {
        let grant: Grant = try await withCheckedThrowingContinuation { continuation in
            let immediate: Result<Grant, any Error>? = state.withLock { s in
                if s.closed { return .failure(DataJointError(.connection, "the MySQL driver is closed")) }
                if let c = s.idle.popLast() { return .success(.connection(c)) }
                if s.open < limit {
                    s.open += 1
                    return .success(.create)
                }
                s.waiters.append(continuation)
                return nil
            }
            if let immediate { continuation.resume(with: immediate) }
        }
        switch grant {
        case .connection(let c):
            return c
        case .create:
            do {
                return try await MySQLConnection.open(options, logger: logger)
            } catch {
                discardSlot()
                throw error
            }
        }
    }

    /// Returns a connection: it is cleaned (stream finished, transaction rolled back) and handed to a waiter or kept.
    func release(_ connection: MySQLConnection) async {
        _ = try? await connection.run { $0.reset() }
        let (waiter, closeIt): (CheckedContinuation<Grant, any Error>?, Bool) = state.withLock { s in
            if s.closed {
                s.open -= 1
                return (nil, true)
            }
            if !s.waiters.isEmpty { return (s.waiters.removeFirst(), false) }
            s.idle.append(connection)
            return (nil, false)
        }
        if let waiter { waiter.resume(returning: .connection(connection)) }
        if closeIt { await connection.shutdown() }
    }

    /// Gives up a slot whose connection could not be opened; a waiter may try in its place.
    private func discardSlot() {
        let waiter: CheckedContinuation<Grant, any Error>? = state.withLock { s in
            if !s.waiters.isEmpty, !s.closed { return s.waiters.removeFirst() }
            s.open -= 1
            return nil
        }
        waiter?.resume(returning: .create)
    }

    func close() async {
        let (idle, waiters) = state.withLock { s in
            s.closed = true
            let taken = (s.idle, s.waiters)
            s.open -= s.idle.count
            s.idle = []
            s.waiters = []
            return taken
        }
        for w in waiters { w.resume(throwing: DataJointError(.connection, "the MySQL driver was closed")) }
        for c in idle { await c.shutdown() }
    }

    /// Closes idle connections without waiting (the driver is going away).
    func closeNow() {
        let (idle, waiters) = state.withLock { s in
            s.closed = true
            let taken = (s.idle, s.waiters)
            s.idle = []
            s.waiters = []
            return taken
        }
        for w in waiters { w.resume(throwing: DataJointError(.connection, "the MySQL driver was closed")) }
        for c in idle { c.shutdownNow() }
    }
}
