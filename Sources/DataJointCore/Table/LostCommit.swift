import Synchronization

// When the connection is lost after every statement of a transaction ran (that is, at COMMIT), the server may have
// committed or not. Deletes and plain inserts read the outcome on a new session instead of reporting a failure for
// a change that happened (and, for inserts, instead of removing stored objects that committed rows refer to).

extension Table {
    /// Runs the transaction of a delete. After a lost commit, no row of this (restricted) table left means the delete
    /// was committed, and its count is returned; otherwise the error is thrown (the server rolled it back).
    func deleteTransaction(_ body: @escaping @Sendable () async throws -> Int) async throws -> Int {
        let connection = self.connection
        let finished = FinishedValue<Int>()
        do {
            return try await connection.transaction {
                let count = try await body()
                finished.set(count)
                return count
            }
        } catch let error as DataJointError where error.kind == .connection {
            guard !connection.inTransaction, let count = finished.value,
                await Self.readAfterLostConnection({ try await self.count() }) == 0
            else { throw error }
            connection.logger.warning(
                "the connection was lost at the commit of a delete, and the rows are gone: the delete was committed (\(error.message))")
            return count
        }
    }

    /// Runs the transaction of a plain insert (one that fails on duplicates) whose first row has primary key
    /// `firstKey`. After a lost commit, that row being in the table means the insert was committed (all its rows are,
    /// being one transaction), and no error is thrown; otherwise the error is thrown.
    func insertTransaction(firstKey: Row?, _ body: @escaping @Sendable () async throws -> Void) async throws {
        let connection = self.connection
        let finished = FinishedValue<Bool>()
        do {
            try await connection.transaction {
                try await body()
                finished.set(true)
            }
        } catch let error as DataJointError where error.kind == .connection {
            guard !connection.inTransaction, finished.value == true, let firstKey,
                await Self.readAfterLostConnection({ try await self.contains(firstKey) }) == true
            else { throw error }
            connection.logger.warning(
                "the connection was lost at the commit of an insert, and its rows are in the table: the insert was committed (\(error.message))")
        }
    }

    /// Reads `read` on a new session, or nil when that cannot be done. A server that crashed takes a few seconds to
    /// accept connections again, so connection errors are retried for about 20 s.
    static func readAfterLostConnection<T: Sendable>(_ read: @Sendable () async throws -> T) async -> T? {
        var delay: Duration = .milliseconds(250)
        for attempt in 1...8 {
            do {
                return try await read()
            } catch let error as DataJointError where error.kind == .connection && attempt < 8 {
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(4))
            } catch {
                return nil
            }
        }
        return nil
    }
}

/// The value a transaction's body produced, once it has.
private final class FinishedValue<T: Sendable>: Sendable {
    private let stored = Mutex<T?>(nil)
    func set(_ value: T) { stored.withLock { $0 = value } }
    var value: T? { stored.withLock { $0 } }
}
