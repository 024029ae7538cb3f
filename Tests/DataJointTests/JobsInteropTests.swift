import DataJoint
import Foundation
import Testing

/// The jobs table of DataJoint-Python 2.3.5 and ours: same layout, and each side reads the other's jobs.
@Suite("Jobs queue shared with DataJoint-Python")
struct JobsInteropTests {
    struct JiSess: Manual {
        static let definition = """
            sid : int32
            tag : varchar(8)
            ---
            x : float64
            """
    }

    struct JiStat: Computed {
        static let definition = """
            -> JiSess
            ---
            y : float64
            """
        static func make(_ key: Row, _ ctx: MakeContext) async throws {
            guard case .int(let sid)? = key["sid"] else { return }
            if sid == 2 { throw MakeProblem(id: sid) }
            let x: Double = try await (ctx[JiSess.self] & key).fetch1("x")
            try await ctx.insert1(key + ["y": x * x])
        }
    }

    static func script(backend: TestBackend, schema: String, swiftSchema: String) -> String {
        """
        import datajoint as dj, json
        \(ReferenceProcess.connectionConfig(backend))
        schema = dj.Schema('\(schema)')
        @schema
        class JiSess(dj.Manual):
            definition = '''
            sid : int32
            tag : varchar(8)
            ---
            x : float64
            '''
        @schema
        class JiStat(dj.Computed):
            definition = '''
            -> JiSess
            ---
            y : float64
            '''
            def make(self, key):
                if key['sid'] == 2: raise ValueError('bad key two')
                self.insert1(dict(key, y=(JiSess & key).fetch1('x') ** 2))
        JiSess.insert([dict(sid=1, tag='a', x=1.5), dict(sid=2, tag='b', x=2.0), dict(sid=3, tag='c', x=3.0)])
        JiStat.populate(reserve_jobs=True, suppress_errors=True)
        ours = dj.VirtualModule('swift', '\(swiftSchema)')
        swift_jobs = dj.FreeTable(dj.conn(), '\(backend == .postgresql ? "\\\"\(swiftSchema)\\\".\\\"~~ji_stat\\\"" : "`\(swiftSchema)`.`~~ji_stat`")')
        rows = swift_jobs.fetch(as_dict=True)
        print(json.dumps([{k: (str(v) if k != 'error_stack' else (v if isinstance(v, str) else repr(type(v)))) for k, v in r.items()} for r in rows]))
        """
    }

    static var backends: [TestBackend] {
        FileManager.default.isExecutableFile(atPath: StoreInteropTests.python) ? TestBackend.all.filter { $0 != .sqlite } : []
    }

    @Test("same jobs table layout; Python reads Swift's failed job, Swift reads Python's", arguments: backends)
    func shared(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let ours = try await db.schema("ji_swift", tables: JiSess.self, JiStat.self)
            try await ours[JiSess.self].insert([
                ["sid": 1, "tag": "a", "x": 1.5], ["sid": 2, "tag": "b", "x": 2.0], ["sid": 3, "tag": "c", "x": 3.0],
            ])
            let report = try await ours[JiStat.self].populate(suppressErrors: true, reserveJobs: true)
            #expect(report.success == 2 && report.error == 1)

            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ji-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let file = directory.appendingPathComponent("jobs.py")
            try Self.script(backend: backend, schema: "ji_python", swiftSchema: "ji_swift").write(to: file, atomically: true, encoding: .utf8)
            let (status, output) = try await ReferenceProcess.run(StoreInteropTests.python, [file.path])
            try #require(status == 0, "DataJoint-Python failed:\n\(output.suffix(3000))")
            let line = try #require(output.split(separator: "\n").last)
            let seen = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [[String: Any]])
            #expect(seen.count == 1)
            #expect(seen.first?["status"] as? String == "error")
            #expect(seen.first?["error_message"] as? String == "MakeProblem: no good data for session 2")
            #expect((seen.first?["error_stack"] as? String)?.contains("no good data for session 2") == true)

            // Swift reads Python's jobs table and its failed job.
            let theirs = try await db.schema("ji_python", tables: [], create: false)
            let pythonJobs = try await theirs.table("~~ji_stat").toDicts()
            #expect(pythonJobs.count == 1)
            #expect(pythonJobs.first?["error_message"] == .string("ValueError: bad key two"))
            guard case .string(let stack)? = pythonJobs.first?["error_stack"].flatMap(BlobValue.init(dataJointValue:)) else {
                Issue.record("Python's error_stack did not decode to a string")
                return
            }
            #expect(stack.contains("Traceback"))

            // The same columns, types, defaults and index, apart from the schema name in the table comment.
            let swiftColumns = try await Self.columns(db, backend: backend, schema: "ji_swift")
            let pythonColumns = try await Self.columns(db, backend: backend, schema: "ji_python")
            #expect(swiftColumns == pythonColumns)
        }
    }

    /// The catalog's description of `~~ji_stat`, one line per fact, with the schema name removed.
    static func columns(_ db: Connection, backend: TestBackend, schema: String) async throws -> [String] {
        let rows: [[Value]]
        if backend == .postgresql {
            rows = try await db.query(RenderedSQL(
                """
                SELECT concat_ws(' | ', column_name, data_type, coalesce(column_default, '-'), is_nullable,
                       coalesce(col_description(format('%I.%I', table_schema, table_name)::regclass, ordinal_position), '-'))
                FROM information_schema.columns WHERE table_schema = $1 AND table_name = '~~ji_stat'
                UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = '~~ji_stat'
                """, [.string(schema)]))
        } else {
            rows = try await db.query(RenderedSQL("SHOW CREATE TABLE `\(schema)`.`~~ji_stat`")).map { [$0[1]] }
        }
        return rows.map { $0[0].description.replacingOccurrences(of: schema, with: "<schema>") }.sorted()
    }
}
