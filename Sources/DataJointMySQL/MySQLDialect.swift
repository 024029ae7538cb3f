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
    public var connectionIDSQL: String? { "CONNECTION_ID()" }
    public var currentUserSQL: String? { "USER()" }
    public var maxTableNameLength: Int { 64 }
    /// The prepared-statement protocol counts parameters in 16 bits.
    public var maxParametersPerStatement: Int { 65_535 }
    /// Well under the smallest common `max_allowed_packet` (16 MB on MariaDB); values of a megabyte or more are
    /// sent apart from the statement anyway.
    public var maxStatementBytes: Int { 8 << 20 }

    public func quote(_ identifier: String) -> String {
        "`" + identifier.replacingOccurrences(of: "`", with: "``") + "`"
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

    public func decode(_ raw: Value, as type: AttributeType) throws -> Value {
        if raw.isNull { return .null }
        func fail() -> DataJointError {
            DataJointError(.codec, "cannot read \(raw.kindName) \(raw) as \(type)")
        }
        func text() -> String? {
            switch raw {
            case .string(let s): s
            case .bytes(let d): String(decoding: d, as: UTF8.self)
            default: nil
            }
        }
        let posix = Locale(identifier: "en_US_POSIX")
        switch type {
        case .int8, .int16, .int32, .int64, .native(_, .integer):
            switch raw {
            case .int: return raw
            case .double(let d): return Int64(exactly: d).map(Value.int) ?? raw
            case .string(let s): return Int64(s).map(Value.int) ?? raw
            case .decimal(let d): return Int64(d.description).map(Value.int) ?? raw
            default: throw fail()
            }
        case .bool:
            switch raw {
            case .int(let i): return .bool(i != 0)
            case .bool: return raw
            default: throw fail()
            }
        case .float32:
            guard let d = Double(dataJointValue: raw) else { throw fail() }
            return .double(Double(Float(d)))
        case .float64, .native(_, .float):
            guard let d = Double(dataJointValue: raw) else { throw fail() }
            return .double(d)
        case .decimal, .native(_, .numeric):
            switch raw {
            case .int(let i): return .decimal(Decimal(i))
            case .double(let d): return .decimal(Decimal(string: String(d), locale: posix)!)
            case .string(let s):
                guard let d = Decimal(string: s, locale: posix) else { throw fail() }
                return .decimal(d)
            case .decimal: return raw
            default: throw fail()
            }
        case .date:
            if case .date = raw { return raw }
            guard let s = text(), let d = CalendarDate(iso: String(s.prefix(10))) else { throw fail() }
            return .date(d)
        case .datetime:
            if case .datetime = raw { return raw }
            guard let s = text(), let d = DateTime(iso: s) else { throw fail() }
            return .datetime(d)
        case .json:
            guard let s = text() else { throw fail() }
            return .json(try JSON(parsing: s))
        case .uuid:
            guard case .bytes(let d) = raw, d.count == 16 else { throw fail() }
            return .uuid(d.withUnsafeBytes { UUID(uuid: $0.loadUnaligned(as: uuid_t.self)) })
        case .char, .varchar, .enumeration, .native(_, .string), .native(_, .text), .native(_, .temporal):
            if let s = text() { return .string(s) }
            return .string(raw.description)
        case .bytes, .native(_, .blob), .codec:
            if case .string(let s) = raw { return .bytes(Data(s.utf8)) }
            return raw
        }
    }

    /// Skipping duplicates is a no-op update of the first column, as in the reference (`skip_duplicates_clause`),
    /// so that other errors (a missing parent row) are still reported, unlike `INSERT IGNORE`. Replacing updates
    /// the secondary columns in place, which never deletes the row (a `REPLACE` would, and fail on its children).
    public func insertVerbAndSuffix(_ insert: SQLInsert) -> (verb: String, suffix: String) {
        switch insert.onConflict {
        case .fail:
            return ("INSERT", "")
        case .ignore:
            return ("INSERT", noOpUpdate(insert))
        case .replace(let key):
            let others = insert.columns.filter { !key.contains($0) }
            guard !others.isEmpty else { return ("INSERT", noOpUpdate(insert)) }
            return ("INSERT", " ON DUPLICATE KEY UPDATE " + others.map { "\(quote($0))=VALUES(\(quote($0)))" }.joined(separator: ", "))
        }
    }

    private func noOpUpdate(_ insert: SQLInsert) -> String {
        guard let first = insert.columns.first else { return "" }
        return " ON DUPLICATE KEY UPDATE \(quote(first))=\(qualifiedName(insert.table)).\(quote(first))"
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
            var parts = [quote(column.name), try columnType(for: column.type)]
            if column.nullable {
                parts.append("DEFAULT NULL")
            } else if let d = column.defaultValue, d != .null {
                parts.append("NOT NULL DEFAULT " + defaultSQL(d, type: column.type))
            } else {
                parts.append("NOT NULL")
            }
            let comment = table.storedComments[column.name] ?? column.storedComment
            if !comment.isEmpty { parts.append("COMMENT " + commentLiteral(comment)) }
            lines.append(parts.joined(separator: " "))
        }
        lines.append("PRIMARY KEY (" + table.primaryKey.map(quote).joined(separator: ", ") + ")")
        for fk in table.foreignKeys {
            lines.append(
                "FOREIGN KEY (" + fk.columns.map(quote).joined(separator: ", ") + ") REFERENCES "
                    + qualifiedName(fk.referencedTable) + " (" + fk.referencedColumns.map(quote).joined(separator: ", ")
                    + ") ON UPDATE CASCADE ON DELETE RESTRICT")
        }
        for index in table.indexes {
            let columns = index.columns.map { $0.hasPrefix("(") ? $0 : quote($0) }.joined(separator: ",")
            lines.append((index.unique ? "unique index (" : "index (") + columns + ")")
        }
        var options = "ENGINE=InnoDB"
        if !table.comment.isEmpty { options += ", COMMENT " + commentLiteral(table.comment) }
        return [RenderedSQL("CREATE TABLE IF NOT EXISTS " + qualifiedName(table.name) + " (\n" + lines.joined(separator: ",\n") + "\n) " + options)]
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
