extension Schema {
    /// Recomputes the `~lineage` table of this schema from its foreign keys, as the reference's
    /// `rebuild_lineage` does: for schemas declared before lineage existed, or after it was damaged.
    /// Schemas this one references must have their lineage already.
    public func rebuildLineage() async throws {
        let connection = self.connection
        let catalog = connection.catalog
        let schemaName = name
        let tables = try await connection.withSession { try await catalog.tables(inSchema: schemaName, $0) }
            .filter { !$0.hasPrefix("~") }
        var described: [String: CatalogTable] = [:]
        for table in tables {
            if let d = try await connection.withSession({ try await catalog.describe(SQLTableName(schema: schemaName, table: table), $0) }) {
                described[table] = d
            }
        }
        var resolved: [String: String] = [:]  // "table.column" -> lineage
        var visiting = Set<String>()
        func lineage(_ table: String, _ column: String) async throws -> String {
            let key = "\(table).\(column)"
            if let known = resolved[key] { return known }
            guard visiting.insert(key).inserted else {
                throw DataJointError(.integrity, "cyclic foreign keys at `\(schemaName)`.`\(table)`.`\(column)`")
            }
            var result = "\(schemaName).\(table).\(column)"
            if let fk = described[table]?.foreignKeys.first(where: { $0.columns.contains(column) }) {
                let parentColumn = fk.referencedColumns[fk.columns.firstIndex(of: column)!]
                if fk.referencedTable.schema == schemaName {
                    result = try await lineage(fk.referencedTable.table, parentColumn)
                } else {
                    guard let parentLineage = try await LineageTable(connection: connection, schema: fk.referencedTable.schema)
                        .lineage(table: fk.referencedTable.table, attribute: parentColumn)
                    else {
                        throw DataJointError(
                            .integrity,
                            "Cannot rebuild lineage for `\(schemaName)`.`\(table)`: the referenced attribute "
                                + "`\(fk.referencedTable.schema)`.`\(fk.referencedTable.table)`.`\(parentColumn)` has no lineage. "
                                + "Rebuild the lineage of schema `\(fk.referencedTable.schema)` first")
                    }
                    result = parentLineage
                }
            }
            resolved[key] = result
            return result
        }
        var entries: [String: [String: String]] = [:]
        for (table, description) in described {
            let columns = Set(description.primaryKey).union(description.foreignKeys.flatMap(\.columns))
            for column in columns where !column.hasPrefix("_") {
                entries[table, default: [:]][column] = try await lineage(table, column)
            }
        }
        let lineageTable = LineageTable(connection: connection, schema: schemaName)
        let all = entries
        try await connection.transaction {
            try await lineageTable.ensure()
            try await connection.execute(.delete(SQLDelete(table: lineageTable.name, where: nil)))
            for (table, tableEntries) in all {
                try await lineageTable.replace(table: table, entries: tableEntries)
            }
        }
        forget()
    }
}
