import DataJoint
import Foundation
import Testing

@Suite("Diagram algebra")
struct DiagramAlgebraTests {
    typealias P = GraphPipeline

    @Test("Diagram of a schema, of a table, and a table with its children and parents (+ 1 - 1)", arguments: TestBackend.all)
    func neighbourhood(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make(fill: false)
            #expect(P.shorts(try await Diagram(s.a).tables) == Set(P.namesA.keys))
            #expect(P.shorts(try await Diagram(s.b).tables) == Set(P.namesB.keys))
            let session = try await Diagram(s.table("session"))
            #expect(P.shorts(session.tables) == ["session"])
            #expect(session.collapsedTables.isEmpty)
            #expect(P.shorts((session + 1).tables) == ["session", "trial", "stats", "review"])
            #expect(P.shorts((session + 1 - 1).tables) == ["session", "trial", "stats", "review", "mouse", "rig"])
            #expect(P.shorts((session - 1).tables) == ["session", "mouse", "rig"])
            // Order matters: - 1 + 1 adds the parents' other children.
            #expect(
                P.shorts((session - 1 + 1).tables)
                    == ["session", "mouse", "rig", "trial", "stats", "review", "pairing", "surgery"])
            #expect((session + 0).tables == session.tables && (session - 0).tables == session.tables)
        }
    }

    @Test("+ n and - n stop at the edge of the graph", arguments: TestBackend.all)
    func expansionStops(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make(fill: false)
            let lab = try await Diagram(s.table("lab"))
            #expect(P.shorts((lab + 1).tables) == ["lab", "mouse", "rig"])
            #expect(P.shorts((lab + 2).tables) == ["lab", "mouse", "rig", "session", "pairing", "surgery"])
            let everything = Set(P.namesA.keys).union(P.namesB.keys).subtracting(["standalone"])
            #expect(P.shorts((lab + 3).tables) == everything.subtracting(["event", "note"]))
            #expect(P.shorts((lab + 4).tables) == everything)
            #expect((lab + 100).tables == (lab + 4).tables)
            #expect((lab + 4).tables == lab.expandingDown(Int.max).tables)

            let event = try await Diagram(s.table("event"))
            #expect(P.shorts((event - 1).tables) == ["event", "trial"])
            #expect(P.shorts((event - 2).tables) == ["event", "trial", "session"])
            #expect(P.shorts((event - 100).tables) == ["event", "trial", "session", "mouse", "rig", "lab"])
            #expect((event - 100).tables == (event - 4).tables)
            // A table without neighbours stays alone.
            let standalone = try await Diagram(s.table("standalone"))
            #expect(P.shorts((standalone + 3 - 3).tables) == ["standalone"])
            // From another schema, upstream crosses into schema A.
            let note = try await Diagram(s.table("note"))
            #expect(P.shorts((note - 2).tables) == ["note", "review", "session"])
        }
    }

    @Test("union, difference and intersection", arguments: TestBackend.all)
    func setOperations(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make(fill: false)
            let a = try await Diagram(s.a), b = try await Diagram(s.b)
            let mouse = try await Diagram(s.table("mouse"))
            let both = try a + b
            #expect(both.tables == a.tables.union(b.tables))
            #expect((both - b).tables == a.tables)
            #expect((both * b).tables == b.tables)
            #expect((a * b).tables.isEmpty)
            #expect(P.shorts((a - (mouse + 1)).tables) == ["lab", "rig", "trial", "event", "stats", "standalone"])
            #expect(P.shorts(((mouse + 1) * a).tables) == ["mouse", "session", "pairing"])
            #expect(P.shorts(((mouse + 1) * b).tables) == ["surgery"])
            let surgery = try await Diagram(s.table("surgery"))
            #expect(P.shorts(try (mouse + surgery).tables) == ["mouse", "surgery"])
            // Union is idempotent and commutative on tables.
            #expect(try (a + a).tables == a.tables)
            #expect(try (a + b).tables == (b + a).tables)
            // Diagrams of two connections do not combine.
            let other = try await TestDatabase.connect()
            let foreign = try await Diagram(other.schema(P.schemaB, tables: [], create: false))
            let error = #expect(throws: DataJointError.self) { try a + foreign }
            #expect(error?.kind == .invalidValue)
        }
    }

    @Test("collapsed diagrams: expanded wins in a union", arguments: TestBackend.all)
    func collapsing(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make(fill: false)
            let a = try await Diagram(s.a), b = try await Diagram(s.b)
            #expect(a.collapsedTables.isEmpty)
            #expect(a.collapsed().tables == a.tables)
            #expect(a.collapsed().collapsedTables == a.tables)

            let aWithB = try a + b.collapsed()
            #expect(aWithB.tables == a.tables.union(b.tables))
            #expect(aWithB.collapsedTables == b.tables)
            #expect(try (b.collapsed() + a).collapsedTables == b.tables, "the order of the operands does not matter")

            // One table of a collapsed schema shown as itself.
            let review = try await Diagram(s.table("review"))
            let bOne = try b.collapsed() + review
            #expect(bOne.tables == b.tables)
            #expect(P.shorts(bOne.collapsedTables) == ["surgery", "note"])
            // Collapsing everything.
            #expect(try (a + b).collapsed().collapsedTables == a.tables.union(b.tables))
            #expect(try (a.collapsed() + b.collapsed()).collapsedTables == a.tables.union(b.tables))

            // Tables brought in by + n or - n are shown as themselves; the collapsed ones stay collapsed.
            let grownDown = b.collapsed() - 1
            #expect(P.shorts(grownDown.tables) == Set(P.namesB.keys).union(["mouse", "session"]))
            #expect(grownDown.collapsedTables == b.tables)
            let grownUp = a.collapsed() + 1
            #expect(P.shorts(grownUp.collapsedTables) == Set(P.namesA.keys))
            #expect(P.shorts(grownUp.tables.subtracting(grownUp.collapsedTables)) == ["surgery", "review"])
            // Difference and intersection keep the collapsed marks of what is left.
            #expect(P.shorts((aWithB - review).collapsedTables) == ["surgery", "note"])
            #expect(P.shorts((aWithB * b).collapsedTables) == Set(P.namesB.keys))
        }
    }

    @Test("Diagram of several sources is their union; of none is an error", arguments: TestBackend.all)
    func sequence(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make(fill: false)
            let sources: [any DiagramSource] = [s.a, s.table("surgery"), s.table("note")]
            let combined = try await Diagram(sources)
            let union = try await Diagram(s.a) + Diagram(s.table("surgery")) + Diagram(s.table("note"))
            #expect(combined.tables == union.tables)
            #expect(combined.collapsedTables.isEmpty)
            #expect(P.shorts(combined.tables) == Set(P.namesA.keys).union(["surgery", "note"]))
            #expect(try await Diagram([s.b]).tables == Diagram(s.b).tables)
            let error = await #expect(throws: DataJointError.self) { try await Diagram([any DiagramSource]()) }
            #expect(error?.kind == .invalidValue)
        }
    }

    @Test("addingParts, labels and dependency order of the shown tables", arguments: TestBackend.all)
    func partsLabelsOrder(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make(fill: false)
            let session = try await Diagram(s.table("session"))
            #expect(P.shorts(session.addingParts().tables) == ["session", "trial", "event"])
            #expect(session.addingParts().collapsedTables.isEmpty)
            #expect(P.shorts(try await Diagram(s.table("mouse")).addingParts().tables) == ["mouse"])
            let both = try await Diagram(s.a) + Diagram(s.b)
            #expect(both.label(of: P.name("trial")) == "Session.Trial")
            #expect(both.label(of: P.name("stats")) == "SessionStats")
            #expect(both.label(of: P.name("review")) == "gr_ext.SessionReview")
            let graph = try await s.a.dependencyGraph()
            expectTopological(both.orderedTables, in: graph)
            #expect(Set(both.orderedTables) == both.tables)
            // Plain diagrams hand out tables without restrictions.
            #expect(try await both.table("Session.Trial").count() == 0)
            #expect(try await both.table("gr_ext.SessionReview").tableName() == "session_review")
            #expect(both.restrictedTables().count == 12)
        }
    }
}
