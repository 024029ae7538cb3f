import DataJoint
import Foundation
import Testing

/// Tables for the fetch conveniences (names prefixed to stay apart from other test files).
enum FetchConveniencePipeline {
    struct FcAnimal: Manual {
        static let definition = """
            # an animal
            animal_id : int32   # the animal
            ---
            name : varchar(40)
            weight = null : float64
            species = "mouse" : varchar(20)
            """
    }

    struct FcVisit: Manual {
        static let definition = """
            -> FcAnimal
            visit : int16
            ---
            room : varchar(10)
            """
    }

    static let tables: [any UserTable.Type] = [FcAnimal.self, FcVisit.self]

    /// Animals `ids`, inserted in the order given: name `a<id>`, weight `id * 1.5` (NULL for multiples of 5).
    static func animals(_ ids: [Int]) -> [Row] {
        ids.map { id in ["animal_id": id, "name": "a\(id)", "weight": id % 5 == 0 ? Value.null : .double(Double(id) * 1.5)] }
    }
}

@Suite("Fetch conveniences: fetch1 of several attributes, head, tail, columns, keys with arrays, contains, heading")
struct FetchConvenienceTests {
    typealias P = FetchConveniencePipeline

    func schema() async throws -> Schema {
        let db = try await TestDatabase.connect()
        return try await db.schema("fetch_conv", tables: P.tables)
    }

    @Test("fetch1 of several attributes gives a tuple; wrong counts, types and row counts are clear errors", arguments: TestBackend.all)
    func fetch1Tuple(backend: TestBackend) async throws {
        try await backend.run {
            let schema = try await schema()
            let animals = schema[P.FcAnimal.self]
            // Empty table: no row to fetch.
            let none = await #expect(throws: DataJointError.self) {
                _ = try await animals.fetch1("name", "weight", as: String.self, Double?.self)
            }
            #expect(none?.kind == .cardinality)

            try await animals.insert(P.animals([1]))
            let (name, weight) = try await animals.fetch1("name", "weight", as: String.self, Double.self)
            #expect(name == "a1")
            #expect(weight == 1.5)

            try await animals.insert(P.animals([2, 3, 5]))
            let five = animals & ["animal_id": 5]
            let (id, fiveName, fiveWeight, species) = try await five.fetch1(
                "animal_id", "name", "weight", "species", as: Int.self, String.self, Double?.self, String.self)
            #expect(id == 5 && fiveName == "a5" && fiveWeight == nil && species == "mouse")
            // The single-attribute and whole-row forms keep working.
            #expect(try await five.fetch1("name", as: String.self) == "a5")
            let name5: String = try await five.fetch1("name")
            #expect(name5 == "a5")
            #expect(try await five.fetch1() == ["animal_id": 5, "name": "a5", "weight": Value.null, "species": "mouse"])

            // Several rows.
            let many = await #expect(throws: DataJointError.self) {
                _ = try await animals.fetch1("name", "weight", as: String.self, Double?.self)
            }
            #expect(many?.kind == .cardinality)
            // More names than types, and more types than names.
            let counts = await #expect(throws: DataJointError.self) {
                _ = try await five.fetch1("name", "weight", "species", as: String.self, Double?.self)
            }
            #expect(counts?.kind == .invalidValue)
            #expect(counts?.message.contains("3 attribute names") == true)
            let moreTypes = await #expect(throws: DataJointError.self) {
                _ = try await five.fetch1("name", "weight", as: String.self, Double?.self, String.self)
            }
            #expect(moreTypes?.kind == .invalidValue)
            // A value that does not convert: a string as Int, and NULL as a non-optional Double.
            let type = await #expect(throws: DataJointError.self) {
                _ = try await five.fetch1("name", "species", as: Int.self, String.self)
            }
            #expect(type?.kind == .invalidValue)
            #expect(type?.message.contains("name") == true)
            await #expect(throws: DataJointError.self) {
                _ = try await five.fetch1("name", "weight", as: String.self, Double.self)
            }
            // An attribute the query does not have.
            await #expect(throws: DataJointError.self) {
                _ = try await five.fetch1("name", "colour", as: String.self, String.self)
            }
            // On a join.
            try await schema[P.FcVisit.self].insert([["animal_id": 2, "visit": 1, "room": "B12"]])
            let (room, visitor) = try await (schema[P.FcVisit.self] * animals).fetch1("room", "name", as: String.self, String.self)
            #expect(room == "B12" && visitor == "a2")
        }
    }

    @Test("head and tail give the first and last rows by primary key, both in ascending key order", arguments: TestBackend.all)
    func headAndTail(backend: TestBackend) async throws {
        try await backend.run {
            let schema = try await schema()
            let animals = schema[P.FcAnimal.self]
            #expect(try await animals.head().isEmpty)
            #expect(try await animals.tail().isEmpty)

            try await animals.insert(P.animals([7]))
            #expect(try await animals.head().map { try $0.get("animal_id", as: Int.self) } == [7])
            #expect(try await animals.tail(3).map { try $0.get("animal_id", as: Int.self) } == [7])

            // 30 rows inserted out of order.
            try await animals.insert(P.animals(Array(1...30).filter { $0 != 7 }.shuffled()))
            func ids(_ rows: [Row]) throws -> [Int] { try rows.map { try $0.get("animal_id", as: Int.self) } }
            #expect(try ids(await animals.head()) == Array(1...25))
            #expect(try ids(await animals.tail()) == Array(6...30))
            #expect(try ids(await animals.head(3)) == [1, 2, 3])
            #expect(try ids(await animals.tail(3)) == [28, 29, 30])
            #expect(try await animals.head(0).isEmpty)
            #expect(try ids(await animals.tail(100)) == Array(1...30))
            // Whole rows, every attribute.
            #expect(try await animals.tail(1) == [["animal_id": 30, "name": "a30", "weight": Value.null, "species": "mouse"]])
            // On a restriction.
            #expect(try ids(await (animals & "animal_id > 10").head(2)) == [11, 12])

            // A key of two attributes: ordered by both.
            let visits = schema[P.FcVisit.self]
            try await visits.insert([
                ["animal_id": 2, "visit": 2, "room": "b"], ["animal_id": 1, "visit": 3, "room": "c"],
                ["animal_id": 2, "visit": 1, "room": "a"], ["animal_id": 1, "visit": 1, "room": "d"],
            ])
            #expect(try await visits.tail(3).map { try $0.get("room", as: String.self) } == ["c", "a", "b"])
            #expect(try await visits.head(2).map { try $0.get("room", as: String.self) } == ["d", "c"])

            let negative = await #expect(throws: DataJointError.self) { _ = try await animals.head(-1) }
            #expect(negative?.kind == .invalidValue)
            await #expect(throws: DataJointError.self) { _ = try await animals.tail(-5) }
        }
    }

    @Test("toColumns gives each attribute's values in row order", arguments: TestBackend.all)
    func columns(backend: TestBackend) async throws {
        try await backend.run {
            let animals = try await schema()[P.FcAnimal.self]
            let empty = try await animals.toColumns()
            #expect(empty == ["animal_id": [], "name": [], "weight": [], "species": []])

            try await animals.insert(P.animals([1]))
            #expect(try await animals.toColumns() == ["animal_id": [1], "name": ["a1"], "weight": [1.5], "species": ["mouse"]])

            try await animals.insert(P.animals([4, 3, 5, 2]))
            let all = try await animals.toColumns(orderBy: ["KEY"])
            #expect(all["animal_id"] == [1, 2, 3, 4, 5])
            #expect(all["name"] == ["a1", "a2", "a3", "a4", "a5"])
            #expect(all["weight"] == [1.5, 3.0, 4.5, 6.0, .null])
            let some = try await animals.toColumns("name", "animal_id", orderBy: ["animal_id DESC"], limit: 2)
            #expect(some == ["name": ["a5", "a4"], "animal_id": [5, 4]])
            let unknown = await #expect(throws: DataJointError.self) { _ = try await animals.toColumns("colour") }
            #expect(unknown?.message.contains("colour") == true)
        }
    }

    @Test("toArrays with includeKey gives the primary key of each row alongside its values", arguments: TestBackend.all)
    func arraysWithKeys(backend: TestBackend) async throws {
        try await backend.run {
            let schema = try await schema()
            let animals = schema[P.FcAnimal.self]
            let empty = try await animals.toArrays("name", includeKey: true)
            #expect(empty.keys.isEmpty && empty.arrays == [[]])

            try await animals.insert(P.animals([3, 1, 2]))
            let (keys, arrays) = try await animals.toArrays("name", "weight", includeKey: true, orderBy: ["KEY"])
            #expect(keys == [["animal_id": 1], ["animal_id": 2], ["animal_id": 3]])
            #expect(arrays == [["a1", "a2", "a3"], [1.5, 3.0, 4.5]])
            // The keys are those of `keys()`, in the order asked for.
            let ordered = try await animals.toArrays("name", includeKey: true, orderBy: ["name DESC"])
            #expect(ordered.keys == [["animal_id": 3], ["animal_id": 2], ["animal_id": 1]])
            #expect(ordered.arrays == [["a3", "a2", "a1"]])
            // A key attribute may be asked for too.
            let withId = try await animals.toArrays("animal_id", includeKey: true, limit: 1)
            #expect(withId.keys == [["animal_id": 1]] && withId.arrays == [[1]])
            // Without the keys.
            let plain = try await animals.toArrays("name", includeKey: false, orderBy: ["KEY"])
            #expect(plain.keys.isEmpty && plain.arrays == [["a1", "a2", "a3"]])

            // A two-attribute key.
            let visits = schema[P.FcVisit.self]
            try await visits.insert([["animal_id": 2, "visit": 1, "room": "a"], ["animal_id": 1, "visit": 4, "room": "b"]])
            let visited = try await visits.toArrays("room", includeKey: true, orderBy: ["KEY"])
            #expect(visited.keys == [["animal_id": 1, "visit": 4], ["animal_id": 2, "visit": 1]])
            #expect(visited.arrays == [["b", "a"]])

            await #expect(throws: DataJointError.self) { _ = try await animals.toArrays("colour", includeKey: true) }
        }
    }

    @Test("contains tells whether a row matches a key; unknown attributes are an error", arguments: TestBackend.all)
    func containsKey(backend: TestBackend) async throws {
        try await backend.run {
            let schema = try await schema()
            let animals = schema[P.FcAnimal.self]
            #expect(try await !animals.contains(["animal_id": 1]))
            #expect(try await !animals.contains([:]))

            try await animals.insert(P.animals([1]))
            #expect(try await animals.contains(["animal_id": 1]))
            #expect(try await animals.contains([:]))
            #expect(try await !animals.contains(["animal_id": 2]))

            try await animals.insert(P.animals(Array(2...40)))
            #expect(try await animals.contains(["animal_id": 40]))
            #expect(try await animals.contains(["animal_id": 3, "name": "a3"]))
            #expect(try await !animals.contains(["animal_id": 3, "name": "a4"]))
            #expect(try await animals.contains(["name": "a17"]))
            #expect(try await animals.contains(["animal_id": 5, "weight": Value.null]))
            #expect(try await !animals.contains(["animal_id": 4, "weight": Value.null]))
            // A value the attribute cannot hold matches nothing.
            #expect(try await !animals.contains(["animal_id": "not a number"]))
            // On a restriction, and on a join.
            #expect(try await !(animals & "animal_id > 10").contains(["animal_id": 3]))
            #expect(try await (animals & "animal_id > 10").contains(["animal_id": 11]))
            try await schema[P.FcVisit.self].insert([["animal_id": 2, "visit": 1, "room": "B12"]])
            let joined = schema[P.FcVisit.self] * animals
            #expect(try await joined.contains(["name": "a2", "room": "B12"]))
            #expect(try await !joined.contains(["name": "a3"]))

            let unknown = await #expect(throws: DataJointError.self) { _ = try await animals.contains(["colour": "red"]) }
            #expect(unknown?.kind == .missingAttribute)
            #expect(unknown?.message.contains("colour") == true)
            // Known and unknown together: still an error, not a silent answer.
            await #expect(throws: DataJointError.self) { _ = try await animals.contains(["animal_id": 1, "room": "B12"]) }
        }
    }

    @Test("A heading prints as the reference prints it", arguments: TestBackend.all)
    func headingDescription(backend: TestBackend) async throws {
        try await backend.run {
            let schema = try await schema()
            let heading = try await schema[P.FcAnimal.self].heading()
            #expect(
                heading.description == """
                    animal_id            : int32                        # the animal
                    ---
                    name                 : varchar(40)                  # 
                    weight=null          : float64                      # 
                    species="mouse"      : varchar(20)                  # 

                    """)
            // Primary key only: no separator. A foreign key shows the attributes it brings.
            let key = try await schema[P.FcVisit.self].proj().heading()
            #expect(
                key.description == """
                    animal_id            : int32                        # the animal
                    visit                : int16                        # 

                    """)
            #expect(String(describing: heading).hasPrefix("animal_id "))
        }
    }

    @Test("preview cuts cells to the width asked for, or to the setting", arguments: TestBackend.all)
    func previewWidth(backend: TestBackend) async throws {
        try await backend.run {
            let animals = try await schema()[P.FcAnimal.self]
            let long = "abcdefghijklmnopqrstuvwxyz0123"
            try await animals.insert([["animal_id": 1, "name": long]])
            let narrow = try await animals.preview(width: 10)
            #expect(narrow.contains("abcdefghi…"))
            #expect(!narrow.contains("abcdefghij"))
            let wide = try await animals.preview(width: 40)
            #expect(wide.contains(long))
            // The default is the connection's displayWidth setting (14).
            let standard = try await animals.preview()
            #expect(standard.contains("abcdefghijklm…"))
            #expect(!standard.contains("abcdefghijklmn"))
            #expect(standard.contains("(Total: 1)"))
            let bad = await #expect(throws: DataJointError.self) { _ = try await animals.preview(width: 0) }
            #expect(bad?.kind == .invalidValue)
            await #expect(throws: DataJointError.self) { _ = try await animals.preview(limit: -1) }
        }
    }
}
