/// A table ready to be created: the result of resolving a `TableDefinition` against the database.
/// A dialect renders it as DDL.
public struct TableDeclaration: Sendable {
    public var name: SQLTableName
    public var comment: String
    /// Columns in order; each carries its type, nullability, default and stored comment.
    public var columns: [Attribute]
    public var primaryKey: [String]
    public var foreignKeys: [ForeignKeyConstraint]
    public var indexes: [IndexConstraint]
    /// The comment stored for each column. Core types and codecs carry a `:type:` marker; foreign-key
    /// columns carry the parent's comment, as the reference implementation does.
    public var storedComments: [String: String]
    /// Columns a foreign key brought into the table (rather than declared by the definition), with the
    /// table they come from.
    public var inheritedColumns: [String: SQLTableName]

    public init(
        name: SQLTableName, comment: String, columns: [Attribute], primaryKey: [String],
        foreignKeys: [ForeignKeyConstraint], indexes: [IndexConstraint], storedComments: [String: String]? = nil,
        inheritedColumns: [String: SQLTableName] = [:]
    ) {
        self.inheritedColumns = inheritedColumns
        self.storedComments = storedComments ?? Dictionary(uniqueKeysWithValues: columns.map { ($0.name, $0.storedComment) })
        self.name = name
        self.comment = comment
        self.columns = columns
        self.primaryKey = primaryKey
        self.foreignKeys = foreignKeys
        self.indexes = indexes
    }
}

/// A foreign key: columns of the child referencing the primary key of a parent.
public struct ForeignKeyConstraint: Sendable, Hashable {
    public var columns: [String]
    public var referencedTable: SQLTableName
    public var referencedColumns: [String]

    public init(columns: [String], referencedTable: SQLTableName, referencedColumns: [String]) {
        self.columns = columns
        self.referencedTable = referencedTable
        self.referencedColumns = referencedColumns
    }

    /// True when some columns are renamed relative to the parent.
    public var isRenamed: Bool { columns != referencedColumns }
}

/// A secondary index.
public struct IndexConstraint: Sendable, Hashable {
    public var unique: Bool
    /// Column names, or parenthesized SQL expressions.
    public var columns: [String]

    public init(unique: Bool, columns: [String]) {
        self.unique = unique
        self.columns = columns
    }
}
