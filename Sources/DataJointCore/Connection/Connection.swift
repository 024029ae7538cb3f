import Foundation
import Logging
import Synchronization

/// A connection to one database. Schemas, tables and queries are bound to a connection;
/// two connections in one process never share state.
public final class Connection: Sendable {
    /// The backend driver.
    public let driver: any DatabaseDriver
    /// Settings that affect behaviour (safe mode, insert batch size, ...).
    public let settings: Settings
    /// Where DataJoint reports warnings and progress.
    public let logger: Logger
    let id = UUID()
    /// Table descriptions read from the catalog, shared by all schema values of this connection.
    /// Cleared after any change of the database structure.
    let tableInfoCache = Mutex<[SQLTableName: TableInfo]>([:])
    /// The dependency graph last read from the catalog; cleared with `tableInfoCache`.
    let dependencyCache = Mutex<DependencyGraph?>(nil)
    /// The codecs attributes of this connection's tables may use.
    public let codecs = CodecRegistry()
    /// The object stores of this connection's settings.
    public let stores: StoreRegistry

    /// Creates a connection over an opened driver.
    public init(driver: any DatabaseDriver, settings: Settings = Settings(), logger: Logger? = nil) {
        self.driver = driver
        self.settings = settings
        self.logger = logger ?? Logger(label: "datajoint")
        stores = StoreRegistry(configuration: settings.stores)
    }

    /// The dialect of the backend.
    public var dialect: any Dialect { driver.dialect }
    /// The catalog of the backend.
    public var catalog: any Catalog { driver.catalog }

    /// Runs `body` with a session: the session of the enclosing transaction if there is one, else a free one.
    public func withSession<T: Sendable>(_ body: @Sendable (any DatabaseSession) async throws -> T) async throws -> T {
        if let active = ActiveTransaction.current, active.connectionID == id {
            // Whatever the session is used for could depend on inserts held back: they go first.
            if let deferred = active.deferred, !deferred.isEmpty { try await deferred.flush(on: active.session) }
            return try await body(active.session)
        }
        if let pinned = pinnedSession { return try await body(pinned) }
        return try await driver.withSession(body)
    }

    /// Where the enclosing transaction of this connection holds back plain inserts, if it asked for that.
    var deferredInserts: DeferredInserts? {
        guard let active = ActiveTransaction.current, active.connectionID == id else { return nil }
        return active.deferred
    }

    /// The store write log of the enclosing transaction of this connection, if any.
    var transactionWrites: StoreWriteLog? {
        guard let active = ActiveTransaction.current, active.connectionID == id else { return nil }
        return active.writes
    }

    /// True when called inside `transaction { ... }` of this connection.
    public var inTransaction: Bool {
        ActiveTransaction.current?.connectionID == id
    }

    /// Runs `body` in one transaction: everything it does is committed together, or rolled back if it throws.
    /// Nested calls join the enclosing transaction.
    ///
    /// Where the backend's session has an I/O thread (PostgreSQL's event loop, MariaDB's connection thread), `body`
    /// runs on it, so that its statements cost no thread hand-offs. Long computations belong outside transactions
    /// (as in a tripartite `make`), or in tasks that ask for `globalConcurrentExecutor`.
    @discardableResult
    public func transaction<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await transaction(deferringInserts: false, body)
    }

    /// A transaction as ``transaction(_:)``; with `deferringInserts` (when it is not nested), plain inserts are held
    /// back and sent together before any statement that could see them, and before the commit (``DeferredInserts``).
    func transaction<T: Sendable>(deferringInserts: Bool, _ body: @Sendable () async throws -> T) async throws -> T {
        if inTransaction { return try await body() }
        let id = self.id
        let writes = StoreWriteLog()
        let deferred = deferringInserts ? DeferredInserts() : nil
        @Sendable func run(_ session: any DatabaseSession) async throws -> T {
            do {
                return try await session.withTransaction {
                    try await ActiveTransaction.$current.withValue(
                        ActiveTransaction(connectionID: id, session: session, writes: writes, deferred: deferred)
                    ) {
                        let result = try await body()
                        try await deferred?.flush(on: session)
                        return result
                    }
                }
            } catch {
                await writes.rollBack()
                throw error
            }
        }
        if let pinned = pinnedSession { return try await run(pinned) }
        return try await withOwnSession(run)
    }

    /// Runs `body` inside the current transaction under a savepoint: when it throws, what it did is undone (rows, and
    /// objects it wrote to stores) and the transaction goes on; when it returns, its work stays part of the
    /// transaction. A failure to return to the savepoint is thrown as ``SavepointLost``: the transaction as a whole
    /// is then unusable.
    func withSavepoint<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        guard let active = ActiveTransaction.current, active.connectionID == id else {
            throw DataJointError(.notAllowed, "internal: a savepoint is set inside a transaction only")
        }
        let session = active.session
        if let deferred = active.deferred, !deferred.isEmpty { try await deferred.flush(on: session) }
        let writes = StoreWriteLog()
        let name = "dj_key"
        try await session.savepoint(name)
        do {
            let result = try await ActiveTransaction.$current.withValue(
                ActiveTransaction(connectionID: id, session: session, writes: writes)
            ) { try await body() }
            try await session.releaseSavepoint(name)
            active.writes.absorb(writes)
            return result
        } catch {
            await writes.rollBack()
            do {
                try await session.rollbackToSavepoint(name)
                try await session.releaseSavepoint(name)
            } catch let lost {
                throw SavepointLost(error: lost, cause: error)
            }
            throw error
        }
    }

    /// Runs `body` with a session from the driver, on the session's preferred executor (its I/O thread, if any).
    func withOwnSession<T: Sendable>(_ body: @Sendable (any DatabaseSession) async throws -> T) async throws -> T {
        try await driver.withSession { session in
            try await withTaskExecutorPreference(session.preferredExecutor) { try await body(session) }
        }
    }

    /// Runs a statement syntax tree.
    @discardableResult
    public func execute(_ statement: SQLStatement) async throws -> Int {
        let rendered = dialect.render(statement)
        return try await execute(rendered)
    }

    /// Runs SQL that returns no rows. Values are bound as parameters.
    @discardableResult
    public func execute(_ statement: RenderedSQL) async throws -> Int {
        logger.trace("\(statement.sql)")
        return try await withSession { try await $0.execute(statement) }
    }

    /// Runs a query and returns its rows as primitives.
    public func query(_ statement: RenderedSQL) async throws -> [[Value]] {
        logger.trace("\(statement.sql)")
        // A query that cannot see the inserts held back in this transaction does not wait for them.
        if let active = ActiveTransaction.current, active.connectionID == id, let deferred = active.deferred,
            !deferred.mayBeRead(by: statement.sql)
        {
            return try await active.session.query(statement)
        }
        return try await withSession { try await $0.query(statement) }
    }

    /// Names of all schemas in the database.
    public func schemaNames() async throws -> [String] {
        let catalog = self.catalog
        return try await withSession { try await catalog.schemas($0) }.sorted()
    }

    /// Adds a codec, usable in definitions as `<name>` from now on.
    public func register(_ codec: any Codec) {
        codecs.register(codec)
    }

    /// Names of the codecs this connection knows, sorted.
    public func listCodecs() -> [String] { codecs.names }

    /// Closes the connection.
    public func close() async throws {
        try await driver.close()
    }
}

/// The transaction a task is running in, if any. Scoped to the task and its children, never global.
/// The transaction could not return to a savepoint (the connection was lost, or the server gave up the
/// transaction): none of its work can be committed.
struct SavepointLost: Error {
    let error: any Error
    /// The failure inside the savepoint that was being undone.
    let cause: any Error
}

struct ActiveTransaction: Sendable {
    let connectionID: UUID
    let session: any DatabaseSession
    /// Objects written to stores in this transaction, removed again if it rolls back.
    let writes: StoreWriteLog
    /// Plain inserts held back, when the transaction asked for that.
    var deferred: DeferredInserts? = nil
    @TaskLocal static var current: ActiveTransaction?
}
