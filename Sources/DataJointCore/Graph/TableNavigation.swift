extension Connection {
    /// A table by its full name, read from the database alone (no Swift type).
    public func table(_ name: SQLTableName) -> Table {
        Table(schema: Schema(name: name.schema, connection: self), tableName: name.table, userType: nil)
    }
}

extension Table {
    /// The table's full name.
    public func fullName() async throws -> SQLTableName { try await info().name }

    /// The dependency graph around this table (its schema and every schema linked to it).
    public func dependencyGraph() async throws -> DependencyGraph {
        try await connection.dependencies(of: [try await fullName().schema])
    }

    /// The tables this table references, each once. `primary: true` keeps foreign keys made of primary-key attributes
    /// only, `false` those with a secondary attribute.
    public func parents(primary: Bool? = nil) async throws -> [SQLTableName] {
        try await dependencyGraph().parents(of: try await fullName(), primary: primary)
    }

    /// The tables that reference this table, each once.
    public func children(primary: Bool? = nil) async throws -> [SQLTableName] {
        try await dependencyGraph().children(of: try await fullName(), primary: primary)
    }

    /// The foreign keys of this table, one per key, renamed references included (a parent referenced twice appears
    /// twice).
    public func parentForeignKeys(primary: Bool? = nil) async throws -> [DependencyEdge] {
        try await dependencyGraph().parentEdges(of: try await fullName(), primary: primary)
    }

    /// The foreign keys that reference this table, one per key, renamed references included.
    public func childForeignKeys(primary: Bool? = nil) async throws -> [DependencyEdge] {
        try await dependencyGraph().childEdges(of: try await fullName(), primary: primary)
    }

    /// Every table this table depends on, in dependency order (roots first), and this table last.
    public func ancestors() async throws -> [SQLTableName] {
        let name = try await fullName()
        let graph = try await dependencyGraph()
        return graph.topologicalOrder(graph.ancestors(of: name)) + [name]
    }

    /// This table and every table that depends on it, in dependency order (this table first).
    public func descendants() async throws -> [SQLTableName] {
        let name = try await fullName()
        let graph = try await dependencyGraph()
        return [name] + graph.topologicalOrder(graph.descendants(of: name))
    }

    /// The part tables of this master, in dependency order.
    public func parts() async throws -> [SQLTableName] {
        try await dependencyGraph().parts(of: try await fullName())
    }

    /// ``parents(primary:)`` as tables.
    public func parentTables(primary: Bool? = nil) async throws -> [Table] {
        try await parents(primary: primary).map(relatedTable)
    }

    /// ``children(primary:)`` as tables.
    public func childTables(primary: Bool? = nil) async throws -> [Table] {
        try await children(primary: primary).map(relatedTable)
    }

    /// ``ancestors()`` as tables.
    public func ancestorTables() async throws -> [Table] { try await ancestors().map(relatedTable) }

    /// ``descendants()`` as tables.
    public func descendantTables() async throws -> [Table] { try await descendants().map(relatedTable) }

    /// ``parts()`` as tables.
    public func partTables() async throws -> [Table] { try await parts().map(relatedTable) }

    /// A table related to this one, through this table's schema value when it is in the same schema.
    func relatedTable(_ name: SQLTableName) -> Table {
        name.schema == schema.name ? schema.table(name.table) : connection.table(name)
    }
}

/// How ``Schema/tableNames(order:)`` orders the names.
public enum TableOrder: Sendable {
    /// By name.
    case alphabetical
    /// In dependency order: every table after the tables it references, parts right after their masters.
    case topological
}

extension Schema {
    /// Names of the DataJoint tables of the schema (hidden `~` tables excluded), by name or in dependency order.
    public func tableNames(order: TableOrder) async throws -> [String] {
        switch order {
        case .alphabetical:
            return try await tableNames()
        case .topological:
            let graph = try await connection.dependencies(of: [name])
            let mine = graph.tables.filter { $0.schema == name && $0.tier != nil }
            return graph.topologicalOrder(mine).map(\.table)
        }
    }

    /// The dependency graph of the schema and of every schema linked to it by foreign keys.
    public func dependencyGraph() async throws -> DependencyGraph {
        try await connection.dependencies(of: [name])
    }
}

extension DependencyGraph {
    /// Tables of several schemas (or any set of tables) in dependency order.
    public func topologicalOrder(ofSchemas schemas: Set<String>) -> [SQLTableName] {
        topologicalOrder(tables.filter { schemas.contains($0.schema) })
    }
}
