extension Table {
    /// This table without its restrictions, named by its database table name.
    func unrestricted() async throws -> Table {
        Table(schema: schema, tableName: try await tableName(), userType: userType)
    }

    /// The keys `populate` computes: the table type's own ``AutoPopulated/keySource(_:)`` if it defines one, else
    /// the join of the tables its primary key references (renamed references projected to their names here),
    /// reduced to the key.
    public func keySource() async throws -> QueryExpression {
        if let type = userType as? any AutoPopulated.Type, let custom = try await type.keySource(schema) {
            return custom
        }
        let info = try await info()
        let key = Set(info.heading.primaryKey)
        let parents = info.foreignKeys.filter { Set($0.columns).isSubset(of: key) }
        guard !parents.isEmpty else {
            throw DataJointError(
                .notAllowed,
                "`\(info.name.table)` has no foreign keys in its primary key, so it has no key source to populate from")
        }
        var source: QueryExpression?
        for foreignKey in parents {
            let parentSchema = foreignKey.referencedTable.schema == schema.name
                ? schema : Schema(name: foreignKey.referencedTable.schema, connection: connection)
            let parent = Table(schema: parentSchema, tableName: foreignKey.referencedTable.table, userType: nil)
            let renames = zip(foreignKey.columns, foreignKey.referencedColumns).filter { $0 != $1 }.map { ($0, SQL(verbatim: $1)) }
            let projected = QueryExpression(.project(parent.queryNode, ProjectionSpec(attributes: [], named: renames)))
            source = source.map { $0 * projected } ?? projected
        }
        return source!
    }
}
