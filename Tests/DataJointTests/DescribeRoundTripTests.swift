import DataJoint
import Foundation
import Testing

/// Tables with every core type, every codec, index options and foreign-key options, and types that declare the
/// same tables from the text `describe()` gave.
enum RoundTrip {
    struct Person: Manual {
        static let definition = """
            person_id : int32
            ---
            name : varchar(40)
            """
    }

    struct Parent: Manual {
        static let definition = """
            # a parent with a two-attribute key
            parent_id : int32
            parent_tag : char(4)
            ---
            pname : varchar(40)
            """
    }

    struct Everything: Manual {
        static let definition = """
            # every core type, codec, index and foreign-key option
            -> Parent
            item : int64   # the item
            ---
            i8 : int8
            i16 = 7 : int16
            i32 : int32
            f32 = 1.5 : float32
            f64 = null : float64
            ok = false : bool
            money : decimal(12,4)
            code = "ab" : char(2)
            label : varchar(64)   # with "quotes", a # hash and it's
            mood = 'calm' : enum('calm', 'it''s', 'x y')
            day = null : date
            moment = CURRENT_TIMESTAMP : datetime
            precise : datetime(6)
            doc = null : json
            ident = null : uuid
            raw = null : bytes
            arr = null : <blob>
            file = null : <attach>
            cold_arr = null : <blob@cold>
            cold_file = null : <attach@cold>
            hashed = null : <hash@>
            obj = null : <object@>
            npy = null : <npy@>
            path = null : <filepath@raw>
            native_int : smallint
            -> [nullable] Parent.proj(other_id='parent_id', other_tag='parent_tag')
            -> [unique] rt_base.Person
            index(i32, i16)
            unique index(label)
            index(day)
            """
    }

    struct Pairing: Manual {
        static let definition = """
            -> Parent.proj(a_id='parent_id', a_tag='parent_tag')
            -> Parent.proj(b_id='parent_id', b_tag='parent_tag')
            ---
            weight = 1 : float64
            """
    }

    struct Color: Lookup {
        static let definition = """
            color : varchar(12)
            ---
            rgb : char(6)
            """
        static let contents: [Row] = [["color": "red", "rgb": "ff0000"]]
    }

    struct Batch: Manual {
        static let definition = """
            batch : int16
            ---
            -> [nullable] Color
            """
        static var parts: [any Part.Type] { [Entry.self] }

        struct Entry: Part {
            static let definition = """
                -> master
                entry : int8
                ---
                -> Everything
                """
        }
    }

    static let tables: [any UserTable.Type] = [Parent.self, Everything.self, Pairing.self, Color.self, Batch.self]

    /// The definitions `describe()` gave, by class name, for the copies.
    @TaskLocal static var described: [String: String] = [:]

    enum Copy {
        struct Parent: Manual { static var definition: String { described["Parent"]! } }
        struct Everything: Manual { static var definition: String { described["Everything"]! } }
        struct Pairing: Manual { static var definition: String { described["Pairing"]! } }
        struct Color: Lookup {
            static var definition: String { described["Color"]! }
            static let contents: [Row] = []
        }
        struct Batch: Manual {
            static var definition: String { described["Batch"]! }
            static var parts: [any Part.Type] { [Entry.self] }
            struct Entry: Part { static var definition: String { described["Batch.Entry"]! } }
        }
        static let tables: [any UserTable.Type] = [Parent.self, Everything.self, Pairing.self, Color.self, Batch.self]
    }
}

@Suite("describe() round-trips: the described definition declares the same table")
struct DescribeRoundTripTests {
    @Test("every core type, codec, index and foreign-key option: same heading, keys, indexes, foreign keys and text",
          arguments: TestBackend.all)
    func everyFeature(backend: TestBackend) async throws {
        let stores = try StoreFixture()
        defer { stores.remove() }
        try await backend.withDatabase(settings: stores.settings) { db in
            _ = try await db.schema("rt_base", tables: RoundTrip.Person.self)
            let source = try await db.schema("rt_src", tables: RoundTrip.tables)
            var described: [String: String] = [:]
            for name in try await source.tableNames() {
                let table = source.table(name)
                described[SQLTableName(schema: "rt_src", table: name).className] = try await table.describe()
            }
            #expect(described.count == 6)
            let everything = try #require(described["Everything"])
            for fragment in [
                "# every core type, codec, index and foreign-key option\n", "-> Parent\n", ": int64  # the item\n",
                "f32 = 1.5", ": <blob@cold>", ": <attach@cold>", ": <hash@>", ": <object@>", ": <npy@>",
                ": <filepath@raw>", ": smallint", "-> [nullable] Parent.proj(other_id='parent_id', other_tag='parent_tag')",
                "-> [unique] rt_base.Person", "index(i32, i16)", "unique index(label)", "index(day)",
                #"# with "quotes", a # hash and it's"#, "enum('calm', 'it''s', 'x y')", ": datetime(6)",
            ] {
                #expect(everything.contains(fragment), "describe() lacks \(fragment):\n\(everything)")
            }

            try await RoundTrip.$described.withValue(described) {
                _ = try await db.schema("rt_copy", tables: RoundTrip.Copy.tables)
            }
            let copy = try await db.schema("rt_copy", tables: [])
            #expect(try await copy.tableNames() == (try await source.tableNames()))
            for name in try await source.tableNames() {
                let original = try await source.table(name).info()
                let copied = try await copy.table(name).info()
                #expect(InteropExpectedLayout.render(copied) == InteropExpectedLayout.render(original), "[\(backend)] \(name)")
                #expect(try await copy.table(name).describe() == described[SQLTableName(schema: "rt_src", table: name).className])
            }
        }
    }
}
