extension Diagram {
    /// The rows a delete of `table` (with its restriction) would remove: the seed and every descendant in any schema,
    /// each restricted to the rows that depend on a deleted row through any path. Nothing is changed; see
    /// ``counts()`` for the numbers and ``Table/delete(confirm:partIntegrity:)`` for the delete itself.
    ///
    /// With `partIntegrity: .cascade`, a part row takes its master row with it, and the master all its parts.
    public static func cascade(_ table: Table, partIntegrity: PartIntegrity = .enforce) async throws -> Diagram {
        let info = try await table.info()
        let graph = try await table.connection.dependencies(of: [info.name.schema])
        // The seed's restriction is used as it is, which is right for a preview. A delete whose seed restriction reads
        // a table that the cascade empties first reads the seed's keys before it plans (see `Table.delete`).
        var diagram = Diagram(connection: table.connection, graph: graph, tables: [], homeSchema: info.name.schema)
        diagram.mode = .cascade(partIntegrity)
        diagram.seed(info, with: table.restrictions)
        try await diagram.propagateDownstream(from: info.name, partIntegrity: partIntegrity)
        diagram.tables = Set(diagram.restrictions.keys)
        diagram.expanded = diagram.tables
        return diagram
    }

    /// This diagram with `table`'s restriction carried to all its descendants. Where restrictions from several
    /// tables meet, a row must satisfy all of them; call `restrict` again to add conditions on other tables. The
    /// shown tables stay as they are (see ``prune()``).
    public func restrict(_ table: Table) async throws -> Diagram {
        switch mode {
        case .cascade, .trace:
            throw DataJointError(.notAllowed, "restrict() applies to a plain diagram, not to one made by cascade() or trace()")
        case .plain, .restrict:
            break
        }
        let info = try await table.info()
        guard graph.contains(info.name) else {
            throw DataJointError(.missingTable, "Table `\(info.name)` is not in the diagram")
        }
        var result = self
        result.mode = .restrict
        result.seed(info, with: table.restrictions)
        try await result.propagateDownstream(from: info.name, partIntegrity: .ignore)
        return result
    }

    /// Records the restriction of a seed table.
    mutating func seed(_ info: TableInfo, with items: [Restriction]) {
        var list = restrictions[info.name] ?? []
        var scope = restrictedAttributes[info.name] ?? RestrictionScope()
        if !items.isEmpty {
            let item = (items.count == 1 ? items[0] : .and(items)).limited(to: info.heading)
            list.append(item)
            scope.formUnion(RestrictionScope.of(item, heading: info.heading))
        }
        restrictions[info.name] = list
        restrictedAttributes[info.name] = scope
    }

    /// Carries restrictions from `start` to its descendants in dependency order, with the master-part rules of
    /// `partIntegrity` in cascade mode.
    mutating func propagateDownstream(from start: SQLTableName, partIntegrity: PartIntegrity) async throws {
        let cascadesToMasters = mode == .cascade(.cascade)
        let order = graph.topologicalOrder()
        var allowed = graph.descendants(of: start).union([start])
        var propagated = Set<DependencyEdge>()
        var liftedParts = Set<SQLTableName>()

        // A seed that is itself a part reaches its master before anything else.
        if cascadesToMasters, let master = graph.master(of: start) {
            liftedParts.insert(start)
            if try await liftToMaster(from: start, master: master, propagated: &propagated) {
                allowed.formUnion(graph.descendants(of: master).union([master]))
            }
        }
        var changed = true
        while changed {
            changed = false
            for node in order where restrictions[node] != nil && allowed.contains(node) {
                let edges = graph.childEdges(of: node).filter { !propagated.contains($0) }
                propagated.formUnion(edges)
                for child in graph.children(of: node) {
                    let keys = edges.filter { $0.child == child }
                    guard !keys.isEmpty else { continue }
                    let isNew = restrictions[child] == nil
                    propagateDown(keys)
                    if isNew { changed = true }
                    if cascadesToMasters, let master = graph.master(of: child), liftedParts.insert(child).inserted,
                        try await liftToMaster(from: child, master: master, propagated: &propagated)
                    {
                        allowed.formUnion(graph.descendants(of: master).union([master]))
                        changed = true
                    }
                }
            }
        }
    }

    /// Restricts a part's master to the rows its restricted part rows belong to, walking the foreign keys from the
    /// part up to the master (through intermediate parts), then replaces the master's restriction by the literal keys
    /// of those rows. They are read now, because the part rows are deleted before the master's.
    private mutating func liftToMaster(
        from part: SQLTableName, master: SQLTableName, propagated: inout Set<DependencyEdge>
    ) async throws -> Bool {
        guard let path = graph.path(from: master, to: part), path.count >= 2 else { return false }
        let intermediates = Array(path.dropFirst().dropLast())
        let saved = intermediates.map { (node: $0, restriction: restrictions[$0], scope: restrictedAttributes[$0]) }
        for index in stride(from: path.count - 1, to: 0, by: -1) {
            guard let edge = graph.childEdges(of: path[index - 1]).first(where: { $0.child == path[index] }) else {
                return false
            }
            propagateUp(edge)
        }
        let keys = try await restrictedTable(master).keys()
        restrictions[master] = keys.isEmpty ? [.truth(false)] : [.or(keys.map(Restriction.row))]
        restrictedAttributes[master] = RestrictionScope(attributes: Set(graph.primaryKeys[master] ?? []))
        for entry in saved {
            restrictions[entry.node] = entry.restriction
            restrictedAttributes[entry.node] = entry.scope
        }
        // The master's new rows must reach all of its descendants, also along keys it already propagated through.
        for edge in graph.childEdges(of: master) { propagated.remove(edge) }
        return true
    }
}
