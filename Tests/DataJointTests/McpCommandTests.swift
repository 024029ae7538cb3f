import DataJoint
import Foundation
import Testing

/// The JSON results of the MCP tools, as an agent reads them.
private struct SchemasResult: Decodable {
    let schemas: [String]
    let total: Int
    let limit: Int
    let truncated: Bool
}

private struct TablesResult: Decodable {
    let schema: String
    let tables: [TableOverview]
    let total: Int
    let limit: Int
    let truncated: Bool
}

private struct RowsResult: Decodable {
    let columns: [QueryPage.Column]
    let rows: [[String: JSON]]
    let total: Int
    let offset: Int
    let limit: Int
    let truncated: Bool
}

private struct CountResult: Decodable {
    let expr: String
    let count: Int
}

private struct SchemaJobsResult: Decodable {
    let schema: String
    let tables: [JobsOverview]
    let truncated: Bool
}

private struct SizedJobsResult: Decodable {
    let remaining: Int
    let errors: [JobsOverview.Failure]
    let errorCount: Int
    let errorLimit: Int
    let errorsTruncated: Bool
}

private struct PopulateResult: Decodable {
    struct Failure: Decodable {
        let key: [String: JSON]
        let message: String
    }
    let table: String
    let computed: Int
    let failed: Int
    let skipped: Int
    let remaining: Int
    let errors: [Failure]
    let limit: Int
    let truncated: Bool
}

private struct InitializeResult: Decodable {
    struct Info: Decodable {
        let name: String
        let version: String
    }
    struct Capabilities: Decodable {
        struct Tools: Decodable {}
        let tools: Tools?
    }
    let serverInfo: Info
    let capabilities: Capabilities
    let instructions: String?
}

private let readingToolNames = [
    "list_schemas", "list_tables", "describe_table", "diagram", "query", "count", "preview", "job_status",
]

@Suite("dj mcp")
struct McpCommandTests {
    /// `dj demo` in a fresh directory on the test's database; the connection and the `dj` environment.
    private func demo(_ backend: TestBackend) async throws -> (URL, [String: String], Schema) {
        let demo = try await DJTool.demo(for: backend)
        return (demo.directory, demo.environment, demo.schema)
    }

    @Test("an agent lists, describes, draws, queries, counts, previews and reads job status of the demo pipeline",
          arguments: TestBackend.all)
    func readOnlyTools(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (directory, environment, schema) = try await demo(backend)
            defer { try? FileManager.default.removeItem(at: directory) }
            let client = try MCPStdioClient(["mcp", "--schema", "demo"], in: directory, environment: environment)

            let hello = try JSONDecoder().decode(
                InitializeResult.self, from: Data(try await client.initialize().serialized().utf8))
            #expect(hello.serverInfo.name == "datajoint")
            #expect(hello.capabilities.tools != nil)
            #expect(hello.instructions?.contains("demo") == true)
            #expect(try await client.toolNames() == readingToolNames)

            let schemas: SchemasResult = try await client.callTool("list_schemas").decoded()
            #expect(schemas.schemas == ["demo"] && schemas.total == 1 && schemas.limit == 500 && !schemas.truncated)

            let tables: TablesResult = try await client.callTool("list_tables", ["schema": "demo"]).decoded()
            let session = try #require(tables.tables.first { $0.className == "Session" })
            #expect(session.table == "session" && session.tier == "manual")
            let sessionRows = try await schema.table("session").count()
            #expect(session.rows == sessionRows)
            #expect(session.comment == "recording session")
            let order = tables.tables.map(\.className)
            #expect(order.firstIndex(of: "Subject")! < order.firstIndex(of: "Session")!)
            #expect(order.firstIndex(of: "Session")! < order.firstIndex(of: "SessionStats")!)
            #expect(tables.total == tables.tables.count && !tables.truncated)

            let details: TableDetails = try await client.callTool("describe_table", ["table": "demo.Session"]).decoded()
            #expect(details.className == "Session" && details.tier == "manual")
            #expect(details.parents == ["demo.subject"])
            #expect(details.children.contains("demo.__session_stats"))
            #expect(details.parts == ["demo.session__trial"])
            #expect(details.definition.contains("session_date"))
            #expect(details.attributes.map(\.name) == ["subject_id", "session_idx", "session_date", "notes"])
            let trial: TableDetails = try await client.callTool(
                "describe_table", ["table": "Session.Trial", "schema": "demo"]
            ).decoded()
            #expect(trial.master == "demo.session" && trial.tier == "part")

            let whole = try await client.callTool("diagram", ["schema": "demo"])
            #expect(!whole.isError && whole.text.hasPrefix("flowchart"))
            #expect(whole.text.contains("SessionGrade") && whole.text.contains("Species"))
            let around = try await client.callTool("diagram", ["schema": "demo", "table": "SessionStats"])
            #expect(around.text.contains("SessionStats") && around.text.contains("SessionGrade"))
            #expect(!around.text.contains("Species"))

            let expected = try await (schema.table("session") & ["subject_id": 2]).toDicts(orderBy: ["session_idx"])
            let sessions: RowsResult = try await client.callTool(
                "query", ["expr": "Session & {'subject_id': 2}"]
            ).decoded()
            #expect(sessions.rows.map { $0["session_idx"] } == expected.map { $0["session_idx"]?.jsonValue })
            #expect(sessions.rows.allSatisfy { $0["subject_id"] == 2 })
            #expect(sessions.total == 2 && sessions.limit == 50 && !sessions.truncated)
            #expect(sessions.columns.map(\.name) == ["subject_id", "session_idx", "session_date", "notes"])

            let trialCount = try await schema.table("session__trial").count()
            let page: RowsResult = try await client.callTool(
                "query", ["expr": "Session.Trial", "limit": 10, "offset": 5, "order_by": ["response DESC", "trial_idx"]]
            ).decoded()
            #expect(page.rows.count == 10 && page.total == trialCount && page.truncated)
            #expect(page.limit == 10 && page.offset == 5)
            let responses = page.rows.compactMap { row -> Double? in
                switch row["response"] {
                case .double(let value)?: value
                case .int(let value)?: Double(value)
                default: nil
                }
            }
            #expect(responses.count == 10 && responses == responses.sorted(by: >))

            let count: CountResult = try await client.callTool("count", ["expr": "Session & {'subject_id': 2}"]).decoded()
            #expect(count.count == expected.count && count.expr == "Session & {'subject_id': 2}")
            let withoutSessions: CountResult = try await client.callTool("count", ["expr": "Subject - Session"]).decoded()
            let subjectsWithoutSessions = try await (schema.table("subject") - schema.table("session")).count()
            #expect(withoutSessions.count == subjectsWithoutSessions && subjectsWithoutSessions > 0)

            let preview: RowsResult = try await client.callTool("preview", ["table": "demo.Subject", "limit": 2]).decoded()
            let subjects = try await schema.table("subject").count()
            #expect(preview.rows.count == 2 && preview.total == subjects)
            #expect(preview.truncated)

            let stats: JobsOverview = try await client.callTool("job_status", ["table": "demo.SessionStats"]).decoded()
            let (remaining, total) = try await schema.table("__session_stats").progress()
            #expect(stats.className == "SessionStats" && stats.total == total && stats.remaining == remaining)
            let computed = try await schema.table("__session_stats").count()
            #expect(stats.computed == computed)
            #expect(stats.hasQueue && stats.errorCount == 0 && stats.errors.isEmpty)
            let all: SchemaJobsResult = try await client.callTool("job_status", ["schema": "demo"]).decoded()
            #expect(all.tables.map(\.className) == ["SessionStats", "SessionGrade"])

            // Requests read before the input ends are answered before the server exits.
            let last = try await client.requestsThenClose([
                ("tools/call", ["name": "count", "arguments": ["expr": "Session"]]),
                ("tools/call", ["name": "list_schemas"]),
            ])
            #expect(last.status == 0)
            #expect(last.results.count == 2)
            #expect(last.results.values.allSatisfy { $0.serialized().contains("\"isError\":false") })
        }
    }

    @Test("bad arguments give error results with clear messages, and the server goes on", arguments: TestBackend.all)
    func badArguments(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (directory, environment, schema) = try await demo(backend)
            defer { try? FileManager.default.removeItem(at: directory) }
            let client = try MCPStdioClient(["mcp"], in: directory, environment: environment)
            _ = try await client.initialize()
            let before = try await schema.table("session").count()

            let failures: [(String, JSON, String)] = [
                ("list_tables", ["schema": "nope"], "schema `nope` is not served here (schemas: demo)"),
                ("list_tables", [:], "list_tables needs the argument `schema`"),
                ("describe_table", ["table": "demo.Nope"], "Nope"),
                ("describe_table", ["table": 3], "`table` must be a string"),
                ("query", ["expr": "Session & {'subject_id': "], "^"),
                ("query", ["expr": "Nothing & {'a': 1}"], "Nothing"),
                ("query", ["expr": "Session", "limit": -1], "`limit` must be from 0 to 1000 (got -1)"),
                ("query", ["expr": "Session", "limit": 5000], "`limit` must be from 0 to 1000 (got 5000)"),
                ("query", ["expr": "Session", "limit": "ten"], "`limit` must be an integer"),
                ("query", ["expr": "Session", "order_by": ["nope"]], "cannot order by `nope`"),
                ("query", ["expr": "Session", "where": "x"], "query has no argument `where`"),
                ("count", [:], "count needs the argument `expr`"),
                ("preview", ["table": "demo.Subject", "limit": 1.5], "`limit` must be an integer"),
                ("job_status", ["table": "demo.Session"], "only Imported and Computed tables have jobs"),
                ("job_status", [:], "job_status needs `table`"),
                ("diagram", ["schema": "demo", "table": "Nope"], "Nope"),
                ("populate", ["table": "demo.SessionStats"], "there is no tool `populate`"),
                ("drop_everything", [:], "there is no tool `drop_everything`"),
            ]
            for (tool, arguments, message) in failures {
                let result = try await client.callTool(tool, arguments)
                #expect(result.isError, "\(tool) \(arguments.serialized()): \(result.text)")
                #expect(result.text.hasPrefix("error"), "\(tool): \(result.text)")
                #expect(result.text.contains(message), "\(tool) \(arguments.serialized()): \(result.text)")
            }
            let caret = try await client.callTool("query", ["expr": "Session & {'subject_id': "])
            #expect(caret.text.contains("Session & {'subject_id': "), "\(caret.text)")

            // The server is still there, and nothing changed.
            let count: CountResult = try await client.callTool("count", ["expr": "Session"]).decoded()
            #expect(count.count == before)
            let closed = try await client.close()
            #expect(closed.status == 0, "\(closed.errors)")

            // A schema that does not exist stops the command before it serves anything.
            let missing = try await DJTool.run(["mcp", "--schema", "nope"], in: directory, environment: environment)
            #expect(missing.status == 1)
            #expect(missing.output.isEmpty)
            #expect(missing.errors.contains("schema `nope` does not exist"))
        }
    }

    @Test("with --allow-populate an agent computes the missing rows of the program's tables", arguments: TestBackend.all)
    func populate(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (directory, environment, schema) = try await demo(backend)
            defer { try? FileManager.default.removeItem(at: directory) }
            let stats = schema.table("__session_stats")
            let full = try await stats.count()
            try await (stats & ["subject_id": 2]).delete()
            #expect(try await stats.count() == full - 2)
            // A failed job, as a worker records it, with a long stack.
            let stack = (1...200).map { "  at frame \($0) of SessionStats.make" }.joined(separator: "\n")
            try await stats.jobs().table.insert1([
                "subject_id": 2, "session_idx": 1, "status": "error", "priority": 5,
                "error_message": "ValueError: no trials", "error_stack": BlobValue.string(stack), "host": "lab-7",
            ])

            let client = try MCPStdioClient(
                ["mcp", "--schema", "demo", "--allow-populate"], in: directory, environment: environment)
            _ = try await client.initialize()
            #expect(try await client.toolNames() == readingToolNames + ["populate"])

            let waiting: SizedJobsResult = try await client.callTool("job_status", ["table": "demo.SessionStats"]).decoded()
            #expect(waiting.remaining == 2)
            #expect(waiting.errorCount == 1 && waiting.errorLimit == 10 && !waiting.errorsTruncated)
            let failure = try #require(waiting.errors.first)
            #expect(failure.message == "ValueError: no trials" && failure.host == "lab-7")
            #expect(failure.key == ["subject_id": 2, "session_idx": 1])
            let shownStack = failure.stack ?? ""
            #expect(shownStack.hasPrefix(String(stack.prefix(2000))))
            #expect(shownStack.hasSuffix("… [cut at 2000 of \(stack.count) characters]"), "\(shownStack.suffix(80))")
            let noErrors: SizedJobsResult = try await client.callTool(
                "job_status", ["table": "SessionStats", "schema": "demo", "error_limit": 0]
            ).decoded()
            #expect(noErrors.errors.isEmpty && noErrors.errorCount == 1 && noErrors.errorsTruncated)

            let one: PopulateResult = try await client.callTool(
                "populate", ["table": "demo.SessionStats", "restriction": "Session & {'subject_id': 2}", "max_calls": 1]
            ).decoded()
            #expect(one.table == "demo.__session_stats")
            #expect(one.computed == 1 && one.failed == 0 && one.remaining == 1 && one.errors.isEmpty && !one.truncated)
            #expect(try await stats.count() == full - 1)

            let other: PopulateResult = try await client.callTool(
                "populate", ["table": "SessionStats", "restriction": "Session & {'subject_id': 3}"]
            ).decoded()
            #expect(other.computed == 0 && other.remaining == 1)

            let rest: PopulateResult = try await client.callTool(
                "populate", ["table": "demo.SessionStats", "reserve_jobs": true]
            ).decoded()
            #expect(rest.computed == 1 && rest.remaining == 0)
            #expect(try await stats.count() == full)
            let grades: PopulateResult = try await client.callTool("populate", ["table": "demo.SessionGrade"]).decoded()
            #expect(grades.computed == 2 && grades.remaining == 0)
            #expect(try await schema.table("__session_grade").count() == full)

            let manual = try await client.callTool("populate", ["table": "demo.Session"])
            #expect(manual.isError && manual.text.contains("not a table this program computes"), "\(manual.text)")
            #expect(manual.text.contains("demo.__session_stats, demo.__session_grade"), "\(manual.text)")
            let badRestriction = try await client.callTool(
                "populate", ["table": "demo.SessionStats", "restriction": "Session &"])
            #expect(badRestriction.isError && badRestriction.text.contains("^"), "\(badRestriction.text)")
            let negative = try await client.callTool("populate", ["table": "demo.SessionStats", "max_calls": -2])
            #expect(negative.isError && negative.text.contains("`max_calls` must be 0 or more (got -2)"))

            let closed = try await client.close()
            #expect(closed.status == 0, "\(closed.errors)")

            // Another program (`lab`, whose schema is `lab`) has no make for the demo's tables: no populate tool.
            let lab = try MCPStdioClient(
                ["mcp", "--schema", "demo", "--allow-populate"], in: directory, environment: environment, program: "lab")
            _ = try await lab.initialize()
            #expect(try await lab.toolNames() == readingToolNames)
            let refused = try await lab.callTool("populate", ["table": "demo.SessionStats"])
            #expect(refused.isError && refused.text.contains("there is no tool `populate`"), "\(refused.text)")
            let labClosed = try await lab.close()
            #expect(labClosed.status == 0, "\(labClosed.errors)")
        }
    }
}
