import Foundation
import Synchronization

/// The order in which `populate` takes the pending keys.
public enum PopulateOrder: Sendable {
    /// As the key source lists them (by primary key).
    case original
    /// The reverse of that.
    case reverse
    /// Shuffled (spreads workers that start together over different keys).
    case random
}

/// How `populate` shows its progress.
public enum PopulateDisplay: Sendable {
    /// A progress bar on a terminal; otherwise a log line every few seconds.
    case automatic
    /// Nothing.
    case none
}

/// What a `populate` call did.
public struct PopulateReport: Sendable, CustomStringConvertible {
    /// One key whose `make` failed (collected with `suppressErrors: true`).
    public struct Failure: Sendable {
        /// The key.
        public var key: Row
        /// `ErrorType: message`, as recorded in the jobs table.
        public var message: String
        /// The error itself.
        public var error: any Error
    }

    /// Keys computed and committed.
    public var success = 0
    /// Keys whose `make` failed.
    public var error = 0
    /// Keys skipped: already computed, or taken by another worker.
    public var skip = 0
    /// The failures, with their keys.
    public var errors: [Failure] = []

    /// An empty report.
    public init() {}

    public var description: String { "populate: \(success) computed, \(error) failed, \(skip) skipped" }
}

extension Table {
    /// Computes the missing rows: calls the table type's `make` for every key of the key source (restricted by
    /// `restrictions`) that has no row yet. Each key is atomic: its rows and part rows are kept together, or none
    /// of them when its `make` fails, which costs only that key. Without the jobs queue, quick `make`s are committed
    /// in groups (each key under a savepoint of the group's transaction), so that a commit per key does not bound
    /// the speed; the group size adapts to how long `make` takes, and a slow `make` commits on its own.
    ///
    /// - Parameters:
    ///   - suppressErrors: collect failures in the report and go on, instead of throwing the first one.
    ///   - reserveJobs: coordinate through the jobs queue (`~~<table>`), so that any number of workers, in this
    ///     process or elsewhere, compute each key once; failures are recorded there.
    ///   - maxCalls: compute at most this many keys.
    ///   - order: the order of the keys.
    ///   - workers: how many keys are computed at once in this process (each in its own transaction and database
    ///     session).
    ///   - priority: with `reserveJobs`, only jobs of this priority or more urgent (lower).
    ///   - refresh: with `reserveJobs`, refresh the queue first (default: `jobs.auto_refresh`).
    ///   - commitEachKey: commit every key on its own, however quick its `make`.
    /// - Returns: how many keys were computed, failed and skipped.
    /// - Throws: the first failure of `make` (unless `suppressErrors`); a `.notAllowed` error inside a transaction,
    ///   on a restricted table, or for a table type without `make`.
    @discardableResult
    public func populate(
        _ restrictions: any RestrictionConvertible..., suppressErrors: Bool = false, reserveJobs: Bool = false,
        maxCalls: Int? = nil, order: PopulateOrder = .original, workers: Int = 1, priority: Int? = nil,
        refresh: Bool? = nil, display: PopulateDisplay = .automatic, commitEachKey: Bool = false
    ) async throws -> PopulateReport {
        try await Populator(
            target: self, restrictions: restrictions, suppressErrors: suppressErrors, reserveJobs: reserveJobs,
            maxCalls: maxCalls, order: order, workers: workers, priority: priority, refresh: refresh, display: display,
            commitEachKey: commitEachKey
        ).run()
    }

    /// How many keys of the key source (restricted by `restrictions`) are still to be computed, and how many there
    /// are in all.
    public func progress(_ restrictions: any RestrictionConvertible...) async throws -> (remaining: Int, total: Int) {
        var source = try await keySource().proj()
        for restriction in restrictions { source = source.restrict(restriction) }
        let target = try await unrestricted()
        return (try await (source - target).count(), try await source.count())
    }
}

/// One `populate` call.
struct Populator: Sendable {
    let target: Table
    let restrictions: [any RestrictionConvertible]
    let suppressErrors: Bool
    let reserveJobs: Bool
    let maxCalls: Int?
    let order: PopulateOrder
    let workers: Int
    let priority: Int?
    let refresh: Bool?
    let display: PopulateDisplay
    /// Commit every key on its own (otherwise quick makes without the jobs queue commit in groups).
    var commitEachKey = false
    /// Asked before each key: when it says stop, no further key is started (the makes in progress finish).
    var shouldStop: (@Sendable () -> Bool)? = nil

    var connection: Connection { target.connection }

    func run() async throws -> PopulateReport {
        guard let type = target.userType as? any AutoPopulated.Type else {
            throw DataJointError(
                .notAllowed,
                "populate needs the table's Swift type (an Imported or Computed type with make): use schema[MyTable.self]")
        }
        guard target.restrictions.isEmpty else {
            throw DataJointError(
                .notAllowed, "populate cannot be called on a restricted table; pass the conditions to populate(...) instead")
        }
        guard !connection.inTransaction else {
            throw DataJointError(.notAllowed, "populate cannot be called inside a transaction")
        }
        let base = try await target.unrestricted()
        let info = try await base.info()
        var source = try await base.keySource().proj()
        for restriction in restrictions { source = source.restrict(restriction) }

        var jobs: Jobs?
        var keys: [Row]
        if reserveJobs {
            let queue = try await base.jobs()
            jobs = queue
            if refresh ?? connection.settings.jobs.autoRefresh {
                try await queue.refresh(restrictions: restrictions, delay: -1, priority: priority)
            }
            keys = try await pendingJobs(queue, source: source)
        } else {
            keys = try await (source - base).keys()
        }
        switch order {
        case .original: break
        case .reverse: keys.reverse()
        case .random: keys.shuffle()
        }
        if let maxCalls, !reserveJobs { keys = Array(keys.prefix(maxCalls)) }

        let worker = reserveJobs ? try await WorkerIdentity.current(connection) : nil
        let progress = PopulateProgress(
            label: info.name.table, total: keys.count, logger: connection.logger, display: display)
        let state = PopulateState(keys: keys)
        // The code version is looked up once per populate (for `git`, a process), not once per key.
        let version = worker?.version ?? WorkerIdentity.codeVersion(connection.settings.jobs.versionMethod)
        // Read once: every make's `upstream` is traced over it.
        let graph = try await connection.dependencies(of: [info.name.schema])
        let maker = KeyMaker(
            target: base, info: info, type: type, jobs: jobs, worker: worker, version: version, graph: graph)
        // Group commits: without the queue (whose reservations commit on their own) and for makes in one phase.
        let grouped = !commitEachKey && jobs == nil && !(type is any TripartiteMake.Type)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<max(1, min(workers, keys.count)) {
                group.addTask {
                    var sizing = CommitGroupSize()
                    while true {
                        try Task.checkCancellation()
                        if shouldStop?() == true { return }
                        let batch = state.next(grouped ? sizing.size : 1)
                        guard !batch.isEmpty else { return }
                        let started = Date()
                        let outcomes = try await maker.make(batch, stopAtFailure: !suppressErrors)
                        sizing.observe(keys: outcomes.count, seconds: Date().timeIntervalSince(started))
                        for (key, outcome) in outcomes {
                            switch outcome {
                            case .success(let made):
                                state.record { made ? ($0.success += 1) : ($0.skip += 1) }
                            case .failure(let failure):
                                state.record {
                                    $0.error += 1
                                    $0.errors.append(.init(key: key, message: failure.message, error: failure.error))
                                }
                                if !suppressErrors { throw failure.error }
                                connection.logger.error("\(info.name.table) \(key): \(failure.message)")
                            }
                            progress.advance()
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        progress.finish()
        return state.report
    }

    /// Pending jobs whose time has come, most urgent first, within the restrictions.
    func pendingJobs(_ jobs: Jobs, source: QueryExpression) async throws -> [Row] {
        var select = SQLSelect(
            columns: jobs.keyAttributes.map { (.column($0), alias: nil) }, from: .table(jobs.info.name),
            where: .and([
                .equals(.column("status"), .bind(.string("pending"))),
                .binary(.column("scheduled_time"), "<=", JobsStatement.now(connection.dialect)),
            ] + (priority.map { [SQLExpression.binary(.column("priority"), "<=", .bind(.int(Int64($0))))] } ?? [])))
        select.orderBy = [SQLOrdering(.column("priority")), SQLOrdering(.column("scheduled_time"))]
        let dialect = connection.dialect
        var keys = try await connection.query(dialect.render(.select(select))).map { values in
            jobs.normalizedKey(Row(
                names: jobs.keyAttributes,
                values: try zip(values, jobs.keyAttributes).map { try dialect.decode($0, as: jobs.info.heading.column($1)!.type) }))
        }
        if !restrictions.isEmpty {
            let wanted = Set(try await source.keys().map(jobs.normalizedKey))
            keys = keys.filter { wanted.contains($0) }
        }
        if let maxCalls { keys = Array(keys.prefix(maxCalls)) }
        return keys
    }
}

/// The keys left to compute and the report so far, shared by the workers of one populate.
final class PopulateState: Sendable {
    private let keys: Mutex<ArraySlice<Row>>
    private let outcome = Mutex(PopulateReport())

    init(keys: [Row]) { self.keys = Mutex(keys[...]) }

    /// Up to `count` keys, in order.
    func next(_ count: Int) -> [Row] {
        keys.withLock { keys in
            let taken = keys.prefix(max(1, count))
            keys = keys.dropFirst(taken.count)
            return Array(taken)
        }
    }
    func record(_ change: (inout PopulateReport) -> Void) { outcome.withLock { change(&$0) } }
    var report: PopulateReport { outcome.withLock { $0 } }
}

/// A failed `make`, with the message recorded for it.
struct MakeFailure: Error {
    let error: any Error
    let message: String
}

/// Runs `make` for one key: reserve (with jobs), transaction, checks, job bookkeeping.
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

    var connection: Connection { target.connection }

    /// Computes `key`. Returns false when it was skipped (already computed, or reserved by another worker).
    func make(_ key: Row) async throws -> Bool {
        // Reservation, transaction and job bookkeeping of one key run on one session, on its I/O thread.
        try await connection.withPinnedSession { try await self.makePinned(key) }
    }

    /// Computes `keys` in one transaction, each under a savepoint, so that a failing key costs only itself: true
    /// for a key computed, false for one skipped, or its failure. With `stopAtFailure`, the keys after the first
    /// failure are left out. When the group cannot commit (its connection is lost, the server gives up its
    /// transaction), none of it was kept, and its keys are computed one by one.
    func make(_ keys: [Row], stopAtFailure: Bool) async throws -> [(Row, Result<Bool, MakeFailure>)] {
        try await connection.withPinnedSession {
            if keys.count == 1 { return try await self.makeEach(keys, stopAtFailure: stopAtFailure) }
            do {
                return try await connection.transaction {
                    var outcomes: [(Row, Result<Bool, MakeFailure>)] = []
                    for key in keys {
                        let start = Date()
                        do {
                            let made = try await connection.withSavepoint {
                                try await self.inTransaction(key, start: start) { ctx in try await type.make(key, ctx) }
                            }
                            outcomes.append((key, .success(made)))
                        } catch let lost as SavepointLost {
                            throw lost
                        } catch is CancellationError {
                            throw CancellationError()
                        } catch {
                            outcomes.append((key, .failure(MakeFailure(error: error, message: Self.message(of: error)))))
                            if stopAtFailure { break }
                        }
                    }
                    return outcomes
                }
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                connection.logger.warning(
                    "\(info.name.table): a group of \(keys.count) keys could not commit (\(error)); computing them one by one")
                return try await self.makeEach(keys, stopAtFailure: stopAtFailure)
            }
        }
    }

    /// Computes `keys` one after the other, each in a transaction of its own.
    private func makeEach(_ keys: [Row], stopAtFailure: Bool) async throws -> [(Row, Result<Bool, MakeFailure>)] {
        var outcomes: [(Row, Result<Bool, MakeFailure>)] = []
        for key in keys {
            do {
                outcomes.append((key, .success(try await makePinned(key))))
            } catch let failure as MakeFailure {
                outcomes.append((key, .failure(failure)))
                if stopAtFailure { break }
            }
        }
        return outcomes
    }

    func makePinned(_ key: Row) async throws -> Bool {
        if let jobs, let worker, try await !jobs.reserve(key, worker: worker) { return false }
        let start = Date()
        do {
            if let tripartite = type as? any TripartiteMake.Type {
                return try await runTripartite(tripartite, key, start: start)
            }
            return try await connection.transaction {
                try await self.inTransaction(key, start: start) { ctx in try await type.make(key, ctx) }
            }
        } catch {
            // A reserved key computed outside the queue meanwhile: make's insert met its row. Nothing was kept.
            if let jobs, (error as? DataJointError)?.kind == .duplicate, try await (target & key).count() > 0 {
                try await jobs.complete(key, duration: nil)
                return false
            }
            let message = Self.message(of: error)
            if let jobs {
                try await jobs.fail(key, message: message, stack: Self.stack(of: error, key: key, table: info.name.table))
            }
            throw MakeFailure(error: error, message: message)
        }
    }

    /// Inside the key's transaction: skip a key already computed, run `body`, check what it inserted, record the
    /// job metadata, and mark the job done (so that the result and the job's completion commit together).
    func inTransaction(_ key: Row, start: Date, _ body: (MakeContext) async throws -> Void) async throws -> Bool {
        let own = target & key
        // Without the queue, another process may have computed the key since the key source was read. With it,
        // the reservation excludes other workers, and a row made outside the queue surfaces as a duplicate.
        if jobs == nil, try await own.count() > 0 { return false }
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
        try await jobs?.complete(key, duration: duration)
        return true
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
            try await self.inTransaction(key, start: start) { ctx in
                guard try await T.makeFetch(key, ctx) == fetched else {
                    throw DataJointError(
                        .integrity,
                        "the inputs of `\(info.name.table)` for key \(key) changed while it was computed; nothing was inserted")
                }
                try await T.makeInsert(key, result, ctx)
            }
        }
    }

    /// `ErrorType: message`, the form DataJoint-Python records.
    static func message(of error: any Error) -> String {
        if let error = error as? DataJointError { return "DataJointError: \(error.message)" }
        let text = String(describing: error)
        return "\(Swift.type(of: error))" + (text.isEmpty ? "" : ": \(text)")
    }

    /// What is recorded as the error's stack: the error in full and where it was caught.
    static func stack(of error: any Error, key: Row, table: String) -> String {
        "\(Swift.type(of: error)): \(String(reflecting: error))\n  in make of `\(table)` for key \(key)\n"
            + Thread.callStackSymbols.joined(separator: "\n")
    }
}
