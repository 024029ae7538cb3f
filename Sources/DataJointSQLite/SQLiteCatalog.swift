import DataJointCore

/// Reads and changes the catalog of an SQLite database: `sqlite_master`, the table pragmas,
/// and DataJoint's `"~schemas"` and `"~comments"` tables.
struct SQLiteCatalog: Catalog {
    private let dialect = SQLiteDialect()

    static func ensureCatalogTables(_ session: any DatabaseSession) async throws {
        try await session.execute(
            RenderedSQL("CREATE TABLE IF NOT EXISTS \"~schemas\" (schema_name TEXT NOT NULL PRIMARY KEY)"))
        try await session.execute(
            RenderedSQL(
                "CREATE TABLE IF NOT EXISTS \"~comments\" (schema_name TEXT NOT NULL, table_name TEXT NOT NULL, "
                    + "column_name TEXT NOT NULL, comment TEXT NOT NULL, "
                    + "PRIMARY KEY (schema_name, table_name, column_name))"))
    }

    func schemas(_ session: any DatabaseSession) async throws -> [String] {
        try await session.query(RenderedSQL("SELECT schema_name FROM \"~schemas\" ORDER BY schema_name"))
            .compactMap { if case .string(let s) = $0[0] { s } else { nil } }
    }

    func createSchema(_ name: String, _ session: any DatabaseSession) async throws {
        try await session.execute(RenderedSQL("INSERT OR IGNORE INTO \"~schemas\" (schema_name) VALUES (?1)", [.string(name)]))
    }

    func dropSchema(_ name: String, _ session: any DatabaseSession) async throws {
        var remaining = try await tables(inSchema: name, session)
        // Drop tables that nothing else references first.
        while !remaining.isEmpty {
            var referenced = Set<String>()
            for table in remaining {
                let rows = try await session.query(
                    RenderedSQL("SELECT \"table\" FROM pragma_foreign_key_list(?1)", [.string(SQLiteDialect.storedName(SQLTableName(schema: name, table: table)))]))
                for row in rows {
                    if case .string(let parent) = row[0], let split = SQLiteDialect.split(parent),
                        split.schema == name, split.table != table
                    {
                        referenced.insert(split.table)
                    }
                }
            }
            let droppable = remaining.filter { !referenced.contains($0) }
            guard !droppable.isEmpty else {
                throw DataJointError(.integrity, "cannot order the tables of schema `\(name)` for dropping (cyclic references)")
            }
            for table in droppable {
                for statement in dialect.dropTable(SQLTableName(schema: name, table: table)) {
                    try await session.execute(statement)
                }
            }
            remaining.removeAll { droppable.contains($0) }
        }
        try await session.execute(RenderedSQL("DELETE FROM \"~comments\" WHERE schema_name = ?1", [.string(name)]))
        try await session.execute(RenderedSQL("DELETE FROM \"~schemas\" WHERE schema_name = ?1", [.string(name)]))
    }

    func tables(inSchema schema: String, _ session: any DatabaseSession) async throws -> [String] {
        let prefix = schema + "."
        let rows = try await session.query(
            RenderedSQL(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, ?2) = ?1 ORDER BY name",
                [.string(prefix), .int(Int64(prefix.utf8.count))]))
        return rows.compactMap { row in
            guard case .string(let stored) = row[0] else { return nil }
            return SQLiteDialect.split(stored)?.table
        }
    }

    func describe(_ table: SQLTableName, _ session: any DatabaseSession) async throws -> CatalogTable? {
        let stored = SQLiteDialect.storedName(table)
        // SQLite matches table names without regard to case; DataJoint names are exact.
        let exists = try await session.query(
            RenderedSQL("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", [.string(stored)]))
        guard !exists.isEmpty else { return nil }
        let columnRows = try await session.query(
            RenderedSQL("SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_xinfo(?1) ORDER BY cid", [.string(stored)]))
        guard !columnRows.isEmpty else { return nil }
        let commentRows = try await session.query(
            RenderedSQL(
                "SELECT column_name, comment FROM \"~comments\" WHERE schema_name = ?1 AND table_name = ?2",
                [.string(table.schema), .string(table.table)]))
        var comments: [String: String] = [:]
        for row in commentRows {
            if case .string(let c) = row[0], case .string(let text) = row[1] { comments[c] = text }
        }
        var columns: [CatalogColumn] = []
        var keyed: [(Int64, String)] = []
        for row in columnRows {
            guard case .string(let name) = row[0] else { continue }
            let type: String = if case .string(let t) = row[1] { t } else { "" }
            let notNull: Bool = if case .int(let n) = row[2] { n != 0 } else { false }
            let defaultSQL: String? = if case .string(let d) = row[3] { d } else { nil }
            if case .int(let pk) = row[4], pk > 0 { keyed.append((pk, name)) }
            columns.append(CatalogColumn(name: name, sqlType: type, nullable: !notNull, defaultSQL: defaultSQL, comment: comments[name] ?? ""))
        }
        let fkRows = try await session.query(
            RenderedSQL("SELECT id, seq, \"table\", \"from\", \"to\" FROM pragma_foreign_key_list(?1) ORDER BY id, seq", [.string(stored)]))
        var foreignKeys: [ForeignKeyConstraint] = []
        var currentID: Int64 = -1
        for row in fkRows {
            guard case .int(let id) = row[0], case .string(let parent) = row[2], case .string(let from) = row[3],
                case .string(let to) = row[4], let parentName = SQLiteDialect.split(parent)
            else { continue }
            if id != currentID {
                currentID = id
                foreignKeys.append(ForeignKeyConstraint(columns: [], referencedTable: parentName, referencedColumns: []))
            }
            foreignKeys[foreignKeys.count - 1].columns.append(from)
            foreignKeys[foreignKeys.count - 1].referencedColumns.append(to)
        }
        // pragma_foreign_key_list lists constraints in reverse order of declaration.
        foreignKeys.reverse()
        let indexRows = try await session.query(
            RenderedSQL(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?1 AND sql IS NOT NULL ORDER BY name",
                [.string(stored)]))
        var indexes: [(Int, IndexConstraint)] = []
        for row in indexRows {
            guard case .string(let name) = row[0], case .string(let sql) = row[1] else { continue }
            guard let marker = name.range(of: "__index", options: .backwards), let n = Int(name[marker.upperBound...]) else { continue }
            indexes.append((n, IndexConstraint(unique: sql.uppercased().hasPrefix("CREATE UNIQUE"), columns: SQLiteCatalog.indexColumns(sql))))
        }
        indexes.sort { $0.0 < $1.0 }
        return CatalogTable(
            name: table, comment: comments[""] ?? "", columns: columns,
            primaryKey: keyed.sorted { $0.0 < $1.0 }.map(\.1), foreignKeys: foreignKeys, indexes: indexes.map(\.1))
    }

    /// The column list of a CREATE INDEX statement, identifiers unquoted, expressions kept.
    static func indexColumns(_ sql: String) -> [String] {
        guard let open = sql.range(of: ") (", options: .backwards)?.upperBound ?? sql.lastIndex(of: "(").map({ sql.index(after: $0) }),
            let close = sql.lastIndex(of: ")")
        else { return [] }
        var items: [String] = []
        var current = ""
        var depth = 0
        for c in sql[open..<close] {
            if c == "(" { depth += 1 }
            if c == ")" { depth -= 1 }
            if c == ",", depth == 0 {
                items.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        items.append(current)
        return items.map { item in
            let t = item.trimmingCharacters(in: .whitespaces)
            if t.hasPrefix("\""), t.hasSuffix("\""), t.count >= 2 {
                return String(t.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\"")
            }
            return t
        }
    }

    func foreignKeys(referencing table: SQLTableName, _ session: any DatabaseSession) async throws
        -> [(child: SQLTableName, constraint: ForeignKeyConstraint)]
    {
        let rows = try await session.query(
            RenderedSQL(
                "SELECT m.name, f.id, f.\"from\", f.\"to\" FROM sqlite_master AS m, pragma_foreign_key_list(m.name) AS f "
                    + "WHERE m.type = 'table' AND f.\"table\" = ?1 ORDER BY m.name, f.id, f.seq",
                [.string(SQLiteDialect.storedName(table))]))
        var out: [(child: SQLTableName, constraint: ForeignKeyConstraint)] = []
        var current: (String, Int64)?
        for row in rows {
            guard case .string(let child) = row[0], case .int(let id) = row[1], case .string(let from) = row[2],
                case .string(let to) = row[3], let childName = SQLiteDialect.split(child)
            else { continue }
            if current == nil || current! != (child, id) {
                current = (child, id)
                out.append((childName, ForeignKeyConstraint(columns: [], referencedTable: table, referencedColumns: [])))
            }
            out[out.count - 1].constraint.columns.append(from)
            out[out.count - 1].constraint.referencedColumns.append(to)
        }
        return out
    }
}
