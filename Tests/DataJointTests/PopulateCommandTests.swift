import DataJoint
import Foundation
import Testing

@Suite("dj populate")
struct PopulateCommandTests {
    @Test("dj populate brings the demo pipeline up to date in dependency order; a table outside the pipeline is refused",
          arguments: TestBackend.all)
    func populateDemo(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            // The demo declares and fills the pipeline; deleting the computed rows leaves work to do.
            let demo = try await DJTool.demo(for: backend)
            defer { demo.remove() }
            let (directory, environment, schema) = (demo.directory, demo.environment, demo.schema)
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
