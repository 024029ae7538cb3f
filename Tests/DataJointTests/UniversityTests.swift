import DataJoint
import Foundation
import Testing

@Suite("University database")
struct UniversityTests {
    @Test("declares from definitions and loads every CSV with the expected row counts", arguments: TestBackend.all)
    func loadCounts(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let u = try await University.load(into: db)
            // The CSV holds 4 departments (BIOL, CS, MATH, PHYS); the "9" quoted in the test-data README counts
            // the lines of the file, whose addresses span two lines each.
            let expected: [(any UserTable.Type, Int)] = [
                (University.Student.self, 300), (University.Department.self, 4), (University.StudentMajor.self, 226),
                (University.Course.self, 45), (University.Term.self, 18), (University.Section.self, 756),
                (University.CurrentTerm.self, 1), (University.Enroll.self, 3364), (University.LetterGrade.self, 11),
                (University.Grade.self, 3027),
            ]
            for (type, count) in expected {
                #expect(try await u.table(type.className).count() == count, "\(type.className)")
            }
            #expect(try await (u[University.Student.self] & ["home_state": "UT"]).count() == 7)
        }
    }

    @Test("the README's query lines with interpolated values run as written", arguments: TestBackend.all)
    func readmeQueries(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let u = try await University.load(into: db)
            let student = u[University.Student.self]
            let cutoff = CalendarDate(year: 1995, month: 1, day: 1)!
            let year = 2000
            let after = try await (student & "date_of_birth > \(cutoff)").count()
            #expect(after == (try await (student & "date_of_birth > '1995-01-01'").count()))
            #expect(after > 0 && after < 300)
            let named = try await (student & "last_name IN \(["O'Brien", "Smith"])").count()
            let either: [Row] = [["last_name": "O'Brien"], ["last_name": "Smith"]]
            #expect(named == (try await (student & either).count()))
            let closest = try await (student & Top(3, orderBy: ["ABS(YEAR(date_of_birth) - \(year))"])).toArray("date_of_birth", as: CalendarDate.self)
            let distances = try await student.toArray("date_of_birth", as: CalendarDate.self).map { abs($0.year - year) }.sorted()
            #expect(closest.map { abs($0.year - year) }.sorted() == Array(distances.prefix(3)))
        }
    }

    @Test("cascade delete of one student removes exactly its majors, enrollments and grades", arguments: TestBackend.all)
    func cascadeDeleteStudent(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let u = try await University.load(into: db)
            let student: Row = ["student_id": 100]
            let majors = try await (u[University.StudentMajor.self] & student).count()
            let enrollments = try await (u[University.Enroll.self] & student).count()
            let grades = try await (u[University.Grade.self] & student).count()
            #expect(enrollments > 0 && grades > 0)
            let deleted = try await (u[University.Student.self] & student).delete(confirm: true)
            #expect(deleted == 1)
            #expect(try await u[University.Student.self].count() == 299)
            #expect(try await u[University.StudentMajor.self].count() == 226 - majors)
            #expect(try await u[University.Enroll.self].count() == 3364 - enrollments)
            #expect(try await u[University.Grade.self].count() == 3027 - grades)
            #expect(try await u[University.Section.self].count() == 756)
            #expect(try await u[University.Course.self].count() == 45)
            #expect(try await (u[University.Enroll.self] & student).isEmpty())
        }
    }

    @Test("values come back exactly: dates as dates, decimals exact, enums as text", arguments: TestBackend.all)
    func exactValues(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let u = try await University.load(into: db)
            let allison = try await (u[University.Student.self] & ["student_id": 100]).fetch1()
            #expect(allison["first_name"] == "Allison")
            #expect(allison["date_of_birth"] == .date(CalendarDate(year: 1991, month: 5, day: 9)!))
            #expect(allison["home_zip"] == "01352")
            let points = try await (u[University.LetterGrade.self] & ["grade": "A-"]).fetch1("points", as: Decimal.self)
            #expect(points == Decimal(string: "3.67"))
            let credits: [Decimal] = try await u[University.Course.self].toArray("credits")
            #expect(credits.allSatisfy { $0 > 0 })
        }
    }

    @Test("reopening the schema from the database alone gives the same headings and definitions", arguments: TestBackend.all)
    func reopenWithoutSource(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            var definitions: [String: String] = [:]
            var headings: [String: Heading] = [:]
            do {
                let db = try await TestDatabase.connect()
                let u = try await University.load(into: db)
                for name in try await u.tableNames() {
                    definitions[name] = try await u.table(name).describe()
                    headings[name] = try await u.table(name).heading()
                }
                try await db.close()
            }
            // A new connection knows nothing of the Swift types: everything comes from the database.
            let db = try await TestDatabase.connect()
            let u = try await db.schema("university", tables: [], create: false)
            #expect(try await u.tableNames().sorted() == definitions.keys.sorted())
            for (name, definition) in definitions {
                #expect(try await u.table(name).describe() == definition)
                #expect(try await u.table(name).heading() == headings[name])
            }
            #expect(try await u.table("grade").count() == 3027)
            #expect(try await u.table("Grade").count() == 3027)
        }
    }
}
