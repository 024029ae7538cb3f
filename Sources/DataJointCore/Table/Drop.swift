extension Table {
    /// Drops the table and every table that depends on it (in any schema), dependents first.
    /// A part table is dropped with its master, not alone. With safemode on, pass `confirm: true`.
    public func drop(confirm: Bool = false) async throws {
        let info = try await info()
        if info.tier == .part {
            throw DataJointError(
                .notAllowed, "Part table `\(info.name.table)` cannot be dropped alone; drop its master instead")
        }
        if connection.settings.safemode, !confirm {
            throw DataJointError(.notAllowed, "Dropping `\(info.name.table)` needs confirm: true (safemode is on)")
        }
        // Read the graph afresh: a table another client declared must be dropped too.
        let graph = try await connection.dependencies(of: [info.name.schema], reload: true)
        // Parts of the table go with it even when they do not reference the master directly.
        var doomed: Set<SQLTableName> = [info.name]
        for seed in [info.name] + graph.parts(of: info.name) {
            doomed.insert(seed)
            doomed.formUnion(graph.descendants(of: seed))
        }
        let order = graph.topologicalOrder(doomed)
        let connection = self.connection
        let dialect = connection.dialect
        try await connection.transaction {
            for table in order.reversed() {
                for statement in dialect.dropTable(table) { try await connection.execute(statement) }
                try await LineageTable(connection: connection, schema: table.schema).delete(table: table.table)
            }
        }
        schema.forget()
    }
}
