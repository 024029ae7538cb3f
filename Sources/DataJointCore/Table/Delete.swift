/// How a delete treats part tables whose master rows are not deleted with them.
public enum PartIntegrity: String, Sendable {
    /// Refuse (roll back) a delete that removes part rows while keeping their master's rows.
    case enforce
    /// Allow part rows to be deleted without their master.
    case ignore
    /// Also delete the master rows of deleted part rows, and with them all their parts.
    case cascade
}

extension Table {
    /// Deletes the rows of this (restricted) table and, in the same transaction, every row that depends on
    /// them in any schema. Returns the number of rows deleted from this table.
    ///
    /// With safemode on (the default) pass `confirm: true`. To see what a delete would remove without removing
    /// anything, use ``deletePreview(partIntegrity:)``.
    @discardableResult
    public func delete(confirm: Bool = false, partIntegrity: PartIntegrity = .enforce) async throws -> Int {
        let info = try await info()
        if connection.settings.safemode, !confirm {
            throw DataJointError(
                .notAllowed, "Deleting from `\(info.name.table)` needs confirm: true (safemode is on); nothing was deleted")
        }
        do {
            return try await cascadeDelete(info.name, partIntegrity: partIntegrity)
        } catch let error as DataJointError where error.isForeignKeyViolation {
            // A table declared by another client since the dependency graph was read: read it again, once.
            connection.forgetDependencies()
            return try await cascadeDelete(info.name, partIntegrity: partIntegrity)
        }
    }

    /// The rows a ``delete(confirm:partIntegrity:)`` would remove from each table, without removing anything.
    public func deletePreview(partIntegrity: PartIntegrity = .enforce) async throws -> [SQLTableName: Int] {
        try await Diagram.cascade(self, partIntegrity: partIntegrity).counts()
    }

    private func cascadeDelete(_ name: SQLTableName, partIntegrity: PartIntegrity) async throws -> Int {
        let connection = self.connection
        let table = self
        return try await deleteTransaction {
            // Planned inside the transaction: the keys of masters pulled in by part rows are read with the deletes.
            var deleted: [SQLTableName: Int] = [:]
            var graph: DependencyGraph?
            for diagram in try await table.deletePlans(partIntegrity: partIntegrity) {
                graph = diagram.graph
                for target in diagram.orderedTables.reversed() {
                    let statement = SQLDelete(table: target, where: try await diagram.restrictedTable(target).baseWhereClause())
                    do {
                        deleted[target, default: 0] += try await connection.execute(.delete(statement))
                    } catch let error as DataJointError where error.isForeignKeyViolation {
                        throw error.reworded(
                            "Cannot delete from `\(target)`: rows of a table outside the known dependencies refer to them; "
                                + "nothing was deleted (\(error.message))")
                    }
                }
            }
            if partIntegrity == .enforce, let graph {
                for (part, count) in deleted.sorted(by: { DependencyGraph.nameOrder($0.key, $1.key) }) where count > 0 {
                    guard let master = graph.master(of: part), (deleted[master] ?? 0) == 0 else { continue }
                    throw DataJointError(
                        .integrity,
                        "Delete would remove rows of part table `\(part.table)` without their master rows in "
                            + "`\(master.table)`; delete from the master instead, or pass partIntegrity: .cascade "
                            + "(delete the masters too) or .ignore. Nothing was deleted")
                }
            }
            return deleted[name] ?? 0
        }
    }

    /// The cascades that together make this delete: this table's own; or, when its restriction reads a table that
    /// the cascade empties before this one (`(Session & Review).delete()`), the cascades of its keys, read first, in
    /// chunks (one condition with every key could exceed the database's limit on bound values).
    private func deletePlans(partIntegrity: PartIntegrity) async throws -> [Diagram] {
        let plan = try await Diagram.cascade(self, partIntegrity: partIntegrity)
        var read = Set<SQLTableName>()
        for restriction in restrictions { read.formUnion(try await restriction.tablesRead()) }
        guard !read.isDisjoint(with: plan.tables.subtracting([try await fullName()])) else { return [plan] }
        let keys = try await self.keys()
        let chunkSize = 1000
        var plans: [Diagram] = []
        for start in stride(from: 0, to: keys.count, by: chunkSize) {
            var chunk = self
            chunk.restrictions = [.or(keys[start..<min(start + chunkSize, keys.count)].map(Restriction.row))]
            plans.append(try await Diagram.cascade(chunk, partIntegrity: partIntegrity))
        }
        return plans
    }

    /// Deletes the rows of this (restricted) table only, without cascading; fails if dependent rows exist.
    @discardableResult
    public func deleteQuick() async throws -> Int {
        let info = try await info()
        let delete = SQLDelete(table: info.name, where: try await baseWhereClause())
        let connection = self.connection
        let table = info.name.table
        do {
            return try await deleteTransaction { try await connection.execute(.delete(delete)) }
        } catch let error as DataJointError where error.kind == .integrity {
            throw error.reworded(
                "Cannot delete from `\(table)`: dependent rows exist in other tables; use delete() to cascade (\(error.message))")
        }
    }
}
