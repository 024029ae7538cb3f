import DataJoint
import Foundation
import Testing

/// Two schemas for the dependency-graph, diagram and cascade tests.
///
/// Schema `gr_lab`: `Lab` (Lookup) is referenced by `Mouse` through a secondary foreign key and by `Rig` through a
/// primary one; `Session` references `Mouse` (primary) and `Rig` (secondary, nullable), so a session is reached from
/// a lab along two paths; its parts are `Trial` and `Event`, a part of a part (`-> Session.Trial`); `Pairing`
/// references `Mouse` twice through renamed keys; `SessionStats` is computed from `Session`.
/// Schema `gr_ext` references tables of `gr_lab`.
enum GraphPipeline {
    static let schemaA = "gr_lab"
    static let schemaB = "gr_ext"

    struct Lab: Lookup {
        static let definition = """
            lab : varchar(8)
            ---
            lab_name : varchar(40)
            """
        static let contents: [Row] = [["lab": "A", "lab_name": "Alpha"], ["lab": "B", "lab_name": "Beta"]]
    }

    struct Mouse: Manual {
        static let definition = """
            mouse_id : int32
            ---
            -> Lab
            sex = 'U' : enum('F', 'M', 'U')
            """
    }

    struct Rig: Manual {
        static let definition = """
            -> Lab
            rig : int16
            ---
            room = '' : varchar(8)
            """
    }

    struct Session: Manual {
        static let definition = """
            -> Mouse
            session : int16
            ---
            -> [nullable] Rig
            note = '' : varchar(40)
            """
        static var parts: [any Part.Type] { [Trial.self, Event.self] }

        struct Trial: Part {
            static let definition = """
                -> master
                trial : int16
                ---
                response : float64
                """
        }

        /// A part of a part: references its sibling, not the master.
        struct Event: Part {
            static let definition = """
                -> Session.Trial
                event : int16
                ---
                kind : varchar(8)
                """
        }
    }

    struct Pairing: Manual {
        static let definition = """
            -> Mouse.proj(source_mouse='mouse_id')
            -> Mouse.proj(target_mouse='mouse_id')
            ---
            strength = 1 : float64
            """
    }

    struct SessionStats: Computed {
        static let definition = """
            -> Session
            ---
            n_trials : int32
            """
        static func make(_ key: Row, _ ctx: MakeContext) async throws {
            let n = try await (ctx[Session.Trial.self] & key).count()
            try await ctx.insert1(key + ["n_trials": Value.int(Int64(n))])
        }
    }

    struct Standalone: Manual {
        static let definition = """
            item : int32
            """
    }

    static let tablesA: [any UserTable.Type] = [
        Lab.self, Mouse.self, Rig.self, Session.self, Pairing.self, SessionStats.self, Standalone.self,
    ]

    struct Surgery: Manual {
        static let definition = """
            -> gr_lab.Mouse
            surgery : int16
            """
    }

    struct SessionReview: Manual {
        static let definition = """
            -> gr_lab.Session
            ---
            verdict : varchar(8)
            """
    }

    struct ReviewNote: Manual {
        static let definition = """
            -> SessionReview
            note_id : int16
            """
    }

    static let tablesB: [any UserTable.Type] = [Surgery.self, SessionReview.self, ReviewNote.self]

    /// Database names of schema A's tables by short name.
    static let namesA: [String: String] = [
        "lab": "#lab", "mouse": "mouse", "rig": "rig", "session": "session", "trial": "session__trial",
        "event": "session__event", "pairing": "pairing", "stats": "__session_stats", "standalone": "standalone",
    ]
    static let namesB: [String: String] = ["surgery": "surgery", "review": "session_review", "note": "review_note"]

    /// The full name of a table by short name (`mouse`, `trial`, `surgery`, ...).
    static func name(_ short: String) -> SQLTableName {
        if let table = namesA[short] { return SQLTableName(schema: schemaA, table: table) }
        return SQLTableName(schema: schemaB, table: namesB[short]!)
    }

    /// Short names by full name.
    static func short(_ name: SQLTableName) -> String {
        (namesA.first { $0.value == name.table && name.schema == schemaA }
            ?? namesB.first { $0.value == name.table && name.schema == schemaB })?.key ?? name.description
    }

    /// Short names of some full names, as a set.
    static func shorts(_ names: some Sequence<SQLTableName>) -> Set<String> { Set(names.map(short)) }

    struct Schemas {
        let db: Connection
        let a: Schema
        let b: Schema

        func table(_ short: String) -> Table {
            if let name = namesA[short] { return a.table(name) }
            return b.table(namesB[short]!)
        }

        /// Row counts of every table by short name.
        func counts() async throws -> [String: Int] {
            var out: [String: Int] = [:]
            for short in namesA.keys.sorted() + namesB.keys.sorted() { out[short] = try await table(short).count() }
            return out
        }

        /// Deletes after a preview (see `deleteChecked(_:partIntegrity:tables:)`); rows removed by short name.
        @discardableResult
        func deleteChecked(_ seed: Table, partIntegrity: PartIntegrity = .enforce) async throws -> [String: Int] {
            var tables: [String: Table] = [:]
            for short in Array(namesA.keys) + Array(namesB.keys) { tables[short] = table(short) }
            return try await DataJointTests.deleteChecked(seed, partIntegrity: partIntegrity, tables: tables)
        }
    }

    static let fullCounts: [String: Int] = [
        "lab": 2, "mouse": 4, "rig": 2, "session": 7, "trial": 14, "event": 7, "pairing": 5, "stats": 6,
        "standalone": 2, "surgery": 3, "review": 4, "note": 3,
    ]

    /// Declares both schemas and fills them (see `fullCounts`):
    /// - mice 1 (lab A, F), 2 (B, M), 3 (A, F), 4 (B, F); rigs A1 and B1;
    /// - sessions (mouse, session, rig): (1,1,A1) (1,2,B1) (2,1,A1) (2,2,B1) (2,3,–) (3,1,–) (4,1,B1);
    /// - two trials per session, one event for trial 1 of each session;
    /// - pairings (source, target): (1,2) (2,3) (3,1) (2,2) (4,2);
    /// - stats for every session but (2,3);
    /// - surgeries of mice 1, 2, 4; reviews of sessions (1,1) (2,1) (2,2) (4,1); notes (1,1,1) (2,2,1) (2,2,2).
    static func make(_ given: Connection? = nil, fill: Bool = true) async throws -> Schemas {
        let db: Connection
        if let given { db = given } else { db = try await TestDatabase.connect() }
        let a = try await db.schema(schemaA, tables: tablesA)
        let b = try await db.schema(schemaB, tables: tablesB)
        let s = Schemas(db: db, a: a, b: b)
        guard fill else { return s }
        try await s.table("mouse").insert([
            ["mouse_id": 1, "lab": "A", "sex": "F"], ["mouse_id": 2, "lab": "B", "sex": "M"],
            ["mouse_id": 3, "lab": "A", "sex": "F"], ["mouse_id": 4, "lab": "B", "sex": "F"],
        ])
        try await s.table("rig").insert([["lab": "A", "rig": 1], ["lab": "B", "rig": 1]])
        let sessions: [(Int, Int, String?)] = [(1, 1, "A"), (1, 2, "B"), (2, 1, "A"), (2, 2, "B"), (2, 3, nil), (3, 1, nil), (4, 1, "B")]
        var sessionRows: [Row] = []
        var trials: [Row] = []
        var events: [Row] = []
        var stats: [Row] = []
        for (mouse, session, lab) in sessions {
            let key: Row = ["mouse_id": mouse, "session": session]
            let rig: Row = lab.map { ["lab": $0, "rig": 1] } ?? ["lab": nil as String?, "rig": nil as Int?]
            sessionRows.append(key + rig)
            for trial in 1...2 { trials.append(key + ["trial": trial, "response": Double(trial) / 4]) }
            events.append(key + ["trial": 1, "event": 1, "kind": "go"])
            if (mouse, session) != (2, 3) { stats.append(key + ["n_trials": 2]) }
        }
        try await s.table("session").insert(sessionRows)
        try await s.table("trial").insert(trials)
        try await s.table("event").insert(events)
        try await s.table("stats").insert(stats, options: InsertOptions(allowDirectInsert: true))
        try await s.table("pairing").insert(
            [(1, 2), (2, 3), (3, 1), (2, 2), (4, 2)].map { pair -> Row in ["source_mouse": pair.0, "target_mouse": pair.1] })
        try await s.table("standalone").insert([["item": 1], ["item": 2]])
        try await s.table("surgery").insert([["mouse_id": 1, "surgery": 1], ["mouse_id": 2, "surgery": 1], ["mouse_id": 4, "surgery": 1]])
        try await s.table("review").insert([
            ["mouse_id": 1, "session": 1, "verdict": "good"], ["mouse_id": 2, "session": 1, "verdict": "good"],
            ["mouse_id": 2, "session": 2, "verdict": "bad"], ["mouse_id": 4, "session": 1, "verdict": "good"],
        ])
        try await s.table("note").insert([
            ["mouse_id": 1, "session": 1, "note_id": 1], ["mouse_id": 2, "session": 2, "note_id": 1],
            ["mouse_id": 2, "session": 2, "note_id": 2],
        ])
        return s
    }
}

/// Deletes `seed` after previewing the delete both ways (`deletePreview`, `Diagram.cascade(...).counts()`), and checks
/// that the preview names exactly the rows the delete removes, table by table, that nothing else in `tables` changed,
/// and that `delete` returns the seed's count. Returns the rows removed, by the names of `tables` (tables with none
/// left out).
@discardableResult
func deleteChecked(_ seed: Table, partIntegrity: PartIntegrity, tables: [String: Table]) async throws -> [String: Int] {
    var names: [SQLTableName: String] = [:]
    for (name, table) in tables { names[try await table.fullName()] = name }
    func counts() async throws -> [String: Int] {
        var out: [String: Int] = [:]
        for (name, table) in tables { out[name] = try await table.count() }
        return out
    }
    let before = try await counts()
    let preview = try await seed.deletePreview(partIntegrity: partIntegrity)
    let diagram = try await Diagram.cascade(seed, partIntegrity: partIntegrity)
    #expect(try await diagram.counts() == preview)
    #expect(Set(preview.keys) == diagram.tables)
    let returned = try await seed.delete(partIntegrity: partIntegrity)
    #expect(returned == preview[try await seed.fullName()], "delete() returns the seed's count")
    let after = try await counts()
    var removed: [String: Int] = [:]
    for (name, count) in before where count != after[name] { removed[name] = count - after[name]! }
    let previewed = Dictionary(uniqueKeysWithValues: preview.filter { $0.value > 0 }.map { (names[$0.key] ?? $0.key.description, $0.value) })
    #expect(removed == previewed, "rows removed by delete() vs its preview")
    return removed
}
