import DataJoint
import Foundation
import Testing

@Suite("Jobs queue")
struct JobsTests {
    typealias P = PopulatePipeline

    @Test("populate with reserveJobs records failures in ~~table; clearing them lets a retry succeed", arguments: TestBackend.all)
    func errorsAndRetry(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let lab = try await db.schema("jobs", tables: P.tables)
            try await lab[P.PpSession.self].insert(P.sessions(1...6))
            let stats = lab[P.PpStats.self]
            let report = try await MakeProbe.$current.withValue(MakeProbe(failOn: [3])) {
                try await stats.populate(suppressErrors: true, reserveJobs: true)
            }
            #expect(report.success == 5 && report.error == 1)
            let jobs = try await stats.jobs()
            #expect(try await jobs.table.tableName() == "~~pp_stats")
            #expect(try await jobs.progress() == Jobs.Progress(error: 1))
            let failed = try await jobs.errors.fetch1()
            #expect(failed["session_id"] == .int(3))
            #expect(failed["error_message"] == .string("MakeProblem: no good data for session 3"))
            guard case .string(let stack)? = BlobValue(dataJointValue: failed["error_stack"]!) else {
                Issue.record("error_stack is not a string blob: \(failed["error_stack"]!)")
                return
            }
            #expect(stack.contains("no good data for session 3"))
            #expect(failed["status"] == .string("error") && failed["reserved_time"] != .null && failed["completed_time"] != .null)
            #expect(failed["host"] != .string("") && failed["pid"] != .int(0))
            #expect(try await (stats & ["session_id": 3]).count() == 0)
            #expect(try await (lab[P.PpStats.Sample.self] & ["session_id": 3]).count() == 0)
            // An errored job is not retried until the error is cleared.
            #expect(try await stats.populate(reserveJobs: true).success == 0)
            #expect(try await jobs.clearErrors() == 1)
            #expect(try await stats.populate(reserveJobs: true).success == 1)
            #expect(try await stats.count() == 6)
            #expect(try await jobs.progress().total == 0)  // completed jobs are not kept by default
        }
    }

    @Test("a queued key computed outside the queue is skipped: job done, no error, no second row", arguments: TestBackend.all)
    func keyComputedOutsideQueue(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let lab = try await db.schema("jobs", tables: P.tables)
            try await lab[P.PpSession.self].insert(P.sessions(1...3))
            let stats = lab[P.PpStats.self]
            let jobs = try await stats.jobs()
            #expect(try await jobs.refresh().added == 3)
            // Session 2 is computed without the queue after it was queued.
            #expect(try await stats.populate(["session_id": 2] as Row).success == 1)
            let parts = try await (lab[P.PpStats.Sample.self] & ["session_id": 2]).count()
            let report = try await stats.populate(reserveJobs: true, refresh: false)
            #expect(report.success == 2 && report.skip == 1 && report.error == 0)
            #expect(try await stats.count() == 3)
            #expect(try await (lab[P.PpStats.Sample.self] & ["session_id": 2]).count() == parts)
            #expect(try await jobs.progress().total == 0)
        }
    }

    @Test("the jobs table has DataJoint-Python's columns, key types and index", arguments: TestBackend.all)
    func layout(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let lab = try await db.schema("jobs", tables: P.tables)
            let jobs = try await lab[P.PpStats.self].jobs()
            let heading = try await jobs.table.heading()
            #expect(heading.names == [
                "session_id", "status", "priority", "created_time", "scheduled_time", "reserved_time", "completed_time",
                "duration", "error_message", "error_stack", "user", "host", "pid", "connection_id", "version",
            ])
            #expect(heading.primaryKey == ["session_id"])
            // Declared as DataJoint-Python declares it: with the catalog's column type on the servers.
            let keyType: AttributeType? = switch backend {
            case .sqlite: .int32
            case .postgresql: .native("integer", .integer)
            case .mysql: .native("int(11)", .integer)
            }
            #expect(heading["session_id"]?.type == keyType)
            #expect(heading["status"]?.type == .enumeration(["pending", "reserved", "success", "error", "ignore"]))
            #expect(heading["priority"]?.type == .int8)
            #expect(heading["created_time"]?.type == .datetime(fractionalDigits: 3))
            #expect(heading["error_stack"]?.type == .codec(name: "blob", store: nil))
            #expect(heading["error_message"]?.type == .varchar(2047))
            #expect(try await jobs.table.info().indexes.count == 1)
            // The queue is not a table of the pipeline.
            #expect(try await !lab.tableNames().contains("~~pp_stats"))
        }
    }

    @Test("refresh queues keys with priority and delay; ignore and priority filters are honoured", arguments: TestBackend.all)
    func refreshPriorityDelay(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let lab = try await db.schema("jobs", tables: P.tables)
            try await lab[P.PpSession.self].insert(P.sessions(1...6))
            let stats = lab[P.PpStats.self]
            let jobs = try await stats.jobs()
            #expect(try await jobs.refresh(["session_id": 1] as Row, priority: 1).added == 1)
            #expect(try await jobs.refresh(["session_id": 2] as Row, delay: 3600, priority: 0).added == 1)
            #expect(try await jobs.refresh(priority: 7).added == 4)
            #expect(try await jobs.refresh().added == 0)
            try await jobs.ignore(["session_id": 6])
            #expect(try await jobs.progress() == Jobs.Progress(pending: 5, ignore: 1))
            // Only priority <= 1: session 1 (session 2 is not due for an hour).
            let probe = MakeProbe()
            let urgent = try await MakeProbe.$current.withValue(probe) {
                try await stats.populate(reserveJobs: true, priority: 1, refresh: false)
            }
            #expect(urgent.success == 1 && probe.calls.withLock { $0 } == [1])
            let rest = try await MakeProbe.$current.withValue(probe) { try await stats.populate(reserveJobs: true, refresh: false) }
            #expect(rest.success == 3)
            #expect(Set(try await stats.keys().compactMap { $0["session_id"] }) == [.int(1), .int(3), .int(4), .int(5)])
            #expect(try await jobs.progress() == Jobs.Progress(pending: 1, ignore: 1))
            // Keys whose rows were deleted come back on refresh; ignored keys stay ignored.
            try await (stats & ["session_id": 1]).delete()
            #expect(try await jobs.refresh().added == 1)
            // Jobs of keys that left the key source are removed.
            try await (lab[P.PpSession.self] & ["session_id": 2]).delete()
            #expect(try await jobs.refresh(staleTimeout: 0).removed == 0)
            let removed = try await jobs.refresh(staleTimeout: 1e-9)
            #expect(removed.removed == 1)
        }
    }

    @Test("jobs.add_job_metadata adds hidden columns that populate fills and fetch does not show", arguments: TestBackend.all)
    func jobMetadata(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            var settings = Settings(safemode: false)
            settings.jobs.addJobMetadata = true
            let db = try await TestDatabase.connect(settings: settings)
            let lab = try await db.schema("jobs", tables: P.tables)
            try await lab[P.PpSession.self].insert(P.sessions(1...2))
            let stats = lab[P.PpStats.self]
            try await stats.populate()
            let info = try await stats.info()
            #expect(info.heading.allAttributes.map(\.name).suffix(3) == ["_job_start_time", "_job_duration", "_job_version"])
            #expect(try await stats.heading().names == ["session_id", "n_samples", "total"])
            #expect(try await stats.fetch1Row(["session_id": 1]).names == ["session_id", "n_samples", "total"])
            let select = SQLSelect(
                columns: [(.column("_job_start_time"), alias: nil), (.column("_job_duration"), alias: nil)],
                from: .table(info.name))
            for row in try await db.query(db.dialect.render(.select(select))) {
                #expect(!row[0].isNull && !row[1].isNull)
            }
            // Session tables have no such columns.
            #expect(try await lab[P.PpSession.self].info().heading.allAttributes.count == 2)
        }
    }
}

extension Table {
    func fetch1Row(_ key: Row) async throws -> Row { try await (self & key).fetch1() }
}
