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
    /// of them when its `make` fails, which costs only that key. Quick `make`s are committed in groups, so that a
    /// commit per key does not bound the speed (with the jobs queue, a group's keys are also reserved together); the
    /// group size adapts to how long `make` takes, and a slow `make` commits on its own.
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
        // What to compute, read again from the start if the connection is lost meanwhile (a server restart).
        let (base, info, jobs, keys, worker, graph) = try await ConnectionFaultRetry.retrying(
            "populate of \(target.userType.map { "\($0)" } ?? "a table")", logger: connection.logger
        ) { try await plan() }
        let progress = PopulateProgress(
            label: info.name.table, total: keys.count, logger: connection.logger, display: display)
        let state = PopulateState(keys: keys)
        // The code version is looked up once per populate (for `git`, a process), not once per key.
        let version = worker?.version ?? WorkerIdentity.codeVersion(connection.settings.jobs.versionMethod)
        let maker = KeyMaker(
            target: base, info: info, type: type, jobs: jobs, worker: worker, version: version, graph: graph,
            shouldStop: shouldStop)
        // Quick makes in one phase commit in groups; a tripartite make commits each key after its computation.
        let grouped = !commitEachKey && !(type is any TripartiteMake.Type)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<max(1, min(workers, keys.count)) {
                group.addTask {
                    var sizing = CommitGroupSize()
                    // A group is tried without savepoints while the groups before it had no failure.
                    var optimistic = true
                    // A lost connection or a deadlock outside any one key's make (reserving, completing) interrupts
                    // the group: its keys are taken again after a pause.
                    var faults = ConnectionFaultRetry()
                    while true {
                        try Task.checkCancellation()
                        if shouldStop?() == true { return }
                        let batch = state.next(grouped ? sizing.size : 1)
                        guard !batch.isEmpty else { return }
                        let started = Date()
                        let outcomes: [KeyOutcome]
                        do {
                            outcomes = try await maker.make(
                                batch, grouped: grouped, optimistic: optimistic, stopAtFailure: !suppressErrors)
                            faults.reset()
                        } catch where ConnectionFaultRetry.isTransient(error) {
                            guard let delay = faults.nextDelay() else { throw error }
                            connection.logger.warning("\(info.name.table): \(error); going on in \(delay)")
                            try await Task.sleep(for: delay)
                            // Jobs this worker still holds for the group are handed back, to be reserved again.
                            if let queue = maker.jobs, let worker { try? await queue.release(batch, worker: worker) }
                            state.putBack(batch)
                            continue
                        }
                        sizing.observe(keys: outcomes.count, seconds: Date().timeIntervalSince(started))
                        optimistic = !outcomes.contains { if case .failure = $0.result { true } else { false } }
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

    /// The table, its queue, the keys to compute in order, who computes them and the dependency graph.
    private func plan() async throws -> (
        base: Table, info: TableInfo, jobs: Jobs?, keys: [Row], worker: WorkerIdentity?, graph: DependencyGraph
    ) {
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
        // Read once: every make's `upstream` is traced over it.
        let graph = try await connection.dependencies(of: [info.name.schema])
        return (base, info, jobs, keys, worker, graph)
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
    /// Puts keys back at the front, to be taken again (after a lost connection interrupted their group).
    func putBack(_ returned: [Row]) {
        keys.withLock { keys in keys = ArraySlice(returned + Array(keys)) }
    }
    func record(_ change: (inout PopulateReport) -> Void) { outcome.withLock { change(&$0) } }
    var report: PopulateReport { outcome.withLock { $0 } }
}

/// A failed `make`, with the message recorded for it.
struct MakeFailure: Error {
    let error: any Error
    let message: String
}

extension KeyMaker {
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
