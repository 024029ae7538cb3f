import DataJoint
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Watching workers")
struct WatchTests {
    typealias P = UpstreamPipeline

    /// Waits until `condition` holds, up to `seconds` (a guard against a hung test, not a timing check: the whole
    /// suite runs at once on few cores).
    static func eventually(_ seconds: Double = 120, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await condition()
    }

    @Test("a watching worker computes new upstream rows through the whole pipeline and stops cleanly", arguments: TestBackend.all)
    func watchAPI(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let schema = try await db.schema("upstream", tables: P.tables)
            try await P.fill(schema)
            let stop = StopRequest()
            let rounds = Mutex(0)
            let worker = Task {
                try await schema.watch(interval: .milliseconds(100), stop: stop) { _ in rounds.withLock { $0 += 1 } }
            }
            #expect(try await Self.eventually { try await schema[P.UpComparison.self].count() == 9 })
            try await schema[P.UpVisit.self].insert1(["animal_id": 2, "visit": 2, "visit_date": "2024-03-01"])
            try await schema[P.UpVisit.Sample.self].insert1(["animal_id": 2, "visit": 2, "sample": 0, "value": 7.5])
            #expect(try await Self.eventually { try await schema[P.UpComparison.self].count() == 16 })
            stop.stop()
            let report = try await worker.value
            #expect(rounds.withLock { $0 } >= 2)
            #expect(report[SQLTableName(schema: "upstream", table: "__up_summary")]?.report.success == 4)
            #expect(report[SQLTableName(schema: "upstream", table: "__up_comparison")]?.report.success == 16)
            // UpStray's keys fail: recorded once as error jobs, not retried every round.
            #expect(report[SQLTableName(schema: "upstream", table: "__up_stray")]?.report.error == 2)
            #expect(try await schema[P.UpStray.self].jobs().progress().error == 2)
        }
    }

    @Test("dj populate --watch: two worker processes share new work, each key once; SIGTERM stops them cleanly",
          arguments: TestBackend.all)
    func watchProcesses(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let demo = try await DJTool.demo(for: backend)
            defer { demo.remove() }
            let (directory, environment, schema, db) = (demo.directory, demo.environment, demo.schema, demo.db)
            try await schema.table("__session_stats").delete()

            let workers = try (0..<2).map { _ in
                try DJTool.start(["populate", "--watch", "--interval", "0.2"], in: directory, environment: environment)
            }
            #expect(try await Self.eventually { try await schema.table("__session_grade").count() == 6 })
            // New raw data while the workers run.
            try await schema.table("subject").insert1(["subject_id": 9, "species": "rat", "date_of_birth": "2024-04-01", "sex": "F"])
            // A master and its parts go in together (one transaction), or a worker may compute the session before
            // its trials arrive.
            try await db.transaction {
                try await schema.table("session").insert1(["subject_id": 9, "session_idx": 1, "session_date": "2024-08-01"])
                try await schema.table("session__trial").insert(
                    (1...4).map { ["subject_id": 9, "session_idx": 1, "trial_idx": $0, "stimulus": "dots", "response": 0.25 * Double($0)] })
            }
            #expect(try await Self.eventually { try await (schema.table("__session_grade") & ["subject_id": 9]).count() == 1 })
            var computed = 0
            for worker in workers {
                kill(worker.pid, SIGTERM)
                let finished = try await worker.wait()
                #expect(finished.status == 0, "\(finished.errors)")
                let output = String(decoding: finished.output, as: UTF8.self)
                let last = try #require(output.split(separator: "\n").last { $0.hasPrefix("Stopped: ") })
                computed += Int(last.dropFirst("Stopped: ".count).prefix { $0.isNumber }) ?? -1
            }
            // 6 + 1 session statistics and grades, each computed by exactly one of the workers.
            #expect(computed == 14)
            #expect(try await (schema.table("__session_stats") & ["subject_id": 9]).fetch1("n_trials", as: Int.self) == 4)
            #expect(try await schema.table("__session_stats").jobs().progress().reserved == 0)
        }
    }
}
