/// One connection to a database server or file, able to run statements and transactions. Drivers do I/O only.
public protocol DatabaseSession: Sendable {
    /// Runs a statement that returns no rows; returns the number of rows it changed.
    @discardableResult
    func execute(_ statement: RenderedSQL) async throws -> Int
    /// Runs a query and returns all rows (values in column order, as primitives: null, int, double, string, bytes).
    func query(_ statement: RenderedSQL) async throws -> [[Value]]
    /// Runs a query and delivers its rows as the consumer pulls them: the driver reads ahead of the consumer by a
    /// bounded buffer at most, and stops reading when the consumer lets go of the stream (which it must do before
    /// the session runs anything else).
    func stream(_ statement: RenderedSQL) -> AsyncThrowingStream<[Value], any Error>
    /// Whether ``copy(into:columns:rows:)`` is the backend's fast path for loading many rows.
    var supportsBulkCopy: Bool { get }
    /// Loads rows (values as the dialect encoded them) through the backend's bulk path, such as PostgreSQL's
    /// `COPY ... FROM STDIN` or MySQL's `LOAD DATA LOCAL INFILE`; fails on a duplicate key, a missing parent or a
    /// bad value like an INSERT statement, and like one leaves nothing of its rows behind when it fails. Returns
    /// the number of rows loaded. Throws ``BulkCopyUnavailable`` when the server refuses the bulk path before
    /// loading anything: the caller then sends the rows as INSERT statements.
    func copy(into table: SQLTableName, columns: [String], rows: [[Value]]) async throws -> Int
    /// The executor on which a task using this session reaches the database with the fewest thread hand-offs (the
    /// thread that does the session's I/O), or nil. Transactions run their body with a preference for it; work
    /// that computes in parallel inside them asks for the global executor explicitly.
    var preferredExecutor: (any TaskExecutor)? { get }

    /// Starts a transaction on this session.
    func begin() async throws
    /// Commits the transaction of this session.
    func commit() async throws
    /// Rolls back the transaction of this session.
    func rollback() async throws
    /// Marks a point inside the transaction that ``rollbackToSavepoint(_:)`` can return to.
    func savepoint(_ name: String) async throws
    /// Forgets a savepoint, keeping what was done since.
    func releaseSavepoint(_ name: String) async throws
    /// Undoes what was done since the savepoint, which stays set; the transaction goes on.
    func rollbackToSavepoint(_ name: String) async throws
}

extension DatabaseSession {
    public var supportsBulkCopy: Bool { false }
    public var preferredExecutor: (any TaskExecutor)? { nil }
    // The SQL standard's spelling, which SQLite, PostgreSQL and MySQL/MariaDB share.
    public func savepoint(_ name: String) async throws { try await execute(RenderedSQL("SAVEPOINT \(name)")) }
    public func releaseSavepoint(_ name: String) async throws { try await execute(RenderedSQL("RELEASE SAVEPOINT \(name)")) }
    public func rollbackToSavepoint(_ name: String) async throws {
        try await execute(RenderedSQL("ROLLBACK TO SAVEPOINT \(name)"))
    }
    public func copy(into table: SQLTableName, columns: [String], rows: [[Value]]) async throws -> Int {
        throw DataJointError(.notAllowed, "this backend has no bulk copy")
    }

    /// Runs `body` in a transaction of this session: committed when it returns, rolled back when it (or the
    /// commit) throws.
    public func withTransaction<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await begin()
        do {
            let result = try await body()
            try await commit()
            return result
        } catch {
            try? await rollback()
            throw error
        }
    }
}

/// Thrown by ``DatabaseSession/copy(into:columns:rows:)`` when the server refuses the bulk path (such as MySQL with
/// `local_infile` off): nothing was loaded, and the rows should be sent as INSERT statements instead.
public struct BulkCopyUnavailable: Error, Sendable {
    /// What the server said.
    public let reason: String

    public init(reason: String) {
        self.reason = reason
    }
}

/// A database backend: its dialect, its catalog, and access to sessions.
public protocol DatabaseDriver: Sendable {
    var dialect: any Dialect { get }
    var catalog: any Catalog { get }
    /// A description of the target for messages (never includes a password).
    var targetDescription: String { get }

    /// Runs `body` with exclusive use of a session.
    func withSession<T: Sendable>(_ body: @Sendable (any DatabaseSession) async throws -> T) async throws -> T
    /// Closes all sessions.
    func close() async throws
}
