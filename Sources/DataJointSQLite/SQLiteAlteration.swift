import DataJointCore

extension SQLiteDialect {
    /// Changes a table as SQLite allows:
    ///
    /// - comments only: the rows of `"~comments"`;
    /// - columns added at the end (nullable or with a constant default): `ALTER TABLE ... ADD COLUMN`;
    /// - anything else (types, defaults, nullability, renames, drops, order): the table is rebuilt as SQLite's manual
    ///   describes ("Making Other Kinds Of Table Schema Changes"): with foreign keys off for the session, in one
    ///   transaction, a new table is created, the rows are copied and checked against their new types, the old table
    ///   is dropped and the new one takes its name, its indexes and comments are recreated, and
    ///   `PRAGMA foreign_key_check` confirms that no reference broke. Foreign keys of other tables refer to the
    ///   table by name, so they refer to the new table.
    public func alterTable(_ alteration: TableAlteration) throws -> AlterationPlan {
        let target = alteration.target
        let name = qualifiedName(target.name)
        if alteration.changesCommentsOnly {
            return AlterationPlan(steps: commentStatements(target).map { .execute($0) })
        }
        let appendsOnly = alteration.inPlaceOrderMatchesTarget(visibleOnly: false)
            && alteration.changes.allSatisfy { change in
                switch change.kind {
                case .add:
                    switch change.column.defaultValue {
                    case .currentTimestamp?, .currentTimestampPrecision?: return false
                    case nil: return change.column.nullable
                    default: return true
                    }
                case .drop: return false
                case .modify: return change.changesCommentOnly && change.position == nil
                }
            }
        if appendsOnly {
            var steps: [AlterationStep] = []
            for change in alteration.changes where change.kind == .add {
                steps.append(.execute(RenderedSQL("ALTER TABLE \(name) ADD COLUMN " + (try columnDefinition(change.column)))))
            }
            steps += commentStatements(target).map { .execute($0) }
            return AlterationPlan(steps: steps)
        }

        let temporary = SQLTableName(schema: target.name.schema, table: "~" + target.name.table)
        var steps: [AlterationStep] = [.execute(try tableStatement(target, storedAs: temporary))]
        var into: [String] = []
        var from: [String] = []
        for column in target.columns {
            guard let source = alteration.currentName(ofTarget: column.name) else { continue }
            into.append(quote(column.name))
            from.append(quote(source))
        }
        steps.append(
            .execute(
                RenderedSQL(
                    "INSERT INTO \(qualifiedName(temporary)) (\(into.joined(separator: ", "))) SELECT "
                        + from.joined(separator: ", ") + " FROM \(name)")))
        for change in alteration.changes where change.changesType {
            guard let condition = storableCondition(quote(change.column.name), as: change.column.type) else { continue }
            let column = quote(change.column.name)
            steps.append(
                .verify(
                    RenderedSQL(
                        "SELECT \(column) FROM \(qualifiedName(temporary)) WHERE \(column) IS NOT NULL AND NOT (\(condition)) LIMIT 1"),
                    failure: "Cannot change `\(change.previous?.name ?? change.column.name)` of "
                        + "`\(target.name.schema)`.`\(target.name.table)` to \(change.column.typeText): a stored value does not "
                        + "convert. Nothing was changed; update or delete such values first"))
        }
        steps.append(.execute(RenderedSQL("DROP TABLE \(name)")))
        steps.append(.execute(RenderedSQL("ALTER TABLE \(qualifiedName(temporary)) RENAME TO \(quote(SQLiteDialect.storedName(target.name)))")))
        steps += indexStatements(target).map { .execute($0) }
        steps += commentStatements(target).map { .execute($0) }
        steps.append(
            .verify(
                RenderedSQL("SELECT \"table\" FROM pragma_foreign_key_check(?1) LIMIT 1", [.string(SQLiteDialect.storedName(target.name))]),
                failure: "Cannot alter `\(target.name.schema)`.`\(target.name.table)`: a foreign key would break. Nothing was changed"))
        return AlterationPlan(
            before: [RenderedSQL("PRAGMA foreign_keys = OFF")], steps: steps, after: [RenderedSQL("PRAGMA foreign_keys = ON")],
            rebuildsTable: true)
    }

    /// A condition that a value copied into a column of `type` meets when it converted to that type (SQLite keeps a
    /// value it cannot convert as it was); nil when any value will do.
    func storableCondition(_ column: String, as type: AttributeType) -> String? {
        func integer(_ low: Int64, _ high: Int64) -> String {
            "typeof(\(column)) = 'integer' AND \(column) BETWEEN \(low) AND \(high)"
        }
        switch type {
        case .bool: return "typeof(\(column)) = 'integer' AND \(column) IN (0, 1)"
        case .int8: return integer(Int64(Int8.min), Int64(Int8.max))
        case .int16: return integer(Int64(Int16.min), Int64(Int16.max))
        case .int32: return integer(Int64(Int32.min), Int64(Int32.max))
        case .int64: return "typeof(\(column)) = 'integer'"
        case .float32, .float64: return "typeof(\(column)) IN ('integer', 'real')"
        case .decimal(let p, _) where p <= 15: return "typeof(\(column)) IN ('integer', 'real')"
        case .char(let n), .varchar(let n): return "typeof(\(column)) = 'text' AND length(\(column)) <= \(n)"
        case .date: return "typeof(\(column)) = 'text' AND \(column) GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'"
        case .datetime: return "typeof(\(column)) = 'text' AND \(column) GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*'"
        case .json: return "json_valid(\(column))"
        case .uuid: return "typeof(\(column)) = 'blob' AND length(\(column)) = 16"
        case .bytes: return "typeof(\(column)) = 'blob'"
        default: return nil
        }
    }
}
