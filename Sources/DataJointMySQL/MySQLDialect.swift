import DataJointCore
import Foundation

/// The SQL dialect of MySQL and MariaDB.
///
/// Tables are declared exactly as DataJoint-Python declares them on MySQL (`declare.py`, `adapters/mysql.py`):
/// the same column types, `:type:` comment markers, foreign keys `ON UPDATE CASCADE ON DELETE RESTRICT`,
/// indexes inline and `ENGINE=InnoDB`, so that both clients can share a database.
public struct MySQLDialect: Dialect {
    public init() {}

    public var backendName: String { "mysql" }
    public var isSharedWithDataJointPython: Bool { true }
    public var insertConflictSyntax: InsertConflictSyntax { .onDuplicateKeyUpdate }
    public var connectionIDSQL: String? { "CONNECTION_ID()" }
    public var currentUserSQL: String? { "USER()" }
    public var maxTableNameLength: Int { 64 }
    /// InnoDB's limit (the server's own is 4096).
    public var maxColumnsPerTable: Int { 1_017 }
    /// The prepared-statement protocol counts parameters in 16 bits.
    public var maxParametersPerStatement: Int { 65_535 }
    /// Well under the smallest common `max_allowed_packet` (16 MB on MariaDB); values of a megabyte or more are
    /// sent apart from the statement anyway.
    public var maxStatementBytes: Int { 8 << 20 }

    public func quote(_ identifier: String) -> String {
        quoting(identifier, with: "`")
    }

    public func placeholder(_ index: Int) -> String { "?" }

    /// A string literal for DDL, where parameters are not accepted (backslashes escaped: MySQL reads them as escapes).
    public func sqlString(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// A comment literal as the reference writes it: in double quotes.
    func commentLiteral(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    public func columnType(for type: AttributeType) throws -> String {
        switch type {
        case .int8, .bool: "tinyint"
        case .int16: "smallint"
        case .int32: "int"
        case .int64: "bigint"
        case .float32: "float"
        case .float64: "double"
        case .decimal(let p, let s): "decimal(\(p),\(s))"
        case .char(let n): "char(\(n))"
        case .varchar(let n): "varchar(\(n))"
        case .enumeration(let members): "enum(" + members.map(sqlString).joined(separator: ",") + ")"
        case .date: "date"
        case .datetime(let digits): digits.map { "datetime(\($0))" } ?? "datetime"
        case .json: "json"
        case .uuid: "binary(16)"
        case .bytes: "longblob"
        case .native(let text, _): text
        case .codec(let name, _):
            throw DataJointError(.declaration, "codec <\(name)> has no column type on MySQL")
        }
    }

    public func limitClause(limit: Int?, offset: Int?) -> String {
        switch (limit, offset) {
        case (nil, nil): ""
        case (let l?, nil): " LIMIT \(l)"
        case (let l?, let o?): " LIMIT \(l) OFFSET \(o)"
        case (nil, let o?): " LIMIT 18446744073709551615 OFFSET \(o)"
        }
    }

    /// `CREATE TABLE` as DataJoint-Python writes it on MySQL:
    ///
    /// ```
    /// CREATE TABLE IF NOT EXISTS `lab`.`session` (
    /// `subject_id` int NOT NULL COMMENT ":int32:",
    /// `session_date` date NOT NULL COMMENT ":date:",
    /// PRIMARY KEY (`subject_id`, `session_idx`),
    /// FOREIGN KEY (`subject_id`) REFERENCES `lab`.`subject` (`subject_id`) ON UPDATE CASCADE ON DELETE RESTRICT
    /// ) ENGINE=InnoDB, COMMENT "a session"
    /// ```
    public func createTable(_ table: TableDeclaration) throws -> [RenderedSQL] {
        var lines: [String] = []
        for column in table.columns {
            lines.append(try columnDefinition(column, storedComment: table.storedComments[column.name] ?? column.storedComment))
        }
        lines += keyConstraintClauses(table)
        for index in table.indexes {
            let columns = index.columns.map { $0.hasPrefix("(") ? $0 : quote($0) }.joined(separator: ",")
            lines.append((index.unique ? "unique index (" : "index (") + columns + ")")
        }
        var options = "ENGINE=InnoDB"
        if !table.comment.isEmpty { options += ", COMMENT " + commentLiteral(table.comment) }
        return [RenderedSQL("CREATE TABLE IF NOT EXISTS " + qualifiedName(table.name) + " (\n" + lines.joined(separator: ",\n") + "\n) " + options)]
    }

    /// A column as CREATE TABLE and ALTER TABLE declare it: name, type, nullability and default, comment.
    func columnDefinition(_ column: Attribute, storedComment comment: String) throws -> String {
        var parts = [quote(column.name), try columnType(for: column.type)]
        if column.nullable {
            parts.append("DEFAULT NULL")
        } else if let d = column.defaultValue, d != .null {
            parts.append("NOT NULL DEFAULT " + defaultSQL(d, type: column.type))
        } else {
            parts.append("NOT NULL")
        }
        if !comment.isEmpty { parts.append("COMMENT " + commentLiteral(comment)) }
        return parts.joined(separator: " ")
    }

    /// A default as SQL: quoted like the reference does (`DEFAULT '1'`), `CURRENT_TIMESTAMP` with the column's
    /// precision (MySQL requires `CURRENT_TIMESTAMP(3)` for `datetime(3)`).
    func defaultSQL(_ value: DefaultValue, type: AttributeType) -> String {
        switch value {
        case .null: return "NULL"
        case .currentTimestamp, .currentTimestampPrecision:
            if case .datetime(let digits?) = type, digits > 0 { return "CURRENT_TIMESTAMP(\(digits))" }
            return "CURRENT_TIMESTAMP"
        case .string(let s): return sqlString(s)
        case .literal(let l): return sqlString(l)
        case .bool(let b): return b ? "'1'" : "'0'"
        }
    }

    public func dropTable(_ table: SQLTableName) -> [RenderedSQL] {
        [RenderedSQL("DROP TABLE " + qualifiedName(table))]
    }

    /// Rewrites a user-written SQL fragment into this backend's spelling (see `docs/portable-sql.md`).
    public func translateUserSQL(_ fragment: String) -> String {
        MySQLSQLTranslation.translate(fragment)
    }
}
