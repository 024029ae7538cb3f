/// The syntax tree of a table definition, as parsed from the definition language.
public struct TableDefinition: Sendable, Hashable {
    /// The table comment (the first line, if it starts with `#`), without the `#`.
    public var comment: String
    /// The attribute, foreign-key and index lines, in order.
    public var lines: [DefinitionLine]

    public init(comment: String = "", lines: [DefinitionLine] = []) {
        self.comment = comment
        self.lines = lines
    }
}

/// One meaningful line of a definition.
public enum DefinitionLine: Sendable, Hashable {
    case attribute(AttributeDeclaration)
    case foreignKey(ForeignKeyDeclaration)
    case index(IndexDeclaration)
}

/// The default of an attribute, as written.
public enum DefaultValue: Sendable, Hashable, CustomStringConvertible {
    /// `null`: the attribute is nullable and defaults to NULL.
    case null
    /// `CURRENT_TIMESTAMP`.
    case currentTimestamp
    /// `CURRENT_TIMESTAMP(n)`, with fractional-second digits written (kept as written, as the reference keeps it).
    case currentTimestampPrecision(Int)
    /// A quoted string (quotes removed).
    case string(String)
    /// An unquoted literal such as a number, kept as written.
    case literal(String)
    /// `true` or `false`.
    case bool(Bool)

    /// The default as written in a definition.
    public var description: String {
        switch self {
        case .null: "null"
        case .currentTimestamp: "CURRENT_TIMESTAMP"
        case .currentTimestampPrecision(let n): "CURRENT_TIMESTAMP(\(n))"
        case .string(let s): "\"" + s.replacingOccurrences(of: "\"", with: "\\\"") + "\""
        case .literal(let l): l
        case .bool(let b): b ? "true" : "false"
        }
    }
}

/// `name [= default] : type [# comment]`.
public struct AttributeDeclaration: Sendable, Hashable {
    public var name: String
    public var type: AttributeType
    /// The type exactly as written (recorded in the column comment).
    public var typeText: String
    public var defaultValue: DefaultValue?
    public var comment: String
    public var inPrimaryKey: Bool
    /// The source line, quoted in error messages.
    public var line: String

    /// True when declared with the `null` default.
    public var nullable: Bool { defaultValue == .null }
}

/// `-> [options] Reference` or `-> Reference.proj(new='old', ...)`.
public struct ForeignKeyDeclaration: Sendable, Hashable {
    /// The referenced table as written: `Parent`, `master`, `Master.Part`, or `schema.Parent`.
    public var reference: String
    public var nullable: Bool
    public var unique: Bool
    /// Renamed attributes: new name in this table -> attribute name in the referenced table.
    public var renames: [Rename]
    public var inPrimaryKey: Bool
    public var line: String

    public struct Rename: Sendable, Hashable {
        public var newName: String
        public var originalName: String
    }
}

/// `index(a, b)` or `unique index(a, b)`.
public struct IndexDeclaration: Sendable, Hashable {
    public var unique: Bool
    /// Attribute names or parenthesized SQL expressions.
    public var columns: [String]
    public var line: String
}
