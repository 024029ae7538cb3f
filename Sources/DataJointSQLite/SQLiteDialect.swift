import DataJointCore
import Foundation

/// The SQL dialect of the embedded SQLite backend.
///
/// SQLite has one namespace per file, so a DataJoint schema is a name prefix: table `session` of schema `lab`
/// is the SQLite table `"lab.session"`. Foreign keys across schemas are then ordinary foreign keys. Column and
/// table comments, which SQLite lacks, are kept in the hidden table `"~comments"`; the list of schemas in
/// `"~schemas"`.
public struct SQLiteDialect: Dialect {
    public init() {}

    public var backendName: String { "sqlite" }
    /// DataJoint-Python has no SQLite backend.
    public var isSharedWithDataJointPython: Bool { false }
    public var insertConflictSyntax: InsertConflictSyntax { .sqliteOnConflict }
    /// UTC, as the text form SQLite stores datetimes in.
    public var currentTimestampSQL: String { "strftime('%Y-%m-%d %H:%M:%f', 'now')" }
    public var maxTableNameLength: Int { 64 }
    /// SQLITE_MAX_COLUMN as SQLite is built by default.
    public var maxColumnsPerTable: Int { 2_000 }
    /// SQLite's default limit on bound parameters is 32766.
    public var maxParametersPerStatement: Int { 32_000 }

    static let schemasTable = "~schemas"
    static let commentsTable = "~comments"

    public func quote(_ identifier: String) -> String {
        quoting(identifier, with: "\"")
    }

    public func qualifiedName(_ table: SQLTableName) -> String {
        quote(SQLiteDialect.storedName(table))
    }

    /// The name of the SQLite table that holds a schema's table.
    static func storedName(_ table: SQLTableName) -> String { table.schema + "." + table.table }

    /// Splits a stored SQLite table name into schema and table; nil for tables that belong to no schema.
    static func split(_ stored: String) -> SQLTableName? {
        guard let dot = stored.firstIndex(of: ".") else { return nil }
        return SQLTableName(schema: String(stored[..<dot]), table: String(stored[stored.index(after: dot)...]))
    }

    public func placeholder(_ index: Int) -> String { "?\(index)" }

    /// SQLite keeps infinities but turns NaN into NULL.
    public func canStore(_ double: Double) -> Bool { !double.isNaN }
    /// SQLite stores the NUL, but sqlite-nio reads text only up to it.
    public var textHoldsNUL: Bool { false }
    /// SQLITE_MAX_LENGTH as SQLite is built by default.
    public var maxValueBytes: Int? { 1_000_000_000 }

    public func columnType(for type: AttributeType) throws -> String {
        switch type {
        // Not `INTEGER`: a lone `INTEGER PRIMARY KEY` would become SQLite's row id and ignore its default.
        case .int8, .bool: "TINYINT"
        case .int16: "SMALLINT"
        case .int32: "INT"
        case .int64: "BIGINT"
        case .float32, .float64: "REAL"
        // Up to 15 significant digits a double holds a decimal exactly once rounded to its scale, and REAL
        // affinity keeps arithmetic decimal (3.0 / 2 is 1.5, not the integer division of NUMERIC's 3 / 2).
        // Wider decimals are kept as text in a column without affinity, which SQLite still compares
        // numerically against numbers.
        case .decimal(let p, _): p <= 15 ? "REAL" : "BLOB"
        case .char, .varchar, .enumeration, .json: "TEXT"
        case .date: "DATE"
        case .datetime: "DATETIME"
        case .uuid, .bytes: "BLOB"
        case .native(let text, _): text.replacingOccurrences(of: "auto_increment", with: "", options: .caseInsensitive)
        case .codec(let name, _):
            throw DataJointError(.declaration, "codec <\(name)> has no column type on SQLite")
        }
    }

    public func createTable(_ table: TableDeclaration) throws -> [RenderedSQL] {
        [try tableStatement(table)] + indexStatements(table) + commentStatements(table)
    }

    /// A column as CREATE TABLE and ADD COLUMN declare it.
    func columnDefinition(_ column: Attribute) throws -> String {
        var line = quote(column.name) + " " + (try columnType(for: column.type))
        line += column.nullable ? "" : " NOT NULL"
        if let d = column.defaultValue {
            switch d {
            case .null: line += " DEFAULT NULL"
            case .currentTimestamp, .currentTimestampPrecision: line += " DEFAULT CURRENT_TIMESTAMP"
            case .string(let s): line += " DEFAULT " + stringLiteral(s)
            case .literal(let l): line += " DEFAULT " + l
            case .bool(let b): line += " DEFAULT " + (b ? "1" : "0")
            }
        }
        if case .enumeration(let members) = column.type {
            line += " CHECK (\(quote(column.name)) IN (" + members.map(stringLiteral).joined(separator: ", ") + "))"
        }
        return line
    }

    /// `CREATE TABLE` with the columns and keys of a declaration, under the declaration's name or `storedAs`.
    func tableStatement(_ table: TableDeclaration, storedAs name: SQLTableName? = nil) throws -> RenderedSQL {
        var items: [String] = []
        for column in table.columns { items.append(try columnDefinition(column)) }
        items += keyConstraintClauses(table)
        return RenderedSQL("CREATE TABLE " + qualifiedName(name ?? table.name) + " (\n  " + items.joined(separator: ",\n  ") + "\n)")
    }

    /// The declared indexes, and an index for each foreign key that no index starts with.
    func indexStatements(_ table: TableDeclaration) -> [RenderedSQL] {
        var statements: [RenderedSQL] = []
        var indexed: [[String]] = [table.primaryKey]
        for (n, index) in table.indexes.enumerated() {
            let name = quote(SQLiteDialect.storedName(table.name) + "__index\(n)")
            let columns = index.columns.map { $0.hasPrefix("(") ? $0 : quote($0) }.joined(separator: ", ")
            statements.append(
                RenderedSQL("CREATE \(index.unique ? "UNIQUE " : "")INDEX \(name) ON \(qualifiedName(table.name)) (\(columns))"))
            indexed.append(index.columns)
        }
        // SQLite does not index foreign-key columns by itself; cascades and deletes need them.
        for (n, fk) in table.foreignKeys.enumerated()
        where !indexed.contains(where: { Array($0.prefix(fk.columns.count)) == fk.columns }) {
            let name = quote(SQLiteDialect.storedName(table.name) + "__fk\(n)")
            statements.append(
                RenderedSQL("CREATE INDEX \(name) ON \(qualifiedName(table.name)) (" + fk.columns.map(quote).joined(separator: ", ") + ")"))
            indexed.append(fk.columns)
        }
        return statements
    }

    /// Replaces the rows of `"~comments"` for the table: its comment and each column's stored comment.
    func commentStatements(_ table: TableDeclaration) -> [RenderedSQL] {
        var statements = [
            RenderedSQL(
                "DELETE FROM \(quote(SQLiteDialect.commentsTable)) WHERE schema_name = ?1 AND table_name = ?2",
                [.string(table.name.schema), .string(table.name.table)])
        ]
        var rows: [[Value]] = [[.string(table.name.schema), .string(table.name.table), .string(""), .string(table.comment)]]
        for column in table.columns {
            rows.append([.string(table.name.schema), .string(table.name.table), .string(column.name),
                         .string(table.storedComments[column.name] ?? column.storedComment)])
        }
        var insert = "INSERT INTO \(quote(SQLiteDialect.commentsTable)) (schema_name, table_name, column_name, comment) VALUES "
        var binds: [Value] = []
        for (r, row) in rows.enumerated() {
            insert += (r > 0 ? ", (" : "(") + (1...4).map { placeholder(binds.count + $0) }.joined(separator: ", ") + ")"
            binds += row
        }
        statements.append(RenderedSQL(insert, binds))
        return statements
    }

    public func dropTable(_ table: SQLTableName) -> [RenderedSQL] {
        [
            RenderedSQL("DROP TABLE " + qualifiedName(table)),
            RenderedSQL(
                "DELETE FROM \(quote(SQLiteDialect.commentsTable)) WHERE schema_name = ?1 AND table_name = ?2",
                [.string(table.schema), .string(table.table)]),
        ]
    }

    /// Rewrites a user-written SQL fragment into this backend's spelling (see `docs/portable-sql.md`).
    public func translateUserSQL(_ fragment: String) -> String {
        SQLiteSQLTranslation.translate(fragment)
    }
}
