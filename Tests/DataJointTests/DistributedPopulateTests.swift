import DataJoint
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The pipeline of the `dj-populate-worker` processes (Tests/PopulateWorker/main.swift declares the same tables):
/// a key with a value, and its square with the pid of the process that computed it.
enum DistributedPipeline {
    struct DistKey: Manual {
        static let definition = """
            # a key to compute
            key_id : int32
            ---
            value : int32
            """
    }

    /// In this process, `make` records this process's pid.
    struct DistSquare: Computed {
        static let definition = """
            # the square of a key's value, and the process that computed it
            -> DistKey
            ---
            square : int64
            worker_pid : int32
            """
        static func make(_ key: Row, _ ctx: MakeContext) async throws {
            let value: Int = try await (ctx[DistKey.self] & key).fetch1("value")
            try await ctx.insert1(
                key + ["square": Value.int(Int64(value * value)), "worker_pid": Value.int(Int64(getpid()))])
        }
    }

    static let schemaName = "distributed"

    /// Keys 1...n with value key_id + 10.
    static func keys(_ n: Int) -> [Row] {
        (1...n).map { ["key_id": $0, "value": $0 + 10] }
    }

    /// The test's connection and schema, with the keys inserted.
    static func prepare(keys n: Int) async throws -> (Connection, Schema) {
        let db = try await TestDatabase.connect()
        let lab = try await db.schema(schemaName, tables: DistKey.self, DistSquare.self)
        try await lab[DistKey.self].insert(keys(n))
        return (db, lab)
    }
}

/// What a worker prints when it is done (see Tests/PopulateWorker/main.swift).
struct WorkerSummary: Decodable {
    var pid: Int32
    var success: Int
    var error: Int
    var skip: Int
    var errors: [String]
}

/// A `dj-populate-worker` process on the current test's database, with its output collected as it comes.
final class WorkerProcess: Sendable {
    let pid: Int32
    private let process: Mutex<Process>
    private let output = OutputBuffer()
    private let errorOutput = OutputBuffer()
    private let exit = ExitState()
    private let input: FileHandle

    /// Waits at most this long for a worker to print or to exit; a guard against a hung test, not a timing check.
    static let patience: Duration = .seconds(120)

    /// The worker executable, built next to the test bundle by `swift build --build-tests`.
    static func executable() throws -> URL {
        let worker: URL
        if let path = ProcessInfo.processInfo.environment["DJ_POPULATE_WORKER"] {
            worker = URL(fileURLWithPath: path)
        } else {
            let runner = Bundle.main.executablePath ?? CommandLine.arguments[0]
            var directory = URL(fileURLWithPath: runner).deletingLastPathComponent()
            // On macOS the runner sits inside the .xctest bundle (…/debug/X.xctest/Contents/MacOS).
            while directory.path.contains(".xctest") { directory.deleteLastPathComponent() }
            worker = directory.appendingPathComponent("dj-populate-worker")
        }
        guard FileManager.default.isExecutableFile(atPath: worker.path) else {
            throw WorkerError(
                "the worker executable is missing at \(worker.path): build it with `swift build --build-tests` "
                    + "(target dj-populate-worker) or name it in DJ_POPULATE_WORKER")
        }
        return worker
    }

    /// Starts a worker in `mode` (`work`, `hang-in-make`, `fail-on K`) on this test's database; `options` are
    /// further command-line options of the worker (`--exclude K`).
    convenience init(
        _ mode: [String], sleepMilliseconds: Int = 5, waitForGo: Bool = false, threePhase: Bool = false,
        options: [String] = []
    ) throws {
        guard let context = TestContext.current else { throw WorkerError("workers run inside backend.run { ... }") }
        let target = switch context.backend {
        case .sqlite: context.sqlitePath
        case .postgresql: context.id
        case .mysql: "-"
        }
        try self.init(
            executable: try Self.executable(),
            arguments: [context.backend.rawValue, target, DistributedPipeline.schemaName] + mode
                + ["--sleep-ms", String(sleepMilliseconds)] + (waitForGo ? ["--wait-for-go"] : [])
                + (threePhase ? ["--three-phase"] : []) + options)
    }

    /// Starts any worker program (a DataJoint-Python worker script, say) that follows the same protocol: `READY`
    /// and a wait for a line on stdin if asked, then a one-line JSON summary on stdout.
    init(executable: URL, arguments: [String], directory: URL? = nil) throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let stdout = Pipe(), stderr = Pipe(), stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        let exit = self.exit
        process.terminationHandler = { finished in exit.record(finished.terminationStatus, finished.terminationReason) }
        try process.run()
        pid = process.processIdentifier
        input = stdin.fileHandleForWriting
        self.process = Mutex(process)
        Self.collect(stdout.fileHandleForReading, into: output)
        Self.collect(stderr.fileHandleForReading, into: errorOutput)
    }

    /// Reads a pipe on a thread of its own until the process closes it.
    private static func collect(_ handle: FileHandle, into buffer: OutputBuffer) {
        Thread.detachNewThread {
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                buffer.append(data)
            }
            buffer.close()
        }
    }

    var stdoutLines: [String] { output.text.split(separator: "\n").map(String.init) }
    var stderrText: String { errorOutput.text }
    var exitStatus: Int32? { exit.status }

    /// Waits for a line of output that starts with `prefix`, and returns it.
    func line(startingWith prefix: String) async throws -> String {
        let deadline = ContinuousClock.now + Self.patience
        while ContinuousClock.now < deadline {
            let closed = output.closed  // before reading the lines, so that none is missed
            if let line = stdoutLines.first(where: { $0.hasPrefix(prefix) }) { return line }
            if closed {
                throw WorkerError("worker \(pid) ended its output without printing \(prefix): \(stderrText)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw WorkerError("worker \(pid) printed no line starting with \(prefix): \(stdoutLines) \(stderrText)")
    }

    /// Lets a worker started with `waitForGo` begin.
    func go() {
        input.write(Data("GO\n".utf8))
    }

    /// Waits for the worker to exit, and returns its summary (an error unless it exited normally).
    func finish() async throws -> WorkerSummary {
        let deadline = ContinuousClock.now + Self.patience
        while exitStatus == nil || !output.closed || !errorOutput.closed {
            guard ContinuousClock.now < deadline else {
                kill(pid, SIGKILL)
                throw WorkerError("worker \(pid) did not finish: \(stdoutLines) \(stderrText)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        guard exitStatus == 0 else { throw WorkerError("worker \(pid) failed (\(exitStatus!)): \(stderrText)") }
        let line = try await line(startingWith: "{")
        return try JSONDecoder().decode(WorkerSummary.self, from: Data(line.utf8))
    }

    /// SIGKILL: the process dies at once, in the middle of whatever it was doing.
    func killNow() async throws {
        kill(pid, SIGKILL)
        let deadline = ContinuousClock.now + Self.patience
        while exitStatus == nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        guard exit.reason == .uncaughtSignal, exitStatus == SIGKILL else {
            throw WorkerError("worker \(pid) did not die of SIGKILL")
        }
    }

    /// Kills the worker if it still runs (after a failed expectation).
    func stop() {
        if exitStatus == nil { kill(pid, SIGKILL) }
    }
}

struct WorkerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// How a process ended, once it has.
final class ExitState: Sendable {
    private let state = Mutex<(status: Int32, reason: Process.TerminationReason)?>(nil)
    func record(_ status: Int32, _ reason: Process.TerminationReason) { state.withLock { $0 = (status, reason) } }
    var status: Int32? { state.withLock { $0?.status } }
    var reason: Process.TerminationReason? { state.withLock { $0?.reason } }
}

/// What a process wrote to one of its pipes so far, and whether it has closed it.
final class OutputBuffer: Sendable {
    private let state = Mutex((data: Data(), closed: false))
    func append(_ more: Data) { state.withLock { $0.data.append(more) } }
    func close() { state.withLock { $0.closed = true } }
    var text: String { state.withLock { String(decoding: $0.data, as: UTF8.self) } }
    var closed: Bool { state.withLock { $0.closed } }
}

/// The number of jobs of each status, by name.
func statusCounts(_ jobs: Jobs) async throws -> [String: Int] {
    let p = try await jobs.progress()
    return ["pending": p.pending, "reserved": p.reserved, "success": p.success, "error": p.error, "ignore": p.ignore]
}

@Suite("Distributed populate")
struct DistributedPopulateTests {
    typealias D = DistributedPipeline

    /// How the workers compute a key.
    enum MakeStyle: String, CaseIterable, Sendable, CustomTestStringConvertible {
        /// `make`: read, work and insert in one transaction.
        case make
        /// `TripartiteMake`: the work outside the transaction.
        case threePhase
        var testDescription: String { rawValue }
    }

    @Test("worker processes populating one table compute every key exactly once",
          arguments: TestBackend.all, MakeStyle.allCases)
    func concurrentWorkers(backend: TestBackend, style: MakeStyle) async throws {
        try await backend.run { () async throws in
            let (_, lab) = try await D.prepare(keys: 60)
            let workers = try (0..<4).map { _ in
                try WorkerProcess(["work"], sleepMilliseconds: 5, waitForGo: true, threePhase: style == .threePhase)
            }
            defer { workers.forEach { $0.stop() } }
            for worker in workers { _ = try await worker.line(startingWith: "READY") }
            for worker in workers { worker.go() }
            var summaries: [WorkerSummary] = []
            for worker in workers { summaries.append(try await worker.finish()) }

            // Every key computed once, by the processes that report it.
            #expect(summaries.map(\.error) == [0, 0, 0, 0])
            #expect(summaries.flatMap(\.errors).isEmpty)
            #expect(summaries.map(\.success).reduce(0, +) == 60)
            let squares = lab[D.DistSquare.self]
            let rows = try await squares.toDicts(orderBy: ["key_id"])
            #expect(rows.count == 60)
            #expect(try rows.map { try $0.get("key_id", as: Int.self) } == Array(1...60))
            #expect(try rows.allSatisfy { row in
                let id = try row.get("key_id", as: Int.self)
                return try row.get("square", as: Int.self) == (id + 10) * (id + 10)
            })
            let pids = try rows.map { try $0.get("worker_pid", as: Int32.self) }
            for summary in summaries {
                #expect(pids.filter { $0 == summary.pid }.count == summary.success, "worker \(summary.pid)")
            }
            #expect(Set(pids).isSubset(of: Set(workers.map(\.pid))))
            // The workers share the work. Not so with make on SQLite: a make's transaction holds the database's one
            // write lock while it works, the workers take turns at random, and one may take every turn.
            if backend != .sqlite || style == .threePhase {
                #expect(Set(pids).count > 1, "only one of the four workers computed anything: \(summaries)")
            }

            // The queue is empty: nothing pending or reserved, and completed jobs are not kept.
            let jobs = try await squares.jobs()
            #expect(try await jobs.progress().total == 0)
            #expect(try await jobs.table.count() == 0)
            #expect(try await squares.progress() == (remaining: 0, total: 60))
        }
    }

    @Test("a worker killed inside make leaves no row; its job is re-queued as an orphan and computed by another",
          arguments: TestBackend.all)
    func killedWorker(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (_, lab) = try await D.prepare(keys: 5)
            let squares = lab[D.DistSquare.self]
            let hung = try WorkerProcess(["hang-in-make"], sleepMilliseconds: 1)
            defer { hung.stop() }
            let line = try await hung.line(startingWith: "IN_MAKE ")
            let id = try #require(Int(line.dropFirst("IN_MAKE ".count)))
            try await hung.killNow()

            // Its transaction died with it: no row; the job stays reserved by the dead process.
            let key: Row = ["key_id": Value.int(Int64(id))]
            #expect(try await (squares & key).count() == 0)
            #expect(try await squares.count() == 0)
            let jobs = try await squares.jobs()
            #expect(try await (jobs.reserved & key).count() == 1)
            #expect(try await (jobs.table & key).fetch1("pid", as: Int32.self) == hung.pid)
            #expect(try await statusCounts(jobs) == ["pending": 4, "reserved": 1, "success": 0, "error": 0, "ignore": 0])

            // Once the reservation is older than the orphan timeout, refresh puts it back in the queue.
            try await Task.sleep(for: .seconds(1.2))
            let refreshed = try await jobs.refresh(orphanTimeout: 0.5)
            #expect(refreshed.orphaned == 1)
            #expect(refreshed.added == 0)
            #expect(try await (jobs.pending & key).count() == 1)
            #expect(try await statusCounts(jobs) == ["pending": 5, "reserved": 0, "success": 0, "error": 0, "ignore": 0])

            // A new worker computes every key, the orphan included; nothing is left in the queue.
            let rescuer = try WorkerProcess(["work"], sleepMilliseconds: 1)
            defer { rescuer.stop() }
            let summary = try await rescuer.finish()
            #expect(summary.success == 5 && summary.error == 0)
            #expect(try await squares.toArray("key_id", orderBy: ["key_id"]) as [Int] == [1, 2, 3, 4, 5])
            #expect(try await (squares & key).fetch1("worker_pid", as: Int32.self) == rescuer.pid)
            #expect(try await (squares & key).fetch1("square", as: Int.self) == (id + 10) * (id + 10))
            #expect(try await jobs.table.count() == 0)
        }
    }

    @Test("a make that throws in a worker is recorded as an error job and retried after clearErrors",
          arguments: TestBackend.all)
    func failingWorker(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (_, lab) = try await D.prepare(keys: 6)
            let squares = lab[D.DistSquare.self]
            let failing = 3
            let workers = try (0..<2).map { _ in
                try WorkerProcess(["fail-on", String(failing)], sleepMilliseconds: 2, waitForGo: true)
            }
            defer { workers.forEach { $0.stop() } }
            for worker in workers { _ = try await worker.line(startingWith: "READY") }
            for worker in workers { worker.go() }
            var summaries: [WorkerSummary] = []
            for worker in workers { summaries.append(try await worker.finish()) }

            // One worker failed on the key, once; the others were computed.
            #expect(summaries.map(\.error).reduce(0, +) == 1)
            #expect(summaries.map(\.success).reduce(0, +) == 5)
            #expect(summaries.flatMap(\.errors) == ["WorkerFailure: make failed on purpose for key_id 3"])
            let key: Row = ["key_id": Value.int(Int64(failing))]
            #expect(try await (squares & key).count() == 0)
            #expect(try await squares.count() == 5)

            // The error job: message starting with the error's type, the stack as a string blob, the worker's pid.
            let jobs = try await squares.jobs()
            #expect(try await statusCounts(jobs) == ["pending": 0, "reserved": 0, "success": 0, "error": 1, "ignore": 0])
            let job = try await (jobs.errors & key).fetch1()
            #expect(try job.get("status", as: String.self) == "error")
            let message = try job.get("error_message", as: String.self)
            #expect(message.hasPrefix("WorkerFailure"))
            #expect(message.contains("key_id 3"))
            let stack = try #require(BlobValue(dataJointValue: job["error_stack"] ?? .null))
            guard case .string(let stackText) = stack else {
                Issue.record("error_stack holds \(stack), not a string")
                return
            }
            #expect(!stackText.isEmpty)
            #expect(stackText.contains("WorkerFailure"))
            let failedBy = try #require(summaries.first { $0.error == 1 }?.pid)
            #expect(try job.get("pid", as: Int32.self) == failedBy)

            // Failed jobs are not retried until their errors are cleared.
            let again = try await squares.populate(reserveJobs: true, display: .none)
            #expect(again.success == 0 && again.error == 0)
            #expect(try await statusCounts(jobs) == ["pending": 0, "reserved": 0, "success": 0, "error": 1, "ignore": 0])
            #expect(try await jobs.clearErrors() == 1)
            let retried = try await squares.populate(reserveJobs: true, display: .none)
            #expect(retried.success == 1 && retried.error == 0)
            #expect(try await (squares & key).fetch1("worker_pid", as: Int32.self) == getpid())
            #expect(try await squares.count() == 6)
            #expect(try await jobs.table.count() == 0)
        }
    }

    @Test("a worker killed inside a group of keys keeps none of the group; the group's jobs come back as orphans",
          arguments: TestBackend.all)
    func killedWorkerGroup(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (_, lab) = try await D.prepare(keys: 30)
            let squares = lab[D.DistSquare.self]
            // Quick makes: after the first key, groups of 4 and then 16 keys share a transaction; the 8th make is in one.
            let hung = try WorkerProcess(["hang-on", "8"], sleepMilliseconds: 1)
            defer { hung.stop() }
            let line = try await hung.line(startingWith: "IN_MAKE ")
            let id = try #require(Int(line.dropFirst("IN_MAKE ".count)))
            try await hung.killNow()

            let jobs = try await squares.jobs()
            let counts = try await statusCounts(jobs)
            let reserved = try #require(counts["reserved"])
            let computed = try await squares.count()
            // The group died with its transaction: several keys reserved, none of them with a row; the groups
            // before it committed whole.
            #expect(reserved > 1, "\(counts)")
            #expect(computed > 0 && computed < 30, "\(computed) keys computed")
            #expect(computed + reserved + (counts["pending"] ?? 0) == 30, "\(counts)")
            #expect(try await (jobs.reserved & ["key_id": id]).count() == 1)
            let reservedKeys = try await jobs.reserved.proj().toDicts()
            #expect(try await (squares & reservedKeys).count() == 0)

            try await Task.sleep(for: .seconds(1.2))
            let refreshed = try await jobs.refresh(orphanTimeout: 0.5)
            #expect(refreshed.orphaned == reserved)
            let rescuer = try WorkerProcess(["work"], sleepMilliseconds: 1)
            defer { rescuer.stop() }
            let summary = try await rescuer.finish()
            #expect(summary.success == 30 - computed && summary.error == 0)
            #expect(try await squares.count() == 30)
            #expect(try await jobs.table.count() == 0)
        }
    }

    @Test("SIGTERM to a watching worker in a long make: the make commits, no new key starts, nothing stays reserved",
          arguments: TestBackend.all)
    func stoppedWatcher(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (_, lab) = try await D.prepare(keys: 3)
            let squares = lab[D.DistSquare.self]
            // A long make: under a loaded machine the signal may take a while to be handled.
            let watcher = try WorkerProcess(["work"], sleepMilliseconds: 3000, options: ["--watch"])
            defer { watcher.stop() }
            let line = try await watcher.line(startingWith: "MAKING ")
            let id = try #require(Int(line.dropFirst("MAKING ".count)))
            kill(watcher.pid, SIGTERM)
            let summary = try await watcher.finish()
            // The key in progress was finished and committed, with all of its row; no other key was started.
            #expect(summary.success == 1 && summary.error == 0)
            #expect(try await squares.toArray("key_id") as [Int] == [id])
            #expect(try await (squares & ["key_id": id]).fetch1("worker_pid", as: Int32.self) == watcher.pid)
            let jobs = try await squares.jobs()
            #expect(try await jobs.reserved.count() == 0)
            // The rest is computed later, by anyone.
            let report = try await squares.populate(reserveJobs: true, display: .none)
            #expect(report.success == 2)
            #expect(try await squares.count() == 3)
        }
    }
}
