import DataJointCore
import Foundation

/// Reads and changes the catalog of a MySQL/MariaDB server through `information_schema`.
///
/// `information_schema` compares names without regard to case; DataJoint names are exact, so rows are also
/// filtered by exact name here.
struct MySQLCatalog: Catalog {
    /// MariaDB reports column defaults as SQL literals (`'mouse'`, `1`, `current_timestamp()`); MySQL 8 reports
    /// the bare value (`mouse`) and marks expressions with `DEFAULT_GENERATED`.
    let isMariaDB: Bool
    private let dialect = MySQLDialect()

    static let systemSchemas = ["mysql", "information_schema", "performance_schema", "sys"]

    func schemas(_ session: any DatabaseSession) async throws -> [String] {
        let rows = try await session.query(
            RenderedSQL(
                "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME NOT IN (?, ?, ?, ?) ORDER BY SCHEMA_NAME",
                MySQLCatalog.systemSchemas.map(Value.string)))
        return rows.compactMap { MySQLCatalog.string($0[0]) }
    }

    func createSchema(_ name: String, _ session: any DatabaseSession) async throws {
        try await session.execute(RenderedSQL("CREATE DATABASE IF NOT EXISTS " + dialect.quote(name)))
    }

    /// Drops the database whatever the order of its tables. Foreign-key checks are off for the one statement, so
    /// that tables of other schemas that reference it do not block it (as `DROP SCHEMA ... CASCADE` on
    /// PostgreSQL); `Schema.drop` refuses beforehand when such tables exist.
    func dropSchema(_ name: String, _ session: any DatabaseSession) async throws {
        try await session.execute(RenderedSQL("SET SESSION foreign_key_checks = 0"))
        do {
            try await session.execute(RenderedSQL("DROP DATABASE IF EXISTS " + dialect.quote(name)))
        } catch {
            _ = try? await session.execute(RenderedSQL("SET SESSION foreign_key_checks = 1"))
            throw error
        }
        try await session.execute(RenderedSQL("SET SESSION foreign_key_checks = 1"))
    }

    func tables(inSchema schema: String, _ session: any DatabaseSession) async throws -> [String] {
        let rows = try await session.query(
            RenderedSQL(
                "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? "
                    + "AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME",
                [.string(schema)]))
        return rows.compactMap { row in
            guard MySQLCatalog.string(row[0]) == schema else { return nil }
            return MySQLCatalog.string(row[1])
        }
    }

    func describe(_ table: SQLTableName, _ session: any DatabaseSession) async throws -> CatalogTable? {
        let binds: [Value] = [.string(table.schema), .string(table.table)]
        func exact(_ row: [Value]) -> Bool {
            MySQLCatalog.string(row[0]) == table.schema && MySQLCatalog.string(row[1]) == table.table
        }
        let tableRows = try await session.query(
            RenderedSQL(
                "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_COMMENT FROM information_schema.TABLES "
                    + "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?", binds)
        ).filter(exact)
        guard let tableRow = tableRows.first else { return nil }

        let columnRows = try await session.query(
            RenderedSQL(
                "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, COLUMN_COMMENT, EXTRA "
                    + "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
                binds)
        ).filter(exact)
        var columns: [CatalogColumn] = []
        for row in columnRows {
            guard let name = MySQLCatalog.string(row[2]) else { continue }
            let nullable = MySQLCatalog.string(row[4]) == "YES"
            columns.append(
                CatalogColumn(
                    name: name, sqlType: MySQLCatalog.string(row[3]) ?? "", nullable: nullable,
                    defaultSQL: defaultSQL(MySQLCatalog.string(row[5]), extra: MySQLCatalog.string(row[7]) ?? "", nullable: nullable),
                    comment: MySQLCatalog.string(row[6]) ?? ""))
        }

        let keyRows = try await session.query(
            RenderedSQL(
                "SELECT TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME, "
                    + "REFERENCED_COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE "
                    + "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY CONSTRAINT_NAME, ORDINAL_POSITION", binds)
        ).filter(exact)
        var primaryKey: [String] = []
        var constraints: [String: ForeignKeyConstraint] = [:]
        for row in keyRows {
            guard let constraint = MySQLCatalog.string(row[2]), let column = MySQLCatalog.string(row[3]) else { continue }
            if constraint == "PRIMARY" {
                primaryKey.append(column)
                continue
            }
            guard let parentSchema = MySQLCatalog.string(row[4]), let parentTable = MySQLCatalog.string(row[5]),
                let parentColumn = MySQLCatalog.string(row[6])
            else { continue }  // a unique key
            var fk = constraints[constraint]
                ?? ForeignKeyConstraint(
                    columns: [], referencedTable: SQLTableName(schema: parentSchema, table: parentTable), referencedColumns: [])
            fk.columns.append(column)
            fk.referencedColumns.append(parentColumn)
            constraints[constraint] = fk
        }
        let foreignKeyNames = constraints.keys.sorted(by: MySQLCatalog.constraintOrder)
        let foreignKeys = foreignKeyNames.map { constraints[$0]! }

        // STATISTICS lists a table's indexes in the server's order (unique ones first, then in declaration order).
        let indexRows = try await session.query(
            RenderedSQL(
                "SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME "
                    + "FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND INDEX_NAME <> 'PRIMARY'",
                binds)
        ).filter(exact)
        var indexOrder: [String] = []
        var indexColumns: [String: [(Int64, String)]] = [:]
        var indexUnique: [String: Bool] = [:]
        for row in indexRows {
            guard let name = MySQLCatalog.string(row[2]) else { continue }
            if indexColumns[name] == nil {
                indexOrder.append(name)
                indexColumns[name] = []
            }
            if case .int(let nonUnique) = row[3] { indexUnique[name] = nonUnique == 0 }
            let seq: Int64 = if case .int(let s) = row[4] { s } else { 0 }
            // Functional key parts (MySQL 8) have no column name; like the reference, they are left out.
            if let column = MySQLCatalog.string(row[5]) { indexColumns[name]!.append((seq, column)) }
        }
        var indexes: [IndexConstraint] = []
        for name in indexOrder {
            let columns = indexColumns[name]!.sorted { $0.0 < $1.0 }.map(\.1)
            guard !columns.isEmpty else { continue }
            let unique = indexUnique[name] ?? false
            // InnoDB indexes every foreign key: an index it created for one (named like the constraint, or
            // covering exactly its columns) is part of the foreign key, not a declared index.
            if !unique, constraints[name] != nil || foreignKeys.contains(where: { $0.columns == columns }) { continue }
            indexes.append(IndexConstraint(unique: unique, columns: columns))
        }

        return CatalogTable(
            name: table, comment: MySQLCatalog.string(tableRow[2]) ?? "", columns: columns, primaryKey: primaryKey,
            foreignKeys: foreignKeys, indexes: indexes)
    }

    func foreignKeys(referencing table: SQLTableName, _ session: any DatabaseSession) async throws
        -> [(child: SQLTableName, constraint: ForeignKeyConstraint)]
    {
        let rows = try await session.query(
            RenderedSQL(
                "SELECT REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME, TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, "
                    + "COLUMN_NAME, REFERENCED_COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE "
                    + "WHERE REFERENCED_TABLE_SCHEMA = ? AND REFERENCED_TABLE_NAME = ? "
                    + "ORDER BY TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION",
                [.string(table.schema), .string(table.table)]))
        var order: [[String]] = []
        var found: [[String]: (child: SQLTableName, constraint: ForeignKeyConstraint)] = [:]
        for row in rows {
            guard MySQLCatalog.string(row[0]) == table.schema, MySQLCatalog.string(row[1]) == table.table,
                let schema = MySQLCatalog.string(row[2]), let child = MySQLCatalog.string(row[3]),
                let constraint = MySQLCatalog.string(row[4]), let column = MySQLCatalog.string(row[5]),
                let parentColumn = MySQLCatalog.string(row[6])
            else { continue }
            let key = [schema, child, constraint]
            if found[key] == nil {
                order.append(key)
                found[key] = (
                    SQLTableName(schema: schema, table: child),
                    ForeignKeyConstraint(columns: [], referencedTable: table, referencedColumns: [])
                )
            }
            found[key]!.constraint.columns.append(column)
            found[key]!.constraint.referencedColumns.append(parentColumn)
        }
        order.sort { a, b in
            (a[0], a[1]) != (b[0], b[1]) ? (a[0], a[1]) < (b[0], b[1]) : MySQLCatalog.constraintOrder(a[2], b[2])
        }
        return order.map { found[$0]! }
    }

    func dependencies(inSchemas schemas: Set<String>, _ session: any DatabaseSession) async throws -> CatalogDependencies {
        let names = schemas.sorted()
        guard !names.isEmpty else { return CatalogDependencies(primaryKeys: [:], foreignKeys: []) }
        let list = Array(repeating: "?", count: names.count).joined(separator: ", ")
        let binds = names.map { Value.string($0) }
        var primaryKeys: [SQLTableName: [String]] = [:]
        let tableRows = try await session.query(
            RenderedSQL(
                "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA IN (\(list)) "
                    + "AND TABLE_TYPE = 'BASE TABLE'", binds))
        for row in tableRows {
            guard let schema = MySQLCatalog.string(row[0]), schemas.contains(schema),
                let table = MySQLCatalog.string(row[1]), !table.hasPrefix("~")
            else { continue }
            primaryKeys[SQLTableName(schema: schema, table: table)] = []
        }
        let keyRows = try await session.query(
            RenderedSQL(
                "SELECT TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_SCHEMA, "
                    + "REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE "
                    + "WHERE TABLE_SCHEMA IN (\(list)) OR REFERENCED_TABLE_SCHEMA IN (\(list)) "
                    + "ORDER BY TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION", binds + binds))
        var order: [[String]] = []
        var found: [[String]: (child: SQLTableName, constraint: ForeignKeyConstraint)] = [:]
        for row in keyRows {
            guard let schema = MySQLCatalog.string(row[0]), let table = MySQLCatalog.string(row[1]),
                let constraint = MySQLCatalog.string(row[2]), let column = MySQLCatalog.string(row[3])
            else { continue }
            let name = SQLTableName(schema: schema, table: table)
            if constraint == "PRIMARY" {
                if primaryKeys[name] != nil { primaryKeys[name]!.append(column) }
                continue
            }
            guard let parentSchema = MySQLCatalog.string(row[4]), let parentTable = MySQLCatalog.string(row[5]),
                let parentColumn = MySQLCatalog.string(row[6]),
                schemas.contains(schema) || schemas.contains(parentSchema)
            else { continue }  // a unique key, or a row matched only by case-insensitive comparison
            let key = [schema, table, constraint]
            if found[key] == nil {
                order.append(key)
                found[key] = (
                    name,
                    ForeignKeyConstraint(
                        columns: [], referencedTable: SQLTableName(schema: parentSchema, table: parentTable),
                        referencedColumns: [])
                )
            }
            found[key]!.constraint.columns.append(column)
            found[key]!.constraint.referencedColumns.append(parentColumn)
        }
        order.sort { a, b in
            (a[0], a[1]) != (b[0], b[1]) ? (a[0], a[1]) < (b[0], b[1]) : MySQLCatalog.constraintOrder(a[2], b[2])
        }
        return CatalogDependencies(primaryKeys: primaryKeys, foreignKeys: order.map { found[$0]! })
    }

    /// The default as SQL literal text on either server.
    func defaultSQL(_ reported: String?, extra: String, nullable: Bool) -> String? {
        guard let reported else { return nil }
        if isMariaDB { return reported }
        // MySQL 8: expressions are flagged; anything else is the bare value of a literal.
        if extra.uppercased().contains("DEFAULT_GENERATED") { return reported }
        return dialect.sqlString(reported)
    }

    /// Orders constraint names as declared: `t_ibfk_2` before `t_ibfk_10`.
    static func constraintOrder(_ a: String, _ b: String) -> Bool {
        func number(_ name: String) -> Int? {
            guard let range = name.range(of: "_ibfk_", options: .backwards) else { return nil }
            return Int(name[range.upperBound...])
        }
        switch (number(a), number(b)) {
        case (let x?, let y?) where x != y: return x < y
        case (.some, nil): return true
        case (nil, .some): return false
        default: return a < b
        }
    }

    static func string(_ value: Value) -> String? {
        switch value {
        case .string(let s): s
        case .bytes(let d): String(decoding: d, as: UTF8.self)
        case .int(let i): String(i)
        default: nil
        }
    }
}
