import Foundation

/// What became of one key: computed (`true`), skipped (`false`: already computed, or taken by another worker), or
/// failed.
typealias KeyOutcome = (key: Row, result: Result<Bool, MakeFailure>)

/// Runs `make` for keys: their reservation (with the jobs queue), transactions, checks and job bookkeeping.
///
/// A group of keys is committed in one transaction, each key still atomic (all of its rows or none) and a failing
/// key costing only itself. The group is first made optimistically: every key in turn, with no statement of its
/// own around it. When a `make` fails, that transaction is rolled back and the group made again, each key under a
/// savepoint, so that the failing key is undone alone and recorded. When even that cannot commit (the connection
/// is lost, the server gives up the transaction), the keys are made one by one, each in a transaction of its own.
struct KeyMaker: Sendable {
    let target: Table
    let info: TableInfo
    let type: any AutoPopulated.Type
    let jobs: Jobs?
    let worker: WorkerIdentity?
    /// The code version recorded in the hidden job metadata.
    let version: String
    /// The dependency graph that `MakeContext.upstream` traces over.
    let graph: DependencyGraph
    /// Asked before each key after a group's first: when it says stop, the group ends with the keys made so far.
    var shouldStop: (@Sendable () -> Bool)? = nil

    var connection: Connection { target.connection }

    /// Computes `keys` (reserving them first with the jobs queue), together in one transaction when `grouped`;
    /// `optimistic` tries the group without a savepoint per key first. With `stopAtFailure`, the keys after the first
    /// failure are left out (and their reservations handed back).
    func make(_ keys: [Row], grouped: Bool, optimistic: Bool, stopAtFailure: Bool) async throws -> [KeyOutcome] {
        // Reservation, transactions and job bookkeeping of a group run on one session, on its I/O thread.
        try await connection.withPinnedSession {
            guard let jobs, let worker else {
                return try await self.makeReserved(keys, grouped: grouped, optimistic: optimistic, stopAtFailure: stopAtFailure)
            }
            let taken = keys.count == 1
                ? (try await jobs.reserve(keys[0], worker: worker) ? keys : [])
                : try await jobs.reserve(keys, worker: worker)
            let takenKeys = Set(taken.map(jobs.normalizedKey))
            let skipped: [KeyOutcome] = keys.filter { !takenKeys.contains(jobs.normalizedKey($0)) }.map { ($0, .success(false)) }
            do {
                let outcomes = try await self.makeReserved(
                    taken, grouped: grouped, optimistic: optimistic, stopAtFailure: stopAtFailure)
                if outcomes.count < taken.count {
                    let settled = Set(outcomes.map { jobs.normalizedKey($0.key) })
                    try await jobs.release(taken.filter { !settled.contains(jobs.normalizedKey($0)) }, worker: worker)
                }
                return skipped + outcomes
            } catch {
                // Only jobs still reserved change: those committed as done or failed are left as they are.
                try? await jobs.release(taken, worker: worker)
                throw error
            }
        }
    }

    /// Computes keys that are this worker's to compute (reserved, or without the queue).
    private func makeReserved(_ keys: [Row], grouped: Bool, optimistic: Bool, stopAtFailure: Bool) async throws
        -> [KeyOutcome]
    {
        guard grouped, keys.count > 1 else { return try await makeEach(keys, stopAtFailure: stopAtFailure) }
        if optimistic, let outcomes = try await makeOptimistically(keys) { return outcomes }
        do {
            return try await makeUnderSavepoints(keys, stopAtFailure: stopAtFailure)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            connection.logger.warning(
                "\(info.name.table): a group of \(keys.count) keys could not commit (\(error)); computing them one by one")
            return try await makeEach(keys, stopAtFailure: stopAtFailure)
        }
    }

    /// The whole group in one transaction, no statement around each key. Nil when anything failed: then nothing
    /// of the group was kept.
    private func makeOptimistically(_ keys: [Row]) async throws -> [KeyOutcome]? {
        do {
            // Plain inserts of the makes are held back and sent together: a key costs the round trips of its reads.
            return try await connection.transaction(deferringInserts: true) {
                var done: [(key: Row, duration: Double?)] = []
                for key in keys {
                    if !done.isEmpty, shouldStop?() == true { break }
                    // Without the queue, a key computed elsewhere meanwhile surfaces as a duplicate, failing the
                    // group; its second pass then skips that key.
                    let duration = try await self.inTransaction(key, start: Date(), checkExisting: false, completeJob: false) {
                        ctx in try await type.make(key, ctx)
                    }
                    done.append((key, duration))
                }
                try await jobs?.complete(done)
                return done.map { ($0.key, .success(true)) }
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            connection.logger.debug("\(info.name.table): a group of \(keys.count) keys failed (\(error)); again, key by key")
            return nil
        }
    }

    /// The group in one transaction, each key under a savepoint: a failing key's work is undone alone and its
    /// failure recorded with the group. Throws when the transaction as a whole is lost.
    private func makeUnderSavepoints(_ keys: [Row], stopAtFailure: Bool) async throws -> [KeyOutcome] {
        try await connection.transaction {
            var outcomes: [KeyOutcome] = []
            for key in keys {
                if !outcomes.isEmpty, shouldStop?() == true { break }
                let start = Date()
                do {
                    let made = try await connection.withSavepoint {
                        try await self.inTransaction(key, start: start, checkExisting: true, completeJob: true) { ctx in
                            try await type.make(key, ctx)
                        } != nil
                    }
                    outcomes.append((key, .success(made)))
                } catch let lost as SavepointLost {
                    throw lost
                } catch where ConnectionFaultRetry.isTransient(error) {
                    // The transaction went with the connection (or the server rolled it back to end a deadlock):
                    // the keys are made again, one by one.
                    throw error
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    let outcome = try await settle(key, after: error)
                    outcomes.append((key, outcome))
                    if stopAtFailure, case .failure = outcome { break }
                }
            }
            return outcomes
        }
    }

    /// Computes `keys` one after the other, each in a transaction of its own. The tries after a lost connection
    /// are shared: once the connection stays away, the keys after that one fail without waiting again.
    private func makeEach(_ keys: [Row], stopAtFailure: Bool) async throws -> [KeyOutcome] {
        var outcomes: [KeyOutcome] = []
        var retry = ConnectionFaultRetry()
        for key in keys {
            if !outcomes.isEmpty, shouldStop?() == true { break }
            do {
                outcomes.append((key, .success(try await makeOne(key, retry: &retry))))
            } catch let failure as MakeFailure {
                outcomes.append((key, .failure(failure)))
                if stopAtFailure { break }
            }
        }
        return outcomes
    }

    /// Computes one key in a transaction of its own. Throws its failure as a ``MakeFailure``.
    ///
    /// A lost connection (or a deadlock the server ended by rolling the transaction back) is not the key's failure:
    /// when the key's rows are in the table afterwards, the commit went through before the connection did; otherwise
    /// the key is tried again (the connection reconnects by itself) as `retry` allows. When the tries are used up, the key's job goes back to the queue as pending, not as an error,
    /// and the failure is reported to the caller only.
    private func makeOne(_ key: Row, retry: inout ConnectionFaultRetry) async throws -> Bool {
        while true {
            let start = Date()
            do {
                let made: Bool
                if let tripartite = type as? any TripartiteMake.Type {
                    made = try await runTripartite(tripartite, key, start: start)
                } else {
                    made = try await connection.transaction {
                        try await self.inTransaction(key, start: start, checkExisting: true, completeJob: true) { ctx in
                            try await type.make(key, ctx)
                        } != nil
                    }
                }
                retry.reset()
                return made
            } catch is CancellationError {
                throw CancellationError()
            } catch where ConnectionFaultRetry.isTransient(error) {
                if (try? await (target & key).count()) ?? 0 > 0 {
                    retry.reset()
                    return true
                }
                if let delay = retry.nextDelay() {
                    connection.logger.warning(
                        "\(info.name.table) \(key): \(error); trying the key again in \(delay)")
                    try await Task.sleep(for: delay)
                    continue
                }
                if let jobs, let worker { try? await jobs.release([key], worker: worker) }
                throw MakeFailure(error: error, message: Self.message(of: error))
            } catch {
                switch try await settle(key, after: error) {
                case .success(let made): return made
                case .failure(let failure): throw failure
                }
            }
        }
    }

    /// What a failed key comes to, once its work is undone: skipped when it is a reserved key computed outside the
    /// queue meanwhile (its `make` met that row), else a failure, recorded in the jobs queue.
    private func settle(_ key: Row, after error: any Error) async throws -> Result<Bool, MakeFailure> {
        if let jobs, (error as? DataJointError)?.kind == .duplicate, try await (target & key).count() > 0 {
            try await jobs.complete(key, duration: nil)
            return .success(false)
        }
        let message = Self.message(of: error)
        if let jobs {
            try await jobs.fail(key, message: message, stack: Self.stack(of: error, key: key, table: info.name.table))
        }
        return .failure(MakeFailure(error: error, message: message))
    }

    /// Inside a transaction: skip a key already computed (with `checkExisting`, without the queue), run `body`,
    /// check what it inserted, record the job metadata, and with `completeJob` mark the job done (so that the result
    /// and the job's completion commit together). Returns how long the key took, or nil when it was skipped.
    func inTransaction(
        _ key: Row, start: Date, checkExisting: Bool, completeJob: Bool, _ body: (MakeContext) async throws -> Void
    ) async throws -> Double? {
        let own = target & key
        // Without the queue, another process may have computed the key since the key source was read. With it,
        // the reservation excludes other workers, and a row made outside the queue surfaces as a duplicate.
        if checkExisting, jobs == nil, try await own.count() > 0 { return nil }
        let context = MakeContext(key: key, target: target, targetInfo: info, graph: graph)
        connection.logger.debug("making \(key) -> \(info.name.table)")
        try await body(context)
        // Rows inserted through the context are counted; anything else is checked in the database.
        var inserted = context.inserted.total > 0
        if !inserted { inserted = try await own.count() > 0 }
        guard inserted else {
            throw DataJointError(
                .notAllowed, "make of `\(info.name.table)` for key \(key) inserted no row of that key into the table")
        }
        let duration = Date().timeIntervalSince(start)
        try await JobMetadata.record(
            in: info, key: key, start: start, duration: duration, version: version, connection: connection)
        if completeJob { try await jobs?.complete(key, duration: duration) }
        return duration
    }

    /// The three phases: fetch and compute outside any transaction, then fetch again and insert inside one.
    func runTripartite<T: TripartiteMake>(_ type: T.Type, _ key: Row, start: Date) async throws -> Bool {
        if try await (target & key).count() > 0 {
            try await jobs?.complete(key, duration: nil)
            return false
        }
        let outside = MakeContext(key: key, target: target, targetInfo: info, graph: graph)
        let fetched = try await T.makeFetch(key, outside)
        // The computation, the heavy part by design, runs on the global executor, off the session's I/O thread.
        let result = try await withTaskExecutorPreference(globalConcurrentExecutor) { try await T.makeCompute(key, fetched) }
        return try await connection.transaction {
            try await self.inTransaction(key, start: start, checkExisting: true, completeJob: true) { ctx in
                guard try await T.makeFetch(key, ctx) == fetched else {
                    throw DataJointError(
                        .integrity,
                        "the inputs of `\(info.name.table)` for key \(key) changed while it was computed; nothing was inserted")
                }
                try await T.makeInsert(key, result, ctx)
            } != nil
        }
    }
}
