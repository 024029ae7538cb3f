import DataJoint
import Foundation
import Testing

@Suite("dj delete")
struct DeleteCommandTests {
    typealias P = UpstreamPipeline

    /// Declares and fills the upstream pipeline with its computed summaries in the test's database.
    static func prepare(_ backend: TestBackend) async throws -> Schema {
        let db = try await TestDatabase.connect(settings: Settings(safemode: false))
        let schema = try await db.schema("upstream", tables: P.tables)
        try await P.fill(schema)
        try await schema[P.UpSummary.self].populate()
        return schema
    }

    static func counts(_ schema: Schema) async throws -> [Int] {
        [
            try await schema[P.UpAnimal.self].count(), try await schema[P.UpVisit.self].count(),
            try await schema[P.UpVisit.Sample.self].count(), try await schema[P.UpSummary.self].count(),
        ]
    }

    @Test("--dry-run prints the rows each table would lose and deletes nothing", arguments: TestBackend.all)
    func dryRun(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let schema = try await Self.prepare(backend)
            let directory = try DJTool.workingDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let run = try await DJTool.run(
                ["delete", "upstream.UpAnimal", "--where", "animal_id = 1", "--dry-run"], in: directory,
                environment: try DJTool.environment(for: backend))
            #expect(run.status == 0, "\(run.errors)")
            let lines = String(decoding: run.output, as: UTF8.self).split(separator: "\n").map {
                $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            }
            #expect(lines.contains("upstream.up_animal 1"))
            #expect(lines.contains("upstream.up_visit 2"))
            #expect(lines.contains("upstream.up_visit__sample 4"))
            #expect(lines.contains("upstream.__up_summary 2"))
            #expect(lines.last == "Dry run: nothing was deleted (9 rows would be).")
            #expect(try await Self.counts(schema) == [2, 3, 6, 3])
        }
    }

    @Test("--yes deletes the previewed rows; without a terminal or --yes nothing is deleted", arguments: TestBackend.all)
    func confirm(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let schema = try await Self.prepare(backend)
            let directory = try DJTool.workingDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let environment = try DJTool.environment(for: backend)
            let refused = try await DJTool.run(
                ["delete", "upstream.UpVisit", "--where", "visit = 1"], in: directory, environment: environment)
            #expect(refused.status == 1)
            #expect(refused.errors.contains("pass --yes"))
            #expect(try await Self.counts(schema) == [2, 3, 6, 3])

            let done = try await DJTool.run(
                ["delete", "upstream.UpVisit", "--where", "visit = 1", "--yes"], in: directory, environment: environment)
            #expect(done.status == 0, "\(done.errors)")
            #expect(String(decoding: done.output, as: UTF8.self).contains("Deleted 2 row(s)"))
            #expect(try await Self.counts(schema) == [2, 1, 1, 1])
        }
    }

    @Test("a part delete is refused under enforce, cascades to its master when asked; bad input changes nothing",
          arguments: TestBackend.all)
    func partIntegrityAndBadInput(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let schema = try await Self.prepare(backend)
            let directory = try DJTool.workingDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let environment = try DJTool.environment(for: backend)
            let preview = try await DJTool.run(
                ["delete", "upstream.UpVisit.Sample", "--where", "sample = 2", "--dry-run"], in: directory,
                environment: environment)
            #expect(String(decoding: preview.output, as: UTF8.self).contains("will be refused"))
            let refused = try await DJTool.run(
                ["delete", "upstream.UpVisit.Sample", "--where", "sample = 2", "--yes"], in: directory,
                environment: environment)
            #expect(refused.status == 1)
            #expect(refused.errors.contains("without their master rows"))
            #expect(try await Self.counts(schema) == [2, 3, 6, 3])

            for arguments in [
                ["delete", "upstream.NoSuchTable", "--dry-run"],
                ["delete", "upstream.UpVisit", "--part-integrity", "sometimes", "--dry-run"],
                ["delete", "upstream.UpVisit", "--where", "no_such_column = 1", "--yes"],
                ["delete", "nodot", "--yes"],
            ] {
                let bad = try await DJTool.run(arguments, in: directory, environment: environment)
                #expect(bad.status != 0, "\(arguments)")
                #expect(bad.errors.contains("error:") || bad.errors.contains("Error:"), "\(arguments): \(bad.errors)")
            }
            #expect(try await Self.counts(schema) == [2, 3, 6, 3])

            let cascaded = try await DJTool.run(
                ["delete", "upstream.UpVisit.Sample", "--where", "sample = 2", "--part-integrity", "cascade", "--yes"],
                in: directory, environment: environment)
            #expect(cascaded.status == 0, "\(cascaded.errors)")
            // The one visit with a third sample goes with all its samples and its summary.
            #expect(try await Self.counts(schema) == [2, 2, 3, 2])
        }
    }
}
