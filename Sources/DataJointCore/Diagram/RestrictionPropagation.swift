/// How restrictions cross foreign keys (the rules of the cascade specification).
///
/// Downstream, a parent's restriction reaches a child (F1) as it is, when it names only attributes that the foreign key
/// carries unchanged into the child's primary key; (F2) as the parent's key renamed to the child's columns, when the
/// key renames columns; (F3) otherwise as the parent's primary key. Upstream, a child's restriction reaches a parent as
/// the child's foreign-key values: (U2) renamed back to the parent's columns, (U3) as they are. The specification's
/// U1, copying the child's condition when it names only the parent's key, is not used: it also selects parent rows
/// that no restricted child row references (a trace of `SessionStats & ["mouse_id": 2]` would hold the mouse's
/// sessions without stats), which is why the reference itself turns it off for the master of a part.
extension Diagram {
    /// The table with this diagram's restriction: alternatives for cascade and trace, all conditions for restrict.
    func restrictedTable(_ name: SQLTableName) -> Table {
        var table = connection.table(name)
        guard let items = restrictions[name], !items.isEmpty, !isUnrestricted(name) else { return table }
        if mode == .restrict {
            for item in items { table = table.applying(item) }
        } else {
            table = table.applying(items.count == 1 ? items[0] : .or(items))
        }
        return table
    }

    /// True when the diagram selects every row of the table.
    func isUnrestricted(_ name: SQLTableName) -> Bool {
        guard let items = restrictions[name] else { return false }
        func isTrue(_ item: Restriction) -> Bool { if case .truth(true) = item { true } else { false } }
        return mode == .restrict ? items.allSatisfy(isTrue) : (items.isEmpty || items.contains(where: isTrue))
    }

    /// Carries the restriction of a parent to a child along the foreign keys between them (several when the child
    /// references the parent more than once). The keys combine by OR in every mode: a child row is reached through
    /// any of them.
    mutating func propagateDown(_ edges: [DependencyEdge]) {
        guard let first = edges.first else { return }
        let carried = edges.map(downward)
        if mode == .restrict, carried.count > 1 {
            let alternatives = carried.map { $0.items.count == 1 ? $0.items[0] : Restriction.and($0.items) }
            restrictions[first.child, default: []].append(.or(alternatives))
        } else {
            for item in carried { restrictions[first.child, default: []].append(contentsOf: item.items) }
        }
        for item in carried { restrictedAttributes[first.child, default: RestrictionScope()].formUnion(item.scope) }
    }

    /// The restriction `edge.parent`'s restriction gives `edge.child` (alternatives in cascade mode, conditions in
    /// restrict mode), and the attributes it names.
    private func downward(_ edge: DependencyEdge) -> (items: [Restriction], scope: RestrictionScope) {
        if edge.isPrimary, isUnrestricted(edge.parent) {
            // Every row of the child references some row of the parent: all of them are selected.
            return ([.truth(true)], RestrictionScope(attributes: [], copyable: false))
        }
        let scope = restrictedAttributes[edge.parent] ?? RestrictionScope()
        let childKey = Set(graph.primaryKeys[edge.child] ?? [])
        let columns = Set(edge.columns)
        if !edge.isRenamed, scope.copyable, !scope.attributes.isEmpty, scope.attributes.isSubset(of: columns),
            columns.isSubset(of: childKey)
        {
            return (restrictions[edge.parent] ?? [], scope)
        }
        let parent = QueryExpression(restrictedTable(edge.parent).queryNode)
        let renames = edge.attributeMap.filter { $0.child != $0.parent }.map { (name: $0.child, expression: SQL(verbatim: $0.parent)) }
        let item = QueryExpression(.project(parent.node, ProjectionSpec(attributes: [], named: renames)))
        return ([.query(item)], RestrictionScope(attributes: columns, copyable: true))
    }

    /// Carries the restriction of `edge.child` to `edge.parent`: the parent is restricted to the rows the child's
    /// restricted rows reference.
    mutating func propagateUp(_ edge: DependencyEdge) {
        // The distinct foreign-key values of the child's rows, named as the parent names them: no other attribute of
        // the child takes part in the match.
        let values = QueryNode.universal(edge.columns, restrictedTable(edge.child).queryNode)
        let renames = edge.attributeMap.filter { $0.child != $0.parent }.map { (name: $0.parent, expression: SQL(verbatim: $0.child)) }
        let item = QueryExpression(renames.isEmpty ? values : .project(values, ProjectionSpec(attributes: [], named: renames)))
        restrictions[edge.parent, default: []].append(.query(item))
        restrictedAttributes[edge.parent, default: RestrictionScope()].formUnion(
            RestrictionScope(attributes: Set(edge.referencedColumns), copyable: true))
    }
}
