import DataJoint
import Foundation
import Testing

@Suite("dj query")
struct QueryCommandTests {
    @Test("dj query prints a query's rows as a table, JSON or CSV, counts, shows SQL, and refuses bad text with its position",
          arguments: TestBackend.all)
    func query(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let demo = try await DJTool.demo(for: backend)
            defer { demo.remove() }
            let (directory, environment, schema) = (demo.directory, demo.environment, demo.schema)
            func dj(_ arguments: String...) async throws -> (status: Int32, text: String, errors: String) {
                let result = try await DJTool.run(Array(arguments), in: directory, environment: environment)
                return (result.status, String(decoding: result.output, as: UTF8.self), result.errors)
            }

            // A table: the rows of subject 2's sessions in key order, and the count line.
            let table = try await dj("query", "Session & {'subject_id': 2}")
            #expect(table.status == 0, "\(table.errors)")
            let lines = table.text.split(separator: "\n").map(String.init)
            #expect(lines.first?.hasPrefix("*subject_id  *session_idx  session_date") == true, "\(table.text)")
            #expect(lines.last == "(1-2 of 2 rows)")
            #expect(lines.count == 5)

            // JSON: every row of a join, as objects, ordered as asked.
            let json = try await dj("query", "SessionStats * Session", "--format", "json", "--order-by", "n_trials DESC", "subject_id")
            #expect(json.status == 0, "\(json.errors)")
            let decoded = try JSONDecoder().decode(JSONRows.self, from: Data(json.text.utf8))
            let expected = try await (schema.table("SessionStats") * schema.table("Session")).count()
            #expect(decoded.total == expected)
            #expect(decoded.rows.count == expected)
            #expect(decoded.truncated == false)
            #expect(decoded.columns.prefix(2) == ["subject_id", "session_idx"])
            let trials = decoded.rows.compactMap { $0["n_trials"]?.intValue }
            #expect(trials == trials.sorted(by: >))

            // CSV with a limit, an aggregation with U, and a count.
            let csv = try await dj("query", "dj.U('species').aggr(Subject, n='count(*)')", "--format", "csv", "--limit", "2")
            #expect(csv.status == 0, "\(csv.errors)")
            let csvLines = csv.text.split(separator: "\r\n").map(String.init)
            #expect(csvLines.first == "species,n")
            #expect(csvLines.count == 3)
            let count = try await dj("query", "Session.Trial & 'response > 0.5'", "--count")
            #expect(count.status == 0, "\(count.errors)")
            let trialCount = try await (schema.table("Session.Trial") & "response > 0.5").count()
            #expect(count.text == "\(trialCount)\n")

            // SQL, with the value as a placeholder.
            let sql = try await dj("query", "Subject & {'species': 'rat'}", "--sql")
            #expect(sql.status == 0, "\(sql.errors)")
            #expect(sql.text.contains("SELECT"))
            #expect(!sql.text.contains("rat"))

            // Schema-qualified names, and --schema.
            let qualified = try await dj("query", "demo.Subject", "--count", "--schema", "demo")
            #expect(qualified.text == "\(try await schema.table("Subject").count())\n", "\(qualified.errors)")

            // Bad text: exit status 1, the message with the text and a caret, nothing on stdout.
            let unknown = try await dj("query", "Session * Nobody")
            #expect(unknown.status == 1)
            #expect(unknown.text.isEmpty)
            #expect(unknown.errors.contains("no table named `Nobody`"))
            #expect(unknown.errors.contains("  Session * Nobody\n  " + String(repeating: " ", count: 10) + "^"))
            let syntax = try await dj("query", "Session & {'subject_id': 2")
            #expect(syntax.status == 1)
            #expect(syntax.errors.contains("expected `}`"), "\(syntax.errors)")
            // An ordering is an attribute, never SQL.
            let ordering = try await dj("query", "Session", "--order-by", "1; DROP TABLE x")
            #expect(ordering.status == 1)
            #expect(ordering.errors.contains("an ordering is an attribute name"), "\(ordering.errors)")
            let negative = try await dj("query", "Session", "--limit", "-1")
            #expect(negative.status != 0)
            #expect(try await schema.table("Session").count() == 6)
        }
    }
}

/// `dj query --format json` output.
struct JSONRows: Decodable {
    let columns: [String]
    let rows: [[String: JSON]]
    let total: Int
    let offset: Int
    let truncated: Bool
}

extension JSON {
    var intValue: Int? {
        if case .int(let i) = self { return Int(i) }
        return nil
    }
}
