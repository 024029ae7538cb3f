import DataJoint
import Foundation
import Testing

/// The query algebra on the University database: the facts the test data documents, and the behaviours of
/// each operator that a user relies on. The full conformance suite against the reference is
/// `UniversityQueryTests`.
@Suite("Query algebra")
struct QueryAlgebraTests {
    typealias S = University

    @Test("documented University facts", arguments: TestBackend.all)
    func documentedFacts(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let u = try await University.load(into: db)
            let student = u[S.Student.self], enroll = u[S.Enroll.self], grade = u[S.Grade.self]
            let course = u[S.Course.self], letter = u[S.LetterGrade.self], current = u[S.CurrentTerm.self]
            #expect(try await (student & ["home_state": "UT"]).count() == 7)
            #expect(try await (enroll * current - grade).count() == 34)
            let averages = course.aggr(grade * letter, named: ["avg_grade": "round(avg(points), 2)"])
            #expect(try await averages.count() == 45)
            #expect(try await averages.heading().primaryKey == ["dept", "course"])
        }
    }

    @Test("join headings follow the functional dependencies", arguments: TestBackend.all)
    func joinHeadings(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let u = try await University.load(into: db)
            let student = u[S.Student.self], enroll = u[S.Enroll.self], major = u[S.StudentMajor.self]
            // Student -> StudentMajor: the primary key of Student.
            let withMajor = student * major
            #expect(try await withMajor.heading().primaryKey == ["student_id"])
            #expect(try await withMajor.count() == 226)
            // Enroll -> Student: Enroll's key, Enroll's attributes first.
            let enrolled = student * enroll
            #expect(try await enrolled.heading().primaryKey == ["student_id", "dept", "course", "term_year", "term", "section"])
            #expect(try await enrolled.count() == 3364)
            // Neither determines the other: the union of the keys.
            let pairs = u[S.Department.self].proj() * u[S.Term.self]
            #expect(try await pairs.heading().primaryKey == ["dept", "term_year", "term"])
            #expect(try await pairs.count() == 4 * 18)
        }
    }

    @Test("projection keeps the key, renames, computes, and excludes", arguments: TestBackend.all)
    func projection(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let u = try await University.load(into: db)
            let student = u[S.Student.self], course = u[S.Course.self]
            #expect(try await student.proj().heading().names == ["student_id"])
            #expect(try await student.proj("last_name").heading().names == ["student_id", "last_name"])
            let renamed = student.proj(named: ["sid": "student_id", "surname": "last_name"])
            #expect(try await renamed.heading().names == ["sid", "surname"])
            #expect(try await renamed.heading().primaryKey == ["sid"])
            let all = try await student.proj("...", "-home_address", "-home_phone").heading().names
            #expect(!all.contains("home_address") && all.contains("home_city"))
            let doubled = course.proj(named: ["double_credits": "credits * 2"])
            let rows = try await (doubled & ["dept": "BIOL", "course": 1006]).fetch1()
            #expect(Double(dataJointValue: rows["double_credits"]!) == 6)
            // Restricting a computed attribute wraps the projection in a subquery.
            #expect(try await (doubled & "double_credits > 7").count() == (course & "credits > 3.5").count())
            let missing = await #expect(throws: DataJointError.self) { try await student.proj("nope").count() }
            #expect(missing?.kind == .missingAttribute)
        }
    }

    @Test("aggregation keeps non-matching rows unless asked; U groups and enumerates", arguments: TestBackend.all)
    func aggregation(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let u = try await University.load(into: db)
            let student = u[S.Student.self], enroll = u[S.Enroll.self]
            let counts = student.aggr(enroll, named: ["n": "count(section)"])
            #expect(try await counts.count() == 300)
            let enrolledOnly = student.aggr(enroll, named: ["n": "count(section)"], excludeNonmatching: true)
            let withEnrollment = try await (student & enroll).count()
            #expect(try await enrolledOnly.count() == withEnrollment)
            #expect(try await (counts & "n = 0").count() == 300 - withEnrollment)
            #expect(try await (U("home_state") & student).count() == Set(try await student.toArray("home_state", as: String.self)).count)
            let byState = U("home_state").aggr(student, named: ["n": "count(*)"])
            #expect(try await (byState & ["home_state": "UT"]).fetch1("n", as: Int.self) == 7)
            #expect(try await U().aggr(student, named: ["n": "count(*)"]).fetch1("n", as: Int.self) == 300)
            // Aggregation of an aggregation.
            let busiest = U().aggr(counts, named: ["most": "max(n)"])
            #expect(try await busiest.fetch1("most", as: Int.self) > 0)
        }
    }

    @Test("union, Top and semantic matching", arguments: TestBackend.all)
    func unionTopAndSemantics(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let u = try await University.load(into: db)
            let student = u[S.Student.self], department = u[S.Department.self]
            let utah = student & ["home_state": "UT"]
            let ohio = student & ["home_state": "OH"]
            let either = utah.proj("home_state") + ohio.proj(named: ["city": "home_city"])
            #expect(try await either.count() == (try await utah.count()) + (try await ohio.count()))
            let clash = await #expect(throws: DataJointError.self) { try await (utah + ohio).count() }
            #expect(clash?.kind == .query)
            // Top: the first rows in a given order.
            let youngest = student & Top(3, orderBy: ["date_of_birth DESC", "student_id"])
            #expect(try await youngest.count() == 3)
            let names = try await youngest.toArray("student_id", as: Int.self)
            #expect(names.count == 3)
            #expect(try await (student & Top()).keys() == [["student_id": 100]])
            // A restriction after Top applies to the Top's rows only.
            #expect(try await (student & Top(10) & ["student_id": 400]).count() == 0)
            // Namesakes of different lineage are refused, and renaming resolves it.
            let mismatch = await #expect(throws: DataJointError.self) {
                try await (student.proj(named: ["dept": "home_state"]) * department).count()
            }
            #expect(mismatch?.kind == .semanticMismatch)
            #expect(mismatch?.message.contains("dept") == true)
            #expect(try await student.proj(named: ["dept": "home_state"]).join(department, semanticCheck: false).count() == 0)
        }
    }

    @Test("the SQL is inspectable and fetches stream", arguments: TestBackend.all)
    func sqlAndStreaming(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let u = try await University.load(into: db)
            let query = u[S.Student.self] * u[S.Enroll.self]
            #expect(try await query.sql().contains("JOIN"))
            var seen = 0
            for try await _ in query.rows() { seen += 1 }
            #expect(seen == 3364)
        }
    }

    @Test("a query previews as a text table with its row count", arguments: TestBackend.all)
    func preview(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let u = try await University.load(into: db)
            let text = try await (u[S.Student.self] & ["home_state": "UT"]).proj("last_name").preview(limit: 3)
            let lines = text.split(separator: "\n").map(String.init)
            #expect(lines.first?.hasPrefix("*student_id") == true)
            #expect(lines.first?.contains("last_name") == true)
            #expect(lines.count == 2 + 3 + 2)
            #expect(lines.last == " (Total: 7)")
        }
    }

    @Test("streaming: the first rows of a million-row join arrive, the rest are never held", arguments: TestBackend.all)
    func streamingLargeResult(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let u = try await University.load(into: db)
            // Neither operand determines the other: 300 x 3364 = 1,009,200 rows.
            let big = u[S.Student.self].proj() * u[S.Enroll.self].proj(named: ["other_student": "student_id"])
            var taken = 0
            for try await row in big.rows() {
                #expect(row.contains("other_student"))
                taken += 1
                if taken == 10 { break }
            }
            #expect(taken == 10)
            // The connection is free again for the next query.
            #expect(try await u[S.Student.self].count() == 300)
        }
    }
}
