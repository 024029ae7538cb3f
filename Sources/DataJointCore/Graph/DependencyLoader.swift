/// Reads the dependency graph of some schemas from the catalog, widened to every schema their tables are linked to
/// by foreign keys (upstream and downstream, transitively), so that cascades and traces see every table involved.
struct DependencyLoader {
    let connection: Connection

    func load(_ requested: Set<String>) async throws -> DependencyGraph {
        let catalog = connection.catalog
        var schemas = Set<String>()
        var pending = requested
        var primaryKeys: [SQLTableName: [String]] = [:]
        var foreignKeys: [String: (child: SQLTableName, constraint: ForeignKeyConstraint)] = [:]
        while !pending.isEmpty {
            let batch = pending
            schemas.formUnion(batch)
            let found = try await connection.withSession { try await catalog.dependencies(inSchemas: batch, $0) }
            primaryKeys.merge(found.primaryKeys) { first, _ in first }
            for (child, constraint) in found.foreignKeys {
                let key = "\(child.schema)\u{0}\(child.table)\u{0}\(constraint.columns.joined(separator: "\u{0}"))"
                foreignKeys[key] = (child, constraint)
            }
            let linked = found.foreignKeys.flatMap { [$0.child.schema, $0.constraint.referencedTable.schema] }
            pending = Set(linked).subtracting(schemas)
        }
        let edges = foreignKeys.keys.sorted().compactMap { key -> DependencyEdge? in
            let (child, fk) = foreignKeys[key]!
            guard !child.table.hasPrefix("~"), !fk.referencedTable.table.hasPrefix("~") else { return nil }
            let childKey = Set(primaryKeys[child] ?? [])
            return DependencyEdge(
                parent: fk.referencedTable, child: child, columns: fk.columns, referencedColumns: fk.referencedColumns,
                isPrimary: Set(fk.columns).isSubset(of: childKey), isMultiValued: Set(fk.columns) != childKey)
        }
        return try DependencyGraph(primaryKeys: primaryKeys, edges: edges, schemas: schemas)
    }
}

extension Connection {
    /// The dependency graph of the given schemas and of every schema linked to them by foreign keys.
    ///
    /// The graph is read from the catalog once and kept by the connection until a table is declared, altered or
    /// dropped through it; pass `reload: true` to read it again (after another client changed the schemas).
    public func dependencies(of schemas: Set<String>, reload: Bool = false) async throws -> DependencyGraph {
        if !reload, let cached = dependencyCache.withLock({ $0 }), schemas.isSubset(of: cached.schemas) {
            return cached
        }
        let previous = reload ? [] : (dependencyCache.withLock { $0 }?.schemas ?? [])
        let graph = try await DependencyLoader(connection: self).load(schemas.union(previous))
        dependencyCache.withLock { $0 = graph }
        return graph
    }

    /// Forgets the cached dependency graph; the next use reads it from the catalog.
    public func forgetDependencies() {
        dependencyCache.withLock { $0 = nil }
    }
}
