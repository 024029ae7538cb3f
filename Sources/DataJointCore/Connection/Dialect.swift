import Foundation

/// Everything that differs between database backends: quoting, type names, DDL, value representation,
/// and the few SQL forms that have no common spelling.
///
/// A dialect turns the core's SQL syntax trees into text. The core never writes backend-specific SQL itself.
public protocol Dialect: Sendable {
    /// The backend name as used in configuration and messages (`sqlite`, `postgresql`, `mysql`).
    var backendName: String { get }
    /// True when DataJoint-Python works on databases of this backend too, so that what DataJoint persists there
    /// follows the reference exactly, down to the column types of the key attributes of jobs tables.
    var isSharedWithDataJointPython: Bool { get }

    /// Quotes an identifier (a column, table or schema name).
    func quote(_ identifier: String) -> String
    /// The quoted, fully qualified name of a table of a schema.
    func qualifiedName(_ table: SQLTableName) -> String
    /// The placeholder for the `index`-th parameter (1-based).
    func placeholder(_ index: Int) -> String
    /// The longest table name the backend accepts (also the limit for schema and attribute names).
    var maxTableNameLength: Int { get }
    /// The most columns a table may have, hidden columns included.
    var maxColumnsPerTable: Int { get }

    /// The column type used to store an attribute of the given type.
    func columnType(for type: AttributeType) throws -> String
    /// Converts a validated value to the primitive the driver binds for a column of this type.
    func encode(_ value: Value, as type: AttributeType) -> Value
    /// Converts a primitive read from a column back into the typed value (a shared default reads what every
    /// driver delivers; see `decodeColumnValue`).
    func decode(_ raw: Value, as type: AttributeType) throws -> Value

    /// The statements that create a declared table (and record its comments), in order.
    func createTable(_ table: TableDeclaration) throws -> [RenderedSQL]
    /// The statements that drop a table (and anything declared with it only, such as enum types).
    func dropTable(_ table: SQLTableName) -> [RenderedSQL]
    /// How to change an existing table as described (secondary attributes added, dropped, renamed, moved or
    /// redefined; the table comment), keeping its rows, its keys and indexes, and the foreign keys of other tables
    /// that reference it. Where the backend cannot make a change in place, the plan rebuilds the table.
    func alterTable(_ alteration: TableAlteration) throws -> AlterationPlan

    /// Renders a statement to text and parameters.
    func render(_ statement: SQLStatement) -> RenderedSQL
    /// How an INSERT skips or replaces rows whose key exists.
    var insertConflictSyntax: InsertConflictSyntax { get }
    /// Renders LIMIT/OFFSET.
    func limitClause(limit: Int?, offset: Int?) -> String
    /// The most parameters one statement may carry.
    var maxParametersPerStatement: Int { get }
    /// The most bytes of parameter data one multi-row statement should carry (a single larger row is sent alone).
    var maxStatementBytes: Int { get }
    /// Rewrites a SQL fragment written by a user (a restriction string, a computed attribute) into this
    /// backend's spelling, e.g. `GROUP_CONCAT(x)` into `STRING_AGG(x::text, ',')` on PostgreSQL.
    func translateUserSQL(_ fragment: String) -> String
    /// True when a float column of this backend can hold the value (NaN and infinities are not everywhere).
    func canStore(_ double: Double) -> Bool
    /// True when a text column keeps a NUL character (U+0000) and gives it back.
    var textHoldsNUL: Bool { get }
    /// The most bytes one value may have on this backend, when the backend has a fixed limit.
    var maxValueBytes: Int? { get }
    /// SQL for the server's current time with milliseconds, comparable with `datetime(3)` columns (job scheduling
    /// uses the server's clock, so workers on different hosts agree).
    var currentTimestampSQL: String { get }
    /// SQL giving the server's id of the current session (recorded in jobs), or nil if the backend has none.
    var connectionIDSQL: String? { get }
    /// SQL giving the database user of the session (recorded in jobs), or nil if the backend has none.
    var currentUserSQL: String? { get }
}

extension Dialect {
    /// `identifier` between two `mark`s, each `mark` inside it doubled: the quoting of SQL identifiers. Identifiers
    /// are quoted for every statement, so the usual case (no mark inside) costs one scan of the bytes.
    public func quoting(_ identifier: String, with mark: Unicode.Scalar) -> String {
        let text = String(mark)
        // By scalars, not characters: a mark followed by a combining accent is one character, and still a mark.
        guard identifier.unicodeScalars.contains(mark) else { return text + identifier + text }
        var quoted = String.UnicodeScalarView()
        quoted.append(mark)
        for scalar in identifier.unicodeScalars {
            quoted.append(scalar)
            if scalar == mark { quoted.append(scalar) }
        }
        quoted.append(mark)
        return String(quoted)
    }

    public func qualifiedName(_ table: SQLTableName) -> String {
        quote(table.schema) + "." + quote(table.table)
    }

    public func render(_ statement: SQLStatement) -> RenderedSQL {
        var renderer = SQLRenderer(dialect: self)
        renderer.write(statement)
        return RenderedSQL(renderer.sql, renderer.binds)
    }

    public func limitClause(limit: Int?, offset: Int?) -> String {
        switch (limit, offset) {
        case (nil, nil): ""
        case (let l?, nil): " LIMIT \(l)"
        case (let l?, let o?): " LIMIT \(l) OFFSET \(o)"
        case (nil, let o?): " LIMIT \(Int64.max) OFFSET \(o)"
        }
    }

    public var maxParametersPerStatement: Int { 30_000 }
    public var maxColumnsPerTable: Int { 1_000 }
    public var maxStatementBytes: Int { 16 << 20 }
    public func translateUserSQL(_ fragment: String) -> String { fragment }
    public func canStore(_ double: Double) -> Bool { double.isFinite }
    public var textHoldsNUL: Bool { true }
    public var maxValueBytes: Int? { nil }

    /// Why a value, normalized for its column, cannot be stored on this backend; nil when it can.
    public func unstorableReason(_ value: Value) -> String? {
        switch value {
        case .double(let d) where !canStore(d):
            "\(d) cannot be stored on \(backendName) (its float columns hold finite numbers\(canStore(.infinity) ? " and infinities" : "") only)"
        case .string(let s) where !textHoldsNUL && s.unicodeScalars.contains("\u{0}"):
            "text with a NUL character (U+0000) cannot be stored on \(backendName) (it would be cut short there); store such data as bytes"
        case .bytes(let d) where maxValueBytes.map { d.count > $0 } == true:
            "a value of \(d.count) bytes is larger than \(backendName) stores in one value (\(maxValueBytes!) bytes); "
                + "keep data this large in an object store (<blob@store>, <attach@store>, <object@store>)"
        case .string(let s) where maxValueBytes.map { s.utf8.count > $0 } == true:
            "a text of \(s.utf8.count) bytes is larger than \(backendName) stores in one value (\(maxValueBytes!) bytes); "
                + "keep data this large in an object store (<attach@store>, <object@store>)"
        default:
            nil
        }
    }
    public var currentTimestampSQL: String { "CURRENT_TIMESTAMP(3)" }
    public var connectionIDSQL: String? { nil }
    public var currentUserSQL: String? { nil }

    /// Values as primitives every SQL driver binds: booleans as 0/1, decimals, dates and datetimes (to the
    /// column's fractional digits) as text, UUIDs as 16 bytes, JSON as text.
    public func encode(_ value: Value, as type: AttributeType) -> Value {
        switch value {
        case .bool(let b): return .int(b ? 1 : 0)
        case .decimal(let d): return .string(d.description)
        case .date(let d): return .string(d.description)
        case .datetime(let d):
            if case .datetime(let digits) = type { return .string(d.formatted(fractionalDigits: digits ?? 0)) }
            return .string(d.formatted(fractionalDigits: 6))
        case .uuid(let u): return .bytes(withUnsafeBytes(of: u.uuid) { Data($0) })
        case .json(let j): return .string(j.serialized())
        default: return value
        }
    }

    /// Quotes a string as a SQL literal (used only in DDL, where parameters are not accepted).
    public func stringLiteral(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }
}
