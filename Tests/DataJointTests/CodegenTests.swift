import DataJoint
import Foundation
import Testing

/// `dj codegen` on the schemas DataJoint-Python declares in the interop tests (the pipeline and University).
///
/// The expected sources are `Generated/GeneratedPipeline.swift` and `Generated/GeneratedUniversity.swift`, compiled
/// into this test target: the tests open Python's schemas with those types and fetch typed records. After a
/// deliberate change of the generated code, `DJ_CODEGEN_RECORD=1 swift test --filter CodegenTests` rewrites them.
@Suite("Swift code generation from existing schemas (dj codegen)")
struct CodegenTests {
    static let generated = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Generated")

    /// Compares the generated source with the expected file (or records it).
    static func expectSource(_ source: String, file name: String) throws {
        let url = generated.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["DJ_CODEGEN_RECORD"] == "1" {
            try Data(source.utf8).write(to: url)
            Issue.record("recorded \(url.path): rebuild and run again without DJ_CODEGEN_RECORD")
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        if source != expected {
            let got = source.split(separator: "\n", omittingEmptySubsequences: false)
            let want = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let first = (0..<min(got.count, want.count)).first { got[$0] != want[$0] } ?? min(got.count, want.count)
            Issue.record("""
                generated source differs from \(name) at line \(first + 1):
                  got:      \(first < got.count ? got[first] : "<end>")
                  expected: \(first < want.count ? want[first] : "<end>")
                """)
        }
    }

    /// Table names and definitions of a schema, to show that declaring the generated types changed nothing.
    static func snapshot(_ schema: Schema) async throws -> [String: String] {
        var out: [String: String] = [:]
        for name in try await schema.tableNames() { out[name] = try await schema.table(name).describe() }
        return out
    }

    @Test("codegen of schemas DataJoint-Python declared: the expected source; the generated types open them unchanged and fetch typed records",
          arguments: InteropTests.backends)
    func pythonSchemas(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let fixture = try InteropTests.Fixture()
            defer { fixture.remove() }
            let db = try await TestDatabase.connect(settings: InteropTests.settings(fixture))
            var config: [String: Any] = ["mode": "write", "schemas": ["pipeline": "pipeline", "university": "university"]]
            let written = InteropPipeline.rows(files: fixture.files, backend: backend)
            config["rows"] = Dictionary(uniqueKeysWithValues: written.map { ($0.table, InteropTests.typedRows($0.rows)) })
            config["insert_order"] = written.map(\.table)
            config["late_rows"] = Dictionary(uniqueKeysWithValues: InteropPipeline.lateRows(files: fixture.files).map { ($0.table, InteropTests.typedRows($0.rows)) })
            config["ignore_key"] = InteropTests.typedRows([InteropPipeline.ignoredKey])[0]
            _ = try await InteropTests.runPython(backend, fixture, config)

            let university = try await db.swiftDeclarations(ofSchema: "university", namespace: "GeneratedUniversity", records: true)
            try Self.expectSource(university, file: "GeneratedUniversity.swift")
            let pipeline = try await db.swiftDeclarations(ofSchema: "pipeline", namespace: "GeneratedPipeline", records: true)
            try Self.expectSource(pipeline, file: "GeneratedPipeline.swift")

            // The generated types open Python's schemas: no table is added, none changes.
            let universityBefore = try await Self.snapshot(try await db.schema("university", tables: [], create: false))
            let pipelineBefore = try await Self.snapshot(try await db.schema("pipeline", tables: [], create: false))
            let u = try await db.schema(GeneratedUniversity.schemaName, tables: GeneratedUniversity.tables, create: false)
            let p = try await db.schema(GeneratedPipeline.schemaName, tables: GeneratedPipeline.tables, create: false)
            #expect(try await Self.snapshot(u) == universityBefore)
            #expect(try await Self.snapshot(p) == pipelineBefore)
            #expect(universityBefore.count == 10 && pipelineBefore.count == 8)

            // Typed records of every table, as many as rows; values as Python wrote them.
            let students = try await u[GeneratedUniversity.Student.self].fetch(as: GeneratedUniversity.Student.Record.self, orderBy: ["student_id"])
            #expect(students.count == (try await u.table("student").count()) && students.count > 100)
            let first = try await (u.table("student") & ["student_id": Value.int(students[0].student_id)]).fetch1()
            #expect(first["first_name"] == .string(students[0].first_name))
            #expect(first["date_of_birth"] == .date(students[0].date_of_birth))
            let grades = try await u[GeneratedUniversity.LetterGrade.self].fetch(as: GeneratedUniversity.LetterGrade.Record.self)
            #expect(grades.contains { $0.grade == "A" && $0.points == Decimal(4) })
            #expect(try await u[GeneratedUniversity.Enroll.self].fetch(as: GeneratedUniversity.Enroll.Record.self).count == 3364)
            let joined = u[GeneratedUniversity.Student.self] * u[GeneratedUniversity.Enroll.self]
            #expect(try await joined.count() == 3364)

            let subjects = try await p[GeneratedPipeline.Subject.self].fetch(as: GeneratedPipeline.Subject.Record.self)
            #expect(subjects.count == 3)
            #expect(try await p[GeneratedPipeline.Recording.self].fetch(as: GeneratedPipeline.Recording.Record.self).count
                == (try await p.table("recording").count()))
            let items = try await p[GeneratedPipeline.SessionStats.Item.self].fetch(as: GeneratedPipeline.SessionStats.Item.Record.self)
            #expect(items.count == (try await p.table("__session_stats__item").count()) && !items.isEmpty)

            // The generated make says what is missing; populate records it as the key's error, nothing else.
            let stats = p[GeneratedPipeline.SessionStats.self]
            let before = try await stats.count()
            let report = try await stats.populate(suppressErrors: true)
            #expect(try await stats.count() == before)
            #expect(report.error > 0 && report.success == 0)
            #expect(report.errors.allSatisfy { $0.message.contains("generated by dj codegen and has no make yet") }, "\(report)")

            // dj codegen writes the same source to a file.
            let directory = try DJTool.workingDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let run = try await DJTool.run(
                ["codegen", "university", "--namespace", "GeneratedUniversity", "--records", "-o", "university.swift"],
                in: directory, environment: try DJTool.environment(for: backend))
            #expect(run.status == 0, "\(run.errors)")
            #expect(try String(contentsOf: directory.appendingPathComponent("university.swift"), encoding: .utf8) == university)
            let unknown = try await DJTool.run(["codegen", "no_such_schema"], in: directory, environment: try DJTool.environment(for: backend))
            #expect(unknown.status == 1 && unknown.errors.contains("no_such_schema"), "\(unknown.errors)")
        }
    }
}
