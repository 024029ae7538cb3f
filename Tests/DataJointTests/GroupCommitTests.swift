import DataJoint
import Foundation
import Testing

/// A computed table whose `make` writes an object to a store before it may fail.
struct GcObjects: Computed {
    static let definition = """
        -> PpSession
        ---
        content : <object@>
        """

    static func make(_ key: Row, _ ctx: MakeContext) async throws {
        guard case .int(let id)? = key["session_id"] else { throw MakeProblem(id: -1) }
        try await ctx.insert1(key + ["content": ObjectData(Data("session \(id)".utf8), fileExtension: "txt").dataJointValue])
        if MakeProbe.current?.failOn.contains(id) == true { throw MakeProblem(id: id) }
    }
}

/// A computed table whose `make` reads back what it inserted (its row, then its part rows), and for the keys the
/// probe names inserts one part row twice: a duplicate that a group holding its inserts back meets only when it sends
/// them.
struct GcEcho: Computed {
    static let definition = """
        -> PpSession
        ---
        n_notes : int32
        """
    struct Note: Part {
        static let definition = """
            -> master
            note_idx : int16
            """
    }
    static var parts: [any Part.Type] { [Note.self] }

    static func make(_ key: Row, _ ctx: MakeContext) async throws {
        guard case .int(let id)? = key["session_id"] else { throw MakeProblem(id: -1) }
        let notes = Int(id % 3 + 1)
        try await ctx.insert1(key + ["n_notes": notes])
        guard try await (ctx[GcEcho.self] & key).fetch1("n_notes", as: Int.self) == notes else { throw MakeProblem(id: id) }
        try await ctx.insert((0..<notes).map { key + ["note_idx": $0] }, into: Note.self)
        guard try await (ctx[Note.self] & key).count() == notes else { throw MakeProblem(id: id) }
        if MakeProbe.current?.failOn.contains(id) == true {
            try await ctx.insert1(key + ["note_idx": 0], into: Note.self)
        }
    }
}

@Suite("Populate commits in groups")
struct GroupCommitTests {
    typealias P = PopulatePipeline

    @Test("a failing key in a group costs only itself: the others keep all their rows, the failed one has none",
          arguments: TestBackend.all)
    func failuresInGroups(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let lab = try await db.schema("group_commit", tables: P.tables)
            try await lab[P.PpSession.self].insert(P.sessions(1...300))
            let stats = lab[P.PpStats.self]
            let report = try await MakeProbe.$current.withValue(MakeProbe(failOn: [2, 7, 150, 299])) {
                try await stats.populate(suppressErrors: true)
            }
            #expect(report.success == 296 && report.error == 4 && report.skip == 0)
            #expect(Set(report.errors.map { $0.key["session_id"] }) == [.int(2), .int(7), .int(150), .int(299)])
            #expect(try await stats.count() == 296)
            let samples = lab[P.PpStats.Sample.self]
            let expectedSamples = (1...300).filter { ![2, 7, 150, 299].contains($0) }.map { $0 % 4 + 1 }.reduce(0, +)
            #expect(try await samples.count() == expectedSamples)
            #expect(try await (samples & "session_id IN (2, 7, 150, 299)").count() == 0)
            // A second populate computes the failed keys, once they no longer fail.
            let retry = try await stats.populate()
            #expect(retry.success == 4)
            #expect(try await stats.count() == 300)
        }
    }

    @Test("without suppressErrors populate stops at the first failure, keeping exactly the keys before it, grouped or not",
          arguments: TestBackend.all)
    func stopAtFirstFailure(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            for commitEachKey in [false, true] {
                let lab = try await db.schema("group_stop_\(commitEachKey ? "each" : "grouped")", tables: P.tables)
                try await lab[P.PpSession.self].insert(P.sessions(1...60))
                let stats = lab[P.PpStats.self]
                await #expect(throws: MakeProblem.self) {
                    try await MakeProbe.$current.withValue(MakeProbe(failOn: [41])) {
                        _ = try await stats.populate(commitEachKey: commitEachKey)
                    }
                }
                #expect(try await stats.keys().map { $0["session_id"] } == (1...40).map { .int(Int64($0)) }, "commitEachKey \(commitEachKey)")
                #expect(try await (lab[P.PpStats.Sample.self] & "session_id > 40").count() == 0)
            }
        }
    }

    @Test("objects a failed make wrote in a group are removed; those of the kept keys stay", arguments: TestBackend.all)
    func storeObjectsOfFailedKeys(backend: TestBackend) async throws {
        let stores = try StoreFixture()
        defer { stores.remove() }
        try await backend.withDatabase(settings: stores.settings) { db in
            let lab = try await db.schema("group_objects", tables: [P.PpSession.self, GcObjects.self])
            try await lab[P.PpSession.self].insert(P.sessions(1...20))
            let objects = lab[GcObjects.self]
            let report = try await MakeProbe.$current.withValue(MakeProbe(failOn: [3, 12])) {
                try await objects.populate(suppressErrors: true)
            }
            #expect(report.success == 18 && report.error == 2)
            let files = stores.files("main").filter { !$0.hasPrefix("_hash") }
            #expect(files.count == 18, "\(files)")
            #expect(!files.contains { $0.contains("session_id=3/") || $0.contains("session_id=12/") }, "\(files)")
        }
    }

    @Test("with the jobs queue, groups reserve and complete together: failed keys recorded, nothing left reserved",
          arguments: TestBackend.all)
    func jobsQueueGroups(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let lab = try await db.schema("group_jobs", tables: P.tables)
            try await lab[P.PpSession.self].insert(P.sessions(1...300))
            let stats = lab[P.PpStats.self]
            let jobs = try await stats.jobs()
            try await jobs.refresh()
            // Another worker holds key 9; key 10 is to be ignored: a batch reservation must leave both alone.
            try await jobs.table.update1(["session_id": 9, "status": "reserved", "host": "elsewhere", "pid": 1])
            try await jobs.ignore(["session_id": 10])
            let report = try await MakeProbe.$current.withValue(MakeProbe(failOn: [2, 7, 150, 299])) {
                try await stats.populate(suppressErrors: true, reserveJobs: true, display: .none)
            }
            #expect(report.success == 294 && report.error == 4)
            #expect(try await stats.count() == 294)
            #expect(try await (stats & "session_id IN (9, 10)").count() == 0)
            #expect(try await statusCounts(jobs) == ["pending": 0, "reserved": 1, "success": 0, "error": 4, "ignore": 1])
            let failed = try await jobs.errors.toDicts(orderBy: ["session_id"])
            #expect(failed.map { $0["session_id"] } == [.int(2), .int(7), .int(150), .int(299)])
            #expect(failed.allSatisfy { "\($0["error_message"] ?? .null)".contains("MakeProblem") })
            #expect(try await (jobs.reserved & ["session_id": 9]).fetch1("host", as: String.self) == "elsewhere")
            #expect(try await (lab[P.PpStats.Sample.self] & "session_id IN (2, 7, 150, 299)").count() == 0)
        }
    }

    @Test("with the jobs queue, a populate that stops at a failure hands the rest of its group back to the queue",
          arguments: TestBackend.all)
    func jobsQueueStop(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let lab = try await db.schema("group_jobs_stop", tables: P.tables)
            try await lab[P.PpSession.self].insert(P.sessions(1...60))
            let stats = lab[P.PpStats.self]
            await #expect(throws: MakeProblem.self) {
                try await MakeProbe.$current.withValue(MakeProbe(failOn: [41])) {
                    _ = try await stats.populate(reserveJobs: true, display: .none)
                }
            }
            #expect(try await stats.keys().map { $0["session_id"] } == (1...40).map { .int(Int64($0)) })
            let jobs = try await stats.jobs()
            #expect(try await statusCounts(jobs) == ["pending": 19, "reserved": 0, "success": 0, "error": 1, "ignore": 0])
            #expect(try await (jobs.errors & ["session_id": 41]).count() == 1)
            // The keys handed back are due now: the next populate computes them.
            let rest = try await stats.populate(reserveJobs: true, display: .none)
            #expect(rest.success == 19)
            #expect(try await stats.count() == 59)
        }
    }

    @Test("a make reads back its own rows in a group; a duplicate found only when the group's rows are sent costs only its key",
          arguments: TestBackend.all)
    func readBackAndLateDuplicates(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let lab = try await db.schema("group_echo", tables: [P.PpSession.self, GcEcho.self])
            try await lab[P.PpSession.self].insert(P.sessions(1...200))
            let echo = lab[GcEcho.self]
            let failing: Set<Int64> = [5, 77, 78, 190]
            for reserveJobs in [false, true] {
                let report = try await MakeProbe.$current.withValue(MakeProbe(failOn: failing)) {
                    try await echo.populate(suppressErrors: true, reserveJobs: reserveJobs, display: .none)
                }
                #expect(report.success == 196 && report.error == 4, "reserveJobs \(reserveJobs): \(report)")
                #expect(report.errors.allSatisfy { ($0.error as? DataJointError)?.kind == .duplicate })
                #expect(try await echo.count() == 196)
                let notes = (1...200).filter { !failing.contains(Int64($0)) }.map { $0 % 3 + 1 }.reduce(0, +)
                #expect(try await lab[GcEcho.Note.self].count() == notes)
                #expect(try await (echo & "session_id IN (5, 77, 78, 190)").count() == 0)
                _ = try await echo.delete(confirm: true)
            }
        }
    }
}
