/// A column as the database catalog reports it.
public struct CatalogColumn: Sendable, Hashable {
    public var name: String
    /// The column type as the backend reports it.
    public var sqlType: String
    public var nullable: Bool
    /// The default as SQL text (`'mouse'`, `1`, `CURRENT_TIMESTAMP`), nil if none.
    public var defaultSQL: String?
    /// The stored column comment, with its `:type:` marker if any.
    public var comment: String

    public init(name: String, sqlType: String, nullable: Bool, defaultSQL: String?, comment: String) {
        self.name = name
        self.sqlType = sqlType
        self.nullable = nullable
        self.defaultSQL = defaultSQL
        self.comment = comment
    }
}

/// A table as the database catalog reports it.
public struct CatalogTable: Sendable, Hashable {
    public var name: SQLTableName
    public var comment: String
    public var columns: [CatalogColumn]
    public var primaryKey: [String]
    public var foreignKeys: [ForeignKeyConstraint]
    public var indexes: [IndexConstraint]

    public init(
        name: SQLTableName, comment: String, columns: [CatalogColumn], primaryKey: [String],
        foreignKeys: [ForeignKeyConstraint], indexes: [IndexConstraint]
    ) {
        self.name = name
        self.comment = comment
        self.columns = columns
        self.primaryKey = primaryKey
        self.foreignKeys = foreignKeys
        self.indexes = indexes
    }
}

/// Reads and changes the database catalog: schemas, tables, columns, keys. Implemented by each backend.
public protocol Catalog: Sendable {
    /// Names of all DataJoint schemas (databases) in the database.
    func schemas(_ session: any DatabaseSession) async throws -> [String]
    /// Creates a schema if it does not exist.
    func createSchema(_ name: String, _ session: any DatabaseSession) async throws
    /// Drops a schema and every table in it.
    func dropSchema(_ name: String, _ session: any DatabaseSession) async throws
    /// Names of the tables of a schema, hidden (`~`) tables included.
    func tables(inSchema schema: String, _ session: any DatabaseSession) async throws -> [String]
    /// The full description of one table, or nil when it does not exist.
    func describe(_ table: SQLTableName, _ session: any DatabaseSession) async throws -> CatalogTable?
    /// Every foreign key, in any schema, that references the given table.
    func foreignKeys(referencing table: SQLTableName, _ session: any DatabaseSession) async throws
        -> [(child: SQLTableName, constraint: ForeignKeyConstraint)]
}
