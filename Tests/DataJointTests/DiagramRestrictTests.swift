import DataJoint
import Foundation
import Testing

@Suite("Diagram restrict, prune and counts")
struct DiagramRestrictTests {
    typealias P = GraphPipeline

    static func shortCounts(_ counts: [SQLTableName: Int]) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: counts.map { (P.short($0.key), $0.value) })
    }

    @Test("restrict: rows must satisfy every restricted ancestor (AND), chained from several tables", arguments: TestBackend.all)
    func andConvergence(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make()
            let females = try await Diagram(s.a).restrict(s.table("mouse") & ["sex": "F"])
            // Female mice 1, 3, 4; a pairing goes with either of its mice (several keys to one parent combine by OR).
            #expect(
                Self.shortCounts(try await females.counts()) == [
                    "mouse": 3, "session": 4, "trial": 8, "event": 4, "pairing": 4, "stats": 4,
                ])
            let both = try await females.restrict(s.table("rig") & ["lab": "A"])
            // Sessions of a female mouse on rig A1: only (1,1); sessions without a rig satisfy no rig condition.
            #expect(
                Self.shortCounts(try await both.counts()) == [
                    "mouse": 3, "rig": 1, "session": 1, "trial": 2, "event": 1, "pairing": 4, "stats": 1,
                ])
            #expect(try await both.table("Session").keys() == [["mouse_id": 1, "session": 1]])
            #expect(try await both[P.Session.Trial.self].toArray("trial", as: Int.self, orderBy: ["KEY"]) == [1, 2])
            // The shown tables stay as they are; the graph's other schema is restricted too but not shown.
            #expect(try await both.tables == Diagram(s.a).tables)
            #expect(try await (Diagram(s.a) + Diagram(s.b)).restrict(s.table("mouse") & ["sex": "F"]).counts()[P.name("surgery")] == 2)
            // The same table twice: both conditions.
            let twice = try await Diagram(s.a).restrict(s.table("mouse") & "mouse_id > 1").restrict(s.table("mouse") & ["sex": "F"])
            #expect(try await twice.table("Mouse").toArray("mouse_id", as: Int.self, orderBy: ["KEY"]) == [3, 4])
            #expect(try await twice.table("Session").count() == 2)
            // The original diagram is unchanged (diagrams are values).
            #expect(try await females.table("Session").count() == 4)
            #expect(try await s.counts() == P.fullCounts)
        }
    }

    @Test("restrict from a table of another schema and from a seed restricted by a query", arguments: TestBackend.all)
    func restrictSeeds(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make()
            let diagram = try await Diagram(s.a) + Diagram(s.b)
            let reviewed = try await diagram.restrict(s.table("review") & ["verdict": "good"])
            #expect(Self.shortCounts(try await reviewed.counts()) == ["review": 3, "note": 1])
            let operated = try await diagram.restrict(s.table("mouse") & s.table("surgery"))
            let counts = Self.shortCounts(try await operated.counts())
            #expect(counts["mouse"] == 3 && counts["session"] == 6 && counts["stats"] == 5 && counts["note"] == 3)
        }
    }

    @Test("restrict is refused on cascade and trace diagrams and for a table outside the graph", arguments: TestBackend.all)
    func restrictRefused(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make()
            let cascade = try await Diagram.cascade(s.table("mouse") & ["mouse_id": 1])
            let onCascade = await #expect(throws: DataJointError.self) { try await cascade.restrict(s.table("session")) }
            #expect(onCascade?.kind == .notAllowed)
            let trace = try await Diagram.trace(s.table("session") & ["mouse_id": 1])
            let onTrace = await #expect(throws: DataJointError.self) { try await trace.restrict(s.table("mouse")) }
            #expect(onTrace?.kind == .notAllowed)
            let elsewhere = try await s.db.schema("gr_elsewhere", tables: DependencyGraphTests.TopoOrder.Zone.self)
            let outside = await #expect(throws: DataJointError.self) {
                try await Diagram(s.a).restrict(elsewhere[DependencyGraphTests.TopoOrder.Zone.self])
            }
            #expect(outside?.kind == .missingTable)
            let missing = await #expect(throws: DataJointError.self) { try await Diagram(s.a).restrict(s.a.table("no_such_table")) }
            #expect(missing?.kind == .missingTable)
        }
    }

    @Test("prune removes empty tables, or tables without matching rows after restrict; refused on cascade and trace", arguments: TestBackend.all)
    func prune(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make(fill: false)
            // Only the Lookup has rows.
            #expect(P.shorts(try await Diagram(s.a).prune().tables) == ["lab"])
            #expect(try await (Diagram(s.a) + Diagram(s.b)).prune().tables == [P.name("lab")])
        }
        try await backend.run { () async throws in
            let s = try await P.make()
            try await s.table("standalone").deleteQuick()
            #expect(P.shorts(try await Diagram(s.a).prune().tables) == Set(P.namesA.keys).subtracting(["standalone"]))
            // Mouse 3 has one session, without a rig: no session satisfies both restrictions.
            let restricted = try await Diagram(s.a).restrict(s.table("mouse") & ["mouse_id": 3]).restrict(s.table("rig") & ["lab": "A"])
            #expect(
                Self.shortCounts(try await restricted.counts()) == [
                    "mouse": 1, "rig": 1, "session": 0, "trial": 0, "event": 0, "pairing": 2, "stats": 0,
                ])
            let pruned = try await restricted.prune()
            #expect(P.shorts(pruned.tables) == ["lab", "mouse", "rig", "pairing", "standalone"])
            #expect(Self.shortCounts(try await pruned.counts()) == ["mouse": 1, "rig": 1, "pairing": 2])
            // Later restrictions can still start anywhere in the graph.
            let again = try await pruned.restrict(s.table("session"))
            #expect(P.shorts(again.tables) == P.shorts(pruned.tables))

            let cascade = await #expect(throws: DataJointError.self) {
                try await Diagram.cascade(s.table("mouse") & ["mouse_id": 3]).prune()
            }
            #expect(cascade?.kind == .notAllowed)
            let trace = await #expect(throws: DataJointError.self) { try await Diagram.trace(s.table("session")).prune() }
            #expect(trace?.kind == .notAllowed)
        }
    }

    @Test("counts needs restrictions", arguments: TestBackend.all)
    func countsOnPlain(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make(fill: false)
            let error = await #expect(throws: DataJointError.self) { try await Diagram(s.a).counts() }
            #expect(error?.kind == .notAllowed)
            let grown = await #expect(throws: DataJointError.self) { try await (Diagram(s.table("mouse")) + 2).counts() }
            #expect(grown?.kind == .notAllowed)
        }
    }
}
