import DataJoint
import Foundation
import Testing

/// Tables for the schema-evolution tests: `table.alter`, `dropQuick`, dropping a part alone, job-metadata columns.
private enum Evolve {
    enum V1 {
        struct Specimen: Manual {
            static let definition = """
                # a specimen
                specimen_id : int32
                ---
                species : varchar(30)
                weight : float64  # grams
                """
        }
    }
    enum V2 {
        struct Specimen: Manual {
            static let definition = """
                # a specimen, weighed
                specimen_id : int32
                ---
                mass : float64  # {weight} body mass in grams
                species : varchar(40)
                label = "none" : varchar(16)
                """
        }
    }

    struct Specimen: Manual {
        static let definition = AlterTests.specimen
    }
    struct SpecimenOne: Manual {
        static let definition = AlterTests.specimen
    }

    struct Donor: Manual {
        static let definition = """
            donor_id : int32
            ---
            name : varchar(30)
            age : int16
            """
    }

    struct Sample: Manual {
        static let definition = """
            -> Donor
            sample_id : int16
            ---
            volume : float64
            """
    }

    struct Assay: Manual {
        static let definition = """
            assay_id : int32
            ---
            note = "" : varchar(60)
            """
        static var parts: [any Part.Type] { [Reading.self] }
        struct Reading: Part {
            static let definition = """
                -> master
                reading : int16
                ---
                value : float64
                """
        }
    }

    struct Measure: Computed {
        static let definition = """
            -> Donor
            ---
            score : float64
            """
        static func make(_ key: Row, _ ctx: MakeContext) async throws {
            try await ctx.insert1(key + ["score": 1.5])
        }
    }

    struct Stored: Manual {
        static let definition = """
            item_id : int32
            ---
            payload : <blob@>
            tag : varchar(10)
            """
    }
}

@Suite("table.alter, dropQuick, part drops and job-metadata columns")
struct AlterTests {
    /// The rows of a table, ordered by `by`.
    private static func rows(_ table: Table, by key: String) async throws -> [Row] {
        try await table.toDicts(orderBy: [key])
    }

    static let specimen = """
        # a specimen
        specimen_id : int32
        ---
        species : varchar(30)
        weight : float64  # grams
        notes = "" : varchar(60)
        """

    // MARK: - alter

    @Test("adds, drops, reorders, renames and retypes secondary attributes, and the rows survive", arguments: TestBackend.all)
    func evolveManyRows(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let s = try await db.schema("alter_many", tables: Evolve.Specimen.self)
            let table = s.table("specimen")
            var rows: [Row] = []
            for n in 1...60 {
                let notes = n % 2 == 0 ? "even" : ""
                let row: Row = ["specimen_id": n, "species": "mouse \(n)", "weight": Double(n) * 1.5, "notes": notes]
                rows.append(row)
            }
            try await table.insert(rows)

            let result = try await table.alter(definition: """
                # a specimen, weighed
                specimen_id : int32
                ---
                mass : float64  # {weight} body mass in grams
                species : varchar(40)
                label = "none" : varchar(16)
                """)
            #expect(!result.isEmpty)
            #expect(result.commentChanged)
            #expect(try await table.heading().attributes.map(\.name) == ["specimen_id", "mass", "species", "label"])
            let described = try await table.describe()
            #expect(described.hasPrefix("# a specimen, weighed\n"))
            #expect(described.contains("species              : varchar(40)"))
            #expect(described.contains("mass                 : float64  # body mass in grams"))
            #expect(described.contains("label = \"none\"       : varchar(16)"))
            #expect(!described.contains("notes"))
            let after = try await Self.rows(table, by: "specimen_id")
            #expect(after.count == 60)
            for (i, row) in after.enumerated() {
                #expect(row["specimen_id"] == .int(Int64(i + 1)))
                #expect(row["mass"] == .double(Double(i + 1) * 1.5))
                #expect(row["species"] == .string("mouse \(i + 1)"))
                #expect(row["label"] == .string("none"))
                #expect(row["notes"] == nil)
            }
            // The widened column takes longer values now; new rows get the new default.
            try await table.insert1(["specimen_id": 61, "species": String(repeating: "x", count: 40), "mass": 2.0])
            #expect(try await (table & ["specimen_id": 61]).fetch1("label", as: String.self) == "none")

            // The same definition again (its rename marker included) changes nothing.
            let again = try await table.alter(definition: """
                # a specimen, weighed
                specimen_id : int32
                ---
                mass : float64  # {weight} body mass in grams
                species : varchar(40)
                label = "none" : varchar(16)
                """)
            #expect(again.isEmpty)
            #expect(again.statements.isEmpty)
        }
    }

    @Test("alter() takes the definition of the Swift type", arguments: TestBackend.all)
    func alterFromSwiftType(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let s = try await db.schema("alter_type", tables: Evolve.V1.Specimen.self)
            try await s[Evolve.V1.Specimen.self].insert([
                ["specimen_id": 1, "species": "mouse", "weight": 20.5], ["specimen_id": 2, "species": "rat", "weight": 310.0],
            ])
            let table = s[Evolve.V2.Specimen.self]
            let result = try await table.alter()
            #expect(result.summary.contains("RENAME weight -> mass (comment, position)"))
            #expect(try await table.heading().attributes.map(\.name) == ["specimen_id", "mass", "species", "label"])
            #expect(try await table.toArray("mass", orderBy: ["specimen_id"]) as [Double] == [20.5, 310.0])
            #expect(try await table.alter().isEmpty)
        }
    }

    @Test("comment changes show in describe() and keep the rows", arguments: TestBackend.all)
    func comments(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let s = try await db.schema("alter_comments", tables: Evolve.Specimen.self)
            let table = s.table("specimen")
            try await table.insert1(["specimen_id": 1, "species": "mouse", "weight": 20.5])
            let result = try await table.alter(definition: """
                # specimens of the lab
                specimen_id : int32
                ---
                species : varchar(30)  # common name
                weight : float64  # wet weight, grams
                notes = "" : varchar(60)
                """)
            #expect(result.commentChanged)
            #expect(result.changes.count == 2)
            let described = try await table.describe()
            #expect(described.hasPrefix("# specimens of the lab\n"))
            #expect(described.contains("# common name"))
            #expect(described.contains("# wet weight, grams"))
            #expect(try await table.heading()["weight"]?.comment == "wet weight, grams")
            #expect(try await table.toDicts() == [["specimen_id": 1, "species": "mouse", "weight": 20.5, "notes": ""]])
        }
    }

    @Test("an empty table and a one-row table change alike", arguments: TestBackend.all)
    func emptyAndOneRow(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let s = try await db.schema("alter_small", tables: Evolve.Specimen.self, Evolve.SpecimenOne.self)
            try await s.table("specimen_one").insert1(["specimen_id": 7, "species": "vole", "weight": 30.0, "notes": "n"])
            let changed = """
                specimen_id : int32
                ---
                count = 0 : int32
                species : varchar(30)
                weight = null : float64
                """
            for name in ["specimen", "specimen_one"] {
                let table = s.table(name)
                try await table.alter(definition: changed)
                #expect(try await table.heading().attributes.map(\.name) == ["specimen_id", "count", "species", "weight"])
                #expect(try await table.heading()["weight"]?.nullable == true)
            }
            #expect(try await s.table("specimen").count() == 0)
            #expect(try await s.table("specimen_one").toDicts() == [["specimen_id": 7, "count": 0, "species": "vole", "weight": 30.0]])
            // Nullable now: a row without a weight is accepted.
            try await s.table("specimen").insert1(["specimen_id": 1, "species": "mouse"])
            #expect(try await s.table("specimen").fetch1("weight", as: Value.self) == .null)
        }
    }

    @Test("the foreign keys of referencing tables keep working after a rebuild", arguments: TestBackend.all)
    func childForeignKeysSurvive(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let s = try await db.schema("alter_parent", tables: Evolve.Donor.self, Evolve.Sample.self)
            let donors = s[Evolve.Donor.self]
            let samples = s[Evolve.Sample.self]
            var donorRows: [Row] = []
            var sampleRows: [Row] = []
            for d in 1...5 {
                let donor: Row = ["donor_id": d, "name": "d\(d)", "age": 20 + d]
                donorRows.append(donor)
                for n in 1...3 {
                    let sample: Row = ["donor_id": d, "sample_id": n, "volume": Double(n)]
                    sampleRows.append(sample)
                }
            }
            try await donors.insert(donorRows)
            try await samples.insert(sampleRows)
            let sampleDefinition = try await samples.describe()
            // A reorder and a type change: SQLite and PostgreSQL rebuild the table.
            let result = try await donors.alter(definition: """
                donor_id : int32
                ---
                age : int32
                name : varchar(30)
                """)
            #expect(result.rebuiltTable || backend == .mysql)
            #expect(try await donors.heading().attributes.map(\.name) == ["donor_id", "age", "name"])
            #expect(try await donors.toArray("age", orderBy: ["donor_id"]) as [Int] == [21, 22, 23, 24, 25])
            #expect(try await samples.describe() == sampleDefinition)
            #expect(try await samples.count() == 15)
            // A child row referencing an existing parent is accepted, one referencing a missing parent refused.
            try await samples.insert1(["donor_id": 2, "sample_id": 9, "volume": 1.0])
            let orphan = await #expect(throws: DataJointError.self) {
                try await samples.insert1(["donor_id": 99, "sample_id": 1, "volume": 1.0])
            }
            #expect(orphan?.kind == .integrity)
            // Deleting a parent still cascades to its children.
            try await (donors & ["donor_id": 1]).delete(confirm: true)
            #expect(try await samples.count() == 13)
            #expect(try await (samples & ["donor_id": 1]).count() == 0)
            // The referenced table cannot be dropped alone.
            await #expect(throws: DataJointError.self) { try await donors.dropQuick() }
        }
    }

    @Test("primary-key, foreign-key and index changes are refused and change nothing", arguments: TestBackend.all)
    func refusals(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let s = try await db.schema("alter_refuse", tables: Evolve.Donor.self, Evolve.Sample.self)
            let samples = s[Evolve.Sample.self]
            try await s[Evolve.Donor.self].insert1(["donor_id": 1, "name": "a", "age": 30])
            try await samples.insert1(["donor_id": 1, "sample_id": 1, "volume": 2.5])
            let before = try await samples.describe()
            let rowsBefore = try await samples.toDicts()
            let attempts: [(String, String)] = [
                ("primary key", "-> Donor\nsample_id : int32\n---\nvolume : float64\n"),
                ("primary key", "-> Donor\nsample_id : int16\nextra : int16\n---\nvolume : float64\n"),
                ("foreign keys", "-> Donor\nsample_id : int16\n---\nvolume : float64\n-> [nullable] Donor.proj(backup_donor='donor_id')\n"),
                ("primary key", "sample_id : int16\n-> Donor\n---\nvolume : float64\n"),
                ("indexes", "-> Donor\nsample_id : int16\n---\nvolume : float64\nindex(volume)\n"),
            ]
            for (what, definition) in attempts {
                let error = await #expect(throws: DataJointError.self) { try await samples.alter(definition: definition) }
                #expect(error?.kind == .notAllowed)
                #expect(error?.message.contains(what) == true, "\(error?.message ?? "")")
                #expect(try await samples.describe() == before)
                #expect(try await samples.toDicts() == rowsBefore)
            }
            // Inside a transaction.
            let inside = await #expect(throws: DataJointError.self) {
                try await db.transaction {
                    try await samples.alter(definition: "-> Donor\nsample_id : int16\n---\nvolume : float64\nnote = \"\" : varchar(9)\n")
                }
            }
            #expect(inside?.message.contains("transaction") == true)
            #expect(try await samples.describe() == before)
        }
    }

    @Test("a type change the stored values do not fit fails and changes nothing", arguments: TestBackend.all)
    func incompatibleTypeChange(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let s = try await db.schema("alter_types", tables: Evolve.Specimen.self)
            let table = s.table("specimen")
            try await table.insert([
                ["specimen_id": 1, "species": "12", "weight": 1.0, "notes": "short"],
                ["specimen_id": 2, "species": "abc", "weight": 2.0, "notes": "a rather long note"],
            ])
            let before = try await table.describe()
            let rowsBefore = try await Self.rows(table, by: "specimen_id")
            for definition in [
                "specimen_id : int32\n---\nspecies : int32\nweight : float64  # grams\nnotes = \"\" : varchar(60)\n",
                "specimen_id : int32\n---\nspecies : varchar(30)\nweight : float64  # grams\nnotes = \"\" : varchar(8)\n",
            ] {
                await #expect(throws: DataJointError.self) { try await table.alter(definition: "# a specimen\n" + definition) }
                #expect(try await table.describe() == before)
                #expect(try await Self.rows(table, by: "specimen_id") == rowsBefore)
            }
            // Once the values fit, the same change goes through and converts them.
            try await (table & ["specimen_id": 2]).delete(confirm: true)
            try await table.alter(definition: "# a specimen\nspecimen_id : int32\n---\nspecies : int32\nweight : float64  # grams\nnotes = \"\" : varchar(60)\n")
            #expect(try await table.fetch1("species", as: Int.self) == 12)
        }
    }

    @Test("in-store codec columns are copied untouched", arguments: TestBackend.all)
    func storedCodecColumns(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let stores = try StoreFixture()
            defer { stores.remove() }
            let db = try await TestDatabase.connect(settings: stores.settings)
            let s = try await db.schema("alter_stored", tables: Evolve.Stored.self)
            let table = s[Evolve.Stored.self]
            let arrays = (1...3).map { n in NDArray((0..<100).map { Double($0 * n) }, shape: [10, 10]) }
            var itemRows: [Row] = []
            for n in 1...3 {
                let row: Row = ["item_id": n, "payload": arrays[n - 1].dataJointValue, "tag": "t\(n)"]
                itemRows.append(row)
            }
            try await table.insert(itemRows)
            let filesBefore = stores.files("main")
            try await table.alter(definition: """
                item_id : int32
                ---
                tag : varchar(20)
                payload : <blob@>
                added = null : float64
                """)
            #expect(try await table.heading().attributes.map(\.name) == ["item_id", "tag", "payload", "added"])
            #expect(stores.files("main") == filesBefore)
            for n in 1...3 {
                let value = try await (table & ["item_id": n]).fetch1("payload", as: Value.self)
                #expect(value == arrays[n - 1].dataJointValue)
            }
        }
    }

    // MARK: - dropQuick and part drops

    @Test("dropQuick drops one table, and refuses while others reference it", arguments: TestBackend.all)
    func dropQuick(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let s = try await db.schema("alter_dropquick", tables: Evolve.Donor.self, Evolve.Sample.self)
            try await s[Evolve.Donor.self].insert1(["donor_id": 1, "name": "a", "age": 30])
            let refused = await #expect(throws: DataJointError.self) { try await s[Evolve.Donor.self].dropQuick() }
            #expect(refused?.kind == .integrity)
            #expect(try await s.tableNames() == ["donor", "sample"])
            try await s[Evolve.Sample.self].dropQuick()
            try await s[Evolve.Donor.self].dropQuick()
            #expect(try await s.tableNames() == [])
            // Nothing to drop is not an error.
            try await s.table("donor").dropQuick()
        }
    }

    @Test("a part table is dropped alone only with partIntegrity .ignore", arguments: TestBackend.all)
    func dropPartAlone(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let s = try await db.schema("alter_part", tables: Evolve.Assay.self)
            try await s[Evolve.Assay.self].insert1(["assay_id": 1])
            try await s[Evolve.Assay.Reading.self].insert1(["assay_id": 1, "reading": 1, "value": 0.5])
            let part = s[Evolve.Assay.Reading.self]
            let refused = await #expect(throws: DataJointError.self) { try await part.drop(confirm: true) }
            #expect(refused?.message.contains("partIntegrity: .ignore") == true)
            await #expect(throws: DataJointError.self) { try await part.drop(confirm: true, partIntegrity: .cascade) }
            #expect(try await s.tableNames() == ["assay", "assay__reading"])
            try await part.drop(confirm: true, partIntegrity: .ignore)
            #expect(try await s.tableNames() == ["assay"])
            #expect(try await s[Evolve.Assay.self].count() == 1)
        }
    }

    // MARK: - job metadata

    @Test("addJobMetadataColumns adds the hidden columns to computed tables declared without them", arguments: TestBackend.all)
    func jobMetadataColumns(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let s = try await db.schema("alter_jobmeta", tables: Evolve.Donor.self, Evolve.Measure.self)
            try await s[Evolve.Donor.self].insert([["donor_id": 1, "name": "a", "age": 30], ["donor_id": 2, "name": "b", "age": 40]])
            let measure = s[Evolve.Measure.self]
            try await measure.populate()
            func hidden() async throws -> [String] {
                try await measure.heading().allAttributes.map(\.name).filter { $0.hasPrefix("_job") }
            }
            #expect(try await hidden() == [])

            let preview = try await s.addJobMetadataColumns()
            #expect(preview.tablesAnalyzed == 1)
            #expect(preview.tablesModified == 1)
            #expect(preview.columnsAdded == 3)
            #expect(preview.details.first?.status == .pending)
            #expect(try await hidden() == [])

            let done = try await measure.addJobMetadataColumns(dryRun: false)
            #expect(done.details.first?.status == .migrated)
            #expect(try await hidden() == ["_job_start_time", "_job_duration", "_job_version"])
            #expect(try await measure.toDicts(orderBy: ["donor_id"]) == [["donor_id": 1, "score": 1.5], ["donor_id": 2, "score": 1.5]])
            #expect(try await measure.heading().attributes.map(\.name) == ["donor_id", "score"])

            let again = try await s.addJobMetadataColumns(dryRun: false)
            #expect(again.tablesModified == 0)
            #expect(again.details.first?.status == .alreadyMigrated)
            // Manual tables are not touched.
            #expect(try await s[Evolve.Donor.self].addJobMetadataColumns(dryRun: false).tablesAnalyzed == 0)
            // Populate fills the columns of new rows.
            try await s[Evolve.Donor.self].insert1(["donor_id": 3, "name": "c", "age": 50])
            try await measure.populate()
            #expect(try await measure.count() == 3)
            // After an alter, the hidden columns stay.
            try await measure.alter(definition: "-> Donor\n---\nscore : float64\nrank = null : int32\n")
            #expect(try await hidden() == ["_job_start_time", "_job_duration", "_job_version"])
            #expect(try await measure.heading().attributes.map(\.name) == ["donor_id", "score", "rank"])
        }
    }

    // MARK: - MySQL rendering (no server needed)

    @Test("MySQL alters with one ALTER TABLE: DROP, CHANGE, MODIFY and ADD with their places, and COMMENT=")
    func mysqlRendering() throws {
        let name = SQLTableName(schema: "lab", table: "specimen")
        let key = Attribute(name: "specimen_id", type: .int32, inPrimaryKey: true)
        let species = Attribute(name: "species", type: .varchar(30))
        let weight = Attribute(name: "weight", type: .float64, comment: "grams")
        let notes = Attribute(name: "notes", type: .varchar(60), defaultValue: .string(""))
        let mass = Attribute(name: "mass", type: .float64, comment: "body mass")
        let wider = Attribute(name: "species", type: .varchar(40))
        let label = Attribute(name: "label", type: .varchar(16), defaultValue: .string("none"))
        let current = TableDeclaration(
            name: name, comment: "a specimen", columns: [key, species, weight, notes], primaryKey: ["specimen_id"],
            foreignKeys: [], indexes: [])
        let target = TableDeclaration(
            name: name, comment: "a specimen, weighed", columns: [key, mass, wider, label], primaryKey: ["specimen_id"],
            foreignKeys: [], indexes: [])
        let alteration = TableAlteration(
            current: current, target: target,
            changes: [
                ColumnChange(kind: .drop, column: notes, storedComment: notes.storedComment, previous: notes, position: nil),
                ColumnChange(kind: .modify, column: mass, storedComment: mass.storedComment, previous: weight, position: .after("specimen_id")),
                ColumnChange(kind: .modify, column: wider, storedComment: wider.storedComment, previous: species, position: nil),
                ColumnChange(kind: .add, column: label, storedComment: label.storedComment, previous: nil, position: .after("species")),
            ],
            commentChanged: true, referencingForeignKeys: [])
        let plan = try MySQLDialect().alterTable(alteration)
        #expect(!plan.rebuildsTable)
        guard case .execute(let statement)? = plan.steps.first, plan.steps.count == 1 else {
            Issue.record("one statement expected")
            return
        }
        #expect(
            statement.sql == """
                ALTER TABLE `lab`.`specimen`
                \tDROP `notes`,
                \tCHANGE `weight` `mass` double NOT NULL COMMENT ":float64:body mass" AFTER `specimen_id`,
                \tMODIFY `species` varchar(40) NOT NULL COMMENT ":varchar(40):",
                \tADD `label` varchar(16) NOT NULL DEFAULT 'none' COMMENT ":varchar(16):" AFTER `species`,
                \tCOMMENT="a specimen, weighed"
                """)
        // SQLite rebuilds for the same change; PostgreSQL changes in place, then rebuilds for the new order.
        #expect(try SQLiteDialect().alterTable(alteration).rebuildsTable)
        #expect(try PostgresDialect().alterTable(alteration).rebuildsTable)
    }
}

