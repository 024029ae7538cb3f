/// The foreign-key dependencies between tables: tables are nodes, foreign keys are edges from parent to child.
///
/// A graph is a value read from the catalog (see ``Connection/dependencies(of:reload:)``); its navigation methods
/// never touch the database.
public struct DependencyGraph: Sendable {
    /// The primary-key columns of every table of the graph.
    public let primaryKeys: [SQLTableName: [String]]
    /// Every foreign key between tables of the graph.
    public let edges: [DependencyEdge]
    /// The schemas whose tables the graph holds.
    public let schemas: Set<String>
    private let outgoing: [SQLTableName: [Int]]
    private let incoming: [SQLTableName: [Int]]
    /// Every table in dependency order, computed once.
    private(set) var order: [SQLTableName] = []
    /// The part tables of each master, in dependency order.
    private var partsByMaster: [SQLTableName: [SQLTableName]] = [:]

    /// Builds a graph from tables and foreign keys. Fails when the foreign keys form a cycle.
    public init(primaryKeys: [SQLTableName: [String]], edges: [DependencyEdge], schemas: Set<String>) throws {
        var keys = primaryKeys
        for edge in edges {
            if keys[edge.parent] == nil { keys[edge.parent] = [] }
            if keys[edge.child] == nil { keys[edge.child] = [] }
        }
        var outgoing: [SQLTableName: [Int]] = [:]
        var incoming: [SQLTableName: [Int]] = [:]
        for (index, edge) in edges.enumerated() {
            outgoing[edge.parent, default: []].append(index)
            incoming[edge.child, default: []].append(index)
        }
        self.primaryKeys = keys
        self.edges = edges
        self.schemas = schemas
        self.outgoing = outgoing
        self.incoming = incoming
        order = computeTopologicalOrder(Set(keys.keys))
        if order.count != keys.count {
            throw DataJointError(.integrity, "The foreign keys between tables form a cycle; DataJoint works with acyclic dependencies only")
        }
        for table in order {
            if let master = master(of: table) { partsByMaster[master, default: []].append(table) }
        }
    }

    /// Every table of the graph.
    public var tables: Set<SQLTableName> { Set(primaryKeys.keys) }

    /// True when the table is a node of the graph.
    public func contains(_ table: SQLTableName) -> Bool { primaryKeys[table] != nil }

    /// The foreign keys of `table` to its parents, one per foreign key. `primary` selects keys made of primary-key
    /// attributes only (`true`) or with a secondary attribute (`false`).
    public func parentEdges(of table: SQLTableName, primary: Bool? = nil) -> [DependencyEdge] {
        (incoming[table] ?? []).map { edges[$0] }.filter { primary == nil || $0.isPrimary == primary }
    }

    /// The foreign keys that reference `table`, one per foreign key.
    public func childEdges(of table: SQLTableName, primary: Bool? = nil) -> [DependencyEdge] {
        (outgoing[table] ?? []).map { edges[$0] }.filter { primary == nil || $0.isPrimary == primary }
    }

    /// The tables `table` references, each once, in foreign-key order.
    public func parents(of table: SQLTableName, primary: Bool? = nil) -> [SQLTableName] {
        unique(parentEdges(of: table, primary: primary).map(\.parent))
    }

    /// The tables that reference `table`, each once.
    public func children(of table: SQLTableName, primary: Bool? = nil) -> [SQLTableName] {
        unique(childEdges(of: table, primary: primary).map(\.child))
    }

    /// Every table `table` depends on, directly or through others (itself excluded).
    public func ancestors(of table: SQLTableName) -> Set<SQLTableName> {
        reach(from: [table]) { parents(of: $0) }
    }

    /// Every table that depends on `table`, directly or through others (itself excluded).
    public func descendants(of table: SQLTableName) -> Set<SQLTableName> {
        reach(from: [table]) { children(of: $0) }
    }

    /// The part tables of a master: tables of its schema named `master__part`.
    public func parts(of master: SQLTableName) -> [SQLTableName] {
        partsByMaster[master] ?? []
    }

    /// The master of a part table, when the master is in the graph.
    public func master(of part: SQLTableName) -> SQLTableName? {
        guard let name = Tier.masterName(ofPart: part.table) else { return nil }
        let master = SQLTableName(schema: part.schema, table: name)
        return contains(master) ? master : nil
    }

    /// One shortest chain of tables from `start` down to `end` along foreign keys, both included; nil if none.
    public func path(from start: SQLTableName, to end: SQLTableName) -> [SQLTableName]? {
        var previous: [SQLTableName: SQLTableName] = [:]
        var queue = [start]
        var seen: Set = [start]
        var index = 0
        while index < queue.count {
            let node = queue[index]
            index += 1
            if node == end {
                var path = [end]
                while let before = previous[path[0]] { path.insert(before, at: 0) }
                return path
            }
            for child in children(of: node) where seen.insert(child).inserted {
                previous[child] = node
                queue.append(child)
            }
        }
        return nil
    }

    /// The graph restricted to some of its tables (edges between them kept).
    public func subgraph(_ keep: Set<SQLTableName>) -> DependencyGraph {
        // A subgraph of an acyclic graph is acyclic.
        try! DependencyGraph(
            primaryKeys: primaryKeys.filter { keep.contains($0.key) },
            edges: edges.filter { keep.contains($0.parent) && keep.contains($0.child) }, schemas: schemas)
    }

    private func reach(from start: [SQLTableName], next: (SQLTableName) -> [SQLTableName]) -> Set<SQLTableName> {
        var found = Set<SQLTableName>()
        var frontier = start
        while let node = frontier.popLast() {
            for neighbor in next(node) where found.insert(neighbor).inserted { frontier.append(neighbor) }
        }
        return found
    }

    private func unique(_ names: [SQLTableName]) -> [SQLTableName] {
        var seen = Set<SQLTableName>()
        return names.filter { seen.insert($0).inserted }
    }
}
