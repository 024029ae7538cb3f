import DataJoint
import Foundation
import Testing

/// The pipeline of the trace specification's example (Subject → Session → Scan → ExtractTraces → Summary), with a
/// part of Session, a table reached through a renamed key and one that references the part.
enum TracePipeline {
    static let schema = "tr_lab"
    static let extSchema = "tr_ext"

    struct Subject: Manual {
        static let definition = "subject_id : int32"
    }

    struct Session: Manual {
        static let definition = """
            -> Subject
            session_id : int32
            ---
            session_date : date
            """
        static var parts: [any Part.Type] { [Annotation.self] }

        struct Annotation: Part {
            static let definition = """
                -> master
                annotation_id : int16
                ---
                text : varchar(40)
                """
        }
    }

    struct Scan: Imported {
        static let definition = """
            -> Session
            scan_id : int32
            """
        static func make(_ key: Row, _ ctx: MakeContext) async throws {}
    }

    struct ExtractTraces: Computed {
        static let definition = """
            -> Scan
            ---
            trace : float64
            """
        static func make(_ key: Row, _ ctx: MakeContext) async throws {}
    }

    struct Summary: Computed {
        static let definition = """
            -> ExtractTraces
            ---
            summary_stat : float64
            """
        static func make(_ key: Row, _ ctx: MakeContext) async throws {}
    }

    /// Reaches Scan through a renamed key.
    struct Alignment: Manual {
        static let definition = """
            -> Scan.proj(target_subject='subject_id', target_session='session_id', target_scan='scan_id')
            align_id : int16
            ---
            shift : float64
            """
    }

    /// Reaches the part Session.Annotation.
    struct AnnotatedScan: Computed {
        static let definition = """
            -> Scan
            -> Session.Annotation
            ---
            score : float64
            """
        static func make(_ key: Row, _ ctx: MakeContext) async throws {}
    }

    static let tables: [any UserTable.Type] = [
        Subject.self, Session.self, Scan.self, ExtractTraces.self, Summary.self, Alignment.self, AnnotatedScan.self,
    ]

    /// In a second schema: a table also named Session, and a table below it.
    enum Ext {
        struct Session: Manual {
            static let definition = """
                -> tr_lab.Scan
                ext_id : int16
                """
        }

        struct Review: Manual {
            static let definition = """
                -> Session
                review_id : int16
                """
        }
    }

    static func name(_ table: String) -> SQLTableName { SQLTableName(schema: schema, table: table) }

    struct Schemas {
        let a: Schema
        let b: Schema
        subscript(_ name: String) -> Table { a.table(name) }
    }

    /// Subjects 1 and 2; sessions (1,5) (1,6) (2,5); scans (1,5,1) (1,5,2) (1,6,1) (2,5,2), each with its traces
    /// and summary; annotations (1,5,1) (1,5,2) (2,5,1); alignments 1 → scan (1,5,2) and 2 → scan (2,5,2);
    /// annotated scans (1,5,2,1) (1,5,1,2) (2,5,2,1); in the second schema a session and a review of scan (1,6,1).
    static func make() async throws -> Schemas {
        // Scan adds `scan_id` to its primary key, as in the specification's example.
        let db = try await TestDatabase.connect(settings: Settings(safemode: false, allowNewPrimaryKeyFieldsInComputedTables: true))
        let a = try await db.schema(schema, tables: tables)
        let b = try await db.schema(extSchema, tables: Ext.Session.self, Ext.Review.self)
        let direct = InsertOptions(allowDirectInsert: true)
        try await a[Subject.self].insert([["subject_id": 1], ["subject_id": 2]])
        try await a[Session.self].insert([
            ["subject_id": 1, "session_id": 5, "session_date": "2024-01-05"],
            ["subject_id": 1, "session_id": 6, "session_date": "2024-01-06"],
            ["subject_id": 2, "session_id": 5, "session_date": "2024-02-05"],
        ])
        try await a[Session.Annotation.self].insert([
            ["subject_id": 1, "session_id": 5, "annotation_id": 1, "text": "calm"],
            ["subject_id": 1, "session_id": 5, "annotation_id": 2, "text": "noisy"],
            ["subject_id": 2, "session_id": 5, "annotation_id": 1, "text": "calm"],
        ])
        let scans: [(subject: Int, session: Int, scan: Int)] = [(1, 5, 1), (1, 5, 2), (1, 6, 1), (2, 5, 2)]
        var scanRows: [Row] = []
        var traceRows: [Row] = []
        var summaryRows: [Row] = []
        for scan in scans {
            let key: Row = ["subject_id": scan.subject, "session_id": scan.session, "scan_id": scan.scan]
            scanRows.append(key)
            let trace = Double(scan.subject * 100 + scan.session) + Double(scan.scan) / 10
            traceRows.append(key + ["trace": trace])
            summaryRows.append(key + ["summary_stat": Double(scan.scan) * 2])
        }
        try await a[Scan.self].insert(scanRows, options: direct)
        try await a[ExtractTraces.self].insert(traceRows, options: direct)
        try await a[Summary.self].insert(summaryRows, options: direct)
        try await a[Alignment.self].insert([
            ["target_subject": 1, "target_session": 5, "target_scan": 2, "align_id": 1, "shift": 0.5],
            ["target_subject": 2, "target_session": 5, "target_scan": 2, "align_id": 2, "shift": -0.5],
        ])
        try await a[AnnotatedScan.self].insert(
            [
                ["subject_id": 1, "session_id": 5, "scan_id": 2, "annotation_id": 1, "score": 1.0],
                ["subject_id": 1, "session_id": 5, "scan_id": 1, "annotation_id": 2, "score": 2.0],
                ["subject_id": 2, "session_id": 5, "scan_id": 2, "annotation_id": 1, "score": 3.0],
            ], options: direct)
        try await b[Ext.Session.self].insert([["subject_id": 1, "session_id": 6, "scan_id": 1, "ext_id": 1]])
        try await b[Ext.Review.self].insert([["subject_id": 1, "session_id": 6, "scan_id": 1, "ext_id": 1, "review_id": 1]])
        return Schemas(a: a, b: b)
    }
}

@Suite("Diagram trace")
struct TraceTests {
    typealias P = TracePipeline

    @Test("the specification's example: every ancestor of a summary row, restricted to what it came from", arguments: TestBackend.all)
    func specExample(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make()
            let key: Row = ["subject_id": 1, "session_id": 5, "scan_id": 2]
            let trace = try await Diagram.trace(s.a[P.Summary.self] & key)
            #expect(try await trace[P.Subject.self].fetch1("subject_id", as: Int.self) == 1)
            #expect(try await trace[P.Session.self].fetch1("session_date", as: CalendarDate.self) == CalendarDate(iso: "2024-01-05"))
            #expect(try await trace[P.Scan.self].fetch1("scan_id", as: Int.self) == 2)
            #expect(try await trace[P.ExtractTraces.self].fetch1("trace", as: Double.self) == 105.2)
            #expect(try await trace[P.Summary.self].fetch1("summary_stat", as: Double.self) == 4)
            #expect(
                try await trace.counts() == [
                    P.name("subject"): 1, P.name("session"): 1, P.name("session__annotation"): 2, P.name("_scan"): 1,
                    P.name("__extract_traces"): 1, P.name("__summary"): 1,
                ])
            // Ancestors first (a master's parts right after it), the seed last.
            #expect(
                try await tableNames(trace.restrictedTables())
                    == ["subject", "session", "session__annotation", "_scan", "__extract_traces", "__summary"])
            // The tables are queries: join two of them.
            #expect(try await (trace[P.Session.self] * trace[P.Scan.self]).count() == 1)
        }
    }

    @Test("a wider seed reaches every contributing row; an unrestricted seed all of them", arguments: TestBackend.all)
    func widerSeeds(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make()
            let subjectOne = try await Diagram.trace(s.a[P.Summary.self] & ["subject_id": 1])
            #expect(
                try await subjectOne.counts() == [
                    P.name("subject"): 1, P.name("session"): 2, P.name("session__annotation"): 2, P.name("_scan"): 3,
                    P.name("__extract_traces"): 3, P.name("__summary"): 3,
                ])
            #expect(try await subjectOne[P.Session.self].toArray("session_id", as: Int.self, orderBy: ["KEY"]) == [5, 6])
            let byValue = try await Diagram.trace(s.a[P.Summary.self] & "summary_stat > 3")
            #expect(try await byValue[P.Scan.self].keys(orderBy: ["KEY"]) == [
                ["subject_id": 1, "session_id": 5, "scan_id": 2], ["subject_id": 2, "session_id": 5, "scan_id": 2],
            ])
            #expect(try await byValue[P.Subject.self].count() == 2)
            let everything = try await Diagram.trace(s.a[P.Summary.self])
            #expect(try await everything.counts()[P.name("session")] == 3)
            let none = try await Diagram.trace(s.a[P.Summary.self] & ["subject_id": 99])
            #expect(try await none.counts().values.allSatisfy { $0 == 0 })
        }
    }

    @Test("a renamed key is reversed: the ancestor comes back with its own column names", arguments: TestBackend.all)
    func renamedKey(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make()
            let trace = try await Diagram.trace(s.a[P.Alignment.self] & ["align_id": 1])
            #expect(try await trace[P.Scan.self].fetch1() == ["subject_id": 1, "session_id": 5, "scan_id": 2])
            #expect(try await trace[P.Session.self].fetch1("session_date", as: CalendarDate.self) == CalendarDate(iso: "2024-01-05"))
            #expect(
                try await trace.counts() == [
                    P.name("subject"): 1, P.name("session"): 1, P.name("session__annotation"): 2, P.name("_scan"): 1,
                    P.name("alignment"): 1,
                ])
            let both = try await Diagram.trace(s.a[P.Alignment.self])
            #expect(try await both[P.Subject.self].toArray("subject_id", as: Int.self, orderBy: ["KEY"]) == [1, 2])
        }
    }

    @Test("several keys to one parent and several paths to an ancestor combine by OR", arguments: TestBackend.all)
    func orConvergence(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await GraphPipeline.make()
            let pairing = try await Diagram.trace(s.table("pairing") & ["source_mouse": 1, "target_mouse": 2])
            #expect(try await pairing.table("Mouse").toArray("mouse_id", as: Int.self, orderBy: ["KEY"]) == [1, 2])
            #expect(try await pairing.table("Lab").toArray("lab", as: String.self, orderBy: ["KEY"]) == ["A", "B"])
            // Session (2,1): mouse 2 is in lab B, its rig in lab A.
            let session = try await Diagram.trace(s.table("session") & ["mouse_id": 2, "session": 1])
            #expect(try await session.table("Lab").toArray("lab", as: String.self, orderBy: ["KEY"]) == ["A", "B"])
            #expect(try await session.table("Rig").keys() == [["lab": "A", "rig": 1]])
            // A part's trace reaches the master's ancestors.
            let event = try await Diagram.trace(s.table("event") & ["mouse_id": 4])
            #expect(GraphPipeline.shorts(event.tables) == ["event", "trial", "session", "mouse", "rig", "lab"])
            #expect(try await event.table("Lab").toArray("lab", as: String.self) == ["B"])
        }
    }

    @Test("a trace holds only rows that the seed's rows come from, also when the seed's condition names an ancestor's key", arguments: TestBackend.all)
    func exactAncestors(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await GraphPipeline.make()
            // Session (2,3) of mouse 2 has no stats: the stats of mouse 2 come from sessions (2,1) and (2,2) only.
            let stats = try await Diagram.trace(s.table("stats") & ["mouse_id": 2])
            #expect(try await stats.table("Session").keys(orderBy: ["KEY"]) == [["mouse_id": 2, "session": 1], ["mouse_id": 2, "session": 2]])
            #expect(try await stats.counts()[GraphPipeline.name("session")] == 2)
            // A mouse without sessions: no session rows, so nothing upstream of them.
            try await s.table("mouse").insert1(["mouse_id": 5, "lab": "A"])
            let none = try await Diagram.trace(s.table("session") & ["mouse_id": 5])
            #expect(try await none.counts().values.allSatisfy { $0 == 0 })
            let trial = try await Diagram.trace(s.table("event") & ["mouse_id": 2, "session": 3, "trial": 2])
            #expect(try await trial.table("Session.Trial").count() == 0)
        }
    }

    @Test("the parts of a traced master are in the trace with the master's rows; descendants are not", arguments: TestBackend.all)
    func partsOfAncestors(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make()
            let annotated = try await Diagram.trace(s.a[P.AnnotatedScan.self] & ["subject_id": 1, "session_id": 5, "scan_id": 2])
            #expect(try await annotated[P.Session.Annotation.self].fetch1("text", as: String.self) == "calm")
            #expect(try await annotated.table("Session.Annotation").count() == 1)
            #expect(try await annotated[P.Session.self].count() == 1)
            #expect(try await annotated[P.Scan.self].count() == 1)

            // Not on a path to Summary, but a part of its ancestor Session: a dependency on a master is one on its parts.
            let summary = try await Diagram.trace(s.a[P.Summary.self] & ["subject_id": 1, "session_id": 5])
            #expect(try await summary[P.Session.Annotation.self].toArray("text", as: String.self, orderBy: ["KEY"]) == ["calm", "noisy"])
            let descendant = #expect(throws: DataJointError.self) { try summary[P.Alignment.self] }
            #expect(descendant?.kind == .missingTable)
            let unknown = #expect(throws: DataJointError.self) { try summary.table("NoSuchTable") }
            #expect(unknown?.kind == .missingTable)
        }
    }

    @Test("tables found by class name, schema.Class or database name; an ambiguous name is an error", arguments: TestBackend.all)
    func lookupByName(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make()
            let trace = try await Diagram.trace(s.b[P.Ext.Review.self] & ["review_id": 1])
            #expect(trace.tables.count == 6)
            #expect(Set(trace.tables.map(\.table)) == ["review", "session", "session__annotation", "_scan", "subject"])
            #expect(try await trace.table("Session.Annotation").count() == 0)
            for name in ["Scan", "tr_lab.Scan", "_scan", "tr_lab._scan"] {
                #expect(try await trace.table(name).fetch1() == ["subject_id": 1, "session_id": 6, "scan_id": 1], "\(name)")
            }
            #expect(try await trace.table("tr_lab.Session").fetch1("session_date", as: CalendarDate.self) == CalendarDate(iso: "2024-01-06"))
            #expect(try await trace.table("tr_ext.Session").fetch1("ext_id", as: Int.self) == 1)
            #expect(try await trace.table("tr_ext.session").count() == 1)
            #expect(try await trace.table("Review").count() == 1)
            for name in ["Session", "session"] {
                let error = #expect(throws: DataJointError.self) { try trace.table(name) }
                #expect(error?.kind == .invalidValue)
                #expect(error?.message.contains("tr_ext.session") == true && error?.message.contains("tr_lab.session") == true)
            }
            let byType = #expect(throws: DataJointError.self) { try trace[P.Session.self] }
            #expect(byType?.kind == .invalidValue)
            #expect(trace.label(of: P.name("_scan")) == "tr_lab.Scan")
        }
    }
}
