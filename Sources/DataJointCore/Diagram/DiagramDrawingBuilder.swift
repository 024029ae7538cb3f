extension Diagram {
    /// The drawing of the diagram: its nodes (shown tables, and a collapsed node per schema for the shown tables that
    /// are not expanded), edges and schema clusters. See ``DiagramDrawing`` for how the diagram is drawn.
    public func drawing() -> DiagramDrawing {
        DiagramDrawingBuilder(diagram: self).build()
    }
}

/// Computes a ``DiagramDrawing`` from a ``Diagram``.
private struct DiagramDrawingBuilder {
    let graph: DependencyGraph
    /// The shown tables in dependency order.
    let order: [SQLTableName]
    let position: [SQLTableName: Int]
    /// Shown tables that are drawn collapsed, by schema, in dependency order.
    let collapsedBySchema: [String: [SQLTableName]]
    /// The node id of every shown table (a collapsed table's is its schema's collapsed node).
    let nodeID: [SQLTableName: String]
    let collapsedIDs: Set<String>

    init(diagram: Diagram) {
        graph = diagram.graph
        order = diagram.orderedTables
        position = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        let collapsed = order.filter { !diagram.expanded.contains($0) }
        collapsedBySchema = Dictionary(grouping: collapsed, by: \.schema)
        // Tables claim their ids first; a collapsed node is named after its schema, made unique if a table took it.
        var taken = Set<String>()
        var ids: [SQLTableName: String] = [:]
        for table in order where diagram.expanded.contains(table) {
            ids[table] = Self.unique(diagram.label(of: table), fallback: table.description, in: &taken)
        }
        var collapsedIDs = Set<String>()
        for table in collapsed where ids[table] == nil {
            let id = Self.unique(table.schema, fallback: "\(table.schema) (collapsed)", in: &taken)
            collapsedIDs.insert(id)
            for member in collapsedBySchema[table.schema]! { ids[member] = id }
        }
        nodeID = ids
        self.collapsedIDs = collapsedIDs
    }

    func build() -> DiagramDrawing {
        let nodes = makeNodes()
        return DiagramDrawing(nodes: nodes, edges: makeEdges(), clusters: makeClusters(nodes))
    }

    private func makeNodes() -> [DiagramDrawing.Node] {
        var nodes: [DiagramDrawing.Node] = []
        var placed = Set<String>()
        for table in order {
            let id = nodeID[table]!
            guard placed.insert(id).inserted else { continue }
            if collapsedIDs.contains(id) {
                let members = collapsedBySchema[table.schema]!
                let count = members.count == 1 ? "1 table" : "\(members.count) tables"
                nodes.append(DiagramDrawing.Node(
                    id: id, label: "(\(count))", kind: .collapsed(members), schema: table.schema,
                    introducesDimension: false, master: nil,
                    tooltip: "Collapsed schema \(table.schema): \(count)\n"
                        + members.map(\.className).joined(separator: ", ")))
            } else {
                let master = drawnMaster(of: table)
                let key = graph.primaryKeys[table] ?? []
                let inherited = Set(graph.parentEdges(of: table, primary: true).flatMap(\.columns))
                nodes.append(DiagramDrawing.Node(
                    id: id, label: master == nil ? table.className : String(table.className.split(separator: ".").last!),
                    kind: .table(table, tier: table.tier), schema: table.schema,
                    introducesDimension: inherited.isStrictSubset(of: Set(key)), master: master.flatMap { nodeID[$0] },
                    tooltip: "\(table)\nprimary key: \(key.joined(separator: ", "))"))
            }
        }
        return nodes
    }

    /// The master of a part table when both are drawn as themselves.
    private func drawnMaster(of table: SQLTableName) -> SQLTableName? {
        guard let master = graph.master(of: table), let masterID = nodeID[master], !collapsedIDs.contains(masterID),
            !collapsedIDs.contains(nodeID[table]!)
        else { return nil }
        return master
    }

    private func makeEdges() -> [DiagramDrawing.Edge] {
        let shown = graph.edges.filter { position[$0.parent] != nil && position[$0.child] != nil }.sorted {
            (position[$0.parent]!, position[$0.child]!, $0.columns.joined(separator: ","))
                < (position[$1.parent]!, position[$1.child]!, $1.columns.joined(separator: ","))
        }
        var edges: [(from: String, to: String, kind: DiagramDrawing.Edge.Kind, keys: [DependencyEdge])] = []
        var merged: [String: Int] = [:]
        for key in shown {
            let (from, to) = (nodeID[key.parent]!, nodeID[key.child]!)
            guard from != to else { continue }
            let (fromCollapsed, toCollapsed) = (collapsedIDs.contains(from), collapsedIDs.contains(to))
            guard fromCollapsed || toCollapsed else {
                edges.append((from, to, .foreignKey(key), [key]))
                continue
            }
            // Several foreign keys may meet a collapsed node from one node: they are merged into one edge.
            let pair = "\(from)\u{0}\(to)"
            if let index = merged[pair] {
                edges[index].keys.append(key)
            } else {
                merged[pair] = edges.count
                edges.append((from, to, fromCollapsed && toCollapsed ? .bundle : .foreignKey(key), [key]))
            }
        }
        return edges.map { DiagramDrawing.Edge(from: $0.from, to: $0.to, kind: $0.kind, foreignKeys: $0.keys) }
    }

    private func makeClusters(_ nodes: [DiagramDrawing.Node]) -> [DiagramDrawing.Cluster] {
        var schemas: [String] = []
        for node in nodes where !schemas.contains(node.schema) { schemas.append(node.schema) }
        let masterOf = Dictionary(uniqueKeysWithValues: nodes.compactMap { node in node.master.map { (node.id, $0) } })
        return schemas.map { schema in
            let nodes = nodes.filter { $0.schema == schema }
            var members: [DiagramDrawing.Cluster.Member] = []
            for node in nodes where node.master == nil {
                let parts = nodes.filter { $0.master == node.id }
                guard !parts.isEmpty else {
                    members.append(.node(node.id))
                    continue
                }
                // A part that references a sibling part is left out of the shared rank, so that it is drawn after it.
                let independent = parts.filter { part in
                    guard case .table(let table, _) = part.kind else { return true }
                    return !graph.parents(of: table).contains { nodeID[$0].flatMap { masterOf[$0] } == node.id }
                }
                members.append(.entity(DiagramDrawing.Entity(
                    master: node.id, parts: parts.map(\.id), sameRank: [node.id] + independent.map(\.id))))
            }
            return DiagramDrawing.Cluster(schema: schema, label: schema, members: members)
        }
    }

    /// `preferred`, or `fallback` when another node has that id already (two tables with one class name).
    private static func unique(_ preferred: String, fallback: String, in taken: inout Set<String>) -> String {
        var id = taken.contains(preferred) ? fallback : preferred
        var suffix = 2
        while taken.contains(id) {
            id = "\(fallback) \(suffix)"
            suffix += 1
        }
        taken.insert(id)
        return id
    }
}
