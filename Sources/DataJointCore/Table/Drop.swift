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
        // Parts of the table go with it even when they do not reference the master directly.
        let catalog = connection.catalog
        let siblings = try await connection.withSession { try await catalog.tables(inSchema: info.name.schema, $0) }
            .filter { Tier.masterName(ofPart: $0) == info.name.table }
            .map { SQLTableName(schema: info.name.schema, table: $0) }
        var seeds: [SQLTableName: SQLExpression] = [info.name: .truth(true)]
        for part in siblings { seeds[part] = .truth(true) }
        let (order, _) = try await CascadeDelete(connection: connection, partIntegrity: .ignore).plan(seeds)
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
