import DataJoint
import Foundation
import Testing

/// The two part-of-part chains of upstream issue datajoint-python#1429, as the cascade specification gives them.
enum Issue1429 {
    static let schema = "gr_issue"

    /// Example 1: `Recording` references the sibling part `Session` through a renamed key, not the master.
    struct Subject: Manual {
        static let definition = "subject_id : int32"
        static var parts: [any Part.Type] { [Session.self, Recording.self] }

        struct Session: Part {
            static let definition = """
                -> master
                session_id : int32
                """
        }

        struct Recording: Part {
            static let definition = """
                -> Subject.Session.proj(src_subject='subject_id', src_session='session_id')
                recording_id : int32
                """
        }
    }

    /// Example 2: `PartB` references `Master.PartA`, not the master.
    struct Master: Manual {
        static let definition = "master_id : int32"
        static var parts: [any Part.Type] { [PartA.self, PartB.self] }

        struct PartA: Part {
            static let definition = """
                -> master
                part_a_id : int32
                """
        }

        struct PartB: Part {
            static let definition = """
                -> Master.PartA
                part_b_id : int32
                """
        }
    }

    static let tables: [any UserTable.Type] = [Subject.self, Master.self]
    static let names = [
        "subject", "subject__session", "subject__recording", "master", "master__part_a", "master__part_b",
    ]
    static let fullCounts = [
        "subject": 3, "subject__session": 4, "subject__recording": 3, "master": 2, "master__part_a": 3,
        "master__part_b": 4,
    ]

    struct Fixture {
        let schema: Schema
        func table(_ name: String) -> Table { schema.table(name) }

        func counts() async throws -> [String: Int] {
            var out: [String: Int] = [:]
            for name in names { out[name] = try await table(name).count() }
            return out
        }

        /// Deletes after a preview (see `deleteChecked(_:partIntegrity:tables:)`); rows removed by table name.
        func deleteChecked(_ seed: Table, partIntegrity: PartIntegrity) async throws -> [String: Int] {
            let tables = Dictionary(uniqueKeysWithValues: names.map { ($0, table($0)) })
            return try await DataJointTests.deleteChecked(seed, partIntegrity: partIntegrity, tables: tables)
        }
    }

    /// Subjects 1–3 with sessions (1,1) (1,2) (2,1) (3,1) and recordings (1,1,5) (1,2,6) (2,1,7); masters 1 and 2 with
    /// part A rows (1,1) (1,2) (2,1) and part B rows (1,1,1) (1,1,2) (1,2,1) (2,1,1).
    static func make() async throws -> Fixture {
        let db = try await TestDatabase.connect()
        let schema = try await db.schema(Self.schema, tables: tables)
        let f = Fixture(schema: schema)
        try await f.table("subject").insert([["subject_id": 1], ["subject_id": 2], ["subject_id": 3]])
        try await f.table("subject__session").insert([
            ["subject_id": 1, "session_id": 1], ["subject_id": 1, "session_id": 2], ["subject_id": 2, "session_id": 1],
            ["subject_id": 3, "session_id": 1],
        ])
        try await f.table("subject__recording").insert([
            ["src_subject": 1, "src_session": 1, "recording_id": 5], ["src_subject": 1, "src_session": 2, "recording_id": 6],
            ["src_subject": 2, "src_session": 1, "recording_id": 7],
        ])
        try await f.table("master").insert([["master_id": 1], ["master_id": 2]])
        try await f.table("master__part_a").insert([
            ["master_id": 1, "part_a_id": 1], ["master_id": 1, "part_a_id": 2], ["master_id": 2, "part_a_id": 1],
        ])
        try await f.table("master__part_b").insert([
            ["master_id": 1, "part_a_id": 1, "part_b_id": 1], ["master_id": 1, "part_a_id": 1, "part_b_id": 2],
            ["master_id": 1, "part_a_id": 2, "part_b_id": 1], ["master_id": 2, "part_a_id": 1, "part_b_id": 1],
        ])
        return f
    }
}

@Suite("Cascade")
struct CascadeTests {
    typealias P = GraphPipeline

    @Test("the preview of a delete names exactly the rows it removes; OR where two paths meet", arguments: TestBackend.all)
    func orConvergence(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make()
            // Sessions of lab A's mice (1, 3) or on lab A's rig: (1,1) (1,2) (3,1), and (2,1) through the rig only.
            let removed = try await s.deleteChecked(s.table("lab") & ["lab": "A"])
            #expect(
                removed == [
                    "lab": 1, "mouse": 2, "rig": 1, "session": 4, "trial": 8, "event": 4, "pairing": 3, "stats": 4,
                    "surgery": 1, "review": 2, "note": 1,
                ])
            #expect(try await s.table("session").keys(orderBy: ["KEY"]) == [
                ["mouse_id": 2, "session": 2], ["mouse_id": 2, "session": 3], ["mouse_id": 4, "session": 1],
            ])
            #expect(try await s.table("pairing").count() == 2)
        }
    }

    @Test("several renamed foreign keys to one parent: a row goes when any of them references a deleted row", arguments: TestBackend.all)
    func renamedForeignKeys(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make()
            let removed = try await s.deleteChecked(s.table("mouse") & ["mouse_id": 2])
            #expect(
                removed == [
                    "mouse": 1, "session": 3, "trial": 6, "event": 3, "pairing": 4, "stats": 2, "surgery": 1,
                    "review": 2, "note": 2,
                ])
            #expect(try await s.table("pairing").keys() == [["source_mouse": 3, "target_mouse": 1]])
        }
    }

    @Test("a seed restricted by SQL text, by another table, or not at all", arguments: TestBackend.all)
    func seeds(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make()
            let bySQL = try await s.deleteChecked(s.table("mouse") & "mouse_id >= 3")
            #expect(
                bySQL == [
                    "mouse": 2, "session": 2, "trial": 4, "event": 2, "pairing": 3, "stats": 2, "surgery": 1,
                    "review": 1,
                ])
        }
        try await backend.run { () async throws in
            let s = try await P.make()
            // Restricted by a table the cascade itself deletes from.
            let byTable = try await s.deleteChecked(s.table("mouse") & s.table("surgery"))
            #expect(
                byTable == [
                    "mouse": 3, "session": 6, "trial": 12, "event": 6, "pairing": 5, "stats": 5, "surgery": 3,
                    "review": 4, "note": 3,
                ])
            #expect(try await s.table("mouse").toArray("mouse_id", as: Int.self) == [3])
        }
        try await backend.run { () async throws in
            let s = try await P.make()
            let bySecondary = try await s.deleteChecked(s.table("session") & s.table("review"))
            #expect(bySecondary == ["session": 4, "trial": 8, "event": 4, "stats": 4, "review": 4, "note": 3])
            let everything = try await s.deleteChecked(s.table("session"))
            #expect(everything == ["session": 3, "trial": 6, "event": 3, "stats": 2])
            #expect(try await s.counts() == P.fullCounts.merging([
                "session": 0, "trial": 0, "event": 0, "stats": 0, "review": 0, "note": 0,
            ]) { $1 })
        }
    }

    @Test("a seed row naming attributes the seed lacks restricts the seed only", arguments: TestBackend.all)
    func seedRowWithForeignAttributes(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make()
            // `trial` is not an attribute of Session: all of the session's trials go with it.
            let removed = try await s.deleteChecked(s.table("session") & ["mouse_id": 1, "session": 1, "trial": 2])
            #expect(removed == ["session": 1, "trial": 2, "event": 1, "stats": 1, "review": 1, "note": 1])
        }
    }

    @Test("cascade diagrams: the seed and every descendant, counted", arguments: TestBackend.all)
    func cascadeDiagram(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make()
            let diagram = try await Diagram.cascade(s.table("mouse") & ["mouse_id": 4])
            #expect(
                P.shorts(diagram.tables)
                    == ["mouse", "session", "trial", "event", "pairing", "stats", "surgery", "review", "note"])
            let counts = try await diagram.counts()
            #expect(counts.count == 9)
            #expect(counts[P.name("note")] == 0, "a descendant without matching rows is kept, with zero")
            #expect(counts[P.name("pairing")] == 1)
            #expect(try await diagram.table("gr_ext.SessionReview").count() == 1)
            #expect(try await diagram[P.Session.Trial.self].count() == 2)
            let error = #expect(throws: DataJointError.self) { try diagram.table("Lab") }
            #expect(error?.kind == .missingTable)
            #expect(diagram.restrictedTables().count == 9)
            #expect(try await s.counts() == P.fullCounts, "a preview changes nothing")
        }
    }

    // MARK: - master and parts

    @Test("partIntegrity .enforce refuses to delete part rows whose master rows stay, and deletes nothing", arguments: TestBackend.all)
    func enforce(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make()
            for seed in [
                s.table("trial") & ["mouse_id": 1, "session": 1, "trial": 2], s.table("event"),
                s.table("trial") & "trial = 1",
            ] {
                let error = await #expect(throws: DataJointError.self) { try await seed.delete() }
                #expect(error?.kind == .integrity)
                #expect(error?.message.contains("part") == true)
            }
            #expect(try await s.counts() == P.fullCounts)
            // The preview itself does not refuse: it shows the part rows alone.
            let preview = try await (s.table("trial") & ["mouse_id": 1, "session": 1]).deletePreview()
            #expect(preview[P.name("trial")] == 2 && preview[P.name("event")] == 1 && preview[P.name("session")] == nil)
        }
    }

    @Test("partIntegrity .ignore deletes the part rows and their dependents only", arguments: TestBackend.all)
    func ignore(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make()
            let one = try await s.deleteChecked(s.table("trial") & ["mouse_id": 1, "session": 1, "trial": 2], partIntegrity: .ignore)
            #expect(one == ["trial": 1])
            let withEvents = try await s.deleteChecked(s.table("trial") & ["trial": 1], partIntegrity: .ignore)
            #expect(withEvents == ["trial": 7, "event": 7])
            #expect(try await s.table("session").count() == 7)
        }
    }

    @Test("partIntegrity .cascade takes the master rows and all their parts with the part rows", arguments: TestBackend.all)
    func cascadeToMaster(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make()
            // From a part of a part: event → trial → session, then back down to every trial, event and dependent.
            let fromEvent = try await s.deleteChecked(s.table("event") & ["mouse_id": 2, "session": 2], partIntegrity: .cascade)
            #expect(fromEvent == ["session": 1, "trial": 2, "event": 1, "stats": 1, "review": 1, "note": 2])
            // Part rows of several masters.
            let fromTrials = try await s.deleteChecked(
                s.table("trial") & "trial = 2 AND mouse_id <= 2", partIntegrity: .cascade)
            #expect(fromTrials == ["session": 4, "trial": 8, "event": 4, "stats": 3, "review": 2, "note": 1])
            #expect(try await s.table("session").keys(orderBy: ["KEY"]) == [["mouse_id": 3, "session": 1], ["mouse_id": 4, "session": 1]])
            #expect(try await s.table("mouse").count() == 4)
        }
    }

    @Test("partIntegrity .cascade with parts that match nothing: the master is shown with zero rows", arguments: TestBackend.all)
    func emptyMatch(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make()
            let seed = s.table("trial") & ["trial": 99]
            let diagram = try await Diagram.cascade(seed, partIntegrity: .cascade)
            #expect(P.shorts(diagram.tables) == ["session", "trial", "event", "stats", "review", "note"])
            let counts = try await diagram.counts()
            #expect(counts[P.name("session")] == 0)
            #expect(counts.values.allSatisfy { $0 == 0 })
            #expect(try await seed.delete(partIntegrity: .cascade) == 0)
            #expect(try await s.counts() == P.fullCounts)
        }
    }

    @Test("issue 1429, example 1: a part of a part through a renamed key reaches the master", arguments: TestBackend.all)
    func partOfPartRenamed(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let f = try await Issue1429.make()
            let seed = f.table("subject__recording") & ["recording_id": 5]
            let error = await #expect(throws: DataJointError.self) { try await seed.delete() }
            #expect(error?.kind == .integrity)
            #expect(try await f.counts() == Issue1429.fullCounts)

            let diagram = try await Diagram.cascade(seed, partIntegrity: .cascade)
            let counts = try await diagram.counts()
            #expect(counts[SQLTableName(schema: Issue1429.schema, table: "subject")] == 1)
            let removed = try await f.deleteChecked(seed, partIntegrity: .cascade)
            #expect(removed == ["subject": 1, "subject__session": 2, "subject__recording": 2])
            #expect(try await f.table("subject").toArray("subject_id", as: Int.self, orderBy: ["KEY"]) == [2, 3])
            #expect(try await f.table("subject__recording").toArray("recording_id", as: Int.self) == [7])
            #expect(try await f.counts()["master__part_b"] == 4)
        }
        try await backend.run { () async throws in
            let f = try await Issue1429.make()
            let removed = try await f.deleteChecked(f.table("subject__recording") & ["recording_id": 5], partIntegrity: .ignore)
            #expect(removed == ["subject__recording": 1])
        }
    }

    @Test("issue 1429, example 2: a part referencing a sibling part reaches the master and its other parts", arguments: TestBackend.all)
    func partOfPartSibling(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let f = try await Issue1429.make()
            for seed in [f.table("master__part_b") & ["master_id": 1], f.table("master__part_b") & ["part_b_id": 2]] {
                let error = await #expect(throws: DataJointError.self) { try await seed.delete() }
                #expect(error?.kind == .integrity)
            }
            #expect(try await f.counts() == Issue1429.fullCounts)
            // Part B row (1,1,2) belongs to master 1: master 1 goes with all its part A and part B rows.
            let removed = try await f.deleteChecked(f.table("master__part_b") & ["part_b_id": 2], partIntegrity: .cascade)
            #expect(removed == ["master": 1, "master__part_a": 2, "master__part_b": 3])
            #expect(try await f.table("master__part_a").keys() == [["master_id": 2, "part_a_id": 1]])
            #expect(try await f.counts()["subject"] == 3)
        }
        try await backend.run { () async throws in
            let f = try await Issue1429.make()
            let counts = try await Diagram.cascade(f.table("master__part_b") & ["master_id": 1], partIntegrity: .cascade).counts()
            #expect(counts.mapKeys(\.table) == ["master": 1, "master__part_a": 2, "master__part_b": 3])
            // A part A seed with .cascade, and part B rows deleted alone with .ignore.
            let removed = try await f.deleteChecked(f.table("master__part_b") & ["master_id": 2], partIntegrity: .ignore)
            #expect(removed == ["master__part_b": 1])
            let fromA = try await f.deleteChecked(f.table("master__part_a") & ["part_a_id": 2], partIntegrity: .cascade)
            #expect(fromA == ["master": 1, "master__part_a": 2, "master__part_b": 3])
        }
    }

    // MARK: - dependencies unknown when the graph was read

    @Test("a delete reaches a dependent table another client declared after the graph was read", arguments: TestBackend.all)
    func lateDependent(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make()
            _ = try await (s.table("mouse") & ["mouse_id": 3]).deletePreview()
            let other = try await TestDatabase.connect()
            let b = try await other.schema(P.schemaB, tables: [DependencyGraphTests.LateChild.self])
            try await b[DependencyGraphTests.LateChild.self].insert([["mouse_id": 3, "visit": 1], ["mouse_id": 4, "visit": 1]])
            #expect(try await (s.table("mouse") & ["mouse_id": 3]).delete() == 1)
            #expect(try await b[DependencyGraphTests.LateChild.self].toArray("mouse_id", as: Int.self) == [4])
            #expect(try await s.table("mouse").count() == 3)
        }
    }
}

extension Dictionary {
    func mapKeys<K: Hashable>(_ transform: (Key) -> K) -> [K: Value] {
        Dictionary<K, Value>(uniqueKeysWithValues: map { (transform($0.key), $0.value) })
    }
}

@Suite("Drop along the dependency graph")
struct GraphDropTests {
    typealias T = DependencyGraphTests.TopoOrder

    @Test("dropping a table that a part depends on is refused until its master is dropped", arguments: TestBackend.all)
    func partDependsOnDropped(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let db = try await TestDatabase.connect()
            let schema = try await db.schema("gr_order", tables: T.Zone.self, T.Aaa.self, T.Bbb.self)
            try await schema[T.Zone.self].insert1(["zone": 1])
            try await schema[T.Aaa.self].insert1(["aaa": 1])
            try await schema[T.Aaa.Item.self].insert1(["aaa": 1, "zone": 1])
            let error = await #expect(throws: DataJointError.self) { try await schema[T.Zone.self].drop() }
            #expect(error?.kind == .notAllowed)
            #expect(error?.message.contains("aaa__item") == true)
            #expect(try await schema.tableNames() == ["aaa", "aaa__item", "bbb", "zone"])
            #expect(try await schema[T.Aaa.Item.self].count() == 1)

            try await schema[T.Aaa.self].drop()
            #expect(try await schema.tableNames() == ["bbb", "zone"])
            try await schema[T.Zone.self].drop()
            #expect(try await schema.tableNames() == ["bbb"])
        }
    }

    @Test("a restricted table cannot be dropped", arguments: TestBackend.all)
    func restrictedDrop(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await GraphPipeline.make()
            let error = await #expect(throws: DataJointError.self) { try await (s.table("standalone") & ["item": 1]).drop() }
            #expect(error?.kind == .notAllowed)
            #expect(try await s.table("standalone").count() == 2)
            // Dropping a table of the graph drops its descendants in both schemas, and the graph forgets them.
            try await s.table("session").drop()
            #expect(Set(try await s.table("mouse").children()) == [GraphPipeline.name("pairing"), GraphPipeline.name("surgery")])
            #expect(try await s.b.tableNames() == ["surgery"])
            #expect(try await s.a.tableNames(order: .topological) == ["#lab", "mouse", "pairing", "rig", "standalone"])
        }
    }
}
