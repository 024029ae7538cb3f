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
}
