extension Table {
    /// Drops this table only: no cascade to dependent tables, no safemode prompt, parts and masters not considered
    /// (DataJoint-Python's `drop_quick`). Its lineage entries go with it, and on PostgreSQL the enum types no other
    /// column uses. A table that does not exist is left alone (nothing to drop is not an error).
    ///
    /// Refused with `DataJointError(.integrity)`, dropping nothing, while other tables reference it: drop those first,
    /// or use ``drop(confirm:partIntegrity:)``, which drops them too. (Where the reference lets the server refuse, this
    /// checks first, so that SQLite, which would let an empty parent go and leave its children's keys dangling,
    /// refuses too.)
    public func dropQuick() async throws {
        if !restrictions.isEmpty {
            throw DataJointError(
                .notAllowed, "A restricted table cannot be dropped; call dropQuick() on `\(requestedName)` itself (nothing was dropped)")
        }
        schema.forget()
        guard let info = try? await info() else {
            connection.logger.info("Nothing to drop: table `\(schema.name)`.`\(requestedName)` is not declared")
            return
        }
        let connection = self.connection
        let catalog = connection.catalog
        let children = try await connection.withSession { try await catalog.foreignKeys(referencing: info.name, $0) }
            .map(\.child).filter { $0 != info.name }
        if let child = children.first {
            throw DataJointError(
                .integrity,
                "Cannot drop `\(info.name.schema)`.`\(info.name.table)`: table `\(child.schema)`.`\(child.table)` references "
                    + "it. Drop the referencing tables first, or use drop(), which drops them too (nothing was dropped)",
                isForeignKeyViolation: true)
        }
        let dialect = connection.dialect
        try await connection.transaction {
            for statement in dialect.dropTable(info.name) { try await connection.execute(statement) }
            try await LineageTable(connection: connection, schema: info.name.schema).delete(table: info.name.table)
        }
        schema.forget()
        connection.logger.info("Dropped table `\(info.name.schema)`.`\(info.name.table)`")
    }
}
