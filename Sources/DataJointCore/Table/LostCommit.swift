import Synchronization

extension Table {
    /// Runs the transaction of a delete. When the connection is lost after every delete statement ran (that is, at
    /// COMMIT), the server may have committed or not: the outcome is read on a new session. With no row of this
    /// (restricted) table left, the delete was committed and its count is returned; otherwise the error is thrown
    /// (the server rolled the transaction back).
    func deleteTransaction(_ body: @escaping @Sendable () async throws -> Int) async throws -> Int {
        let connection = self.connection
        let finished = FinishedCount()
        do {
            return try await connection.transaction {
                let count = try await body()
                finished.set(count)
                return count
            }
        } catch let error as DataJointError where error.kind == .connection {
            guard !connection.inTransaction, let count = finished.value, (try? await self.count()) == 0 else { throw error }
            connection.logger.warning(
                "the connection was lost at the commit of a delete, and the rows are gone: the delete was committed (\(error.message))")
            return count
        }
    }
}

/// The count a delete's transaction body returned, once it has.
private final class FinishedCount: Sendable {
    private let count = Mutex<Int?>(nil)
    func set(_ value: Int) { count.withLock { $0 = value } }
    var value: Int? { count.withLock { $0 } }
}
