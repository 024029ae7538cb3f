import DataJointCore

extension PostgresDialect {
    /// Changes a table in place with `ALTER TABLE` (PostgreSQL's DDL is transactional: a failure, such as a value that
    /// does not convert to its new type, leaves the table as it was):
    ///
    /// - dropped columns: `DROP COLUMN`; added: `ADD COLUMN` (with its enum type, comment and storage);
    /// - renamed: `RENAME COLUMN`; new type: `ALTER COLUMN ... TYPE ... USING`; default and nullability:
    ///   `SET`/`DROP DEFAULT`, `SET`/`DROP NOT NULL`; comments: `COMMENT ON`.
    ///
    /// PostgreSQL cannot place a column, so when the order of the columns changes (a column moved, or added anywhere
    /// but at the end), the table is then rebuilt in the same transaction: a new table with the columns in order,
    /// the rows copied, the old table dropped with the foreign keys that reference it, the new one renamed, its
    /// constraint names, indexes and comments made as a declaration makes them, and the foreign keys of the
    /// referencing tables declared again.
    public func alterTable(_ alteration: TableAlteration) throws -> AlterationPlan {
        let target = alteration.target
        let qualified = qualifiedName(target.name)
        var steps: [AlterationStep] = []
        func run(_ sql: String) { steps.append(.execute(RenderedSQL(sql))) }
        for change in alteration.changes {
            let column = change.column
            let name = quote(column.name)
            let stored = PostgresDialect.escapedComment(change.storedComment, typeText: column.typeText)
            switch change.kind {
            case .drop:
                run("ALTER TABLE \(qualified) DROP COLUMN \(name)")
            case .add:
                if let create = enumTypeStatement(column, in: target) { steps.append(.execute(create)) }
                run("ALTER TABLE \(qualified) ADD COLUMN " + (try columnDefinition(column, in: target)))
                if column.typeText == "<blob>" { run("ALTER TABLE \(qualified) ALTER COLUMN \(name) SET STORAGE EXTERNAL") }
                if !stored.isEmpty { steps.append(.execute(columnCommentStatement(qualified: qualified, column: column.name, stored: stored))) }
            case .modify:
                guard let previous = change.previous, target.inheritedColumns[column.name] == nil, !column.isHidden else {
                    continue  // a key or hidden column that only moves
                }
                if change.isRename {
                    run("ALTER TABLE \(qualified) RENAME COLUMN \(quote(previous.name)) TO \(name)")
                }
                if change.changesType {
                    if let create = enumTypeStatement(column, in: target) { steps.append(.execute(create)) }
                    let type = try columnType(for: column.type, typeText: column.typeText, enumSchema: target.name.schema)
                    run("ALTER TABLE \(qualified) ALTER COLUMN \(name) DROP DEFAULT")
                    run("ALTER TABLE \(qualified) ALTER COLUMN \(name) TYPE \(type)" + conversion(name, to: column.type, sqlType: type))
                    if column.typeText == "<blob>" { run("ALTER TABLE \(qualified) ALTER COLUMN \(name) SET STORAGE EXTERNAL") }
                }
                if change.changesType || change.changesDefault {
                    if column.nullable {
                        run("ALTER TABLE \(qualified) ALTER COLUMN \(name) DROP NOT NULL")
                        run("ALTER TABLE \(qualified) ALTER COLUMN \(name) DROP DEFAULT")
                    } else {
                        if let d = column.defaultValue, d != .null {
                            run("ALTER TABLE \(qualified) ALTER COLUMN \(name) SET DEFAULT " + defaultSQL(d, type: column.type))
                        } else {
                            run("ALTER TABLE \(qualified) ALTER COLUMN \(name) DROP DEFAULT")
                        }
                        run("ALTER TABLE \(qualified) ALTER COLUMN \(name) SET NOT NULL")
                    }
                }
                if change.storedComment != previous.storedComment || change.changesType || change.isRename {
                    steps.append(
                        .execute(
                            stored.isEmpty
                                ? RenderedSQL("COMMENT ON COLUMN \(qualified).\(name) IS NULL")
                                : columnCommentStatement(qualified: qualified, column: column.name, stored: stored)))
                }
            }
        }
        if alteration.commentChanged {
            run("COMMENT ON TABLE \(qualified) IS \(stringLiteral(target.comment))")
        }
        guard !alteration.inPlaceOrderMatchesTarget(visibleOnly: true) else { return AlterationPlan(steps: steps) }

        // Rebuild with the columns in order.
        let temporary = SQLTableName(schema: target.name.schema, table: "~" + target.name.table)
        let temporaryName = qualifiedName(temporary)
        steps += try tableStatements(target, storedAs: temporary).map { .execute($0) }
        steps += commentStatements(target, storedAs: temporary).map { .execute($0) }
        let columns = target.columns.map { quote($0.name) }.joined(separator: ", ")
        run("INSERT INTO \(temporaryName) (\(columns)) SELECT \(columns) FROM \(qualified)")
        run("DROP TABLE \(qualified) CASCADE")
        run("ALTER TABLE \(temporaryName) RENAME TO \(quote(target.name.table))")
        // Constraints were named after the temporary table (`~table_pkey`, `~table_col_fkey`).
        let relation = stringLiteral(qualified)
        run(
            """
            DO $dj$
            DECLARE r record;
            BEGIN
              FOR r IN SELECT conname FROM pg_constraint WHERE conrelid = \(relation)::regclass AND left(conname, 1) = '~' LOOP
                EXECUTE format('ALTER TABLE %s RENAME CONSTRAINT %I TO %I', \(relation), r.conname, substr(r.conname, 2));
              END LOOP;
            END $dj$
            """)
        steps += indexStatements(target).map { .execute($0) }
        for reference in alteration.referencingForeignKeys {
            let fk = reference.constraint
            run(
                "ALTER TABLE \(qualifiedName(reference.child)) ADD FOREIGN KEY (" + fk.columns.map(quote).joined(separator: ", ")
                    + ") REFERENCES \(qualified) (" + fk.referencedColumns.map(quote).joined(separator: ", ")
                    + ") ON UPDATE CASCADE ON DELETE RESTRICT")
        }
        return AlterationPlan(steps: steps, rebuildsTable: true)
    }

    /// The `USING` clause of a change of type: none for text types (PostgreSQL's assignment cast refuses a value too
    /// long, where an explicit cast would cut it short), through text for enums, else an explicit cast.
    func conversion(_ column: String, to type: AttributeType, sqlType: String) -> String {
        switch type {
        case .char, .varchar: ""
        case .enumeration: " USING \(column)::text::\(sqlType)"
        default: " USING \(column)::\(sqlType)"
        }
    }
}
