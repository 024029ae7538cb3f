import DataJoint
import Foundation
import Testing

enum InterpolationPipeline {
    struct IpPerson: Manual {
        static let definition = """
            person_id : int32
            ---
            name : varchar(64)
            born = null : date
            balance = null : decimal(10,2)
            """
    }
}

/// Values interpolated into SQL text (restrictions, computed attributes, orderings) are bound, never spliced.
@Suite("Values interpolated into SQL text")
struct SQLInterpolationTests {
    /// Names that break or change a query when spliced into SQL text.
    static let hostileNames = [
        "O'Brien",
        "x' OR '1'='1",
        "'; DROP TABLE ip_person; --",
        "\"; DELETE FROM ip_person; --",
        "back\\slash'",
        "🧪 Ωμέγα 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
        "%_ like wildcards",
    ]

    static func people(_ db: Connection) async throws -> Table {
        let schema = try await db.schema("interp", tables: InterpolationPipeline.IpPerson.self)
        let people = schema[InterpolationPipeline.IpPerson.self]
        var rows: [Row] = []
        for (i, name) in hostileNames.enumerated() {
            let row: Row = [
                "person_id": i + 1, "name": name, "born": CalendarDate(year: 2000 + i, month: 1 + i, day: 10 + i)!,
                "balance": Decimal(string: "\(i * 10).5\(i)")!,
            ]
            rows.append(row)
        }
        try await people.insert(rows)
        return people
    }

    @Test("hostile text selects exactly its row and runs no other SQL", arguments: TestBackend.all)
    func hostileText(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let people = try await Self.people(db)
            for (i, name) in Self.hostileNames.enumerated() {
                #expect(try await (people & "name = \(name)").toArray("person_id", as: Int.self) == [i + 1], "\(name)")
                #expect(try await (people - "name = \(name)").count() == Self.hostileNames.count - 1, "\(name)")
                #expect(try await people.restrict("name = \(name)").count() == 1, "\(name)")
                #expect(try await (people & Not("name = \(name)")).count() == Self.hostileNames.count - 1, "\(name)")
            }
            // Values that were never stored select nothing, whatever SQL they hold.
            for probe in ["x' OR 'a'='a", "1 OR 1=1", "') OR ('1'='1", "'; SELECT 1; --", "O''Brien"] {
                #expect(try await (people & "name = \(probe)").count() == 0, "\(probe)")
                #expect(try await (people & "name = \(probe) OR person_id = \(2)").toArray("person_id", as: Int.self) == [2])
            }
            // Nothing was dropped or deleted.
            #expect(try await people.count() == Self.hostileNames.count)
            #expect(try await people.toArray("name", as: String.self, orderBy: ["person_id"]) == Self.hostileNames)
        }
    }

    @Test("NUL bytes are bound, never truncate the SQL", arguments: TestBackend.all)
    func nulBytes(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let people = try await Self.people(db)
            let withNul = "O'Brien\u{0}' OR '1'='1"
            if backend == .postgresql {
                // PostgreSQL text cannot hold NUL: a clear error, nothing else runs.
                let error = await #expect(throws: DataJointError.self) { try await (people & "name = \(withNul)").count() }
                #expect(error != nil)
            } else {
                #expect(try await (people & "name = \(withNul)").count() == 0)
                if backend == .sqlite {
                    // SQLite would give the text back cut short at the NUL: refused, nothing stored.
                    let error = await #expect(throws: DataJointError.self) { try await people.insert1(["person_id": 100, "name": withNul]) }
                    #expect(error?.kind == .invalidValue)
                    #expect(try await people.count() == Self.hostileNames.count)
                } else {
                    try await people.insert1(["person_id": 100, "name": withNul])
                    #expect(try await (people & "name = \(withNul)").toArray("person_id", as: Int.self) == [100])
                }
            }
            #expect(try await (people & "name = \("O'Brien")").count() == 1)
        }
    }

    @Test("dates, decimals, numbers, NULL and lists are bound with their types", arguments: TestBackend.all)
    func typedValues(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let people = try await Self.people(db)
            let cutoff = CalendarDate(year: 2003, month: 1, day: 1)!
            #expect(try await (people & "born >= \(cutoff)").toArray("person_id", as: Int.self, orderBy: ["person_id"]) == [4, 5, 6, 7])
            let exactDate = CalendarDate(year: 2001, month: 2, day: 11)!
            #expect(try await (people & "born = \(exactDate)").toArray("person_id", as: Int.self) == [2])
            let threshold = Decimal(string: "20.52")!
            #expect(try await (people & "balance > \(threshold)").toArray("person_id", as: Int.self, orderBy: ["person_id"]) == [4, 5, 6, 7])
            #expect(try await (people & "balance = \(Decimal(string: "10.51")!)").toArray("person_id", as: Int.self) == [2])
            #expect(try await (people & "person_id BETWEEN \(2) AND \(3.5)").count() == 2)
            #expect(try await (people & "person_id IN \([1, 3, 5])").toArray("person_id", as: Int.self, orderBy: ["person_id"]) == [1, 3, 5])
            #expect(try await (people & "person_id IN \([Int]())").count() == 0)
            let missing: Int? = nil
            #expect(try await (people & "person_id = \(missing)").count() == 0)
            // Several interpolations, a nested fragment, and verbatim SQL for a trusted attribute name.
            let column = "person_id"
            let low: SQL = "\(sql: column) > \(1)"
            #expect(try await (people & "\(low) AND \(sql: column) < \(4)").toArray("person_id", as: Int.self, orderBy: ["person_id"]) == [2, 3])
            // Lists of conditions (any of them) and AndList (all of them).
            #expect(try await (people & ["name = \("O'Brien")", "person_id = \(7)"]).count() == 2)
            #expect(try await (people - ["name = \("O'Brien")", "person_id = \(7)"]).count() == 5)
            #expect(try await (people & AndList("person_id > \(1)", "person_id < \(3)")).toArray("person_id", as: Int.self) == [2])
            #expect(try await people.restricted(by: "name = \("O'Brien")").count() == 1)
            #expect(try await people.excluding("name = \("O'Brien")").count() == 6)
            // A String variable is SQL written by the program, as before.
            let written = "person_id = 3"
            #expect(try await (people & written).toArray("person_id", as: Int.self) == [3])
        }
    }

    @Test("computed attributes, aggregates and Top orderings bind their values", arguments: TestBackend.all)
    func expressions(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let people = try await Self.people(db)
            let suffix = "'); DROP TABLE ip_person; --"
            let greeted = try await (people & ["person_id": 1])
                .proj(named: ["greeting": "CONCAT(name, \(suffix))", "shifted": "person_id + \(100)"]).fetch1()
            #expect(greeted["greeting"] == .string("O'Brien" + suffix))
            #expect(Int(dataJointValue: greeted["shifted"]!) == 101)
            let limit = Decimal(string: "30")!
            let counted = try await U().aggr(people, named: ["n": "SUM(CASE WHEN balance > \(limit) THEN 1 ELSE 0 END)"]).fetch1()
            #expect(Int(dataJointValue: counted["n"]!) == 4)
            let session = try await people.aggr(people.proj(named: ["other": "name"]), named: ["same": "COUNT(*)"])
                .toDicts(orderBy: ["person_id"])
            #expect(session.count == 7)
            // Ordered by distance from a bound value, then by key.
            let target = 4
            let nearest = try await (people & Top(3, orderBy: ["ABS(person_id - \(target))", "person_id DESC"]))
                .toArray("person_id", as: Int.self)
            #expect(Set(nearest) == [3, 4, 5])
            let first = try await (people & Top(1, orderBy: ["ABS(person_id - \(target)) DESC", "person_id"])).fetch1("person_id", as: Int.self)
            #expect(first == 1)
            #expect(try await people.count() == 7)
        }
    }

    @Test("the SQL holds placeholders, not values, and deletes bind too", arguments: TestBackend.all)
    func sqlText(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let people = try await Self.people(db)
            let name = "x' OR '1'='1"
            let sql = try await (people & "name = \(name)").queryExpression().sql()
            #expect(!sql.contains("OR '1'"), "\(sql)")
            let condition: SQL = "name = \(name) AND person_id > \(0)"
            #expect(condition.description == "name = ? AND person_id > ?")
            #expect(condition.values == [.string(name), .int(0)])

            #expect(try await (people & "name = \(name)").delete() == 1)
            #expect(try await people.count() == 6)
            #expect(try await (people & "name = \("nobody' OR '1'='1")").delete() == 0)
            #expect(try await people.count() == 6)
        }
    }

    @Test("the reserved marker character in written SQL is refused and changes nothing", arguments: TestBackend.all)
    func reservedCharacter(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let people = try await Self.people(db)
            let bogus = SQL(verbatim: "person_id = \u{E000}0\u{E001}")
            let error = await #expect(throws: DataJointError.self) { try await (people & bogus).delete() }
            #expect(error?.kind == .query)
            #expect(error?.message.contains("U+E000") == true)
            #expect(try await people.count() == 7)
        }
    }
}
