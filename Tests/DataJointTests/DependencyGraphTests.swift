import DataJoint
import Foundation
import Testing

/// Asserts that `order` lists every table after each of its parents in `graph` (among the listed tables), and each
/// part right after its master or after an earlier part of the same master.
func expectTopological(_ order: [SQLTableName], in graph: DependencyGraph, sourceLocation: SourceLocation = #_sourceLocation) {
    let position = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($0.element, $0.offset) })
    #expect(position.count == order.count, "no table listed twice", sourceLocation: sourceLocation)
    for edge in graph.edges {
        guard let parent = position[edge.parent], let child = position[edge.child] else { continue }
        #expect(parent < child, "\(edge.parent) before \(edge.child)", sourceLocation: sourceLocation)
    }
    for (index, table) in order.enumerated() {
        guard let master = graph.master(of: table), position[master] != nil, index > 0 else { continue }
        let previous = order[index - 1]
        #expect(
            previous == master || graph.master(of: previous) == master,
            "part \(table) directly after its master \(master) or a sibling part, not after \(previous)",
            sourceLocation: sourceLocation)
    }
}

/// The database names of some tables.
func tableNames(_ tables: [Table]) async throws -> [String] {
    var names: [String] = []
    for table in tables { names.append(try await table.tableName()) }
    return names
}

@Suite("Dependency graph")
struct DependencyGraphTests {
    typealias P = GraphPipeline

    @Test("parents and children, filtered by primary; a renamed double reference lists its parent once", arguments: TestBackend.all)
    func parentsAndChildren(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make(fill: false)
            let n = P.name
            #expect(try await s.table("mouse").parents() == [n("lab")])
            #expect(try await s.table("mouse").parents(primary: true) == [])
            #expect(try await s.table("mouse").parents(primary: false) == [n("lab")])
            #expect(Set(try await s.table("lab").children()) == [n("mouse"), n("rig")])
            #expect(try await s.table("lab").children(primary: true) == [n("rig")])
            #expect(try await s.table("lab").children(primary: false) == [n("mouse")])
            #expect(Set(try await s.table("session").parents()) == [n("mouse"), n("rig")])
            #expect(try await s.table("session").parents(primary: true) == [n("mouse")])
            #expect(try await s.table("session").parents(primary: false) == [n("rig")])
            #expect(Set(try await s.table("session").children()) == [n("trial"), n("stats"), n("review")])
            #expect(try await s.table("event").parents() == [n("trial")])
            #expect(try await s.table("lab").parents() == [])
            #expect(try await s.table("standalone").parents() == [])
            #expect(try await s.table("standalone").children() == [])

            // Two renamed foreign keys to one parent: the parent once, the keys twice.
            let pairing = s.table("pairing")
            #expect(try await pairing.parents() == [n("mouse")])
            let keys = try await pairing.parentForeignKeys().sorted { $0.columns.lexicographicallyPrecedes($1.columns) }
            #expect(keys.map(\.columns) == [["source_mouse"], ["target_mouse"]])
            #expect(keys.allSatisfy { $0.parent == n("mouse") && $0.child == n("pairing") && $0.referencedColumns == ["mouse_id"] })
            #expect(keys.allSatisfy { $0.isRenamed && $0.isPrimary && $0.isMultiValued })
            #expect(keys.map(\.renameDescription).sorted() == ["source_mouse ← mouse_id", "target_mouse ← mouse_id"])
            let mouseChildren = try await s.table("mouse").children()
            #expect(mouseChildren.filter { $0 == n("pairing") }.count == 1)
            #expect(Set(mouseChildren) == [n("session"), n("pairing"), n("surgery")])
            #expect(try await s.table("mouse").childForeignKeys().filter { $0.child == n("pairing") }.count == 2)
            #expect(try await s.table("mouse").childForeignKeys(primary: false).isEmpty)

            // Edge attributes: primary, multi-valued, renamed.
            let sessionKeys = try await s.table("session").parentForeignKeys()
            let toMouse = try #require(sessionKeys.first { $0.parent == n("mouse") })
            #expect(toMouse.isPrimary && toMouse.isMultiValued && !toMouse.isRenamed)
            #expect(toMouse.columns == ["mouse_id"] && toMouse.referencedColumns == ["mouse_id"])
            let toRig = try #require(sessionKeys.first { $0.parent == n("rig") })
            #expect(!toRig.isPrimary && toRig.isMultiValued && toRig.columns == ["lab", "rig"])
            let review = try #require(try await s.table("review").parentForeignKeys().first)
            #expect(review.isPrimary && !review.isMultiValued, "a one-to-one dependency")

            // As tables.
            #expect(try await tableNames(s.table("session").parentTables(primary: true)) == ["mouse"])
            #expect(try await tableNames(s.table("trial").childTables()) == ["session__event"])
        }
    }

    @Test("ancestors list roots first and the table last; descendants the table first", arguments: TestBackend.all)
    func ancestorsAndDescendants(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make(fill: false)
            let graph = try await s.a.dependencyGraph()
            let ancestors = try await s.table("event").ancestors()
            #expect(P.shorts(ancestors) == ["lab", "mouse", "rig", "session", "trial", "event"])
            #expect(ancestors.count == 6)
            #expect(ancestors.first == P.name("lab"))
            #expect(ancestors.last == P.name("event"))
            expectTopological(ancestors, in: graph)
            #expect(try await s.table("lab").ancestors() == [P.name("lab")])

            let descendants = try await s.table("mouse").descendants()
            #expect(descendants.first == P.name("mouse"))
            #expect(P.shorts(descendants) == ["mouse", "session", "trial", "event", "pairing", "stats", "surgery", "review", "note"])
            #expect(descendants.count == 9)
            expectTopological(descendants, in: graph)
            #expect(try await s.table("note").descendants() == [P.name("note")])
            #expect(try await s.table("mouse").descendantTables().count == 9)
            #expect(try await tableNames(s.table("event").ancestorTables()).last == "session__event")

            // In another schema: the ancestors cross back into the first.
            let noteAncestors = try await s.table("note").ancestors()
            #expect(P.shorts(noteAncestors) == ["lab", "mouse", "rig", "session", "review", "note"])
            expectTopological(noteAncestors, in: graph)
        }
    }

    @Test("parts of a master, a part of a part included", arguments: TestBackend.all)
    func parts(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make(fill: false)
            #expect(try await s.table("session").parts() == [P.name("trial"), P.name("event")])
            #expect(try await tableNames(s.table("session").partTables()) == ["session__trial", "session__event"])
            #expect(try await s.table("mouse").parts() == [])
            #expect(try await s.table("trial").parts() == [])
            let graph = try await s.a.dependencyGraph()
            #expect(graph.master(of: P.name("event")) == P.name("session"))
            #expect(graph.master(of: P.name("session")) == nil)
        }
    }

    @Test("topological order: parents first, parts right after their master, a part after the sibling it references", arguments: TestBackend.all)
    func topologicalOrder(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make(fill: false)
            let names = try await s.a.tableNames(order: .topological)
            #expect(Set(names) == Set(P.namesA.values))
            let graph = try await s.a.dependencyGraph()
            let order = names.map { SQLTableName(schema: P.schemaA, table: $0) }
            expectTopological(order, in: graph)
            let session = try #require(names.firstIndex(of: "session"))
            #expect(Array(names[session...].prefix(3)) == ["session", "session__trial", "session__event"])
            #expect(try await s.a.tableNames(order: .alphabetical) == Set(P.namesA.values).sorted())
            // The same order every time, and for the whole graph.
            #expect(try await s.a.tableNames(order: .topological) == names)
            expectTopological(graph.topologicalOrder(), in: graph)
            #expect(graph.topologicalOrder(ofSchemas: [P.schemaA]) == order)
            expectTopological(graph.topologicalOrder(ofSchemas: [P.schemaA, P.schemaB]), in: graph)
            #expect(graph.topologicalOrder(ofSchemas: [P.schemaA, P.schemaB]).count == 12)
        }
    }

    @Test("a master whose part references another table comes after that table, so the part can follow it", arguments: TestBackend.all)
    func masterAfterItsPartsParents(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let db = try await TestDatabase.connect()
            // `Zone` sorts after `Aaa` by name, but `Aaa.Item` references it: Aaa must wait for Zone.
            let schema = try await db.schema("gr_order", tables: TopoOrder.Zone.self, TopoOrder.Aaa.self, TopoOrder.Bbb.self)
            let names = try await schema.tableNames(order: .topological)
            let graph = try await schema.dependencyGraph()
            expectTopological(names.map { SQLTableName(schema: "gr_order", table: $0) }, in: graph)
            #expect(Set(names) == ["zone", "aaa", "aaa__item", "bbb"])
            let aaa = try #require(names.firstIndex(of: "aaa"))
            #expect(names.firstIndex(of: "zone")! < aaa && names[aaa + 1] == "aaa__item")
        }
    }

    enum TopoOrder {
        struct Zone: Manual {
            static let definition = "zone : int16"
        }
        struct Aaa: Manual {
            static let definition = "aaa : int16"
            static var parts: [any Part.Type] { [Item.self] }
            struct Item: Part {
                static let definition = """
                    -> master
                    -> Zone
                    """
            }
        }
        struct Bbb: Manual {
            static let definition = "bbb : int16"
        }
    }

    @Test("a table of another schema that references this one is among its children and in Diagram + 1", arguments: TestBackend.all)
    func crossSchema(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make(fill: false)
            // A fresh connection that has read nothing yet, opening schema A only.
            let other = try await TestDatabase.connect()
            let a = try await other.schema(P.schemaA, tables: [], create: false)
            #expect(try await a.table("mouse").children().contains(P.name("surgery")))
            #expect(try await a.table("session").children().contains(P.name("review")))
            let graph = try await a.dependencyGraph()
            #expect(graph.schemas == [P.schemaA, P.schemaB])
            let diagram = try await Diagram(a) + 1
            #expect(diagram.tables.contains(P.name("surgery")) && diagram.tables.contains(P.name("review")))
            #expect(!diagram.tables.contains(P.name("note")), "one step only")
            // And from the other side: B's table has parents in A.
            let b = try await other.schema(P.schemaB, tables: [], create: false)
            #expect(try await b.table("session_review").parents() == [P.name("session")])
            _ = s
        }
    }

    struct LateChild: Manual {
        static let definition = """
            -> gr_lab.Mouse
            visit : int16
            """
    }

    @Test("declaring or dropping a table through the connection refreshes the graph; another client's needs reload", arguments: TestBackend.all)
    func cacheInvalidation(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make(fill: false)
            let mouse = s.table("mouse")
            let late = SQLTableName(schema: P.schemaB, table: "late_child")
            #expect(try await !mouse.children().contains(late))
            try await s.b.declare([LateChild.self])
            #expect(try await mouse.children().contains(late))
            #expect(try await mouse.descendants().contains(late))
            try await s.b[LateChild.self].drop()
            #expect(try await !mouse.children().contains(late))

            // Declared by another client: this connection keeps its graph until asked to reload.
            let other = try await TestDatabase.connect()
            let otherB = try await other.schema(P.schemaB, tables: [LateChild.self])
            #expect(try await otherB[LateChild.self].isDeclared())
            #expect(try await !mouse.children().contains(late))
            let reloaded = try await s.db.dependencies(of: [P.schemaA], reload: true)
            #expect(reloaded.children(of: P.name("mouse")).contains(late))
            #expect(try await mouse.children().contains(late))
        }
    }

    @Test("a graph with a cycle is refused")
    func cycle() throws {
        let a = SQLTableName(schema: "s", table: "a"), b = SQLTableName(schema: "s", table: "b")
        let edge = { (p: SQLTableName, c: SQLTableName) in
            DependencyEdge(parent: p, child: c, columns: ["x"], referencedColumns: ["x"], isPrimary: true, isMultiValued: false)
        }
        let error = #expect(throws: DataJointError.self) {
            try DependencyGraph(primaryKeys: [a: ["x"], b: ["x"]], edges: [edge(a, b), edge(b, a)], schemas: ["s"])
        }
        #expect(error?.kind == .integrity)
        let fine = try DependencyGraph(primaryKeys: [a: ["x"], b: ["x"]], edges: [edge(a, b)], schemas: ["s"])
        #expect(fine.topologicalOrder() == [a, b])
        #expect(fine.path(from: a, to: b) == [a, b])
        #expect(fine.path(from: b, to: a) == nil)
    }
}
