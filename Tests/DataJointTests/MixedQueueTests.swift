import DataJoint
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// One jobs queue, two languages: DataJoint-Python 2.3.5 workers and Swift `dj-populate-worker` processes populate
/// the same table at the same time through its `~~` jobs table, on the backends both support.
@Suite("MixedQueue: Swift and DataJoint-Python workers share one jobs queue")
struct MixedQueueTests {
    typealias D = DistributedPipeline

    /// PostgreSQL and MariaDB, when the reference interpreter is there.
    static var backends: [TestBackend] { JobsInteropTests.backends }

    /// A DataJoint-Python worker with the same pipeline as `dj-populate-worker` (Tests/PopulateWorker/main.swift):
    ///
    ///     python worker.py work [--sleep-ms N] [--fail-on K]... [--exclude K]... [--wait-for-go]
    ///     python worker.py read
    ///
    /// `work` populates `DistSquare` with `reserve_jobs=True` and prints the summary the Swift worker prints;
    /// `make` inserts the key's row and then raises `ValueError('bad key K')` for a `--fail-on` key (so the
    /// rollback must remove the row). `read` prints the jobs table as DataJoint-Python reads it, as JSON.
    /// DataJoint-Python 2.3.5's `populate` has no `order` argument: it takes the pending jobs by priority and
    /// scheduled time.
    static func script(backend: TestBackend) -> String {
        """
        import argparse, json, os, platform, sys, time
        import datajoint as dj

        parser = argparse.ArgumentParser()
        parser.add_argument('mode', choices=['work', 'read'])
        parser.add_argument('--sleep-ms', type=int, default=5)
        parser.add_argument('--fail-on', type=int, action='append', default=[])
        parser.add_argument('--exclude', type=int, action='append', default=[])
        parser.add_argument('--wait-for-go', action='store_true')
        args = parser.parse_args()

        \(ReferenceProcess.connectionConfig(backend))
        schema = dj.Schema('\(D.schemaName)')

        @schema
        class DistKey(dj.Manual):
            definition = '''
            # a key to compute
            key_id : int32
            ---
            value : int32
            '''

        @schema
        class DistSquare(dj.Computed):
            definition = '''
            # the square of a key's value, and the process that computed it
            -> DistKey
            ---
            square : int64
            worker_pid : int32
            '''

            def make(self, key):
                value = int((DistKey & key).fetch1('value'))
                time.sleep(args.sleep_ms / 1000)
                self.insert1(dict(key, square=value * value, worker_pid=os.getpid()))
                if key['key_id'] in args.fail_on:
                    raise ValueError(f"bad key {key['key_id']}")

        if args.mode == 'work':
            if args.wait_for_go:
                print('READY', flush=True)
                sys.stdin.readline()
            result = DistSquare.populate(
                *[f'key_id != {k}' for k in args.exclude], reserve_jobs=True, suppress_errors=True)
            errors = [message for _key, message in result['error_list']]
            print(json.dumps(dict(pid=os.getpid(), success=result['success_count'], error=len(errors), skip=0,
                                  errors=errors)), flush=True)
        else:
            jobs = []
            for row in DistSquare.jobs.to_dicts():
                stack = row.pop('error_stack')
                job = {k: (None if v is None else v if isinstance(v, (int, str)) else str(v)) for k, v in row.items()}
                job['error_stack'] = stack if isinstance(stack, str) else None
                job['error_stack_type'] = type(stack).__name__
                jobs.append(job)
            print(json.dumps(dict(jobs=jobs, user=dj.conn().get_user(), host=platform.node())), flush=True)
        """
    }

    /// The worker script, written to a directory of its own (also the workers' working directory, so that no
    /// `dj_local_conf.json` lying around is read).
    struct PythonWorkers {
        let directory: URL
        let script: URL

        init(backend: TestBackend) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("mq-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            script = directory.appendingPathComponent("worker.py")
            try MixedQueueTests.script(backend: backend).write(to: script, atomically: true, encoding: .utf8)
        }

        /// A Python worker waiting for GO.
        func start(sleepMilliseconds: Int, _ options: [String] = []) throws -> WorkerProcess {
            try WorkerProcess(
                executable: URL(fileURLWithPath: StoreInteropTests.python),
                arguments: [script.path, "work", "--sleep-ms", String(sleepMilliseconds), "--wait-for-go"] + options,
                directory: directory)
        }

        /// The jobs table as DataJoint-Python reads it.
        func read() async throws -> [String: Any] {
            let (status, output) = try await ReferenceProcess.run(
                StoreInteropTests.python, [script.path, "read"], directory: directory)
            try #require(status == 0, "DataJoint-Python failed:\n\(output.suffix(3000))")
            let line = try #require(output.split(separator: "\n").last { $0.hasPrefix("{") }, "\(output.suffix(3000))")
            return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }

        func remove() { try? FileManager.default.removeItem(at: directory) }
    }

    /// Starts the workers (each prints READY once connected, with its pipeline loaded), then lets them all go at
    /// once and collects their summaries.
    static func runTogether(_ workers: [WorkerProcess]) async throws -> [WorkerSummary] {
        for worker in workers { _ = try await worker.line(startingWith: "READY") }
        for worker in workers { worker.go() }
        var summaries: [WorkerSummary] = []
        for worker in workers { summaries.append(try await worker.finish()) }
        return summaries
    }

    /// Declares the pipeline from Swift, with `n` keys.
    ///
    /// On MariaDB the workers of both languages declare the jobs table of `DistSquare` at the same moment, on
    /// first use. On PostgreSQL it is declared here first, because DataJoint-Python 2.3.5 cannot declare a table
    /// concurrently with another process there: it runs `CREATE TABLE IF NOT EXISTS` and then, as separate
    /// autocommitted statements, `CREATE INDEX "idx_~~dist_square_status_priority_scheduled_time"` (no
    /// `IF NOT EXISTS`) and the `COMMENT ON COLUMN` statements that carry the DataJoint types. So (a) the process
    /// that loses the race fails in `Table.declare` with `psycopg2.errors.DuplicateTable: relation
    /// "idx_~~dist_square_…" already exists` (it only tolerates an `AccessError`), and (b) a process that loads
    /// the table between the statements sees bare PostgreSQL types without the comments (a Swift worker then took
    /// `scheduled_time` for a native `timestamp(3)` and refused to queue a `datetime` in it). MariaDB's single `CREATE TABLE` carries indexes and comments, so it has neither problem.
    static func prepare(keys n: Int, backend: TestBackend) async throws -> Schema {
        let (_, lab) = try await D.prepare(keys: n)
        if backend == .postgresql { _ = try await lab[D.DistSquare.self].jobs() }
        return lab
    }

    @Test("two Python and two Swift workers populate one table: every key once, both languages compute",
          arguments: backends)
    func sharedQueue(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let keyCount = 80
            let lab = try await Self.prepare(keys: keyCount, backend: backend)
            let python = try PythonWorkers(backend: backend)
            defer { python.remove() }
            // Slow keys (25 ms each, 80 keys, four workers), so that however fast one language starts, the other
            // finds work left when it begins.
            let sleep = 25
            let pythonWorkers = try (0..<2).map { _ in try python.start(sleepMilliseconds: sleep) }
            defer { pythonWorkers.forEach { $0.stop() } }
            let swiftWorkers = try (0..<2).map { _ in
                try WorkerProcess(["work"], sleepMilliseconds: sleep, waitForGo: true)
            }
            defer { swiftWorkers.forEach { $0.stop() } }
            let summaries = try await Self.runTogether(pythonWorkers + swiftWorkers)
            let jobs = try await lab[D.DistSquare.self].jobs()
            let pythonPids = Set(pythonWorkers.map(\.pid)), swiftPids = Set(swiftWorkers.map(\.pid))
            #expect(summaries.map(\.pid) == (pythonWorkers + swiftWorkers).map(\.pid))

            // No failures anywhere: both languages queue the keys at the same moment (Swift's refresh inserts with
            // skipDuplicates, Python's catches DuplicateError per key), and neither reports a duplicate.
            #expect(summaries.map(\.error) == [0, 0, 0, 0])
            #expect(summaries.flatMap(\.errors).isEmpty, "\(summaries.flatMap(\.errors))")
            for worker in pythonWorkers + swiftWorkers {
                let text = worker.stderrText.lowercased() + worker.stdoutLines.joined(separator: "\n").lowercased()
                #expect(!text.contains("duplicate"), "worker \(worker.pid): \(worker.stderrText.suffix(2000))")
            }

            // Every key computed exactly once, right.
            let squares = lab[D.DistSquare.self]
            let rows = try await squares.toDicts(orderBy: ["key_id"])
            #expect(rows.count == keyCount)
            #expect(try rows.map { try $0.get("key_id", as: Int.self) } == Array(1...keyCount))
            #expect(try rows.allSatisfy { row in
                let id = try row.get("key_id", as: Int.self)
                return try row.get("square", as: Int.self) == (id + 10) * (id + 10)
            })
            let pids = try rows.map { try $0.get("worker_pid", as: Int32.self) }
            #expect(Set(pids).isSubset(of: pythonPids.union(swiftPids)), "\(Set(pids))")
            // Each worker's count of rows is what it reports (Python's success_count, Swift's success).
            for summary in summaries {
                #expect(pids.filter { $0 == summary.pid }.count == summary.success, "worker \(summary.pid): \(summaries)")
            }
            #expect(summaries.map(\.success).reduce(0, +) == keyCount)
            // Both languages computed keys.
            #expect(!Set(pids).isDisjoint(with: pythonPids), "no Python worker computed a key: \(summaries)")
            #expect(!Set(pids).isDisjoint(with: swiftPids), "no Swift worker computed a key: \(summaries)")

            // Nothing left in the queue: no pending, reserved or failed jobs; completed jobs are not kept.
            #expect(try await statusCounts(jobs) == ["pending": 0, "reserved": 0, "success": 0, "error": 0, "ignore": 0])
            #expect(try await jobs.table.count() == 0)
            #expect(try await squares.progress() == (remaining: 0, total: keyCount))
            // DataJoint-Python sees the same empty queue.
            let seen = try await python.read()
            #expect((seen["jobs"] as? [Any])?.count == 0, "\(seen)")
        }
    }

    @Test("a watching Swift worker and a Python worker share one queue: every key once", arguments: backends)
    func watcherWithPython(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let keyCount = 40
            let lab = try await Self.prepare(keys: keyCount, backend: backend)
            let python = try PythonWorkers(backend: backend)
            defer { python.remove() }
            let pythonWorker = try python.start(sleepMilliseconds: 25)
            defer { pythonWorker.stop() }
            let watcher = try WorkerProcess(["work"], sleepMilliseconds: 25, waitForGo: true, options: ["--watch"])
            defer { watcher.stop() }
            for worker in [pythonWorker, watcher] { _ = try await worker.line(startingWith: "READY") }
            for worker in [pythonWorker, watcher] { worker.go() }
            let squares = lab[D.DistSquare.self]
            #expect(try await WatchTests.eventually(120) { try await squares.count() == keyCount })
            kill(watcher.pid, SIGTERM)
            let summaries = [try await pythonWorker.finish(), try await watcher.finish()]
            #expect(summaries.map(\.error) == [0, 0])
            #expect(summaries.map(\.success).reduce(0, +) == keyCount, "\(summaries)")
            let pids = try await squares.toDicts().map { try $0.get("worker_pid", as: Int32.self) }
            for summary in summaries {
                #expect(pids.filter { $0 == summary.pid }.count == summary.success, "worker \(summary.pid): \(summaries)")
            }
            #expect(try await lab[D.DistSquare.self].jobs().table.count() == 0)
        }
    }

    @Test("a Python make and a Swift make fail: both errors in the jobs table in one format, each read by both",
          arguments: backends)
    func sharedErrors(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let keyCount = 20
            let pythonFailing = 7, swiftFailing = 13
            let lab = try await Self.prepare(keys: keyCount, backend: backend)
            let python = try PythonWorkers(backend: backend)
            defer { python.remove() }
            // Each failing key is left to the language that fails on it: the Python worker populates
            // `key_id != 13`, the Swift worker `key_id != 7`.
            let pythonWorker = try python.start(
                sleepMilliseconds: 5, ["--fail-on", String(pythonFailing), "--exclude", String(swiftFailing)])
            defer { pythonWorker.stop() }
            let swiftWorker = try WorkerProcess(
                ["fail-on", String(swiftFailing)], sleepMilliseconds: 5, waitForGo: true,
                options: ["--exclude", String(pythonFailing)])
            defer { swiftWorker.stop() }
            let summaries = try await Self.runTogether([pythonWorker, swiftWorker])
            let jobs = try await lab[D.DistSquare.self].jobs()
            let (pythonSummary, swiftSummary) = (summaries[0], summaries[1])

            #expect(pythonSummary.errors == ["ValueError: bad key \(pythonFailing)"])
            #expect(swiftSummary.errors == ["WorkerFailure: make failed on purpose for key_id \(swiftFailing)"])
            #expect(pythonSummary.success + swiftSummary.success == keyCount - 2)
            let squares = lab[D.DistSquare.self]
            #expect(try await squares.count() == keyCount - 2)
            // Each make inserted its row before failing; the rollback removed it.
            #expect(try await (squares & "key_id in (\(pythonFailing), \(swiftFailing))").count() == 0)

            // Swift reads both error jobs.
            #expect(try await statusCounts(jobs) == ["pending": 0, "reserved": 0, "success": 0, "error": 2, "ignore": 0])
            let failed = try await jobs.errors.toDicts(orderBy: ["key_id"])
            try #require(failed.count == 2)
            let (pythonJob, swiftJob) = (failed[0], failed[1])
            #expect(try pythonJob.get("key_id", as: Int.self) == pythonFailing)
            #expect(try swiftJob.get("key_id", as: Int.self) == swiftFailing)
            #expect(pythonJob["error_message"] == .string("ValueError: bad key \(pythonFailing)"))
            #expect(swiftJob["error_message"] == .string("WorkerFailure: make failed on purpose for key_id \(swiftFailing)"))
            // The stacks are `<blob>` strings: Python's traceback, Swift's error and call stack.
            guard case .string(let pythonStack)? = pythonJob["error_stack"].flatMap(BlobValue.init(dataJointValue:)),
                case .string(let swiftStack)? = swiftJob["error_stack"].flatMap(BlobValue.init(dataJointValue:))
            else {
                Issue.record("an error_stack did not decode to a string: \(pythonJob) \(swiftJob)")
                return
            }
            #expect(pythonStack.hasPrefix("Traceback (most recent call last):"))
            #expect(pythonStack.contains("ValueError: bad key \(pythonFailing)"))
            #expect(swiftStack.contains("WorkerFailure"))
            #expect(swiftStack.contains("key_id \(swiftFailing)"))
            // Who failed: each worker's pid, the same host and database user on both sides.
            #expect(pythonJob["pid"] == .int(Int64(pythonWorker.pid)))
            #expect(swiftJob["pid"] == .int(Int64(swiftWorker.pid)))
            for job in failed {
                #expect(try !job.get("host", as: String.self).isEmpty)
                #expect(try !job.get("user", as: String.self).isEmpty)
                #expect(try job.get("connection_id", as: Int.self) > 0)
                #expect(job["reserved_time"]?.isNull == false && job["completed_time"]?.isNull == false)
            }
            #expect(pythonJob["host"] == swiftJob["host"])
            #expect(pythonJob["user"] == swiftJob["user"])

            // DataJoint-Python reads both error jobs the same way.
            let seen = try await python.read()
            let pythonRows = try #require(seen["jobs"] as? [[String: Any]])
            let byKey = Dictionary(uniqueKeysWithValues: pythonRows.compactMap { row in
                (row["key_id"] as? Int).map { ($0, row) }
            })
            try #require(byKey.count == 2, "\(pythonRows)")
            for (id, job, worker) in [(pythonFailing, pythonJob, pythonWorker), (swiftFailing, swiftJob, swiftWorker)] {
                let row = try #require(byKey[id])
                #expect(row["status"] as? String == "error")
                #expect(row["error_message"] as? String == (try job.get("error_message", as: String.self)))
                #expect(row["error_stack_type"] as? String == "str", "key \(id): \(row)")
                #expect(row["pid"] as? Int == Int(worker.pid))
                #expect(row["host"] as? String == (try job.get("host", as: String.self)))
                #expect(row["user"] as? String == (try job.get("user", as: String.self)))
            }
            #expect((byKey[pythonFailing]?["error_stack"] as? String) == pythonStack)
            #expect((byKey[swiftFailing]?["error_stack"] as? String) == swiftStack)
            // The user both record is the one DataJoint-Python's connection reports.
            #expect(seen["user"] as? String == (try pythonJob.get("user", as: String.self)))
        }
    }
}
