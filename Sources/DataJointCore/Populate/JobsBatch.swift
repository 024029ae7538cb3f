import Foundation

/// The jobs queue worked in batches: a group of keys reserved, completed or handed back with a few statements,
/// however many keys it holds. Each statement changes a job only in the state the one-key statements require, so
/// workers that take one key at a time (DataJoint-Python's) see a consistent queue.
extension Jobs {
    /// How many keys one statement names.
    static let batchStatementKeys = 200

    /// Takes those of `keys` whose jobs are pending and due, for `worker`: one UPDATE guarded by the status (as
    /// ``reserve(_:worker:)`` does for one key), then one SELECT of the jobs that now carry this worker's identity.
    /// Returns the keys this worker got, in the order of `keys`.
    func reserve(_ keys: [Row], worker: WorkerIdentity) async throws -> [Row] {
        let dialect = connection.dialect
        var taken = Set<Row>()
        for chunk in Self.chunks(of: keys) {
            let update = SQLUpdate(
                table: info.name,
                assignments: reservation(by: worker),
                where: .and([
                    .or(chunk.map(condition)), .equals(.column("status"), .bind(.string("pending"))),
                    .binary(.column("scheduled_time"), "<=", JobsStatement.now(dialect)),
                ]))
            // The count the UPDATE reports is not relied on: when the connection is lost after the server ran it,
            // the driver runs it again on a new connection, where it matches nothing; the SELECT still finds the
            // jobs. The keys of this batch reserved under this worker's identity are the ones just taken: a key of
            // the batch was pending when the populate began (or was handed back by this worker), so no earlier
            // reservation of this worker can hold it.
            try await connection.execute(.update(update))
            let mine = table & Array(chunk) & reservedBy(worker)
            for row in try await mine.fetchRows(keyAttributes, orderBy: [], limit: nil, offset: nil) {
                taken.insert(normalizedKey(row))
            }
        }
        return keys.filter { taken.contains(normalizedKey($0)) }
    }

    /// Marks the jobs of `keys` done, each with how long its `make` took: removed from the queue, or kept as
    /// `success` with `jobs.keep_completed`.
    func complete(_ keys: [(key: Row, duration: Double?)]) async throws {
        guard !keys.isEmpty else { return }
        if connection.settings.jobs.keepCompleted {
            for (key, duration) in keys { try await complete(key, duration: duration) }
        } else {
            try await delete(keys.map(\.key))
        }
    }

    /// Hands back to the queue the jobs of `keys` that `worker` reserved and will not compute (a populate that
    /// stops at a failure, or is cancelled, before their turn): pending again, due now.
    func release(_ keys: [Row], worker: WorkerIdentity) async throws {
        for chunk in Self.chunks(of: keys) {
            let update = SQLUpdate(
                table: info.name,
                assignments: [("status", .bind(.string("pending"))), ("reserved_time", .bind(.null))],
                where: .and([
                    .or(chunk.map(condition)), .equals(.column("status"), .bind(.string("reserved"))),
                    .equals(.column("host"), .bind(.string(worker.host))),
                    .equals(.column("pid"), .bind(.int(Int64(worker.pid)))),
                    .equals(.column("connection_id"), .bind(.int(worker.connectionID))),
                ]))
            try await connection.execute(.update(update))
        }
    }

    private static func chunks(of keys: [Row]) -> [ArraySlice<Row>] {
        stride(from: 0, to: keys.count, by: batchStatementKeys).map { keys[$0..<min(keys.count, $0 + batchStatementKeys)] }
    }
}
