import Foundation

/// What ``Table/alter()`` changed (or, for a dry run, would change).
public struct AlterResult: Sendable {
    /// The table altered.
    public var table: SQLTableName
    /// The column changes, in the order they apply.
    public var changes: [ColumnChange]
    /// True when the table comment changed.
    public var commentChanged: Bool
    /// True when the backend rebuilt the table (new table, rows copied, old one dropped) to make the change.
    public var rebuiltTable: Bool
    /// The statements that ran (or would run), in order.
    public var statements: [String]
    /// True when nothing needed to change.
    public var isEmpty: Bool { changes.isEmpty && !commentChanged }

    /// One line per change: `ADD mass`, `DROP weight`, `RENAME weight -> mass`, `MODIFY mass (type, default)`, ...
    public var summary: [String] {
        var lines: [String] = changes.map { change in
            switch change.kind {
            case .add: return "ADD \(change.column.name) : \(change.column.typeText)"
            case .drop: return "DROP \(change.column.name)"
            case .modify:
                var what: [String] = []
                if change.changesType { what.append("type \(change.previous!.typeText) -> \(change.column.typeText)") }
                if change.changesDefault { what.append("default") }
                if change.previous?.comment != change.column.comment { what.append("comment") }
                if change.position != nil { what.append("position") }
                let name = change.isRename ? "\(change.previous!.name) -> \(change.column.name)" : change.column.name
                return (change.isRename ? "RENAME " : "MODIFY ") + name + (what.isEmpty ? "" : " (" + what.joined(separator: ", ") + ")")
            }
        }
        if commentChanged { lines.append("COMMENT") }
        return lines
    }
}

extension Table {
    /// Changes the table in the database to the `definition` of its Swift type, keeping its rows: secondary
    /// attributes are added, dropped, renamed, moved, or changed in type, default and comment, and the table comment
    /// is updated. Nothing to change is not an error (the result is empty).
    ///
    /// To rename an attribute, give it its new name and begin its comment with the old name in braces:
    /// `mass : float64  # {weight} body mass`.
    ///
    /// Refused with `DataJointError(.notAllowed)`, changing nothing: changes of the primary key, foreign keys or
    /// indexes, a call inside a transaction, and (of kind `.invalidValue` or the database's own) a type change that
    /// existing values do not fit.
    @discardableResult
    public func alter(dryRun: Bool = false) async throws -> AlterResult {
        guard let userType else {
            throw DataJointError(
                .notAllowed,
                "`\(requestedName)` has no Swift type to take a definition from; call alter(definition:) instead")
        }
        return try await alter(definition: userType.definition, dryRun: dryRun)
    }

    /// Changes the table in the database to `definition`, keeping its rows (see ``alter(dryRun:)``). With `dryRun`,
    /// only reports what would change.
    @discardableResult
    public func alter(definition: String, dryRun: Bool = false) async throws -> AlterResult {
        let connection = self.connection
        if connection.inTransaction {
            throw DataJointError(
                .notAllowed,
                "Cannot alter `\(requestedName)` inside a transaction (such as in make): table declarations change "
                    + "outside transactions only. Nothing was changed")
        }
        if !restrictions.isEmpty {
            throw DataJointError(
                .notAllowed, "A restricted table cannot be altered; call alter() on `\(requestedName)` itself (nothing was changed)")
        }
        // Read the table afresh: another client may have changed it.
        schema.forget()
        let info = try await info()
        let (_, resolved) = try await schema.resolveDefinition(
            definition, tableName: info.name.table, tier: info.tier, masterTable: Tier.masterName(ofPart: info.name.table))
        let catalog = connection.catalog
        let referencing = try await connection.withSession { try await catalog.foreignKeys(referencing: info.name, $0) }
            .filter { $0.child != info.name }
            .map { ReferencingForeignKey(child: $0.child, constraint: $0.constraint) }
        let alteration = try AlterationPlanner(info: info, codecs: connection.codecs)
            .plan(resolved.declaration, referencing: referencing)
        let table = "`\(info.name.schema)`.`\(info.name.table)`"
        guard !alteration.isEmpty else {
            connection.logger.info("Nothing to alter in \(table)")
            return AlterResult(table: info.name, changes: [], commentChanged: false, rebuiltTable: false, statements: [])
        }
        let plan = try connection.dialect.alterTable(alteration)
        var result = AlterResult(
            table: info.name, changes: alteration.changes, commentChanged: alteration.commentChanged,
            rebuiltTable: plan.rebuildsTable,
            statements: plan.before.map(\.sql) + plan.steps.map { step in
                switch step {
                case .execute(let statement): statement.sql
                case .verify(let query, _): query.sql
                }
            } + plan.after.map(\.sql))
        if dryRun { return result }
        do {
            try await connection.run(plan)
        } catch let error as DataJointError {
            schema.forget()
            if error.message.hasPrefix("Cannot ") { throw error }
            throw error.reworded("Altering \(table) failed, and nothing was changed: \(error.message)")
        }
        schema.forget()
        connection.logger.info("Altered \(table): \(result.summary.joined(separator: "; "))")
        result.statements = result.statements.filter { !$0.isEmpty }
        return result
    }
}

extension Connection {
    /// Runs an alteration plan: `before` on a session held for the whole plan, the steps in one transaction on it,
    /// then `after` (also when the transaction failed).
    func run(_ plan: AlterationPlan) async throws {
        try await withPinnedSession {
            for statement in plan.before { try await self.execute(statement) }
            do {
                try await self.transaction {
                    for step in plan.steps {
                        switch step {
                        case .execute(let statement):
                            try await self.execute(statement)
                        case .verify(let query, let failure):
                            guard let row = try await self.query(query).first else { continue }
                            let value = row.first.map { v -> String in
                                if case .string(let s) = v { return "'\(s)'" }
                                return "\(v)"
                            }
                            throw DataJointError(.invalidValue, failure + (value.map { " (such as \($0))" } ?? ""))
                        }
                    }
                }
            } catch {
                for statement in plan.after { _ = try? await self.execute(statement) }
                throw error
            }
            for statement in plan.after { try await self.execute(statement) }
        }
    }
}
