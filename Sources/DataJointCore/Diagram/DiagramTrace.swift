extension Diagram {
    /// The rows upstream of `table`'s rows: the seed and every ancestor in any schema, each restricted to the rows
    /// that some restricted seed row depends on, through any path. Read an ancestor's rows with ``table(for:)`` or
    /// `trace[Session.self]`:
    ///
    /// ```swift
    /// let trace = try await Diagram.trace(lab[SessionStats.self] & key)
    /// let date: CalendarDate = try await trace[Session.self].fetch1("session_date")
    /// ```
    public static func trace(_ table: Table) async throws -> Diagram {
        let info = try await table.info()
        let graph = try await table.connection.dependencies(of: [info.name.schema])
        return trace(info, restrictions: table.restrictions, connection: table.connection, graph: graph)
    }

    /// The trace of a table over a graph already loaded (no database access).
    ///
    /// With `key`, the seed is the row of that key, which need not exist yet (inside `make`): a parent referenced by
    /// primary-key attributes is restricted by the key's values rather than through the seed's rows.
    static func trace(
        _ info: TableInfo, restrictions items: [Restriction], connection: Connection, graph: DependencyGraph,
        key: Row? = nil
    ) -> Diagram {
        var diagram = Diagram(connection: connection, graph: graph, tables: [], homeSchema: info.name.schema)
        diagram.mode = .trace
        diagram.seed(info, with: items)
        let allowed = graph.ancestors(of: info.name).union([info.name])
        var propagated = Set<DependencyEdge>()
        var changed = true
        while changed {
            changed = false
            // Children before parents, so a parent collects the restrictions of all its restricted children.
            for node in graph.topologicalOrder(allowed).reversed() where diagram.restrictions[node] != nil {
                for edge in graph.parentEdges(of: node) where allowed.contains(edge.parent) && propagated.insert(edge).inserted {
                    let isNew = diagram.restrictions[edge.parent] == nil
                    if node == info.name, let key, let values = key.values(of: edge) {
                        diagram.restrictions[edge.parent, default: []].append(.row(values))
                        diagram.restrictedAttributes[edge.parent, default: RestrictionScope()].formUnion(
                            RestrictionScope(attributes: Set(edge.referencedColumns)))
                    } else {
                        diagram.propagateUp(edge)
                    }
                    if isNew { changed = true }
                }
            }
        }
        diagram.addPartsOfTracedMasters(seed: info.name)
        diagram.tables = Set(diagram.restrictions.keys)
        diagram.expanded = diagram.tables
        return diagram
    }

    /// Adds the parts of every master the trace reached, restricted to that master's rows: a dependency on a master
    /// is a dependency on all of its parts (master-part's transitive completeness). Parts downstream of the seed are
    /// left out. (DataJoint-Python 2.3.5 includes a part only when it is itself an ancestor.)
    private mutating func addPartsOfTracedMasters(seed: SQLTableName) {
        let downstream = graph.descendants(of: seed).union([seed])
        let masters = restrictions.keys.filter { !graph.parts(of: $0).isEmpty }
        for master in graph.topologicalOrder(Set(masters)) {
            for part in graph.parts(of: master) where restrictions[part] == nil && !downstream.contains(part) {
                // Through the master, or through a sibling part already added (a part of a part).
                guard let edge = graph.parentEdges(of: part).first(where: { $0.parent == master })
                    ?? graph.parentEdges(of: part).first(where: { restrictions[$0.parent] != nil && graph.master(of: $0.parent) == master })
                else { continue }
                propagateDown(graph.parentEdges(of: part).filter { $0.parent == edge.parent })
            }
        }
    }
}

extension Row {
    /// The parent's key values this row references through a foreign key, named as the parent names them; nil when
    /// the row lacks a foreign-key column.
    func values(of edge: DependencyEdge) -> Row? {
        var values = Row()
        for (child, parent) in edge.attributeMap {
            guard let value = self[child] else { return nil }
            values[parent] = value
        }
        return values
    }
}
