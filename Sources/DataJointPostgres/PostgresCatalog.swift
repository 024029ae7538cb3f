import DataJointCore
import Foundation

/// Reads and changes the catalog of a PostgreSQL database through `pg_catalog`: schemas are PostgreSQL schemas,
/// comments are `COMMENT ON` comments, keys come from `pg_constraint` and indexes from `pg_index`.
struct PostgresCatalog: Catalog {
    private let dialect = PostgresDialect()

    /// The OID of a table, as a scalar subquery on `$1` (schema) and `$2` (table).
    private static let tableOID =
        "(SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        + "WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p'))"

    func schemas(_ session: any DatabaseSession) async throws -> [String] {
        try await session.query(
            RenderedSQL(
                "SELECT nspname::text FROM pg_catalog.pg_namespace WHERE nspname NOT LIKE 'pg\\_%' "
                    + "AND nspname NOT IN ('information_schema', 'public') ORDER BY nspname")
        ).compactMap { if case .string(let s) = $0[0] { s } else { nil } }
    }

    func createSchema(_ name: String, _ session: any DatabaseSession) async throws {
        try await session.execute(RenderedSQL("CREATE SCHEMA IF NOT EXISTS \(dialect.quote(name))"))
    }

    func dropSchema(_ name: String, _ session: any DatabaseSession) async throws {
        try await session.execute(RenderedSQL("DROP SCHEMA IF EXISTS \(dialect.quote(name)) CASCADE"))
    }

    func tables(inSchema schema: String, _ session: any DatabaseSession) async throws -> [String] {
        try await session.query(
            RenderedSQL(
                "SELECT c.relname::text FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                    + "WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY c.relname",
                [.string(schema)])
        ).compactMap { if case .string(let s) = $0[0] { s } else { nil } }
    }

    func describe(_ table: SQLTableName, _ session: any DatabaseSession) async throws -> CatalogTable? {
        let names: [Value] = [.string(table.schema), .string(table.table)]
        let found = try await session.query(
            RenderedSQL(
                "SELECT obj_description(c.oid, 'pg_class') FROM pg_catalog.pg_class c "
                    + "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                    + "WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')", names))
        guard let first = found.first else { return nil }
        let tableComment: String = if case .string(let s) = first[0] { s } else { "" }

        let columnRows = try await session.query(
            RenderedSQL(
                """
                SELECT a.attname::text,
                       CASE WHEN t.typtype = 'e' THEN t.typname::text ELSE format_type(a.atttypid, a.atttypmod) END,
                       a.attnotnull, pg_get_expr(d.adbin, d.adrelid), col_description(a.attrelid, a.attnum)
                FROM pg_catalog.pg_attribute a
                JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
                LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                WHERE a.attrelid = \(PostgresCatalog.tableOID) AND a.attnum > 0 AND NOT a.attisdropped
                ORDER BY a.attnum
                """, names))
        var columns: [CatalogColumn] = []
        var uncommented = Set<String>()
        for row in columnRows {
            guard case .string(let name) = row[0] else { continue }
            let type: String = if case .string(let t) = row[1] { PostgresCatalog.definitionType(t) } else { "" }
            let notNull: Bool = if case .bool(let b) = row[2] { b } else { false }
            let defaultSQL: String? = if case .string(let d) = row[3] { d } else { nil }
            let comment: String
            if case .string(let c) = row[4] {
                comment = PostgresCatalog.unescapedComment(c)
            } else {
                comment = ""
                uncommented.insert(name)
            }
            columns.append(CatalogColumn(name: name, sqlType: type, nullable: !notNull, defaultSQL: defaultSQL, comment: comment))
        }

        let keyRows = try await session.query(
            RenderedSQL(
                """
                SELECT a.attname::text
                FROM pg_catalog.pg_constraint con
                CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
                JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
                WHERE con.conrelid = \(PostgresCatalog.tableOID) AND con.contype = 'p'
                ORDER BY k.ord
                """, names))
        let primaryKey = keyRows.compactMap { row -> String? in if case .string(let s) = row[0] { s } else { nil } }

        let foreignKeys = try await PostgresCatalog.foreignKeys(
            where: "con.conrelid = \(PostgresCatalog.tableOID)", names, session
        ).map(\.constraint)

        // Columns that a foreign key brought in carry no comment on PostgreSQL (as the reference declares them);
        // they are described with the comment of the attribute they come from, `:type:` marker included.
        for (i, column) in columns.enumerated() where uncommented.contains(column.name) {
            if let fk = foreignKeys.first(where: { $0.columns.contains(column.name) }) {
                let parentColumn = fk.referencedColumns[fk.columns.firstIndex(of: column.name)!]
                if let comment = try await originComment(fk.referencedTable, parentColumn, session) {
                    columns[i].comment = comment
                }
            }
        }

        // Secondary indexes, in the order they were created; the primary key's index is not one.
        let indexRows = try await session.query(
            RenderedSQL(
                """
                SELECT i.indexrelid::bigint, i.indisunique, pg_get_indexdef(i.indexrelid, k.n, true)
                FROM pg_catalog.pg_index i
                CROSS JOIN LATERAL generate_series(1, i.indnkeyatts::integer) AS k(n)
                WHERE i.indrelid = \(PostgresCatalog.tableOID) AND NOT i.indisprimary
                ORDER BY i.indexrelid, k.n
                """, names))
        var indexes: [IndexConstraint] = []
        var currentIndex: Int64?
        for row in indexRows {
            guard case .int(let id) = row[0], case .string(let column) = row[2] else { continue }
            let unique: Bool = if case .bool(let b) = row[1] { b } else { false }
            if id != currentIndex {
                currentIndex = id
                indexes.append(IndexConstraint(unique: unique, columns: []))
            }
            indexes[indexes.count - 1].columns.append(PostgresCatalog.indexColumn(column))
        }
        // Indexes that only support a foreign key were added by the declaration, not written in the definition.
        let foreignKeyColumns = Set(foreignKeys.map(\.columns))
        indexes.removeAll { !$0.unique && foreignKeyColumns.contains($0.columns) }

        return CatalogTable(
            name: table, comment: tableComment, columns: columns, primaryKey: primaryKey, foreignKeys: foreignKeys,
            indexes: indexes)
    }

    /// The comment of a column, following foreign keys up to the attribute's origin while it has none.
    private func originComment(_ table: SQLTableName, _ column: String, _ session: any DatabaseSession) async throws -> String? {
        var table = table
        var column = column
        var visited = Set<String>()
        while visited.insert("\(table.schema).\(table.table).\(column)").inserted {
            let names: [Value] = [.string(table.schema), .string(table.table), .string(column)]
            let rows = try await session.query(
                RenderedSQL(
                    "SELECT col_description(a.attrelid, a.attnum) FROM pg_catalog.pg_attribute a "
                        + "WHERE a.attrelid = \(PostgresCatalog.tableOID) AND a.attname = $3 AND NOT a.attisdropped", names))
            guard let row = rows.first else { return nil }
            if case .string(let comment) = row[0] { return PostgresCatalog.unescapedComment(comment) }
            let parents = try await PostgresCatalog.foreignKeys(
                where: "con.conrelid = \(PostgresCatalog.tableOID) AND $3 IN (SELECT attname FROM pg_catalog.pg_attribute "
                    + "WHERE attrelid = con.conrelid AND attnum = ANY (con.conkey))", names, session)
            guard let fk = parents.first?.constraint, let position = fk.columns.firstIndex(of: column) else { return nil }
            table = fk.referencedTable
            column = fk.referencedColumns[position]
        }
        return nil
    }

    /// A column type as the definition language spells it where PostgreSQL's own spelling is not accepted there
    /// (`varchar(n)`, `char(n)`, `double`, `longblob`, `timestamp(n)`, `time`, `bool`), so that `describe()` of
    /// a native column declares the same column again. Other types keep `format_type`'s spelling.
    static func definitionType(_ formatted: String) -> String {
        let text = formatted
        func match(_ pattern: String) -> [String]? {
            guard let regex = try? NSRegularExpression(pattern: pattern),
                let m = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text))
            else { return nil }
            return (0..<m.numberOfRanges).map { i in
                Range(m.range(at: i), in: text).map { String(text[$0]) } ?? ""
            }
        }
        if let m = match(#"^character varying\((\d+)\)$"#) { return "varchar(\(m[1]))" }
        if let m = match(#"^character\((\d+)\)$"#) { return "char(\(m[1]))" }
        if let m = match(#"^(timestamp|time)(\(\d+\))? without time zone$"#) { return m[1] + m[2] }
        switch text {
        case "double precision": return "double"
        case "bytea": return "longblob"
        case "boolean": return "bool"
        default: return text
        }
    }

    /// An index column as `pg_get_indexdef` gives it: a name (unquoted here) or an expression (in parentheses).
    static func indexColumn(_ text: String) -> String {
        if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 {
            return String(text.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\"")
        }
        if text.range(of: #"^[a-z_][a-z0-9_$]*$"#, options: .regularExpression) != nil { return text }
        return text.hasPrefix("(") ? text : "(" + text + ")"
    }

    /// Column comments are written with the reference's escaping of double quotes (`\"`); read them back as declared.
    static func unescapedComment(_ stored: String) -> String {
        stored.replacingOccurrences(of: "\\\"", with: "\"")
    }

    func foreignKeys(referencing table: SQLTableName, _ session: any DatabaseSession) async throws
        -> [(child: SQLTableName, constraint: ForeignKeyConstraint)]
    {
        try await PostgresCatalog.foreignKeys(
            where: "con.confrelid = \(PostgresCatalog.tableOID)", [.string(table.schema), .string(table.table)], session)
    }

    func dependencies(inSchemas schemas: Set<String>, _ session: any DatabaseSession) async throws -> CatalogDependencies {
        let names = schemas.sorted()
        guard !names.isEmpty else { return CatalogDependencies(primaryKeys: [:], foreignKeys: []) }
        let list = (1...names.count).map { "$\($0)" }.joined(separator: ", ")
        let binds = names.map { Value.string($0) }
        let keyRows = try await session.query(
            RenderedSQL(
                """
                SELECT n.nspname::text, c.relname::text, a.attname::text
                FROM pg_catalog.pg_class c
                JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                LEFT JOIN pg_catalog.pg_constraint con ON con.conrelid = c.oid AND con.contype = 'p'
                LEFT JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord) ON true
                LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
                WHERE c.relkind IN ('r', 'p') AND n.nspname IN (\(list)) AND c.relname NOT LIKE '~%'
                ORDER BY 1, 2, k.ord
                """, binds))
        var primaryKeys: [SQLTableName: [String]] = [:]
        for row in keyRows {
            guard case .string(let schema) = row[0], case .string(let table) = row[1] else { continue }
            let name = SQLTableName(schema: schema, table: table)
            if case .string(let column) = row[2] {
                primaryKeys[name, default: []].append(column)
            } else if primaryKeys[name] == nil {
                primaryKeys[name] = []
            }
        }
        let foreignKeys = try await PostgresCatalog.foreignKeys(
            where: "(cc.nsp IN (\(list)) OR pc.nsp IN (\(list)))", binds, session)
        return CatalogDependencies(primaryKeys: primaryKeys, foreignKeys: foreignKeys)
    }

    /// The schema (`nsp`) and name (`rel`) of the table whose oid is `oid`, as a subquery. Joined laterally rather
    /// than as plain joins, the catalog query below is planned in a fraction of the time (0.5 ms instead of 4 ms).
    private static func qualifiedName(_ oid: String) -> String {
        "SELECT n.nspname::text AS nsp, c.relname::text AS rel FROM pg_catalog.pg_class c "
            + "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = \(oid)"
    }

    /// Foreign keys selected by a condition on `pg_constraint con` (and on `cc`/`pc`: the child's and the parent's
    /// `nsp` and `rel`), columns in key order, constraints in the order they were declared.
    static func foreignKeys(where condition: String, _ binds: [Value], _ session: any DatabaseSession) async throws
        -> [(child: SQLTableName, constraint: ForeignKeyConstraint)]
    {
        let rows = try await session.query(
            RenderedSQL(
                """
                SELECT con.oid::bigint, cc.nsp, cc.rel, pc.nsp, pc.rel,
                       (SELECT attname::text FROM pg_catalog.pg_attribute
                        WHERE attrelid = con.conrelid AND attnum = k.attnum),
                       (SELECT attname::text FROM pg_catalog.pg_attribute
                        WHERE attrelid = con.confrelid AND attnum = k.fattnum)
                FROM pg_catalog.pg_constraint con
                CROSS JOIN LATERAL (\(Self.qualifiedName("con.conrelid"))) cc
                CROSS JOIN LATERAL (\(Self.qualifiedName("con.confrelid"))) pc
                CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(attnum, fattnum, ord)
                WHERE con.contype = 'f' AND \(condition)
                ORDER BY con.oid, k.ord
                """, binds))
        var out: [(child: SQLTableName, constraint: ForeignKeyConstraint)] = []
        var current: Int64?
        for row in rows {
            guard case .int(let id) = row[0], case .string(let childSchema) = row[1], case .string(let child) = row[2],
                case .string(let parentSchema) = row[3], case .string(let parent) = row[4],
                case .string(let column) = row[5], case .string(let parentColumn) = row[6]
            else { continue }
            if id != current {
                current = id
                out.append((
                    SQLTableName(schema: childSchema, table: child),
                    ForeignKeyConstraint(
                        columns: [], referencedTable: SQLTableName(schema: parentSchema, table: parent), referencedColumns: [])
                ))
            }
            out[out.count - 1].constraint.columns.append(column)
            out[out.count - 1].constraint.referencedColumns.append(parentColumn)
        }
        return out
    }
}
