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

    /// DataJoint-Python declares and fills the interop pipeline and University, in schemas `pipeline` and `university`.
    static func pythonDeclaresSchemas(_ backend: TestBackend, _ fixture: InteropTests.Fixture) async throws {
        var config: [String: Any] = ["mode": "write", "schemas": ["pipeline": "pipeline", "university": "university"]]
        let written = InteropPipeline.rows(files: fixture.files, backend: backend)
        config["rows"] = Dictionary(uniqueKeysWithValues: written.map { ($0.table, InteropTests.typedRows($0.rows)) })
        config["insert_order"] = written.map(\.table)
        config["late_rows"] = Dictionary(uniqueKeysWithValues: InteropPipeline.lateRows(files: fixture.files).map { ($0.table, InteropTests.typedRows($0.rows)) })
        config["ignore_key"] = InteropTests.typedRows([InteropPipeline.ignoredKey])[0]
        _ = try await InteropTests.runPython(backend, fixture, config)
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
            try await Self.pythonDeclaresSchemas(backend, fixture)

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

    @Test("alter on a table DataJoint-Python declared, with tables referencing it: rows survive, and Python reads the new heading",
          arguments: InteropTests.backends)
    func alterPythonTable(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let fixture = try InteropTests.Fixture()
            defer { fixture.remove() }
            let db = try await TestDatabase.connect(settings: InteropTests.settings(fixture))
            try await Self.pythonDeclaresSchemas(backend, fixture)

            // `student` is referenced by `student_major` and `enroll` (3,364 rows): move a column (a rebuild on
            // PostgreSQL), widen one, rename one and add one.
            let university = try await db.virtualSchema("university")
            let student = try university.Student
            let before = try await student.toDicts(orderBy: ["KEY"])
            let definition = """
                student_id : int64
                ---
                last_name : varchar(60)
                first_name : varchar(40)
                sex : enum('F', 'M', 'U')
                date_of_birth : date
                street : varchar(120)  # {home_address}
                home_city : varchar(60)
                home_state : char(2)
                home_zip : char(10)
                home_phone : varchar(20)
                email = "" : varchar(80)
                """
            let result = try await student.alter(definition: definition)
            #expect(!result.isEmpty, "\(result.summary)")
            let after = try await student.toDicts(orderBy: ["KEY"])
            #expect(after.count == before.count && after.count > 100)
            for (old, new) in zip(before, after) {
                #expect(new["street"] == old["home_address"] && new["last_name"] == old["last_name"] && new["email"] == .string(""))
            }
            #expect(try await student.heading().names == [
                "student_id", "last_name", "first_name", "sex", "date_of_birth", "street", "home_city", "home_state",
                "home_zip", "home_phone", "email",
            ])
            // The tables that reference it still do.
            #expect(try await university.Enroll.count() == 3364)
            #expect(try await (university.Student * university.Enroll).count() == 3364)
            await #expect(throws: DataJointError.self) {
                try await university.Enroll.insert1(["student_id": 999_999, "dept": "BIOL", "course": 1010, "term_year": 2015, "term": "Spring", "section": "a"])
            }

            // DataJoint-Python reads the altered table.
            let script = """
                import datajoint as dj, json
                \(ReferenceProcess.connectionConfig(backend))
                u = dj.VirtualModule('u', 'university')
                print(json.dumps(dict(heading=list(u.Student.heading.names), n=len(u.Student()), enroll=len(u.Student() * u.Enroll()),
                                      street=(u.Student & 'student_id = \(before[0]["student_id"]!)').fetch1('street'))))
                """
            let (status, output) = try await ReferenceProcess.run(StoreInteropTests.python, ["-c", script])
            try #require(status == 0, "DataJoint-Python failed:\n\(output.suffix(3000))")
            let line = try #require(output.split(separator: "\n").last)
            let python = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(python["heading"] as? [String] == (try await student.heading().names))
            #expect(python["n"] as? Int == before.count && python["enroll"] as? Int == 3364)
            #expect(python["street"] as? String == before[0]["home_address"].flatMap { if case .string(let s) = $0 { s } else { nil } })
        }
    }
}
