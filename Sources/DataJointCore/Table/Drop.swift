extension Table {
    /// Drops the table and every table that depends on it (in any schema), dependents first.
    /// A part table is dropped with its master, not alone: dropping a part, or a table that a part of another master
    /// depends on, is refused until that master is dropped, unless `partIntegrity` is `.ignore` (as DataJoint-Python's
    /// `drop(part_integrity="ignore")`), which drops parts without their masters. `.cascade` applies to `delete` only.
    /// A restricted table cannot be dropped. With safemode on, pass `confirm: true`.
    public func drop(confirm: Bool = false, partIntegrity: PartIntegrity = .enforce) async throws {
        if partIntegrity == .cascade {
            throw DataJointError(
                .notAllowed,
                "drop(partIntegrity: .cascade) is not supported (cascade applies to delete only); use .enforce or "
                    + ".ignore (nothing was dropped)")
        }
        let info = try await info()
        if info.tier == .part, partIntegrity == .enforce {
            throw DataJointError(
                .notAllowed,
                "Part table `\(info.name.table)` cannot be dropped alone; drop its master instead, or pass "
                    + "partIntegrity: .ignore to drop the part without its master (nothing was dropped)")
        }
        if !restrictions.isEmpty {
            throw DataJointError(
                .notAllowed, "A restricted table cannot be dropped; call drop() on `\(info.name.table)` itself (nothing was dropped)")
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
        // A part table that depends on the table goes only with its master.
        for table in graph.topologicalOrder(doomed) where partIntegrity == .enforce {
            guard let master = graph.master(of: table), !doomed.contains(master) else { continue }
            throw DataJointError(
                .notAllowed,
                "Dropping `\(info.name.table)` would drop part table `\(table)` without its master `\(master)`; drop "
                    + "the master first, or pass partIntegrity: .ignore (nothing was dropped)")
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
