import DataJoint
import Foundation
import Testing

/// A small pipeline for the insert and fetch tests (names prefixed to stay apart from other test files).
enum InsertFetchPipeline {
    static let schemaName = "insert_fetch"

    struct IfAnimal: Manual {
        static let definition = """
            # an animal
            animal_id : int32
            ---
            name : varchar(40)
            weight : float64
            notes = "" : varchar(100)
            """
    }

    /// Same attributes as IfAnimal, for insert(from:).
    struct IfAnimalArchive: Manual {
        static let definition = """
            animal_id : int32
            ---
            name : varchar(40)
            weight : float64
            notes = "" : varchar(100)
            """
    }

    struct IfVisit: Manual {
        static let definition = """
            -> IfAnimal
            visit : int16
            ---
            room : varchar(10)
            """
    }

    struct IfScore: Computed {
        static let definition = """
            -> IfAnimal
            ---
            score : float64
            """
        /// Declared only: never populated in these tests.
        static func make(_ key: Row, _ ctx: MakeContext) async throws { try await ctx.insert1(key) }
    }

    struct IfMeasure: Manual {
        static let definition = """
            measure_id : int32
            ---
            value : float64
            label : varchar(20)
            """
    }

    struct IfNullable: Manual {
        static let definition = """
            item_id : int32
            ---
            label : varchar(40)
            amount : float64
            comment = null : varchar(60)
            """
    }

    static let tables: [any UserTable.Type] = [
        IfAnimal.self, IfAnimalArchive.self, IfVisit.self, IfScore.self, IfMeasure.self, IfNullable.self,
    ]

    static let animals: [Row] = [
        ["animal_id": 1, "name": "Ann", "weight": 1.5, "notes": "first"],
        ["animal_id": 2, "name": "Bob", "weight": 4.0],
        ["animal_id": 3, "name": "Cat", "weight": 2.5],
        ["animal_id": 4, "name": "Dan", "weight": 3.25],
        ["animal_id": 5, "name": "Eve", "weight": 0.75],
    ]

    /// A fresh database with the pipeline declared (and, if asked, the five animals and three visits).
    static func make(filled: Bool = true) async throws -> (Connection, Schema) {
        let db = try await TestDatabase.connect()
        let schema = try await db.schema(schemaName, tables: tables)
        if filled {
            try await schema[IfAnimal.self].insert(animals)
            try await schema[IfVisit.self].insert([
                ["animal_id": 1, "visit": 1, "room": "A"],
                ["animal_id": 1, "visit": 2, "room": "B"],
                ["animal_id": 3, "visit": 1, "room": "A"],
            ])
        }
        return (db, schema)
    }
}

/// Encodable/Decodable record matching IfAnimal.
struct IfAnimalRecord: Codable, Equatable {
    var animal_id: Int
    var name: String
    var weight: Double
    var notes: String
}

/// A record whose optional `notes` may be left out (the table default then applies).
struct IfAnimalOptionalRecord: Codable, Equatable {
    var animal_id: Int
    var name: String
    var weight: Double
    var notes: String?
}

@Suite("Insert and fetch")
struct InsertFetchTests {
    typealias P = InsertFetchPipeline

    // MARK: - Insert

    @Test("insert1 inserts one row that fetch1 returns with typed values and defaults", arguments: TestBackend.all)
    func insertOne(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (_, s) = try await P.make(filled: false)
            let animals = s[P.IfAnimal.self]
            try await animals.insert1(["animal_id": 7, "name": "Gus", "weight": 12.5])
            #expect(try await animals.count() == 1)
            let row = try await animals.fetch1()
            #expect(row == ["animal_id": 7, "name": "Gus", "weight": 12.5, "notes": ""])
            #expect(row["animal_id"] == .int(7))
            #expect(row["weight"] == .double(12.5))
            #expect(row.names == ["animal_id", "name", "weight", "notes"])
        }
    }

    @Test("insert of 5,000 rows in one call with chunkSize 700 inserts them all", arguments: TestBackend.all)
    func insertMany(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (_, s) = try await P.make(filled: false)
            let measures = s[P.IfMeasure.self]
            let rows: [Row] = (0..<5000).map { i in
                ["measure_id": i, "value": Double(i) / 4, "label": "m\(i)"]
            }
            try await measures.insert(rows, chunkSize: 700)
            #expect(try await measures.count() == 5000)
            let ids: [Int] = try await measures.toArray("measure_id", orderBy: ["measure_id"])
            #expect(ids == Array(0..<5000))
            let values: [Double] = try await measures.toArray("value", orderBy: ["measure_id"])
            #expect(values == (0..<5000).map { Double($0) / 4 })
            #expect(try await (measures & ["measure_id": 4321]).fetch1("label", as: String.self) == "m4321")
        }
    }

    @Test("skipDuplicates keeps existing rows unchanged and inserts the new ones", arguments: TestBackend.all)
    func skipDuplicates(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (_, s) = try await P.make()
            let animals = s[P.IfAnimal.self]
            try await animals.insert(
                [
                    ["animal_id": 1, "name": "CHANGED", "weight": 99.0, "notes": "changed"],
                    ["animal_id": 6, "name": "Fay", "weight": 5.0],
                ], skipDuplicates: true)
            #expect(try await animals.count() == 6)
            let one = try await (animals & ["animal_id": 1]).fetch1()
            #expect(one == ["animal_id": 1, "name": "Ann", "weight": 1.5, "notes": "first"])
            #expect(try await (animals & ["animal_id": 6]).fetch1("name", as: String.self) == "Fay")
            // insert1 with skipDuplicates as well
            try await animals.insert1(["animal_id": 2, "name": "X", "weight": 0.0], skipDuplicates: true)
            #expect(try await (animals & ["animal_id": 2]).fetch1("name", as: String.self) == "Bob")
            #expect(try await animals.count() == 6)
        }
    }

    @Test("replace overwrites the secondary values of existing rows", arguments: TestBackend.all)
    func replace(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (_, s) = try await P.make()
            let animals = s[P.IfAnimal.self]
            try await animals.insert1(["animal_id": 1, "name": "Anna", "weight": 1.75, "notes": "renamed"], replace: true)
            try await animals.insert(
                [["animal_id": 2, "name": "Bobby", "weight": 4.5], ["animal_id": 9, "name": "Ivy", "weight": 9.0]],
                replace: true)
            #expect(try await animals.count() == 6)
            #expect(
                try await (animals & ["animal_id": 1]).fetch1()
                    == ["animal_id": 1, "name": "Anna", "weight": 1.75, "notes": "renamed"])
            #expect(try await (animals & ["animal_id": 2]).fetch1() == ["animal_id": 2, "name": "Bobby", "weight": 4.5, "notes": ""])
            #expect(try await (animals & ["animal_id": 9]).fetch1("name", as: String.self) == "Ivy")
        }
    }

    @Test("a duplicate without options is .duplicate and the whole batch is rolled back", arguments: TestBackend.all)
    func duplicateRollsBackBatch(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (_, s) = try await P.make()
            let animals = s[P.IfAnimal.self]
            let before = try await animals.toDicts(orderBy: ["KEY"])

            let single = await #expect(throws: DataJointError.self) {
                try await animals.insert1(["animal_id": 1, "name": "Dup", "weight": 1.0])
            }
            #expect(single?.kind == .duplicate)

            // New rows before and after the duplicate, in one transaction: none stays.
            let batch: [Row] = [
                ["animal_id": 10, "name": "New1", "weight": 1.0],
                ["animal_id": 11, "name": "New2", "weight": 1.0],
                ["animal_id": 3, "name": "Dup", "weight": 1.0],
                ["animal_id": 12, "name": "New3", "weight": 1.0],
            ]
            let error = await #expect(throws: DataJointError.self) { try await animals.insert(batch) }
            #expect(error?.kind == .duplicate)
            #expect(try await animals.toDicts(orderBy: ["KEY"]) == before)
            // With chunkSize each chunk is a transaction of its own, as in the reference: the chunks before the failing
            // one stay (see WriteConvenienceTests).
            for chunk in [1, 2] {
                let error = await #expect(throws: DataJointError.self) { try await animals.insert(batch, chunkSize: chunk) }
                #expect(error?.kind == .duplicate, "chunkSize \(chunk)")
                #expect(try await (animals & "animal_id >= 10").toArray("animal_id", as: Int.self, orderBy: ["KEY"]) == [10, 11])
                _ = try await (animals & "animal_id >= 10").deleteQuick()
                #expect(try await animals.toDicts(orderBy: ["KEY"]) == before, "chunkSize \(chunk)")
            }

            // A duplicate key within the batch itself.
            let inside = await #expect(throws: DataJointError.self) {
                try await animals.insert([
                    ["animal_id": 20, "name": "A", "weight": 1.0],
                    ["animal_id": 20, "name": "B", "weight": 2.0],
                ])
            }
            #expect(inside?.kind == .duplicate)
            #expect(try await animals.toDicts(orderBy: ["KEY"]) == before)
        }
    }

    @Test("ignoreExtraFields drops unknown attributes; without it they are .missingAttribute", arguments: TestBackend.all)
    func ignoreExtraFields(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (_, s) = try await P.make(filled: false)
            let animals = s[P.IfAnimal.self]
            let row: Row = ["animal_id": 1, "name": "Ann", "weight": 1.5, "color": "brown"]
            let error = await #expect(throws: DataJointError.self) { try await animals.insert1(row) }
            #expect(error?.kind == .missingAttribute)
            #expect(try await animals.isEmpty())

            try await animals.insert1(row, ignoreExtraFields: true)
            let fetched = try await animals.fetch1()
            #expect(fetched == ["animal_id": 1, "name": "Ann", "weight": 1.5, "notes": ""])
            #expect(!fetched.contains("color"))

            try await animals.insert(
                [["animal_id": 2, "name": "Bob", "weight": 2.0, "extra": 1, "other": "x"]], ignoreExtraFields: true)
            #expect(try await animals.count() == 2)
        }
    }

    @Test("direct insert into a Computed table is .notAllowed unless allowDirectInsert", arguments: TestBackend.all)
    func directInsertIntoComputed(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (_, s) = try await P.make()
            let scores = s[P.IfScore.self]
            let error = await #expect(throws: DataJointError.self) {
                try await scores.insert1(["animal_id": 1, "score": 0.5])
            }
            #expect(error?.kind == .notAllowed)
            let many = await #expect(throws: DataJointError.self) {
                try await scores.insert([["animal_id": 1, "score": 0.5], ["animal_id": 2, "score": 0.25]])
            }
            #expect(many?.kind == .notAllowed)
            let fromQuery = await #expect(throws: DataJointError.self) {
                try await scores.insert(from: s[P.IfAnimal.self] & ["animal_id": 1], ignoreExtraFields: true)
            }
            #expect(fromQuery?.kind == .notAllowed)
            #expect(try await scores.isEmpty())

            try await scores.insert1(["animal_id": 1, "score": 0.5], allowDirectInsert: true)
            try await scores.insert([["animal_id": 2, "score": 0.25]], allowDirectInsert: true)
            #expect(try await scores.count() == 2)
            #expect(try await (scores & ["animal_id": 2]).fetch1("score", as: Double.self) == 0.25)
        }
    }

    @Test("an insert referencing a missing parent is .integrity and writes nothing", arguments: TestBackend.all)
    func missingParent(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (_, s) = try await P.make()
            let visits = s[P.IfVisit.self]
            let error = await #expect(throws: DataJointError.self) {
                try await visits.insert1(["animal_id": 99, "visit": 1, "room": "Z"])
            }
            #expect(error?.kind == .integrity)
            #expect(try await visits.count() == 3)

            let batch = await #expect(throws: DataJointError.self) {
                try await visits.insert(
                    [
                        ["animal_id": 2, "visit": 1, "room": "C"],
                        ["animal_id": 99, "visit": 1, "room": "Z"],
                        ["animal_id": 4, "visit": 1, "room": "C"],
                    ])
            }
            #expect(batch?.kind == .integrity)
            #expect(try await visits.count() == 3)
            #expect(try await (visits & ["animal_id": 2]).isEmpty())
        }
    }

    @Test("Encodable structs are inserted and fetched back as Decodable", arguments: TestBackend.all)
    func encodableRoundTrip(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (_, s) = try await P.make(filled: false)
            let animals = s[P.IfAnimal.self]
            let records = [
                IfAnimalRecord(animal_id: 1, name: "Ann", weight: 1.5, notes: "a"),
                IfAnimalRecord(animal_id: 2, name: "Bob", weight: 2.25, notes: ""),
                IfAnimalRecord(animal_id: 3, name: "Cat", weight: -0.5, notes: "c, with comma"),
            ]
            try await animals.insert(records)
            let fetched = try await animals.fetch(as: IfAnimalRecord.self, orderBy: ["animal_id"])
            #expect(fetched == records)

            // A nil optional is left out, so the table default applies.
            try await animals.insert([IfAnimalOptionalRecord(animal_id: 4, name: "Dan", weight: 4.0, notes: nil)])
            let dan = try await (animals & ["animal_id": 4]).fetch(as: IfAnimalOptionalRecord.self)
            #expect(dan == [IfAnimalOptionalRecord(animal_id: 4, name: "Dan", weight: 4.0, notes: "")])

            let last = try await animals.fetch(as: IfAnimalRecord.self, orderBy: ["animal_id DESC"], limit: 1)
            #expect(last.map(\.animal_id) == [4])
        }
    }

    @Test("insert from a CSV file converts text fields to the attribute types", arguments: TestBackend.all)
    func insertCSV(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (_, s) = try await P.make(filled: false)
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dj-csv-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }

            let animalsURL = dir.appendingPathComponent("animals.csv")
            let csvText = "animal_id,name,weight,notes\n" + "1,Ann,1.5,\"hello, world\"\n"
                + "2,Bob,2.25,\"say \"\"hi\"\"\"\n" + "3,Cat,3,plain\n"
            try csvText.write(to: animalsURL, atomically: true, encoding: .utf8)
            let animals = s[P.IfAnimal.self]
            try await animals.insert(csv: animalsURL)
            #expect(
                try await animals.toDicts(orderBy: ["animal_id"]) == [
                    ["animal_id": 1, "name": "Ann", "weight": 1.5, "notes": "hello, world"],
                    ["animal_id": 2, "name": "Bob", "weight": 2.25, "notes": "say \"hi\""],
                    ["animal_id": 3, "name": "Cat", "weight": 3.0, "notes": "plain"],
                ])

            // Empty fields of nullable attributes become NULL.
            let itemsURL = dir.appendingPathComponent("items.csv")
            try "item_id,label,amount,comment\n1,one,0.5,\n2,two,1.25,note\n".write(
                to: itemsURL, atomically: true, encoding: .utf8)
            let items = s[P.IfNullable.self]
            try await items.insert(csv: itemsURL)
            #expect(try await (items & ["item_id": 1]).fetch1()["comment"] == .null)
            #expect(try await (items & ["item_id": 2]).fetch1("comment", as: String.self) == "note")
            #expect(try await (items & "comment IS NULL").count() == 1)

            // Inserting the same file again is a duplicate; with skipDuplicates nothing changes.
            let again = await #expect(throws: DataJointError.self) { try await animals.insert(csv: animalsURL) }
            #expect(again?.kind == .duplicate)
            try await animals.insert(csv: animalsURL, skipDuplicates: true)
            #expect(try await animals.count() == 3)
        }
    }

    @Test("insert(from:) copies a restricted query into a table with the same attributes", arguments: TestBackend.all)
    func insertFromQuery(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (_, s) = try await P.make()
            let animals = s[P.IfAnimal.self]
            let archive = s[P.IfAnimalArchive.self]
            try await archive.insert(from: animals & "weight > 2")
            #expect(try await archive.toArray("animal_id", as: Int.self, orderBy: ["animal_id"]) == [2, 3, 4])
            #expect(
                try await (archive & ["animal_id": 4]).fetch1()
                    == ["animal_id": 4, "name": "Dan", "weight": 3.25, "notes": ""])

            // Again: duplicates, unless skipped.
            let error = await #expect(throws: DataJointError.self) {
                try await archive.insert(from: animals & "weight > 2")
            }
            #expect(error?.kind == .duplicate)
            #expect(try await archive.count() == 3)
            try await archive.insert(from: animals, skipDuplicates: true)
            #expect(try await archive.count() == 5)
            #expect(try await archive.toDicts(orderBy: ["KEY"]) == animals.toDicts(orderBy: ["KEY"]))
        }
    }

    // MARK: - Fetch

    @Test("toDicts, typed toArray, toArrays and keys", arguments: TestBackend.all)
    func fetchForms(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (_, s) = try await P.make()
            let animals = s[P.IfAnimal.self]
            let rows = try await animals.toDicts(orderBy: ["animal_id"])
            #expect(rows.count == 5)
            #expect(rows[0] == ["animal_id": 1, "name": "Ann", "weight": 1.5, "notes": "first"])
            #expect(rows[1] == ["animal_id": 2, "name": "Bob", "weight": 4.0, "notes": ""])
            #expect(rows.allSatisfy { $0.names == ["animal_id", "name", "weight", "notes"] })

            let ids: [Int] = try await animals.toArray("animal_id", orderBy: ["animal_id"])
            #expect(ids == [1, 2, 3, 4, 5])
            let names = try await animals.toArray("name", as: String.self, orderBy: ["animal_id"])
            #expect(names == ["Ann", "Bob", "Cat", "Dan", "Eve"])
            let weights: [Double] = try await animals.toArray("weight", orderBy: ["animal_id"])
            #expect(weights == [1.5, 4.0, 2.5, 3.25, 0.75])

            let arrays = try await animals.toArrays("name", "animal_id", orderBy: ["animal_id"])
            #expect(arrays.count == 2)
            #expect(arrays[0] == ["Ann", "Bob", "Cat", "Dan", "Eve"])
            #expect(arrays[1] == [1, 2, 3, 4, 5])

            let keys = try await animals.keys(orderBy: ["KEY"])
            #expect(keys == [["animal_id": 1], ["animal_id": 2], ["animal_id": 3], ["animal_id": 4], ["animal_id": 5]])
            #expect(keys.allSatisfy { $0.names == ["animal_id"] })
            let visitKeys = try await s[P.IfVisit.self].keys(orderBy: ["KEY"])
            #expect(visitKeys == [["animal_id": 1, "visit": 1], ["animal_id": 1, "visit": 2], ["animal_id": 3, "visit": 1]])
            #expect(visitKeys.allSatisfy { $0.names == ["animal_id", "visit"] })
        }
    }

    @Test("fetch1 needs exactly one row; fetch1(attribute) gives one typed value", arguments: TestBackend.all)
    func fetchOne(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (_, s) = try await P.make()
            let animals = s[P.IfAnimal.self]
            #expect(try await (animals & ["animal_id": 3]).fetch1() == ["animal_id": 3, "name": "Cat", "weight": 2.5, "notes": ""])
            #expect(try await (animals & ["animal_id": 3]).fetch1("name", as: String.self) == "Cat")
            let weight: Double = try await (animals & ["animal_id": 4]).fetch1("weight")
            #expect(weight == 3.25)

            let none = await #expect(throws: DataJointError.self) { try await (animals & ["animal_id": 42]).fetch1() }
            #expect(none?.kind == .cardinality)
            let two = await #expect(throws: DataJointError.self) { try await (animals & "animal_id < 3").fetch1() }
            #expect(two?.kind == .cardinality)
            let noneAttr = await #expect(throws: DataJointError.self) {
                try await (animals & ["animal_id": 42]).fetch1("name", as: String.self)
            }
            #expect(noneAttr?.kind == .cardinality)
            let many = await #expect(throws: DataJointError.self) { try await animals.fetch1("name", as: String.self) }
            #expect(many?.kind == .cardinality)
            let unknown = await #expect(throws: DataJointError.self) {
                try await (animals & ["animal_id": 3]).fetch1("color", as: String.self)
            }
            #expect(unknown?.kind == .missingAttribute)
        }
    }

    @Test("count and isEmpty", arguments: TestBackend.all)
    func countAndEmpty(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (_, s) = try await P.make()
            let animals = s[P.IfAnimal.self]
            #expect(try await animals.count() == 5)
            #expect(try await !animals.isEmpty())
            #expect(try await (animals & "weight > 3").count() == 2)
            #expect(try await (animals & ["animal_id": 100]).count() == 0)
            #expect(try await (animals & ["animal_id": 100]).isEmpty())
            #expect(try await s[P.IfScore.self].isEmpty())
            #expect(try await s[P.IfScore.self].count() == 0)
            #expect(try await s[P.IfVisit.self].count() == 3)
        }
    }

    @Test("orderBy ascending, descending and KEY; limit and offset", arguments: TestBackend.all)
    func ordering(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (_, s) = try await P.make()
            let animals = s[P.IfAnimal.self]
            #expect(try await animals.toArray("animal_id", as: Int.self, orderBy: ["weight"]) == [5, 1, 3, 4, 2])
            #expect(try await animals.toArray("animal_id", as: Int.self, orderBy: ["weight ASC"]) == [5, 1, 3, 4, 2])
            #expect(try await animals.toArray("animal_id", as: Int.self, orderBy: ["weight DESC"]) == [2, 4, 3, 1, 5])
            #expect(try await animals.toArray("name", as: String.self, orderBy: ["name desc"]) == ["Eve", "Dan", "Cat", "Bob", "Ann"])
            #expect(try await animals.toArray("animal_id", as: Int.self, orderBy: ["KEY"]) == [1, 2, 3, 4, 5])
            #expect(try await animals.toArray("animal_id", as: Int.self, orderBy: ["KEY DESC"]) == [5, 4, 3, 2, 1])
            // Several terms: room ascending, then animal_id descending.
            let visits = s[P.IfVisit.self]
            let ordered = try await visits.keys(orderBy: ["room", "animal_id DESC", "visit"])
            #expect(ordered == [["animal_id": 3, "visit": 1], ["animal_id": 1, "visit": 1], ["animal_id": 1, "visit": 2]])

            #expect(try await animals.toArray("animal_id", as: Int.self, orderBy: ["KEY"], limit: 2) == [1, 2])
            #expect(try await animals.toArray("animal_id", as: Int.self, orderBy: ["KEY"], limit: 2, offset: 1) == [2, 3])
            #expect(try await animals.toArray("animal_id", as: Int.self, orderBy: ["weight DESC"], limit: 3, offset: 2) == [3, 1, 5])
            #expect(try await animals.toArray("animal_id", as: Int.self, orderBy: ["KEY"], limit: 10, offset: 4) == [5])
            #expect(try await animals.toArray("animal_id", as: Int.self, orderBy: ["KEY"], limit: 0) == [])
            #expect(try await animals.toDicts(orderBy: ["KEY"], limit: 2, offset: 5).isEmpty)
            #expect(try await animals.toDicts(limit: 3).count == 3)
            // Offset without orderBy still pages deterministically (by primary key).
            #expect(try await animals.toArray("animal_id", as: Int.self, limit: 2, offset: 3) == [4, 5])
        }
    }

    @Test("an unknown attribute in toArray, toArrays or orderBy is .missingAttribute", arguments: TestBackend.all)
    func unknownAttribute(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (_, s) = try await P.make()
            let animals = s[P.IfAnimal.self]
            let inArray = await #expect(throws: DataJointError.self) {
                try await animals.toArray("color", as: String.self)
            }
            #expect(inArray?.kind == .missingAttribute)
            let inArrays = await #expect(throws: DataJointError.self) { try await animals.toArrays("name", "color") }
            #expect(inArrays?.kind == .missingAttribute)
            let inOrder = await #expect(throws: DataJointError.self) { try await animals.toDicts(orderBy: ["color"]) }
            #expect(inOrder?.kind == .missingAttribute)
            let inOrderDesc = await #expect(throws: DataJointError.self) {
                try await animals.toArray("name", as: String.self, orderBy: ["color DESC"])
            }
            #expect(inOrderDesc?.kind == .missingAttribute)
        }
    }

    @Test("streaming 2,000 rows with for try await over rows()", arguments: TestBackend.all)
    func streaming(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (_, s) = try await P.make(filled: false)
            let measures = s[P.IfMeasure.self]
            try await measures.insert((0..<2000).map { ["measure_id": $0, "value": Double($0) * 0.5, "label": "L\($0 % 7)"] })
            var count = 0
            var expectedID = 0
            var sum = 0.0
            for try await row in measures.rows(orderBy: ["measure_id"]) {
                #expect(try row.get("measure_id", as: Int.self) == expectedID)
                #expect(row.names == ["measure_id", "value", "label"])
                sum += try row.get("value", as: Double.self)
                expectedID += 1
                count += 1
            }
            #expect(count == 2000)
            #expect(sum == (0..<2000).reduce(0.0) { $0 + Double($1) * 0.5 })

            // Restricted, ordered, limited streams.
            var labels: [String] = []
            for try await row in (measures & ["label": "L3"]).rows(orderBy: ["measure_id DESC"], limit: 3) {
                labels.append("\(try row.get("measure_id", as: Int.self))")
            }
            #expect(labels == ["1998", "1991", "1984"])

            // Leaving the loop early is fine, and the table stays usable.
            var seen = 0
            for try await _ in measures.rows() {
                seen += 1
                if seen == 10 { break }
            }
            #expect(seen == 10)
            #expect(try await measures.count() == 2000)

            // Errors surface through the stream.
            let error = await #expect(throws: DataJointError.self) {
                for try await _ in measures.rows(orderBy: ["nope"]) {}
            }
            #expect(error?.kind == .missingAttribute)
        }
    }

    // MARK: - Restrictions

    @Test("restriction by a Row, a SQL string, a list of rows, Not and AndList", arguments: TestBackend.all)
    func restrictions(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (_, s) = try await P.make()
            let animals = s[P.IfAnimal.self]
            func ids(_ table: Table) async throws -> [Int] {
                try await table.toArray("animal_id", orderBy: ["animal_id"])
            }
            let bob: Row = ["name": "Bob"]
            #expect(try await ids(animals & bob) == [2])
            #expect(try await ids(animals & ["animal_id": 3, "name": "Cat"]) == [3])
            #expect(try await ids(animals & ["animal_id": 3, "name": "Bob"]) == [])
            #expect(try await ids(animals & "weight > 2") == [2, 3, 4])
            #expect(try await ids(animals & "weight > 2" & "name <> 'Dan'") == [2, 3])
            #expect(try await ids(animals & "") == [1, 2, 3, 4, 5])

            let list: [Row] = [["animal_id": 1], ["animal_id": 3], ["name": "Eve"], ["animal_id": 77]]
            #expect(try await ids(animals & list) == [1, 3, 5])
            let emptyList: [Row] = []
            #expect(try await ids(animals & emptyList) == [], "an empty OR-list matches nothing")

            #expect(try await ids(animals & Not(bob)) == [1, 3, 4, 5])
            #expect(try await ids(animals & Not("weight > 2")) == [1, 5])
            #expect(try await ids(animals & Not(list)) == [2, 4])

            #expect(try await ids(animals & AndList("weight > 1", "weight < 4")) == [1, 3, 4])
            #expect(try await ids(animals & AndList(Row(["name": "Cat"]), "weight > 1")) == [3])
            #expect(try await ids(animals & AndList(Row(["name": "Cat"]), "weight > 3")) == [])
            #expect(try await ids(animals & AndList([any RestrictionConvertible]())) == [1, 2, 3, 4, 5])

            // Anti-restriction with `-`.
            #expect(try await ids(animals - bob) == [1, 3, 4, 5])
            #expect(try await ids(animals - "weight > 2") == [1, 5])
            #expect(try await ids(animals - list) == [2, 4])
            #expect(try await ids(animals - "weight > 2" - ["animal_id": 1]) == [5])
        }
    }

    @Test("restriction by another table (semijoin) and anti-restriction by a table", arguments: TestBackend.all)
    func restrictByTable(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (_, s) = try await P.make()
            let animals = s[P.IfAnimal.self]
            let visits = s[P.IfVisit.self]
            #expect(try await (animals & visits).toArray("animal_id", as: Int.self, orderBy: ["KEY"]) == [1, 3])
            #expect(try await (animals - visits).toArray("animal_id", as: Int.self, orderBy: ["KEY"]) == [2, 4, 5])
            #expect(try await (animals & (visits & ["room": "B"])).toArray("animal_id", as: Int.self) == [1])
            #expect(try await (animals - (visits & ["room": "B"])).toArray("animal_id", as: Int.self, orderBy: ["KEY"]) == [2, 3, 4, 5])
            // The other way round: visits of heavy animals.
            #expect(try await (visits & (animals & "weight > 2")).keys() == [["animal_id": 3, "visit": 1]])
            #expect(try await (visits - (animals & "weight > 2")).count() == 2)
            // Semijoin with a restricted copy of the same table: secondary attributes have no lineage, so, as in
            // the reference, matching on them is refused; the key alone (proj()) matches.
            let sameTable = await #expect(throws: DataJointError.self) {
                try await (animals & (animals & "weight < 2")).count()
            }
            #expect(sameTable?.kind == .semanticMismatch)
            #expect(try await (animals & (animals & "weight < 2").proj()).toArray("animal_id", as: Int.self, orderBy: ["KEY"]) == [1, 5])
            #expect(try await animals.restrict(animals & "weight < 2", semanticCheck: false).count() == 2)
            // Restricting by an empty table matches nothing; anti-restricting by it keeps everything.
            #expect(try await (animals & s[P.IfScore.self]).isEmpty())
            #expect(try await (animals - s[P.IfScore.self]).count() == 5)
        }
    }

    @Test("a Row naming no attribute of the table restricts nothing; false restricts everything", arguments: TestBackend.all)
    func degenerateRestrictions(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (_, s) = try await P.make()
            let animals = s[P.IfAnimal.self]
            let foreign: Row = ["color": "red"]
            #expect(try await (animals & foreign).count() == 5)
            // Attributes the table lacks are ignored, the others still restrict.
            #expect(try await (animals & ["color": "red", "name": "Eve"]).toArray("animal_id", as: Int.self) == [5])
            #expect(try await (animals & Row()).count() == 5)

            #expect(try await (animals & false).count() == 0)
            #expect(try await (animals & false).isEmpty())
            #expect(try await (animals & false).toDicts().isEmpty)
            #expect(try await (animals & true).count() == 5)
            #expect(try await (animals - false).count() == 5)
            #expect(try await (animals - true).count() == 0)
        }
    }
}
