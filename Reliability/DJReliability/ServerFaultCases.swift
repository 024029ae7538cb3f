// The server fault cases: a bulk insert, a cascading delete, a populate with workers and a reservation, each hit by a
// server restart, a server crash, or the server ending every session, at a random moment.
import DataJoint
import Foundation
import ReliabilitySupport

struct ServerFaultCases {
    let server: ServerControl
    let trials: Int
    /// Rows of the bulk insert, and grandchildren of the cascading delete.
    let rows: Int
    /// Keys of the populate.
    let keys: Int
    /// The cases to run (`insert`, `delete`, `populate`, `reserve`) and the faults to run them under.
    var cases: Set<String> = ["insert", "delete", "populate", "reserve"]
    var faults: [ServerFault] = ServerFault.allCases
    var random = SystemRandomNumberGenerator()

    /// Runs every case under every fault; returns one record per case and fault.
    mutating func runAll() async throws -> [ReliabilityRecord] {
        var records: [ReliabilityRecord] = []
        let db = try await server.connect()
        let schema = try await db.schema(
            "dj_rel_faults", tables: [RlItem.self, RlParent.self, RlChild.self, RlGrandchild.self, RlKey.self, RlResult.self])
        for fault in faults {
            var done: [ReliabilityRecord] = []
            if cases.contains("insert") { done.append(try await bulkInsert(schema, fault)) }
            if cases.contains("delete") { done.append(try await cascadeDelete(schema, fault)) }
            if cases.contains("populate") { done.append(try await populate(schema, fault, early: false)) }
            if cases.contains("reserve") { done.append(try await populate(schema, fault, early: true)) }
            for record in done {
                say("  \(record.backend) · \(record.subject): tried \(record.tried), lost \(record.lost) · \(record.outcome)")
                records.append(record)
            }
        }
        try await schema.drop(confirm: true)
        try await db.close()
        return records
    }

    /// Starts `operation`, injects the fault after a random fraction of `duration`, and returns what the operation
    /// threw (if it did).
    private mutating func hit<T: Sendable>(
        _ fault: ServerFault, within window: ClosedRange<Double>, of duration: Duration,
        _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> Result<T, any Error> {
        let task = Task { try await operation() }
        let fraction = Double.random(in: window, using: &random)
        try await Task.sleep(for: duration * fraction)
        trace("injecting \(fault.rawValue) after \(duration * fraction)")
        try await server.inject(fault)
        trace("server back; waiting for the operation")
        let result = await task.result
        trace("operation ended: \(result)")
        return result
    }

    private func timed(_ body: () async throws -> Void) async throws -> Duration {
        try await ContinuousClock().measure { try await body() }
    }

    // MARK: - Bulk insert

    mutating func bulkInsert(_ schema: Schema, _ fault: ServerFault) async throws -> ReliabilityRecord {
        let items = schema[RlItem.self]
        let data = RlItem.rows(rows)
        _ = try await items.deleteQuick()
        let duration = try await timed { try await items.insert(data) }
        var summary = FaultCaseSummary(subject: "\(fault.phrase) during a bulk insert of \(rows) rows", backend: server.backend)
        for _ in 0..<trials {
            var trial = FaultTrial()
            do {
                _ = try await items.deleteQuick()
                let outcome = try await hit(fault, within: 0.1...0.8, of: duration) { try await items.insert(data) }
                if case .failure(let error) = outcome { trial.error = error }
                trial.checkError()
                // The next call, on the same connection, must work: it reconnects by itself.
                let count = try await items.count()
                if count != 0 && count != rows { trial.problems.append("\(count) of \(rows) rows after the fault (partial insert)") }
                if trial.error != nil && count != 0 { trial.problems.append("the insert failed but \(count) rows are in the table") }
                if trial.error == nil && count != rows { trial.problems.append("the insert succeeded but \(count) rows are in the table") }
                if count == 0 {
                    try await items.insert(data)
                    if try await items.count() != rows { trial.problems.append("the insert after the fault did not insert every row") }
                }
            } catch {
                trial.problems.append("the call after the fault failed: \(error)")
            }
            summary.trials.append(trial)
        }
        return summary.record()
    }

    // MARK: - Cascading delete

    mutating func cascadeDelete(_ schema: Schema, _ fault: ServerFault) async throws -> ReliabilityRecord {
        let parents = schema[RlParent.self], children = schema[RlChild.self], grandchildren = schema[RlGrandchild.self]
        let nParents = max(1, rows / 50)
        func fill() async throws {
            try await parents.insert((0..<nParents).map { p -> Row in ["parent_id": Value.int(Int64(p))] })
            var kids: [Row] = [], grandkids: [Row] = []
            for p in 0..<nParents {
                for c in 0..<10 {
                    kids.append(["parent_id": Value.int(Int64(p)), "child_idx": Value.int(Int64(c)), "weight": Value.double(Double(c))])
                    for g in 0..<5 {
                        grandkids.append(
                            ["parent_id": Value.int(Int64(p)), "child_idx": Value.int(Int64(c)), "grandchild_idx": Value.int(Int64(g))])
                    }
                }
            }
            try await children.insert(kids)
            try await grandchildren.insert(grandkids)
        }
        let full = [nParents, nParents * 10, nParents * 50]
        func counts() async throws -> [Int] {
            [try await parents.count(), try await children.count(), try await grandchildren.count()]
        }
        _ = try await parents.delete()
        try await fill()
        let duration = try await timed { _ = try await parents.delete() }
        var summary = FaultCaseSummary(
            subject: "\(fault.phrase) during a cascading delete of \(full.reduce(0, +)) rows in 3 tables", backend: server.backend)
        for _ in 0..<trials {
            var trial = FaultTrial()
            do {
                if try await parents.count() == 0 { try await fill() }
                let outcome = try await hit(fault, within: 0.1...0.8, of: duration) { try await parents.delete() }
                if case .failure(let error) = outcome { trial.error = error }
                trial.checkError()
                let after = try await counts()
                if after != full && after != [0, 0, 0] { trial.problems.append("rows left after the fault: \(after) of \(full) (partial delete)") }
                if trial.error != nil && after != full { trial.problems.append("the delete failed but rows went: \(after) of \(full)") }
                if trial.error == nil && after != [0, 0, 0] { trial.problems.append("the delete succeeded but rows are left: \(after)") }
                if after == full {
                    _ = try await parents.delete()
                    if try await counts() != [0, 0, 0] { trial.problems.append("the delete after the fault left rows") }
                }
            } catch {
                trial.problems.append("the call after the fault failed: \(error)")
            }
            summary.trials.append(trial)
        }
        return summary.record()
    }

    // MARK: - Populate with workers; reservation

    /// `early`: the fault hits in the first tenth of the populate, while the jobs are refreshed and reserved.
    mutating func populate(_ schema: Schema, _ fault: ServerFault, early: Bool) async throws -> ReliabilityRecord {
        let keyTable = schema[RlKey.self], results = schema[RlResult.self], pieces = schema[RlResult.Piece.self]
        if try await keyTable.count() != keys {
            _ = try await keyTable.delete()
            try await keyTable.insert((0..<keys).map { k -> Row in ["key_id": Value.int(Int64(k))] })
        }
        let run: @Sendable () async throws -> PopulateReport = {
            try await results.populate(suppressErrors: true, reserveJobs: true, workers: 2, display: .none)
        }
        _ = try await results.delete()
        let duration = try await timed { _ = try await run() }
        let subject = early
            ? "\(fault.phrase) while a populate (2 workers, jobs queue) refreshes and reserves \(keys) jobs"
            : "\(fault.phrase) during a populate (2 workers, jobs queue, suppressErrors) of \(keys) keys with 5 parts each"
        var summary = FaultCaseSummary(subject: subject, backend: server.backend)
        for _ in 0..<trials {
            var trial = FaultTrial()
            do {
                _ = try await results.delete()
                let outcome = try await hit(fault, within: early ? 0.0...0.1 : 0.2...0.7, of: duration, run)
                switch outcome {
                case .failure(let error):
                    trial.error = error
                    trial.checkError()
                case .success(let report):
                    if report.error > 0 {
                        trial.problems.append(
                            "populate reported \(report.error) failed keys: \(report.errors.prefix(2).map(\.message))")
                    }
                }
                let computed = try await results.count()
                if trial.error == nil && computed != keys {
                    trial.problems.append("populate returned with \(computed) of \(keys) keys computed")
                }
                try await checkWhole(schema, results, pieces, &trial)
                // Whatever the first call did, the next one finishes the work and leaves the queue empty.
                if computed != keys { _ = try await run() }
                if try await results.count() != keys { trial.problems.append("the populate after the fault did not finish") }
                try await checkWhole(schema, results, pieces, &trial)
                let progress = try await results.jobs().progress()
                if progress.pending + progress.reserved + progress.error > 0 {
                    trial.problems.append(
                        "jobs queue not empty: \(progress.pending) pending, \(progress.reserved) reserved, \(progress.error) error")
                }
            } catch {
                trial.problems.append("the call after the fault failed: \(error)")
            }
            summary.trials.append(trial)
        }
        return summary.record()
    }

    /// Every computed key has all five of its parts, and no part is without its master.
    private func checkWhole(_ schema: Schema, _ results: Table, _ pieces: Table, _ trial: inout FaultTrial) async throws {
        let masters = try await results.count()
        let parts = try await pieces.count()
        if parts != masters * 5 { trial.problems.append("\(masters) masters but \(parts) parts (partial key)") }
        let partial = try await results.queryExpression()
            .aggr(pieces, named: ["n": "count(piece_idx)"]).restrict("n <> 5").count()
        if partial > 0 { trial.problems.append("\(partial) masters without all five parts") }
    }
}

/// Prints a line of detail to stderr when DJ_RELIABILITY_TRACE is set.
func trace(_ line: String) {
    guard ProcessInfo.processInfo.environment["DJ_RELIABILITY_TRACE"] != nil else { return }
    FileHandle.standardError.write(Data(("  · " + String(line.prefix(300)) + "\n").utf8))
}

/// Prints a progress line at once.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
