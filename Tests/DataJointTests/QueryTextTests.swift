import DataJoint
import Foundation
import Testing

/// A query written as text, evaluated when the query is used.
struct TextQuery: QueryConvertible {
    let schema: Schema
    let text: String

    func queryExpression() async throws -> QueryExpression { try await schema.query(text) }
}

// The University conformance suite again, each query written as the Python text that expected.json records (the
// text DataJoint-Python 2.3.5 ran): the text must give the answers of expected.json and compile to the same SQL as
// its Swift counterpart.
@Suite("Query text")
struct QueryTextTests {
    /// The Swift queries of a family, each paired with its Python text.
    static func textTwins(of queries: [ConformanceQuery]) throws -> [(swift: ConformanceQuery, text: ConformanceQuery)] {
        let expected = try UniversityConformance.expected()
        return try queries.map { query in
            let python = try #require(expected[query.id]?.python, "\(query.id) has no Python text")
            let text = ConformanceQuery(
                id: query.id, build: { TextQuery(schema: $0.student.schema, text: python) }, errorKind: query.errorKind,
                sqliteTolerance: query.sqliteTolerance)
            return (query, text)
        }
    }

    static let families: [(name: String, queries: [ConformanceQuery])] = [
        ("restriction", UniversityConformance.restriction), ("projection", UniversityConformance.projection),
        ("dateFunctions", UniversityConformance.dateFunctions), ("join", UniversityConformance.join),
        ("aggregation", UniversityConformance.aggregation), ("unionAndUniversal", UniversityConformance.unionAndUniversal),
        ("top", UniversityConformance.top), ("errors", UniversityConformance.errors),
    ]

    @Test("the University conformance queries as Python text give expected.json's answers and the Swift queries' SQL",
          arguments: TestBackend.all)
    func conformance(backend: TestBackend) async throws {
        let expected = try UniversityConformance.expected()
        try await backend.withDatabase { db in
            let u = try await University.load(into: db)
            let tables = UniversityTables(u)
            var checked = 0
            for family in Self.families {
                for (swift, text) in try Self.textTwins(of: family.queries) {
                    let e = try #require(expected[text.id])
                    await UniversityConformance.check(text, e, tables, backend)
                    checked += 1
                    guard e.specValid else { continue }
                    let fromText = try await text.build(tables).queryExpression().sql()
                    let fromSwift = try await swift.build(tables).queryExpression().sql()
                    #expect(fromText == fromSwift, "[\(backend.rawValue)] \(text.id): `\(e.python)` compiles differently")
                }
            }
            #expect(checked == UniversityConformance.all.count)
            // The one query Swift cannot express: Top inside an OR list (spec 12.9).
            let orTop = try #require(expected["top.in_or_list_error"])
            await #expect(throws: DataJointError.self) { _ = try await u.query(orTop.python).toDicts() }
        }
    }

    @Test("names: class names, database names, schema-qualified names, parts, and names of other schemas",
          arguments: TestBackend.all)
    func names(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let u = try await University.load(into: db)
            let pipeline = try await GraphPipeline.make(db)
            let students = try await u[University.Student.self].count()
            #expect(try await u.query("Student").count() == students)
            #expect(try await u.query("student").count() == students)
            #expect(try await u.query("Student()").count() == students)
            #expect(try await u.query("university.Student").count() == students)
            #expect(try await u.query("university.student & {'student_id': 100}").count() == 1)
            // A schema not given to the query, by its name; the first schema that has a name wins.
            let sessions = try await pipeline.a.table("session").count()
            #expect(try await db.query("gr_lab.Session", in: [u]).count() == sessions)
            #expect(try await db.query("Session", in: [u, pipeline.b, pipeline.a]).count() == sessions)
            // Parts, by class name and by database name.
            #expect(try await db.query("Session.Trial", in: [pipeline.a]).count() == 14)
            #expect(try await db.query("session__trial & {'trial': 1}", in: [pipeline.a]).count() == 7)
            #expect(try await db.query("gr_lab.Session.Trial & {'trial': 2}", in: [pipeline.b]).count() == 7)
            // Foreign keys across schemas keep semantic matching.
            #expect(try await db.query("gr_lab.Session & SessionReview", in: [pipeline.b]).count() == 4)
        }
    }

    /// The error `text` gets, with the caret's column (0-based) in its message.
    static func failure(_ text: String, in schema: Schema) async -> (error: DataJointError, caret: Int)? {
        do {
            _ = try await schema.query(text).toDicts(limit: 1)
            return nil
        } catch let error as DataJointError {
            let lines = error.message.split(separator: "\n", omittingEmptySubsequences: false)
            let caret = lines.last.flatMap { line in line.firstIndex(of: "^").map { line.distance(from: line.startIndex, to: $0) - 2 } }
            return (error, caret ?? -1)
        } catch {
            Issue.record("`\(text)`: not a DataJointError: \(error)")
            return nil
        }
    }

    @Test("errors name what is wrong and point at it; the algebra's errors keep their kind", arguments: TestBackend.all)
    func positionedErrors(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let u = try await University.load(into: db)
            let students = try await u[University.Student.self].count()
            let cases: [(text: String, kind: DataJointError.Kind, caret: Int, says: String)] = [
                ("Student & Nobody", .query, 10, "no table named `Nobody`"),
                ("Student & {'home_state': 'UT'", .query, 29, "expected `}`"),
                ("Student.fetch()", .query, 8, "fetches or changes data"),
                ("Student.frobnicate('x')", .query, 8, "not a query method"),
                ("Student.proj(dept='home_state') * Department", .semanticMismatch, 32, "dept"),
                ("Student.proj('nonexistent')", .missingAttribute, 12, "nonexistent"),
                ("dj.U('nonexistent') & Student", .missingAttribute, 20, "nonexistent"),
                ("Student & dj.Top(-1)", .query, 17, "limit"),
                ("Student & 3", .query, 10, "cannot restrict"),
                ("{'a': 1} & Student", .query, 0, "must be a query"),
                ("Student.join(Enroll, lft=True)", .query, 21, "no argument `lft`"),
                ("Student.aggr('x', n='count(*)')", .query, 13, "query to aggregate"),
                ("'student_id = 1'", .query, 0, "not a query"),
                ("Student & (", .query, 11, "expected a table"),
                ("Student \u{1F600}", .query, 8, "unexpected character"),
            ]
            for c in cases {
                guard let (error, caret) = await Self.failure(c.text, in: u) else {
                    Issue.record("[\(backend.rawValue)] `\(c.text)` did not fail")
                    continue
                }
                #expect(error.kind == c.kind, "[\(backend.rawValue)] `\(c.text)`: \(error)")
                #expect(caret == c.caret, "[\(backend.rawValue)] `\(c.text)`: caret at \(caret)\n\(error.message)")
                #expect(error.message.contains(c.says), "[\(backend.rawValue)] `\(c.text)`: \(error.message)")
                #expect(error.message.contains(c.text.replacingOccurrences(of: "\n", with: " ")))
            }
            // Long texts: 200 operators work; more than 256 are refused at the first one too many.
            let chain = "Student" + String(repeating: " & 'student_id > 0'", count: 200)
            #expect(try await u.query(chain).count() == students)
            let tooLong = "Student" + String(repeating: " & 'student_id > 0'", count: 300)
            let refused = await Self.failure(tooLong, in: u)
            #expect(refused?.error.message.contains("more than 256 operators") == true)
            #expect(refused?.caret == 7 + 256 * 19 + 1)
            // The unknown-name message lists the tables there are.
            let unknown = await Self.failure("Studnet", in: u)
            #expect(unknown?.error.message.contains("Student") == true)
            #expect(unknown?.error.message.contains("LetterGrade") == true)
            // Nothing was changed by any of it.
            #expect(try await u[University.Student.self].count() == students)
        }
    }

    @Test("mutated query text gives a query or a DataJointError, never a crash or a hang", arguments: [TestBackend.sqlite])
    func fuzz(backend: TestBackend) async throws {
        let expected = try UniversityConformance.expected()
        let seeds = expected.values.map(\.python).sorted()
        let pieces = [
            "&", "-", "*", "+", "(", ")", "[", "]", "{", "}", ",", ":", ".", "=", "**", "...", "'", "\"", "dj.", "U(", "Top(",
            "Not(", "AndList(", ".proj(", ".aggr(", ".join(", "left=True", "None", "True", "-1", "1e309", "Student", "Nobody",
            "'x'", "{'student_id': 1}", "\\", "é", "\u{0}",
        ]
        try await backend.withDatabase { db in
            var generator = SeededGenerator(seed: 20_261_203)
            let u = try await University.load(into: db)
            var queries = 0
            var refusals = 0
            for _ in 0..<1500 {
                var characters = Array(seeds.randomElement(using: &generator)!)
                for _ in 0..<Int.random(in: 1...3, using: &generator) {
                    let position = Int.random(in: 0...characters.count, using: &generator)
                    switch Int.random(in: 0..<3, using: &generator) {
                    case 0 where !characters.isEmpty:
                        let end = min(characters.count, position + Int.random(in: 1...4, using: &generator))
                        characters.removeSubrange(min(position, characters.count - 1)..<end)
                    case 1:
                        characters.insert(contentsOf: pieces.randomElement(using: &generator)!, at: position)
                    default:
                        let other = Array(seeds.randomElement(using: &generator)!)
                        let cut = Int.random(in: 0...other.count, using: &generator)
                        characters = Array(characters[..<position]) + Array(other[cut...])
                    }
                }
                let text = String(characters)
                do {
                    _ = try await u.query(text).count()
                    queries += 1
                } catch is DataJointError {
                    refusals += 1
                } catch {
                    Issue.record("`\(text)`: \(error) is not a DataJointError")
                }
            }
            #expect(queries + refusals == 1500)
            #expect(queries > 50, "too few mutations were still queries: \(queries)")
            #expect(refusals > 500, "too few mutations were refused: \(refusals)")
        }
    }
}

/// A small deterministic random number generator (SplitMix64), so that a failing fuzz case can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
