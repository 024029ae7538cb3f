import DataJoint
import Foundation
import Testing

@Suite("dj gc")
struct GarbageCommandTests {
    @Test("reports orphans without removing them, leaves young ones with --min-age, removes them with --delete", arguments: TestBackend.all)
    func collect(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let stores = try StoreFixture()
            defer { stores.remove() }
            let db = try await TestDatabase.connect(settings: stores.settings)
            let s = try await db.schema("stored_gc", tables: StorePipeline.StRecording.self)
            let recordings = s[StorePipeline.StRecording.self]
            try await recordings.insert([["rec_id": 1, "signal": Value.blob(1)], ["rec_id": 2, "signal": Value.blob(2)]])
            try await (recordings & ["rec_id": 1]).delete()
            #expect(stores.files("main").count == 2)

            let directory = try DJTool.workingDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            var environment = try DJTool.environment(for: backend)
            environment["DJ_STORES"] = #"{"default": "main", "main": {"protocol": "file", "location": "\#(stores.path("main"))"}}"#
            func dj(_ arguments: [String]) async throws -> (status: Int32, lines: [String], errors: String) {
                let run = try await DJTool.run(["gc"] + arguments, in: directory, environment: environment)
                let lines = String(decoding: run.output, as: UTF8.self).split(separator: "\n").map {
                    $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
                }
                return (run.status, lines, run.errors)
            }

            let dry = try await dj(["stored_gc"])
            #expect(dry.status == 0, "\(dry.errors)")
            #expect(dry.lines.contains("hash-addressed 2 1 1"), "\(dry.lines)")
            #expect(dry.lines.last?.hasPrefix("Dry run: nothing was removed") == true)
            #expect(stores.files("main").count == 2)

            let young = try await dj(["stored_gc", "--delete", "--min-age", "1h"])
            #expect(young.status == 0, "\(young.errors)")
            #expect(young.lines.contains("1 unreferenced object(s) written within --min-age were left alone."))
            #expect(young.lines.last == "Removed 0 object(s), 0 bytes freed.")
            #expect(stores.files("main").count == 2)

            let removed = try await dj(["stored_gc", "--delete", "--verbose"])
            #expect(removed.status == 0, "\(removed.errors)")
            #expect(removed.lines.contains { $0.hasPrefix("_hash/stored_gc/") })
            #expect(removed.lines.last?.hasPrefix("Removed 1 object(s),") == true)
            #expect(stores.files("main").count == 1)
            #expect(try await (recordings & ["rec_id": 2]).fetch1("signal", as: Value.self) == Value.blob(2))

            // Bad input: a clear error, nothing removed.
            let badAge = try await dj(["stored_gc", "--min-age", "soon"])
            #expect(badAge.status != 0)
            #expect(badAge.errors.contains("--min-age must be a number of seconds"))
            let unknown = try await dj(["no_such_schema", "--delete"])
            #expect(unknown.status != 0)
            #expect(unknown.errors.contains("no_such_schema"))
            #expect(stores.files("main").count == 1)
        }
    }
}
