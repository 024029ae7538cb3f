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
    /// With safemode on (the default) pass `confirm: true`.
    @discardableResult
    public func delete(confirm: Bool = false, partIntegrity: PartIntegrity = .enforce) async throws -> Int {
        let info = try await info()
        if connection.settings.safemode, !confirm {
            throw DataJointError(
                .notAllowed, "Deleting from `\(info.name.table)` needs confirm: true (safemode is on); nothing was deleted")
        }
        let seed = try await baseWhereClause() ?? .truth(true)
        let counts = try await CascadeDelete(connection: connection, partIntegrity: partIntegrity)
            .run(seeds: [info.name: seed])
        return counts[info.name] ?? 0
    }

    /// Deletes the rows of this (restricted) table only, without cascading; fails if dependent rows exist.
    @discardableResult
    public func deleteQuick() async throws -> Int {
        let info = try await info()
        let delete = SQLDelete(table: info.name, where: try await baseWhereClause())
        let connection = self.connection
        let table = info.name.table
        do {
            return try await connection.transaction { try await connection.execute(.delete(delete)) }
        } catch let error as DataJointError where error.kind == .integrity {
            throw error.reworded(
                "Cannot delete from `\(table)`: dependent rows exist in other tables; use delete() to cascade (\(error.message))")
        }
    }
}

/// Plans and runs a cascading delete: restrictions propagate from the seed tables to every descendant
/// through foreign keys, and rows are deleted leaves first, all in one transaction.
struct CascadeDelete {
    let connection: Connection
    let partIntegrity: PartIntegrity

    struct Edge {
        let parent: SQLTableName
        let child: SQLTableName
        let constraint: ForeignKeyConstraint
    }

    /// Returns rows deleted per table.
    func run(seeds initialSeeds: [SQLTableName: SQLExpression]) async throws -> [SQLTableName: Int] {
        let connection = self.connection
        return try await connection.transaction {
            var seeds = initialSeeds
            var (order, conditions) = try await plan(seeds)
            if partIntegrity == .cascade {
                // Pull in the masters of part tables reached by the cascade, materialized before anything is deleted.
                var changed = true
                while changed {
                    changed = false
                    for table in order {
                        guard let masterName = Tier.masterName(ofPart: table.table) else { continue }
                        let master = SQLTableName(schema: table.schema, table: masterName)
                        let keys = try await masterKeys(of: table, master: master, condition: conditions[table]!)
                        guard let keys else { continue }
                        let previous = seeds[master]
                        let combined: SQLExpression = previous.map { .or([$0, keys]) } ?? keys
                        if conditions[master] == nil {
                            seeds[master] = combined
                            changed = true
                        }
                    }
                    if changed { (order, conditions) = try await plan(seeds) }
                }
            }
            var counts: [SQLTableName: Int] = [:]
            for table in order.reversed() {
                let delete = SQLDelete(table: table, where: conditions[table])
                counts[table] = try await connection.execute(.delete(delete))
            }
            if partIntegrity == .enforce {
                for (table, count) in counts where count > 0 {
                    guard let masterName = Tier.masterName(ofPart: table.table) else { continue }
                    let master = SQLTableName(schema: table.schema, table: masterName)
                    if (counts[master] ?? 0) == 0 {
                        throw DataJointError(
                            .integrity,
                            "Delete would remove rows of part table `\(table.table)` without their master rows in "
                                + "`\(masterName)`; delete from the master instead, or pass partIntegrity: .cascade "
                                + "(delete the masters too) or .ignore. Nothing was deleted")
                    }
                }
            }
            return counts
        }
    }

    /// The primary keys of the master rows referenced by the part rows matching `condition`, as a literal condition.
    private func masterKeys(of part: SQLTableName, master: SQLTableName, condition: SQLExpression) async throws -> SQLExpression? {
        let catalog = connection.catalog
        guard let described = try await connection.withSession({ try await catalog.describe(part, $0) }),
            let fk = described.foreignKeys.first(where: { $0.referencedTable == master })
        else { return nil }
        var select = SQLSelect(columns: fk.columns.map { (.column($0), nil) }, from: .table(part), where: condition)
        select.distinct = true
        let rows = try await connection.query(connection.dialect.render(.select(select)))
        if rows.isEmpty { return .truth(false) }
        return .or(rows.map { row in
            .and(zip(fk.referencedColumns, row).map { column, value in
                value.isNull ? .isNull(.column(column)) : .equals(.column(column), .bind(value))
            })
        })
    }

    /// Finds all descendants of the seeds and the condition selecting the rows to delete in each,
    /// returned in topological order (parents before children).
    func plan(_ seeds: [SQLTableName: SQLExpression]) async throws -> ([SQLTableName], [SQLTableName: SQLExpression]) {
        let catalog = connection.catalog
        var edges: [Edge] = []
        var nodes = Set(seeds.keys)
        var frontier = Array(seeds.keys)
        var explored = Set<SQLTableName>()
        while let table = frontier.popLast() {
            guard explored.insert(table).inserted else { continue }
            let references = try await connection.withSession { try await catalog.foreignKeys(referencing: table, $0) }
            for (child, constraint) in references where child != table {
                edges.append(Edge(parent: table, child: child, constraint: constraint))
                if nodes.insert(child).inserted { frontier.append(child) }
            }
        }
        // Kahn's algorithm over the discovered subgraph.
        var indegree: [SQLTableName: Int] = Dictionary(uniqueKeysWithValues: nodes.map { ($0, 0) })
        for edge in edges { indegree[edge.child, default: 0] += 1 }
        var ready = nodes.filter { indegree[$0] == 0 }.sorted { "\($0)" < "\($1)" }
        var order: [SQLTableName] = []
        while let table = ready.first {
            ready.removeFirst()
            order.append(table)
            for edge in edges where edge.parent == table {
                indegree[edge.child]! -= 1
                if indegree[edge.child] == 0 { ready.append(edge.child) }
            }
        }
        var conditions: [SQLTableName: SQLExpression] = [:]
        for table in order {
            var terms: [SQLExpression] = seeds[table].map { [$0] } ?? []
            for edge in edges where edge.child == table {
                guard let parentCondition = conditions[edge.parent] else { continue }
                let select = SQLSelect(
                    columns: edge.constraint.referencedColumns.map { (.column($0), nil) }, from: .table(edge.parent),
                    where: parentCondition)
                terms.append(.inSelect(edge.constraint.columns.map { .column($0) }, select))
            }
            conditions[table] = terms.count == 1 ? terms[0] : .or(terms)
        }
        return (order, conditions)
    }
}
