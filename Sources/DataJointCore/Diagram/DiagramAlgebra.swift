extension Diagram {
    /// The tables of both diagrams. A table expanded in either stays expanded ("expanded wins").
    public func union(_ other: Diagram) throws -> Diagram {
        guard other.connection === connection else {
            throw DataJointError(.invalidValue, "Cannot combine diagrams of two different connections")
        }
        var result = self
        result.adopt(graphOf: other)
        result.tables.formUnion(other.tables)
        result.expanded.formUnion(other.expanded)
        return result
    }

    /// The tables of this diagram that are not in `other`.
    public func subtracting(_ other: Diagram) -> Diagram {
        var result = self
        result.tables.subtract(other.tables)
        return result
    }

    /// The tables in both diagrams.
    public func intersection(_ other: Diagram) -> Diagram {
        var result = self
        result.tables.formIntersection(other.tables)
        return result
    }

    /// The diagram grown `levels` steps downstream: each step adds the children of the shown tables.
    public func expandingDown(_ levels: Int) -> Diagram {
        expanding(levels) { graph.children(of: $0) }
    }

    /// The diagram grown `levels` steps upstream: each step adds the parents of the shown tables.
    public func expandingUp(_ levels: Int) -> Diagram {
        expanding(levels) { graph.parents(of: $0) }
    }

    /// The same tables, drawn collapsed: one node per schema showing its table count. Combined with ``union(_:)``,
    /// tables expanded in the other diagram stay expanded.
    public func collapsed() -> Diagram {
        var result = self
        result.expanded = []
        return result
    }

    /// The diagram with the part tables of every shown master added.
    public func addingParts() -> Diagram {
        var result = self
        for table in tables { result.tables.formUnion(graph.parts(of: table)) }
        result.expanded.formUnion(result.tables.subtracting(tables))
        return result
    }

    private func expanding(_ levels: Int, next: (SQLTableName) -> [SQLTableName]) -> Diagram {
        var result = self
        for _ in 0..<max(levels, 0) {
            let added = Set(result.tables.flatMap(next)).subtracting(result.tables)
            if added.isEmpty { break }
            result.tables.formUnion(added)
            // Tables a step brings in are shown as themselves (the reference leaves upstream ones collapsed, which
            // draws a table's parents as an anonymous "(1 table)" box).
            result.expanded.formUnion(added)
        }
        return result
    }

    /// Uses the larger of the two graphs, or their union when neither holds the other.
    mutating func adopt(graphOf other: Diagram) {
        guard !other.graph.schemas.isSubset(of: graph.schemas) else { return }
        if graph.schemas.isSubset(of: other.graph.schemas) {
            self = Diagram(copying: self, graph: other.graph)
        } else {
            self = Diagram(copying: self, graph: graph.merged(with: other.graph))
        }
    }

    private init(copying diagram: Diagram, graph: DependencyGraph) {
        connection = diagram.connection
        self.graph = graph
        tables = diagram.tables
        expanded = diagram.expanded
        homeSchema = diagram.homeSchema
        mode = diagram.mode
        restrictions = diagram.restrictions
        restrictedAttributes = diagram.restrictedAttributes
    }

    /// Union of two diagrams (`+`).
    public static func + (lhs: Diagram, rhs: Diagram) throws -> Diagram { try lhs.union(rhs) }
    /// Difference of two diagrams (`-`).
    public static func - (lhs: Diagram, rhs: Diagram) -> Diagram { lhs.subtracting(rhs) }
    /// Intersection of two diagrams (`*`).
    public static func * (lhs: Diagram, rhs: Diagram) -> Diagram { lhs.intersection(rhs) }
    /// The diagram grown `levels` steps downstream (`+ n`).
    public static func + (lhs: Diagram, levels: Int) -> Diagram { lhs.expandingDown(levels) }
    /// The diagram grown `levels` steps upstream (`- n`).
    public static func - (lhs: Diagram, levels: Int) -> Diagram { lhs.expandingUp(levels) }
}

extension DependencyGraph {
    /// The union of two graphs of the same database.
    func merged(with other: DependencyGraph) -> DependencyGraph {
        var seen = Set(edges)
        let extra = other.edges.filter { seen.insert($0).inserted }
        // Both graphs come from one database, so their union has no cycle either.
        return try! DependencyGraph(
            primaryKeys: primaryKeys.merging(other.primaryKeys) { first, _ in first }, edges: edges + extra,
            schemas: schemas.union(other.schemas))
    }
}
