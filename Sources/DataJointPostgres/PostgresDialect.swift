import DataJointCore
import Foundation

/// The SQL dialect of the PostgreSQL backend.
///
/// A DataJoint schema is a PostgreSQL schema; tables are `"schema"."table"`. Declarations are laid out exactly as
/// DataJoint-Python 2.x lays them out on PostgreSQL, so that both can work on the same database:
///
/// - core types map as the reference's `core_type_to_sql` (`int8` -> `smallint`, `float32` -> `real`,
///   `bool` -> `boolean`, `json` -> `jsonb`, `bytes` -> `bytea`, `datetime(n)` -> `timestamp(n)`, ...);
/// - an enum is a named type `"schema"."enum_<md5 of the sorted values, 8 hex digits>"`, created before the table
///   and shared by every column of the schema with the same values; a foreign-key column uses its parent's type;
/// - secondary indexes, `unique` foreign keys and the indexes that support foreign keys are separate
///   `CREATE INDEX "idx_<table>_<columns>"` statements;
/// - comments (the `:type:` markers included) are set with `COMMENT ON TABLE` / `COMMENT ON COLUMN`; columns that
///   a foreign key brings in carry no comment.
/// - `<blob>` columns are stored `EXTERNAL`: out of line without the server's pglz compression, since the client
///   compresses each blob where that pays (a physical storage option: DataJoint-Python reads and writes them alike).
public struct PostgresDialect: Dialect {
    /// PostgreSQL's real and double precision hold NaN and the infinities.
    public func canStore(_ double: Double) -> Bool { true }

    public init() {}

    public var backendName: String { "postgresql" }
    public var isSharedWithDataJointPython: Bool { true }
    public var insertConflictSyntax: InsertConflictSyntax { .onConflict }
    public var connectionIDSQL: String? { "pg_backend_pid()" }
    public var currentUserSQL: String? { "current_user" }
    /// NAMEDATALEN - 1.
    public var maxTableNameLength: Int { 63 }
    /// MaxHeapAttributeNumber.
    public var maxColumnsPerTable: Int { 1_600 }
    /// PostgreSQL text cannot hold NUL.
    public var textHoldsNUL: Bool { false }
    /// A value and the message that carries it must stay under 1 GiB (MaxAllocSize); a margin for the rest of the
    /// message.
    public var maxValueBytes: Int? { (1 << 30) - (1 << 20) }
    /// The protocol carries at most 65535 parameters per statement.
    public var maxParametersPerStatement: Int { 65_000 }

    public func quote(_ identifier: String) -> String {
        quoting(identifier, with: "\"")
    }

    public func placeholder(_ index: Int) -> String { "$\(index)" }

    public func limitClause(limit: Int?, offset: Int?) -> String {
        switch (limit, offset) {
        case (nil, nil): ""
        case (let l?, nil): " LIMIT \(l)"
        case (let l?, let o?): " LIMIT \(l) OFFSET \(o)"
        case (nil, let o?): " OFFSET \(o)"
        }
    }

    // MARK: types

    public func columnType(for type: AttributeType) throws -> String {
        switch type {
        case .int8, .int16: "smallint"  // PostgreSQL has no 1-byte integer
        case .int32: "integer"
        case .int64: "bigint"
        case .float32: "real"
        case .float64: "double precision"
        case .bool: "boolean"
        case .decimal(let p, let s): "numeric(\(p),\(s))"
        case .char(let n): "char(\(n))"
        case .varchar(let n): "varchar(\(n))"
        case .enumeration: quote(PostgresDialect.enumTypeName(type.description))
        case .date: "date"
        case .datetime(let digits): digits.map { "timestamp(\($0))" } ?? "timestamp"
        case .json: "jsonb"
        case .uuid: "uuid"
        case .bytes: "bytea"
        case .native(let text, _): PostgresDialect.nativeType(text)
        case .codec(let name, _):
            throw DataJointError(.declaration, "codec <\(name)> has no column type on PostgreSQL")
        }
    }

    /// The column type of an attribute in a table of `schema`; enum types are qualified by the schema they live in.
    func columnType(for type: AttributeType, typeText: String, enumSchema: String) throws -> String {
        if case .enumeration = type {
            return quote(enumSchema) + "." + quote(PostgresDialect.enumTypeName(typeText))
        }
        return try columnType(for: type)
    }

    /// The name of the enum type of an enum with these values (`enum_` and 8 hex digits), as DataJoint-Python
    /// names it.
    public static func enumTypeName(for values: [String]) -> String {
        enumTypeName(AttributeType.enumeration(values).description)
    }

    /// The name DataJoint-Python gives the enum type of a declared type such as `enum('F','M','U')`: `enum_` and
    /// the first 8 hex digits of the MD5 of the values, sorted and joined by `_`. The values are split as the
    /// reference splits them (at every comma, quotes stripped), so the names agree even for unusual values.
    static func enumTypeName(_ typeText: String) -> String {
        var inner = typeText
        if let open = typeText.firstIndex(of: "("), let close = typeText.lastIndex(of: ")"), open < close {
            inner = String(typeText[typeText.index(after: open)..<close])
        }
        let values = inner.split(separator: ",", omittingEmptySubsequences: false).map { part -> String in
            var v = Substring(part.trimmingCharacters(in: .whitespacesAndNewlines))
            while let first = v.first, first == "'" || first == "\"" { v = v.dropFirst() }
            while let last = v.last, last == "'" || last == "\"" { v = v.dropLast() }
            return String(v)
        }
        // Python sorts strings by code point.
        let sorted = values.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) { $0.value < $1.value } }
        return "enum_" + MD5Hex.digest(Array(sorted.joined(separator: "_").utf8)).prefix(8)
    }

    /// A native type as written, with MySQL-only spellings translated to their PostgreSQL equivalents (the
    /// reference passes native types through unchanged, which fails on PostgreSQL for these).
    static func nativeType(_ text: String) -> String {
        var lower = text.lowercased().trimmingCharacters(in: .whitespaces)
        let autoIncrement = lower.contains("auto_increment")
        for word in [" auto_increment", " unsigned", " zerofill"] { lower = lower.replacingOccurrences(of: word, with: "") }
        lower = lower.trimmingCharacters(in: .whitespaces)
        if let match = lower.range(of: #"^(tiny|small|medium|big|)int(eger)?(\s*\(\s*\d+\s*\))?$"#, options: .regularExpression),
            match.lowerBound == lower.startIndex
        {
            let base: String
            if lower.hasPrefix("tiny") || lower.hasPrefix("small") {
                base = autoIncrement ? "smallserial" : "smallint"
            } else if lower.hasPrefix("big") {
                base = autoIncrement ? "bigserial" : "bigint"
            } else {
                base = autoIncrement ? "serial" : "integer"
            }
            return base
        }
        if lower.range(of: #"^(tiny|medium|long)?blob$"#, options: .regularExpression) != nil { return "bytea" }
        if lower.range(of: #"^(tiny|medium|long)text$"#, options: .regularExpression) != nil { return "text" }
        if lower.range(of: #"^double(\s*\(.*\))?$"#, options: .regularExpression) != nil { return "double precision" }
        if lower == "float" { return "real" }  // MySQL's FLOAT is single precision; float(p) means the same on both
        if lower.range(of: #"^(decimal|dec|fixed)"#, options: .regularExpression) != nil, lower != text.lowercased() {
            return lower
        }
        return text
    }

    // MARK: values

    /// Decimals as plain digits (never with an exponent).
    static func decimalText(_ d: Decimal) -> String {
        var value = d
        return NSDecimalString(&value, Locale(identifier: "en_US_POSIX"))
    }

    public func encode(_ value: Value, as type: AttributeType) -> Value {
        // The session binds typed values itself (see `PostgresSession.bind`); only kinds the column type does not
        // take are converted here.
        switch (value, type) {
        case (.int(let i), .bool): return .bool(i != 0)
        case (.bool(let b), .int8), (.bool(let b), .int16), (.bool(let b), .int32), (.bool(let b), .int64),
            (.bool(let b), .native(_, .integer)):
            return .int(b ? 1 : 0)
        case (.datetime(let d), .datetime(let digits)): return .datetime(d.truncated(toFractionalDigits: digits ?? 0))
        default: return value
        }
    }

    /// Reads values as every dialect does, but for `character(n)`, whose padding PostgreSQL returns: DataJoint
    /// returns the value as inserted, as MySQL does.
    public func decode(_ raw: Value, as type: AttributeType) throws -> Value {
        if case .string(let s) = raw, PostgresDialect.isBlankPadded(type) {
            return .string(PostgresDialect.trimmingTrailingSpaces(s))
        }
        return try decodeColumnValue(raw, as: type)
    }

    /// True for `char(n)` and a native `character(n)`.
    static func isBlankPadded(_ type: AttributeType) -> Bool {
        switch type {
        case .char: true
        case .native(let text, .string): text.lowercased().hasPrefix("char")
        default: false
        }
    }

    static func trimmingTrailingSpaces(_ s: String) -> String {
        var end = s.endIndex
        while end > s.startIndex, s[s.index(before: end)] == " " { end = s.index(before: end) }
        return String(s[..<end])
    }

    // MARK: statements

    /// The statements that declare a table, as DataJoint-Python's `declare` produces them on PostgreSQL:
    /// `CREATE TYPE` for its enums, `CREATE TABLE`, `CREATE INDEX`, `COMMENT ON TABLE`, `COMMENT ON COLUMN`.
    public func createTable(_ table: TableDeclaration) throws -> [RenderedSQL] {
        var statements = try tableStatements(table) + indexStatements(table)
        // The reference declares `~lineage` without any comments.
        if table.name.table != "~lineage" { statements += commentStatements(table) }
        return statements
    }

    /// A column as CREATE TABLE and ADD COLUMN declare it (without its enum type, which must exist).
    func columnDefinition(_ column: Attribute, in table: TableDeclaration) throws -> String {
        let parent = table.inheritedColumns[column.name]
        let type = try columnType(for: column.type, typeText: column.typeText, enumSchema: parent?.schema ?? table.name.schema)
        var line = quote(column.name) + " " + type
        if parent != nil {
            // A foreign-key column: NOT NULL unless the reference is nullable, no default.
            if !column.nullable { line += " NOT NULL" }
        } else if column.nullable {
            line += " DEFAULT NULL"
        } else if let d = column.defaultValue {
            line += " NOT NULL DEFAULT " + defaultSQL(d, type: column.type)
        } else {
            line += " NOT NULL"
        }
        return line
    }

    /// `CREATE TYPE` for an enum column declared by this table (not inherited), else nil.
    func enumTypeStatement(_ column: Attribute, in table: TableDeclaration) -> RenderedSQL? {
        guard case .enumeration(let members) = column.type, table.inheritedColumns[column.name] == nil else { return nil }
        return createEnumType(schema: table.name.schema, name: PostgresDialect.enumTypeName(column.typeText), members: members)
    }

    /// The enum types, `CREATE TABLE` (under the declaration's name or `storedAs`) and the storage of `<blob>` columns.
    func tableStatements(_ table: TableDeclaration, storedAs name: SQLTableName? = nil) throws -> [RenderedSQL] {
        let qualified = qualifiedName(name ?? table.name)
        var statements: [RenderedSQL] = []
        var createdTypes = Set<String>()
        var lines: [String] = []
        for column in table.columns {
            if let create = enumTypeStatement(column, in: table), createdTypes.insert(PostgresDialect.enumTypeName(column.typeText)).inserted {
                statements.append(create)
            }
            lines.append(try columnDefinition(column, in: table))
        }
        lines += keyConstraintClauses(table)
        statements.append(RenderedSQL("CREATE TABLE IF NOT EXISTS \(qualified) (\n" + lines.joined(separator: ",\n") + "\n)"))
        // `<blob>` values arrive deflated by the client when that pays; the server's own attempt to compress them
        // again (pglz, when they are TOASTed) costs more time than the insert itself and saves nothing.
        for column in table.columns where column.typeText == "<blob>" {
            statements.append(RenderedSQL("ALTER TABLE \(qualified) ALTER COLUMN \(quote(column.name)) SET STORAGE EXTERNAL"))
        }
        return statements
    }

    /// Declared indexes (and `unique` foreign keys) in order, then an index for each foreign key whose columns are
    /// not a left prefix of the primary key or of an index already there (longest first): PostgreSQL does not index
    /// foreign keys by itself, and cascading deletes need it.
    func indexStatements(_ table: TableDeclaration) -> [RenderedSQL] {
        let qualified = qualifiedName(table.name)
        var indexes = table.indexes
        var prefixes: [[String]] = [table.primaryKey] + table.indexes.map(\.columns)
        let candidates = table.foreignKeys.map(\.columns).enumerated()
            .sorted { ($0.element.count, -$0.offset) > ($1.element.count, -$1.offset) }.map(\.element)
        for candidate in candidates where !prefixes.contains(where: { Array($0.prefix(candidate.count)) == candidate }) {
            indexes.append(IndexConstraint(unique: false, columns: candidate))
            prefixes.append(candidate)
        }
        return indexes.map { index in
            let names = index.columns.map { PostgresDialect.unquoted($0) }
            let indexName = "idx_\(table.name.table)_" + String(String.UnicodeScalarView(names.joined(separator: "_").unicodeScalars.prefix(30)))
            let columns = index.columns.map { $0.hasPrefix("(") ? $0 : quote($0) }.joined(separator: ", ")
            return RenderedSQL("CREATE \(index.unique ? "UNIQUE " : "")INDEX IF NOT EXISTS \(quote(indexName)) ON \(qualified) (\(columns))")
        }
    }

    /// `COMMENT ON TABLE` and `COMMENT ON COLUMN` for each declared column (columns a foreign key brings in carry none).
    func commentStatements(_ table: TableDeclaration, storedAs name: SQLTableName? = nil) -> [RenderedSQL] {
        let qualified = qualifiedName(name ?? table.name)
        var statements = [RenderedSQL("COMMENT ON TABLE \(qualified) IS \(stringLiteral(table.comment))")]
        for column in table.columns where table.inheritedColumns[column.name] == nil {
            let stored = PostgresDialect.escapedComment(table.storedComments[column.name] ?? column.storedComment, typeText: column.typeText)
            guard !stored.isEmpty else { continue }
            statements.append(columnCommentStatement(qualified: qualified, column: column.name, stored: stored))
        }
        return statements
    }

    func columnCommentStatement(qualified: String, column: String, stored: String) -> RenderedSQL {
        RenderedSQL("COMMENT ON COLUMN \(qualified).\(quote(column)) IS \(stringLiteral(stored))")
    }

    /// The reference escapes double quotes of the user's comment with a backslash (a MySQL-ism that PostgreSQL
    /// stores as written); `:type:` markers are left as they are. `PostgresCatalog` undoes it when reading.
    static func escapedComment(_ stored: String, typeText: String) -> String {
        let marker = ":" + typeText + ":"
        if stored.hasPrefix(marker) {
            return marker + stored.dropFirst(marker.count).replacingOccurrences(of: "\"", with: "\\\"")
        }
        return stored.replacingOccurrences(of: "\"", with: "\\\"")
    }

    static func unquoted(_ identifier: String) -> String {
        var t = identifier.trimmingCharacters(in: .whitespaces)
        while let f = t.first, f == "\"" || f == "`" { t.removeFirst() }
        while let l = t.last, l == "\"" || l == "`" { t.removeLast() }
        return t
    }

    /// A default as the reference writes it: constants as they are, everything else as a quoted literal.
    func defaultSQL(_ value: DefaultValue, type: AttributeType) -> String {
        switch value {
        case .null: "NULL"
        case .currentTimestamp: "CURRENT_TIMESTAMP"
        case .currentTimestampPrecision(let digits): "CURRENT_TIMESTAMP(\(digits))"
        case .string(let s): stringLiteral(s)
        case .literal(let l): stringLiteral(l)
        case .bool(let b): b ? "'true'" : "'false'"
        }
    }

    /// `CREATE TYPE` for an enum, doing nothing when the type exists (it is shared by every column of the schema
    /// with the same values). A `DO` block, so that an existing type does not abort the enclosing transaction.
    func createEnumType(schema: String, name: String, members: [String]) -> RenderedSQL {
        let labels = members.map(stringLiteral).joined(separator: ", ")
        var tag = "$dj$"
        while labels.contains(tag) { tag = "$dj" + String(tag.count) + "$" }
        return RenderedSQL(
            "DO \(tag) BEGIN CREATE TYPE \(quote(schema)).\(quote(name)) AS ENUM (\(labels)); "
                + "EXCEPTION WHEN duplicate_object THEN NULL; END \(tag)")
    }

    /// Drops a table, then each enum type it used that no other column uses any more (as the reference's
    /// `drop_quick` does).
    public func dropTable(_ table: SQLTableName) -> [RenderedSQL] {
        let qualified = qualifiedName(table)
        let relation = stringLiteral(qualified)
        return [
            RenderedSQL(
                """
                DO $dj$
                DECLARE
                  enum_types regtype[];
                  enum_type regtype;
                BEGIN
                  SELECT array_agg(DISTINCT a.atttypid::regtype) INTO enum_types
                    FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
                    WHERE a.attrelid = \(relation)::regclass AND a.attnum > 0 AND NOT a.attisdropped AND t.typtype = 'e';
                  DROP TABLE \(qualified);
                  IF enum_types IS NOT NULL THEN
                    FOREACH enum_type IN ARRAY enum_types LOOP
                      IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE atttypid = enum_type AND attnum > 0 AND NOT attisdropped) THEN
                        EXECUTE format('DROP TYPE IF EXISTS %s', enum_type);
                      END IF;
                    END LOOP;
                  END IF;
                END $dj$
                """)
        ]
    }

    /// Rewrites a user-written SQL fragment into this backend's spelling (see `docs/portable-sql.md`).
    public func translateUserSQL(_ fragment: String) -> String {
        PostgresSQLTranslation.translate(fragment)
    }
}
