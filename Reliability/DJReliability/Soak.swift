// The soak: worker processes (Swift, and DataJoint-Python on the servers) on one jobs queue of many keys.
import DataJoint
import Foundation
import ReliabilitySupport

/// What a worker process prints when it is done.
struct SoakWorkerSummary: Codable, Sendable {
    var pid: Int32
    var success: Int
    var error: Int
    var errors: [String]
    /// Python workers: the errors that ended a populate call of DataJoint-Python, after which it was called again.
    var restarts: [String]? = nil
}

struct Soak {
    let target: SoakTarget
    let jobs: Int
    let processes: Int
    let workersPerProcess: Int
    let pythonProcesses: Int
    let makeMilliseconds: Int
    /// The program to start Swift workers with (this one) and the Python interpreter with `datajoint`.
    let program: String
    let python: String?
    static let schemaName = "dj_rel_soak"

    func run() async throws -> ReliabilityRecord {
        let db = try await target.connect(maxSessions: 2)
        // A fresh schema, the keys, and the queue filled once (every worker refreshes it again, as populate does).
        if let old = try? await db.schema(Self.schemaName, tables: [RlKey.self, RlResult.self], create: false) {
            try await old.drop(confirm: true)
        }
        let schema = try await db.schema(Self.schemaName, tables: [RlKey.self, RlResult.self])
        try await schema[RlKey.self].insert((0..<jobs).map { k -> Row in ["key_id": Value.int(Int64(k))] })
        let queue = try await schema[RlResult.self].jobs()
        try await queue.refresh()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dj-soak-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        // The workers, Swift and Python, started together.
        let started = ContinuousClock.now
        var swiftWorkers: [ChildProcess] = [], pythonWorkers: [ChildProcess] = []
        for i in 0..<processes {
            swiftWorkers.append(try ChildProcess.start(
                [program, "soak-worker", "--backend", target.backend, "--sqlite-file", target.sqliteFile,
                 "--workers", String(workersPerProcess), "--make-ms", String(makeMilliseconds)],
                output: directory.appendingPathComponent("swift-\(i).txt").path))
        }
        if pythonProcesses > 0 {
            guard let python, target.backend != "sqlite" else {
                throw DataJointError(.configuration, "Python workers need a server backend and the interpreter (--python-bin)")
            }
            let script = directory.appendingPathComponent("soak_worker.py")
            try SoakPythonWorker.script(target, schema: Self.schemaName, makeMilliseconds: makeMilliseconds)
                .write(to: script, atomically: true, encoding: .utf8)
            for i in 0..<pythonProcesses {
                pythonWorkers.append(try ChildProcess.start(
                    [python, script.path], output: directory.appendingPathComponent("python-\(i).txt").path))
            }
        }
        let all = swiftWorkers + pythonWorkers
        let waiting = Task { () -> [Int32] in
            var statuses: [Int32] = []
            for child in all { statuses.append(await child.wait()) }
            return statuses
        }

        // Every half second: the sessions on the server and each Swift worker's memory.
        var maxSessions = 0
        var memory: [[Int]] = Array(repeating: [], count: swiftWorkers.count)
        var sampling = true
        while sampling {
            try await Task.sleep(for: .milliseconds(500))
            if let n = try? await target.sessions(db) { maxSessions = max(maxSessions, n) }
            sampling = false
            for (i, worker) in swiftWorkers.enumerated() {
                if let kb = worker.residentKilobytes { memory[i].append(kb); sampling = true }
            }
            for worker in pythonWorkers where worker.residentKilobytes != nil { sampling = true }
        }
        let statuses = await waiting.value
        let seconds = (ContinuousClock.now - started).seconds

        // What the workers said, and what the database holds.
        var problems: [String] = [], notes: [String] = []
        var summaries: [SoakWorkerSummary] = []
        for (child, status) in zip(all, statuses) {
            let line = child.output.split(separator: "\n").last.map(String.init) ?? ""
            if status == 0, let summary = try? JSONDecoder().decode(SoakWorkerSummary.self, from: Data(line.utf8)) {
                summaries.append(summary)
            } else if pythonWorkers.contains(where: { $0.pid == child.pid }) {
                // The reference's own failure: reported, and its jobs recovered below.
                notes.append("a DataJoint-Python worker ended with status \(status): \(line.suffix(160))")
            } else {
                problems.append("worker \(child.pid) ended with status \(status): \(child.output.suffix(300))")
            }
        }
        // Jobs a worker that died still held: after the orphan timeout, refresh queues them again and a populate
        // computes them, as an operator would.
        if try await queue.progress().reserved > 0 {
            try await Task.sleep(for: .seconds(1.5))
            let refreshed = try await queue.refresh(orphanTimeout: 1)
            let report = try await schema[RlResult.self].populate(suppressErrors: true, reserveJobs: true, display: .none)
            summaries.append(SoakWorkerSummary(pid: getpid(), success: report.success, error: report.error, errors: []))
            notes.append("\(refreshed.orphaned) jobs reserved by a worker that died were queued again by refresh(orphanTimeout:) and computed")
        }
        let restarts = summaries.flatMap { $0.restarts ?? [] }
        if let first = restarts.first {
            notes.append("DataJoint-Python's populate ended \(restarts.count) times with an error and was called again (e.g. \(first))")
        }
        let computed = summaries.map(\.success).reduce(0, +)
        let failed = summaries.map(\.error).reduce(0, +)
        let results = schema[RlResult.self], pieces = schema[RlResult.Piece.self]
        let rows = try await results.count(), parts = try await pieces.count()
        let progress = try await queue.progress()
        if computed > jobs { problems.append("\(computed - jobs) keys computed twice (workers report \(computed))") }
        if rows != jobs { problems.append("\(jobs - rows) keys lost (\(rows) of \(jobs) computed)") }
        if parts != rows * 5 { problems.append("\(rows) masters but \(parts) parts") }
        if failed > 0 { problems.append("\(failed) failed keys: \(summaries.flatMap(\.errors).prefix(3))") }
        if progress.pending + progress.reserved + progress.error > 0 {
            problems.append("queue not empty: \(progress.pending) pending, \(progress.reserved) reserved, \(progress.error) error")
        }
        // Job latency: the durations the completed jobs recorded.
        // A job closed by a worker whose make met the key's row already made (the duplicate is settled as done, see
        // KeyMaker.settle) records no duration: counted, and left out of the latencies.
        let recorded = try await queue.completed.queryExpression().toArray("duration", as: Double?.self)
        let durations = recorded.compactMap { $0 }.sorted()
        if durations.count < recorded.count {
            notes.append("\(recorded.count - durations.count) jobs were closed without a duration: their worker's make met the key's row, made by another worker (each key has one row)")
        }
        func percentile(_ p: Double) -> Double {
            durations.isEmpty ? 0 : durations[min(durations.count - 1, Int(Double(durations.count) * p))]
        }
        // Memory: the last quarter of a worker's samples against its samples after the first quarter (start-up).
        var growths: [Double] = []
        for samples in memory where samples.count >= 8 {
            let early = samples[samples.count / 4], late = samples[(samples.count * 3 / 4)...].max() ?? early
            growths.append(Double(late) / Double(max(early, 1)))
        }
        let sessionBound = processes * (workersPerProcess + 2) + pythonProcesses * 2 + 2
        if target.backend != "sqlite" && maxSessions > sessionBound {
            problems.append("\(maxSessions) sessions open at once (bound \(sessionBound))")
        }
        if let worst = growths.max(), worst > 1.5 { problems.append(String(format: "a worker's memory grew %.2fx", worst)) }
        let bySwift = summaries.filter { s in swiftWorkers.contains { $0.pid == s.pid } }.map(\.success).reduce(0, +)
        var outcome = String(
            format: "%d keys in %.1f s (%.0f jobs/s): %d by Swift, %d by Python; job duration p50 %.1f ms, p99 %.1f ms; "
                + "at most %d sessions open",
            rows, seconds, Double(rows) / max(seconds, 0.001), bySwift, computed - bySwift,
            percentile(0.5) * 1000, percentile(0.99) * 1000, maxSessions)
        if target.backend == "sqlite" { outcome = outcome.replacingOccurrences(of: "; at most 0 sessions open", with: "") }
        if let worst = growths.max() { outcome += String(format: "; worker memory at the end %.2fx of after start-up (worst)", worst) }
        if !notes.isEmpty { outcome += "; " + notes.joined(separator: "; ") }
        if !problems.isEmpty { outcome += "; PROBLEMS: " + problems.joined(separator: " | ") }
        try await schema.drop(confirm: true)
        try await db.close()
        let mix = pythonProcesses > 0 ? " and \(pythonProcesses) DataJoint-Python worker processes" : ""
        return ReliabilityRecord(
            section: "load",
            subject: "\(processes) Swift worker processes (\(workersPerProcess) makes at once each)\(mix) × \(jobs) jobs, "
                + "\(makeMilliseconds) ms makes, master with 5 parts",
            backend: target.backend, tried: jobs, lost: problems.isEmpty ? 0 : max(1, jobs - rows), outcome: outcome)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
