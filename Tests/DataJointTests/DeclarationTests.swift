import DataJoint
import Foundation
import Testing

/// Table types used by the declaration tests.
private enum Decl {
    // MARK: tiers and names

    struct Animal: Manual {
        static let definition = """
            # an experimental animal
            animal_id : int32
            ---
            species : varchar(32)
            """
    }

    struct StimulusType: Lookup {
        static let definition = """
            stimulus : varchar(16)
            ---
            description : varchar(64)
            """
        static var contents: [Row] {
            [
                ["stimulus": "grating", "description": "drifting grating"],
                ["stimulus": "dots", "description": "random dots"],
                ["stimulus": "blank", "description": "gray screen"],
            ]
        }
    }

    struct RawRecording: Imported {
        static let definition = """
            -> Animal
            ---
            samples : int64
            """
        /// Declared only: never populated in these tests.
        static func make(_ key: Row, _ ctx: MakeContext) async throws { try await ctx.insert1(key) }
    }

    struct ProcessedSignal: Computed {
        static let definition = """
            -> RawRecording
            ---
            mean_value : float64
            """
        /// Declared only: never populated in these tests.
        static func make(_ key: Row, _ ctx: MakeContext) async throws { try await ctx.insert1(key) }
        static var parts: [any Part.Type] { [Channel.self] }

        struct Channel: Part {
            static let definition = """
                -> master
                channel : int16
                ---
                channel_mean : float64
                """
        }
    }

    struct SessionTrial: Manual {
        static let definition = "session_trial_id : int32"
    }

    struct ProcessedEMG: Manual {
        static let definition = "emg_id : int32"
    }

    struct Session: Manual {
        static let definition = """
            -> Animal
            session_id : int16
            ---
            session_date : date
            """
        static var parts: [any Part.Type] { [Trial.self] }

        struct Trial: Part {
            static let definition = """
                -> master
                trial_id : int16
                ---
                response : float64
                """
        }
    }

    // MARK: foreign keys

    struct Owner: Manual {
        static let definition = """
            owner_id : int32   # the owner
            ---
            owner_name : varchar(32)
            """
    }

    struct Pet: Manual {
        static let definition = """
            -> Owner
            pet_id : int16
            ---
            pet_name : varchar(32)
            """
    }

    struct Desk: Manual {
        static let definition = """
            desk_id : int32
            ---
            -> Owner
            location : varchar(32)
            """
    }

    struct Mentorship: Manual {
        static let definition = """
            -> Owner.proj(mentor_id='owner_id')
            -> Owner.proj(mentee_id="owner_id")
            ---
            started : date
            """
    }

    struct Badge: Manual {
        static let definition = """
            badge_id : int32
            ---
            -> [nullable] Owner
            label : varchar(16)
            """
    }

    struct Locker: Manual {
        static let definition = """
            locker_id : int32
            ---
            -> [unique] Owner
            """
    }

    struct Parking: Manual {
        static let definition = """
            spot_id : int32
            ---
            -> [nullable, unique] Owner
            """
    }

    // MARK: other schema

    struct Subject: Manual {
        static let definition = """
            subject_id : int32
            ---
            species : varchar(32)
            """
    }

    struct Visit: Manual {
        static let definition = """
            -> other.Subject
            visit_id : int16
            ---
            note : varchar(32)
            """
    }

    // MARK: singleton

    struct Config: Lookup {
        static let definition = """
            # global configuration
            ---
            setting : varchar(100)
            level = 1 : int32
            """
    }

    struct UsesConfig: Manual {
        static let definition = """
            id : int32
            ---
            -> Config
            """
    }

    // MARK: refused declarations

    struct Orphan: Manual {
        static let definition = """
            -> Nowhere
            orphan_id : int32
            """
    }

    struct ForeignOrphan: Manual {
        static let definition = """
            -> nowhere_schema.Parent
            orphan_id : int32
            """
    }

    struct BadComputed: Computed {
        static let definition = """
            -> Animal
            extra_id : int32
            ---
            value : float64
            """
        /// Declared only: never populated in these tests.
        static func make(_ key: Row, _ ctx: MakeContext) async throws { try await ctx.insert1(key) }
    }

    struct BadImported: Imported {
        static let definition = """
            -> Animal
            file_id : int32
            """
        /// Declared only: never populated in these tests.
        static func make(_ key: Row, _ ctx: MakeContext) async throws { try await ctx.insert1(key) }
    }

    struct BadIndex: Manual {
        static let definition = """
            id : int32
            ---
            a : int32
            index(a, b)
            """
    }

    struct BadRename: Manual {
        static let definition = """
            -> Owner.proj(boss_id='no_such_attribute')
            """
    }

    struct BadSyntax: Manual {
        static let definition = """
            id : int32
            ---
            Value : int32
            """
    }

    /// Fails only in the database: the index expression names a column that does not exist.
    struct BrokenWidget: Manual {
        static var className: String { "Widget" }
        static let definition = """
            widget_id : int32
            ---
            size : int32
            index((no_such_column + 1))
            """
    }

    struct Widget: Manual {
        // A plain index: MariaDB has no indexes on expressions.
        static let definition = """
            widget_id : int32
            ---
            size : int32
            index(size)
            """
    }

    // MARK: describe round trip

    struct Person: Manual {
        static let definition = """
            # a person
            person_id : int32   # person number
            ---
            full_name : varchar(64)
            """
    }

    struct Lab: Lookup {
        static let definition = """
            lab : varchar(16)   # short lab name
            """
    }

    struct Rich: Manual {
        static let definition = """
            # a table with many features: defaults, references, indexes
            -> base.Person
            rich_id : int16          # local id
            ---
            -> [nullable] Lab
            -> base.Person.proj(mentor_id='person_id')
            -> [nullable, unique] base.Person.proj(buddy_id='person_id')
            score = 0.5 : float64    # a score
            label = "n/a" : varchar(20)
            active = true : bool
            kind = 'a' : enum('a', 'b c')
            created = CURRENT_TIMESTAMP : datetime
            note = null : varchar(200)  # free text
            amount = null : decimal(8,3)
            doc = null : json
            raw = null : longblob
            count_native : smallint
            index(score)
            unique index(label, kind)
            """
    }

    /// A table whose definition is supplied at run time (the text produced by `describe()`).
    struct Copy: Manual {
        static var definition: String { DescribedDefinition.text }
    }

    // MARK: comments and defaults

    struct Commented: Manual {
        static let definition = """
            # Table comment: with "quotes", it's fine
            item_id : int32   # the item's id
            ---
            weight : float64  # grams, "net"
            plain : int32
            """
    }

    struct Modes: Manual {
        static let definition = """
            mode_id : int32
            ---
            mode : enum('a:b', 'c # d', 'e')  # the mode: one of three
            ratio : varchar(8)   # as 1:2
            """
    }

    struct Defaults: Manual {
        static let definition = """
            id : int32
            ---
            greeting = "hello # world" : varchar(20)
            motto = 'single: quoted' : varchar(20)
            empty = '' : varchar(20)
            number = 42 : int32
            negative = -2.5 : float64
            price = 1.25 : decimal(5,2)
            yes = true : bool
            no = false : bool
            nothing = null : varchar(10)
            nothing_int = null : int32
            choice = 'b' : enum('a', 'b')
            day = '2024-01-15' : date
            stamp = CURRENT_TIMESTAMP : datetime
            """
    }
}

private enum DescribedDefinition {
    @TaskLocal static var text = ""
}

@Suite("Declarations")
struct DeclarationTests {
    // MARK: names and tiers

    @Test("each tier gets its table-name prefix and CamelCase becomes snake_case", arguments: TestBackend.all)
    func tierPrefixes(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let s = try await db.schema(
                "tiers", tables: Decl.Animal.self, Decl.StimulusType.self, Decl.RawRecording.self,
                Decl.ProcessedSignal.self, Decl.SessionTrial.self, Decl.ProcessedEMG.self, Decl.Session.self)
            #expect(
                try await s.tableNames()
                    == [
                        "#stimulus_type", "__processed_signal", "__processed_signal__channel", "_raw_recording", "animal",
                        "processed_e_m_g", "session", "session__trial", "session_trial",
                    ].sorted())
            #expect(try await s[Decl.Animal.self].tableName() == "animal")
            #expect(try await s[Decl.StimulusType.self].tableName() == "#stimulus_type")
            #expect(try await s[Decl.RawRecording.self].tableName() == "_raw_recording")
            #expect(try await s[Decl.ProcessedSignal.self].tableName() == "__processed_signal")
            #expect(try await s[Decl.SessionTrial.self].tableName() == "session_trial")
            #expect(try await s[Decl.ProcessedEMG.self].tableName() == "processed_e_m_g")
            #expect(try await s.table("Session.Trial").tableName() == "session__trial")
            #expect(try await s.table("ProcessedSignal.Channel").tableName() == "__processed_signal__channel")

            #expect(try await s[Decl.Animal.self].info().tier == .manual)
            #expect(try await s[Decl.StimulusType.self].info().tier == .lookup)
            #expect(try await s[Decl.RawRecording.self].info().tier == .imported)
            #expect(try await s[Decl.ProcessedSignal.self].info().tier == .computed)
            #expect(try await s.table("session__trial").info().tier == .part)
            #expect(try await s.table("__processed_signal__channel").info().tier == .part)
        }
    }

    @Test("a part table is reachable through its Swift type", arguments: TestBackend.all)
    func partThroughSwiftType(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let s = try await db.schema("parts", tables: Decl.Animal.self, Decl.Session.self)
            #expect(try await s[Decl.Session.Trial.self].tableName() == "session__trial")
        }
    }

    @Test("table names are also found by class name", arguments: TestBackend.all)
    func classNameLookup(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let s = try await db.schema("names", tables: Decl.Animal.self, Decl.StimulusType.self, Decl.RawRecording.self)
            #expect(try await s.table("StimulusType").tableName() == "#stimulus_type")
            #expect(try await s.table("RawRecording").tableName() == "_raw_recording")
            #expect(try await s.table("#stimulus_type").count() == 3)
        }
    }

    // MARK: lookup contents

    @Test("Lookup contents are inserted at declaration, and re-declaring does not duplicate them", arguments: TestBackend.all)
    func lookupContents(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let s = try await db.schema("lookup", tables: Decl.StimulusType.self)
            let table = s[Decl.StimulusType.self]
            #expect(try await table.count() == 3)
            #expect(
                try await (table & ["stimulus": "dots"]).fetch1("description", as: String.self) == "random dots")

            let again = try await db.schema("lookup", tables: Decl.StimulusType.self)
            #expect(try await again[Decl.StimulusType.self].count() == 3)
            #expect(try await s.tableNames() == ["#stimulus_type"])

            // Contents deleted by the user are restored by declaring again; other rows stay.
            try await table.insert1(["stimulus": "noise", "description": "white noise"])
            _ = try await (table & ["stimulus": "blank"]).delete(confirm: true)
            _ = try await db.schema("lookup", tables: Decl.StimulusType.self)
            #expect(try await table.count() == 4)
            #expect(try await table.toArray("stimulus", as: String.self, orderBy: ["stimulus"]) == ["blank", "dots", "grating", "noise"])
        }
    }

    // MARK: foreign keys

    @Test("a foreign key in the primary key adds the parent's key to the primary key", arguments: TestBackend.all)
    func foreignKeyInKey(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let s = try await db.schema("fk", tables: Decl.Owner.self, Decl.Pet.self)
            let heading = try await s[Decl.Pet.self].heading()
            #expect(heading.primaryKey == ["owner_id", "pet_id"])
            #expect(heading.secondaryAttributes == ["pet_name"])
            #expect(heading["owner_id"]?.type == .int32)
            #expect(heading["owner_id"]?.nullable == false)

            try await s[Decl.Owner.self].insert1(["owner_id": 1, "owner_name": "Ann"])
            try await s[Decl.Pet.self].insert1(["owner_id": 1, "pet_id": 1, "pet_name": "Rex"])
            let error = await #expect(throws: DataJointError.self) {
                try await s[Decl.Pet.self].insert1(["owner_id": 2, "pet_id": 1, "pet_name": "Tom"])
            }
            #expect(error?.kind == .integrity)
            #expect(try await s[Decl.Pet.self].count() == 1)
        }
    }

    @Test("a foreign key in the secondary section adds the parent's key as secondary attributes", arguments: TestBackend.all)
    func foreignKeySecondary(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let s = try await db.schema("fk", tables: Decl.Owner.self, Decl.Desk.self)
            let heading = try await s[Decl.Desk.self].heading()
            #expect(heading.primaryKey == ["desk_id"])
            #expect(heading.secondaryAttributes == ["owner_id", "location"])
            #expect(heading["owner_id"]?.nullable == false)

            try await s[Decl.Owner.self].insert1(["owner_id": 7, "owner_name": "Bo"])
            try await s[Decl.Desk.self].insert1(["desk_id": 1, "owner_id": 7, "location": "A1"])
            try await s[Decl.Desk.self].insert1(["desk_id": 2, "owner_id": 7, "location": "A2"])
            let error = await #expect(throws: DataJointError.self) {
                try await s[Decl.Desk.self].insert1(["desk_id": 3, "owner_id": 8, "location": "A3"])
            }
            #expect(error?.kind == .integrity)
            let missing = await #expect(throws: DataJointError.self) {
                try await s[Decl.Desk.self].insert1(["desk_id": 4, "location": "A4"])
            }
            #expect(missing?.kind == .invalidValue)
        }
    }

    @Test("foreign keys renamed with .proj", arguments: TestBackend.all)
    func renamedForeignKeys(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let s = try await db.schema("fk", tables: Decl.Owner.self, Decl.Mentorship.self)
            let heading = try await s[Decl.Mentorship.self].heading()
            #expect(heading.primaryKey == ["mentor_id", "mentee_id"])
            #expect(!heading.contains("owner_id"))
            #expect(heading["mentor_id"]?.type == .int32)
            #expect(heading["mentee_id"]?.type == .int32)

            try await s[Decl.Owner.self].insert([["owner_id": 1, "owner_name": "A"], ["owner_id": 2, "owner_name": "B"]])
            try await s[Decl.Mentorship.self].insert1(["mentor_id": 1, "mentee_id": 2, "started": "2024-01-01"])
            let error = await #expect(throws: DataJointError.self) {
                try await s[Decl.Mentorship.self].insert1(["mentor_id": 1, "mentee_id": 3, "started": "2024-01-01"])
            }
            #expect(error?.kind == .integrity)
            let info = try await s[Decl.Mentorship.self].info()
            #expect(info.foreignKeys.count == 2)
            #expect(Set(info.foreignKeys.map(\.columns)) == [["mentor_id"], ["mentee_id"]])
            #expect(info.foreignKeys.allSatisfy { $0.referencedColumns == ["owner_id"] })
        }
    }

    @Test("a nullable foreign key accepts a missing parent", arguments: TestBackend.all)
    func nullableForeignKey(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let s = try await db.schema("fk", tables: Decl.Owner.self, Decl.Badge.self)
            let heading = try await s[Decl.Badge.self].heading()
            #expect(heading["owner_id"]?.nullable == true)
            #expect(heading["owner_id"]?.inPrimaryKey == false)

            try await s[Decl.Owner.self].insert1(["owner_id": 1, "owner_name": "A"])
            try await s[Decl.Badge.self].insert1(["badge_id": 1, "label": "none"])
            try await s[Decl.Badge.self].insert1(["badge_id": 2, "owner_id": Value.null, "label": "explicit"])
            try await s[Decl.Badge.self].insert1(["badge_id": 3, "owner_id": 1, "label": "owned"])
            let owners = try await s[Decl.Badge.self].toArray("owner_id", as: Value.self, orderBy: ["badge_id"])
            #expect(owners == [.null, .null, .int(1)])
            let error = await #expect(throws: DataJointError.self) {
                try await s[Decl.Badge.self].insert1(["badge_id": 4, "owner_id": 99, "label": "dangling"])
            }
            #expect(error?.kind == .integrity)
        }
    }

    @Test("a unique foreign key allows one row per parent", arguments: TestBackend.all)
    func uniqueForeignKey(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let s = try await db.schema("fk", tables: Decl.Owner.self, Decl.Locker.self)
            try await s[Decl.Owner.self].insert([["owner_id": 1, "owner_name": "A"], ["owner_id": 2, "owner_name": "B"]])
            let lockers = s[Decl.Locker.self]
            try await lockers.insert1(["locker_id": 1, "owner_id": 1])
            let error = await #expect(throws: DataJointError.self) {
                try await lockers.insert1(["locker_id": 2, "owner_id": 1])
            }
            #expect(error?.kind == .duplicate)
            try await lockers.insert1(["locker_id": 2, "owner_id": 2])
            #expect(try await lockers.count() == 2)
            let info = try await lockers.info()
            #expect(info.indexes.contains { $0.unique && $0.columns == ["owner_id"] })
        }
    }

    @Test("a nullable unique foreign key allows many NULLs but one row per parent", arguments: TestBackend.all)
    func nullableUniqueForeignKey(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let s = try await db.schema("fk", tables: Decl.Owner.self, Decl.Parking.self)
            try await s[Decl.Owner.self].insert1(["owner_id": 1, "owner_name": "A"])
            let parking = s[Decl.Parking.self]
            try await parking.insert1(["spot_id": 1])
            try await parking.insert1(["spot_id": 2])
            try await parking.insert1(["spot_id": 3, "owner_id": 1])
            let error = await #expect(throws: DataJointError.self) {
                try await parking.insert1(["spot_id": 4, "owner_id": 1])
            }
            #expect(error?.kind == .duplicate)
            #expect(try await parking.count() == 3)
            #expect(try await parking.heading()["owner_id"]?.nullable == true)
        }
    }

    @Test("a part table references its master with -> master", arguments: TestBackend.all)
    func partTable(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let s = try await db.schema("parts", tables: Decl.Animal.self, Decl.Session.self)
            let trial = s.table("Session.Trial")
            let heading = try await trial.heading()
            #expect(heading.primaryKey == ["animal_id", "session_id", "trial_id"])
            #expect(heading.secondaryAttributes == ["response"])
            let info = try await trial.info()
            #expect(info.foreignKeys.count == 1)
            #expect(info.foreignKeys.first?.referencedTable.table == "session")
            #expect(info.foreignKeys.first?.columns == ["animal_id", "session_id"])

            try await s[Decl.Animal.self].insert1(["animal_id": 1, "species": "mouse"])
            try await s[Decl.Session.self].insert1(["animal_id": 1, "session_id": 1, "session_date": "2024-05-01"])
            try await trial.insert1(["animal_id": 1, "session_id": 1, "trial_id": 1, "response": 0.5])
            let error = await #expect(throws: DataJointError.self) {
                try await trial.insert1(["animal_id": 1, "session_id": 2, "trial_id": 1, "response": 0.5])
            }
            #expect(error?.kind == .integrity)
            #expect(try await trial.count() == 1)
        }
    }

    @Test("a part of a computed table is named after the prefixed master", arguments: TestBackend.all)
    func computedPart(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let s = try await db.schema(
                "cparts", tables: Decl.Animal.self, Decl.RawRecording.self, Decl.ProcessedSignal.self)
            let channel = s.table("ProcessedSignal.Channel")
            #expect(try await channel.tableName() == "__processed_signal__channel")
            #expect(try await channel.heading().primaryKey == ["animal_id", "channel"])
            #expect(try await channel.info().foreignKeys.first?.referencedTable.table == "__processed_signal")
        }
    }

    // MARK: other schemas

    @Test("a foreign key to a table of another schema on the same connection", arguments: TestBackend.all)
    func crossSchemaReference(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let other = try await db.schema("other", tables: Decl.Subject.self)
            let main = try await db.schema("main", tables: Decl.Visit.self)
            #expect(try await main.tableNames() == ["visit"])
            #expect(try await other.tableNames() == ["subject"])
            let visits = main[Decl.Visit.self]
            let heading = try await visits.heading()
            #expect(heading.primaryKey == ["subject_id", "visit_id"])
            #expect(heading["subject_id"]?.type == .int32)
            let info = try await visits.info()
            #expect(info.foreignKeys.first?.referencedTable.schema == "other")
            #expect(info.foreignKeys.first?.referencedTable.table == "subject")

            try await other[Decl.Subject.self].insert1(["subject_id": 5, "species": "rat"])
            try await visits.insert1(["subject_id": 5, "visit_id": 1, "note": "first"])
            try await visits.insert1(["subject_id": 5, "visit_id": 2, "note": "second"])
            #expect(try await visits.count() == 2)
            let error = await #expect(throws: DataJointError.self) {
                try await visits.insert1(["subject_id": 6, "visit_id": 1, "note": "nobody"])
            }
            #expect(error?.kind == .integrity)
            #expect(try await (visits & ["subject_id": 5]).count() == 2)
            #expect(try await other[Decl.Subject.self].count() == 1)
        }
    }

    // MARK: singleton

    @Test("a singleton table holds at most one row and hides its key", arguments: TestBackend.all)
    func singleton(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let s = try await db.schema("single", tables: Decl.Config.self)
            let config = s[Decl.Config.self]
            #expect(try await config.tableName() == "#config")
            let heading = try await config.heading()
            #expect(heading.primaryKey.isEmpty)
            #expect(heading.names == ["setting", "level"])
            #expect(!heading.contains("_singleton"))

            try await config.insert1(["setting": "fast"])
            let error = await #expect(throws: DataJointError.self) {
                try await config.insert1(["setting": "slow", "level": 2])
            }
            #expect(error?.kind == .duplicate)
            #expect(try await config.count() == 1)
            let row = try await config.fetch1()
            #expect(row.names.sorted() == ["level", "setting"])
            #expect(row["setting"] == "fast")
            #expect(row["level"] == 1)
            let rows = try await config.toDicts()
            #expect(rows.count == 1)
            #expect(rows.allSatisfy { !$0.contains("_singleton") })
        }
    }

    @Test("a singleton table cannot be referenced", arguments: TestBackend.all)
    func singletonReference(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let s = try await db.schema("single", tables: Decl.Config.self)
            let error = await #expect(throws: DataJointError.self) {
                try await db.schema("single", tables: Decl.UsesConfig.self)
            }
            #expect(error?.kind == .declaration)
            #expect(try await s.tableNames() == ["#config"])
        }
    }

    // MARK: refused declarations

    @Test("an unresolvable reference is a declaration error", arguments: TestBackend.all)
    func unresolvableReference(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let error = await #expect(throws: DataJointError.self) {
                try await db.schema("refs", tables: Decl.Orphan.self)
            }
            #expect(error?.kind == .declaration)
            #expect(error?.message.contains("Nowhere") == true)
            let foreign = await #expect(throws: DataJointError.self) {
                try await db.schema("refs", tables: Decl.ForeignOrphan.self)
            }
            #expect(foreign?.kind == .declaration)
            #expect(foreign?.message.contains("nowhere_schema.Parent") == true)
        }
    }

    @Test("renaming an attribute the parent does not have is refused", arguments: TestBackend.all)
    func badRename(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let error = await #expect(throws: DataJointError.self) {
                try await db.schema("refs", tables: Decl.Owner.self, Decl.BadRename.self)
            }
            #expect(error?.kind == .declaration)
        }
    }

    @Test("Computed and Imported tables may not declare their own primary-key attributes", arguments: TestBackend.all)
    func autoPopulatedNativeKey(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let s = try await db.schema("auto", tables: Decl.Animal.self)
            let computed = await #expect(throws: DataJointError.self) {
                try await db.schema("auto", tables: Decl.BadComputed.self)
            }
            #expect(computed?.kind == .declaration)
            #expect(computed?.message.contains("extra_id") == true)
            let imported = await #expect(throws: DataJointError.self) {
                try await db.schema("auto", tables: Decl.BadImported.self)
            }
            #expect(imported?.kind == .declaration)
            #expect(try await s.tableNames() == ["animal"])
        }
    }

    @Test("the allowNewPrimaryKeyFieldsInComputedTables setting permits them", arguments: TestBackend.all)
    func autoPopulatedNativeKeyAllowed(backend: TestBackend) async throws {
        try await backend.withDatabase(settings: Settings(safemode: false, allowNewPrimaryKeyFieldsInComputedTables: true)) { db in
            let s = try await db.schema("auto", tables: Decl.Animal.self, Decl.BadComputed.self)
            #expect(try await s[Decl.BadComputed.self].heading().primaryKey == ["animal_id", "extra_id"])
        }
    }

    @Test("an index on an undeclared attribute is refused", arguments: TestBackend.all)
    func indexOnUnknownAttribute(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let error = await #expect(throws: DataJointError.self) {
                try await db.schema("idx", tables: Decl.BadIndex.self)
            }
            #expect(error?.kind == .declaration)
            #expect(error?.message.contains("index(a, b)") == true)
        }
    }

    @Test("a failed declaration leaves no table behind", arguments: TestBackend.all)
    func failedDeclarationLeavesNothing(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let s = try await db.schema("clean", tables: Decl.Animal.self, Decl.Owner.self)
            let before = try await s.tableNames()
            #expect(before == ["animal", "owner"])

            let refused: [any UserTable.Type] = [
                Decl.Orphan.self, Decl.BadComputed.self, Decl.BadIndex.self, Decl.BadRename.self, Decl.BadSyntax.self,
            ]
            for type in refused {
                let error = await #expect(throws: DataJointError.self, "\(type)") {
                    try await db.schema("clean", tables: [type])
                }
                #expect(error?.kind == .declaration, "\(type)")
                #expect(try await s.tableNames() == before, "\(type)")
            }

            // A failure inside the database (after CREATE TABLE) is rolled back as well.
            await #expect(throws: (any Error).self) {
                try await db.schema("clean", tables: Decl.BrokenWidget.self)
            }
            #expect(try await s.tableNames() == before)
            #expect(try await !s.table("widget").isDeclared())

            // The same name can then be declared properly.
            let again = try await db.schema("clean", tables: Decl.Widget.self)
            #expect(try await again.tableNames() == ["animal", "owner", "widget"])
            #expect(try await again[Decl.Widget.self].heading().names == ["widget_id", "size"])
        }
    }

    @Test("an invalid class name is refused", arguments: TestBackend.all)
    func invalidClassName(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            struct lower_case: Manual {
                static let definition = "id : int32"
            }
            let db = try await TestDatabase.connect()
            let error = await #expect(throws: DataJointError.self) {
                try await db.schema("names", tables: lower_case.self)
            }
            #expect(error?.kind == .declaration)
        }
    }

    // MARK: describe

    @Test("describe() re-declares to the same heading", arguments: TestBackend.all)
    func describeRoundTrip(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            _ = try await db.schema("base", tables: Decl.Person.self)
            let src = try await db.schema("src", tables: Decl.Lab.self, Decl.Rich.self)
            let original = src[Decl.Rich.self]
            let text = try await original.describe()

            let dst = try await db.schema("dst", tables: Decl.Lab.self)
            try await DescribedDefinition.$text.withValue(text) {
                _ = try await db.schema("dst", tables: Decl.Copy.self)
            }
            let copy = dst[Decl.Copy.self]
            let originalHeading = try await original.heading()
            let copyHeading = try await copy.heading()
            #expect(copyHeading == originalHeading)
            #expect(copyHeading.primaryKey == ["person_id", "rich_id"])
            for (a, b) in zip(originalHeading.attributes, copyHeading.attributes) {
                #expect(a == b, "\(a.name)")
            }
            #expect(try await copy.describe() == text)

            let originalInfo = try await original.info()
            let copyInfo = try await copy.info()
            #expect(copyInfo.comment == originalInfo.comment)
            #expect(copyInfo.comment == "a table with many features: defaults, references, indexes")
            #expect(Set(copyInfo.indexes.map { "\($0.unique) \($0.columns)" }) == Set(originalInfo.indexes.map { "\($0.unique) \($0.columns)" }))
            #expect(
                Set(copyInfo.foreignKeys.map { "\($0.columns)->\($0.referencedTable.schema).\($0.referencedTable.table)\($0.referencedColumns)" })
                    == Set(originalInfo.foreignKeys.map { "\($0.columns)->\($0.referencedTable.schema == "src" ? "dst" : $0.referencedTable.schema).\($0.referencedTable.table)\($0.referencedColumns)" }))
        }
    }

    @Test("describe() writes every feature of the definition", arguments: TestBackend.all)
    func describeContents(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            _ = try await db.schema("base", tables: Decl.Person.self)
            let src = try await db.schema("src", tables: Decl.Lab.self, Decl.Rich.self)
            let text = try await src[Decl.Rich.self].describe()
            #expect(text.hasPrefix("# a table with many features: defaults, references, indexes\n"))
            for fragment in [
                "-> base.Person\n", "-> [nullable] Lab\n", "-> base.Person.proj(mentor_id='person_id')",
                "-> [nullable, unique] base.Person.proj(buddy_id='person_id')", "# local id", "# a score",
                "index(score)", "unique index(label, kind)", "CURRENT_TIMESTAMP", ": enum('a', 'b c')", ": decimal(8,3)",
                ": smallint", ": longblob", "---\n",
            ] {
                #expect(text.contains(fragment), "missing \(fragment) in\n\(text)")
            }
        }
    }

    // MARK: comments and defaults

    @Test("table and column comments round-trip", arguments: TestBackend.all)
    func commentsRoundTrip(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let s = try await db.schema("comments", tables: Decl.Commented.self)
            let table = s[Decl.Commented.self]
            let info = try await table.info()
            #expect(info.comment == #"Table comment: with "quotes", it's fine"#)
            #expect(info.heading["item_id"]?.comment == "the item's id")
            #expect(info.heading["weight"]?.comment == #"grams, "net""#)
            #expect(info.heading["plain"]?.comment == "")
            #expect(info.heading["weight"]?.type == .float64)
            let text = try await table.describe()
            #expect(text.contains(#"# Table comment: with "quotes", it's fine"#))
            #expect(text.contains("# the item's id"))

            // Reopened from the database alone (no Swift type), the comments are the same.
            let reopened = try await db.schema("comments", tables: [], create: false)
            #expect(try await reopened.table("commented").info().comment == info.comment)
            #expect(try await reopened.table("commented").heading() == info.heading)
        }
    }

    @Test("enum values and comments containing colons and hashes keep their type and comment", arguments: TestBackend.all)
    func colonsInTypesAndComments(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let s = try await db.schema("comments", tables: Decl.Modes.self)
            let heading = try await s[Decl.Modes.self].heading()
            #expect(heading["mode"]?.type == .enumeration(["a:b", "c # d", "e"]))
            #expect(heading["mode"]?.comment == "the mode: one of three")
            #expect(heading["ratio"]?.type == .varchar(8))
            #expect(heading["ratio"]?.comment == "as 1:2")
            try await s[Decl.Modes.self].insert1(["mode_id": 1, "mode": "a:b", "ratio": "1:2"])
            #expect(try await s[Decl.Modes.self].fetch1("mode", as: String.self) == "a:b")
            let error = await #expect(throws: DataJointError.self) {
                try await s[Decl.Modes.self].insert1(["mode_id": 2, "mode": "a", "ratio": "1:2"])
            }
            #expect(error?.kind == .invalidValue)
        }
    }

    @Test("foreign-key attributes carry the parent's comment", arguments: TestBackend.all)
    func foreignKeyComment(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let s = try await db.schema("comments", tables: Decl.Owner.self, Decl.Pet.self)
            #expect(try await s[Decl.Pet.self].heading()["owner_id"]?.comment == "the owner")
        }
    }

    @Test("defaults apply when attributes are omitted", arguments: TestBackend.all)
    func defaultsApply(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let s = try await db.schema("defaults", tables: Decl.Defaults.self)
            let table = s[Decl.Defaults.self]
            let before = Date()
            try await table.insert1(["id": 1])
            let row = try await table.fetch1()
            #expect(row["greeting"] == "hello # world")
            #expect(row["motto"] == "single: quoted")
            #expect(row["empty"] == "")
            #expect(row["number"] == 42)
            #expect(row["negative"] == .double(-2.5))
            #expect(row["price"] == .decimal(Decimal(string: "1.25")!))
            #expect(row["yes"] == true)
            #expect(row["no"] == false)
            #expect(row["nothing"] == .null)
            #expect(row["nothing_int"] == .null)
            #expect(row["choice"] == "b")
            #expect(row["day"] == .date(CalendarDate(year: 2024, month: 1, day: 15)!))
            let stamp = try row.get("stamp", as: Date.self)
            #expect(abs(stamp.timeIntervalSince(before)) < 120, "CURRENT_TIMESTAMP gave \(stamp), now is \(before)")
            if case .datetime = row["stamp"] {} else { Issue.record("stamp is \(String(describing: row["stamp"]))") }

            // Given values override the defaults.
            try await table.insert1(["id": 2, "number": 7, "yes": false, "nothing": "set", "stamp": "2020-02-02 02:02:02"])
            let second = try await (table & ["id": 2]).fetch1()
            #expect(second["number"] == 7)
            #expect(second["yes"] == false)
            #expect(second["nothing"] == "set")
            #expect(second["greeting"] == "hello # world")
            #expect(try second.get("stamp", as: DateTime.self) == DateTime(iso: "2020-02-02 02:02:02"))
        }
    }

    @Test("the heading reports the declared defaults", arguments: TestBackend.all)
    func headingDefaults(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let s = try await db.schema("defaults", tables: Decl.Defaults.self)
            let heading = try await s[Decl.Defaults.self].heading()
            #expect(heading["greeting"]?.defaultValue == .string("hello # world"))
            #expect(heading["number"]?.defaultValue == .literal("42"))
            #expect(heading["yes"]?.defaultValue == .bool(true))
            #expect(heading["no"]?.defaultValue == .bool(false))
            #expect(heading["nothing"]?.defaultValue == .null)
            #expect(heading["nothing"]?.nullable == true)
            #expect(heading["stamp"]?.defaultValue == .currentTimestamp)
            #expect(heading["choice"]?.defaultValue == .string("b"))
            #expect(heading["id"]?.defaultValue == nil)
        }
    }
}
