import DataJoint
import Foundation
import Testing

@Suite("dj populate")
struct PopulateCommandTests {
    @Test("dj populate brings the demo pipeline up to date in dependency order; a table outside the pipeline is refused",
          arguments: TestBackend.all)
    func populateDemo(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let directory = try DJTool.workingDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let environment = try DJTool.environment(for: backend)
            // The test's database exists once connected to. The demo declares and fills the pipeline; deleting the
            // computed rows leaves work to do.
            let db = try await TestDatabase.connect(settings: Settings(safemode: false))
            let demo = try await DJTool.run(["demo"], in: directory, environment: environment)
            try #require(demo.status == 0, "\(demo.errors)")
            let schema = try await db.schema("demo", tables: [], create: false)
            try await schema.table("__session_stats").delete()
            #expect(try await schema.table("__session_grade").count() == 0)

            let one = try await DJTool.run(
                ["populate", "demo.SessionStats", "--max-calls", "2"], in: directory, environment: environment)
            #expect(one.status == 0, "\(one.errors)")
            #expect(try await schema.table("__session_stats").count() == 2)
            #expect(try await schema.table("__session_grade").count() == 0)

            let all = try await DJTool.run(["populate", "--workers", "2", "--reserve-jobs"], in: directory, environment: environment)
            #expect(all.status == 0, "\(all.errors)")
            let lines = String(decoding: all.output, as: UTF8.self).split(separator: "\n").map {
                $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            }
            #expect(lines.contains("demo.__session_stats 4 0 0"))
            #expect(lines.contains("demo.__session_grade 6 0 0"))
            #expect(lines.last == "10 computed, 0 failed, 0 skipped")
            #expect(try await schema.table("__session_grade").count() == 6)

            let outside = try await DJTool.run(["populate", "lab.Session"], in: directory, environment: environment)
            #expect(outside.status == 1)
            #expect(outside.errors.contains("not part of this pipeline"))
            let badWorkers = try await DJTool.run(["populate", "--workers", "0"], in: directory, environment: environment)
            #expect(badWorkers.status != 0)
        }
    }
}
