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
    /// The tables of the schemas with their primary keys, and every foreign key whose child or parent is in them.
    func dependencies(inSchemas schemas: Set<String>, _ session: any DatabaseSession) async throws -> CatalogDependencies
}

/// The tables of some schemas with their primary keys, and the foreign keys that touch them.
public struct CatalogDependencies: Sendable {
    /// Primary-key columns of every table of the requested schemas (hidden `~` tables excluded), in key order.
    public var primaryKeys: [SQLTableName: [String]]
    /// Every foreign key whose child or parent is in the requested schemas.
    public var foreignKeys: [(child: SQLTableName, constraint: ForeignKeyConstraint)]

    public init(
        primaryKeys: [SQLTableName: [String]], foreignKeys: [(child: SQLTableName, constraint: ForeignKeyConstraint)]
    ) {
        self.primaryKeys = primaryKeys
        self.foreignKeys = foreignKeys
    }
}

extension Catalog {
    /// The tables of the schemas and the foreign keys touching them, read table by table. Backends with a server
    /// answer this with a few bulk queries instead.
    public func dependencies(inSchemas schemas: Set<String>, _ session: any DatabaseSession) async throws
        -> CatalogDependencies
    {
        var result = CatalogDependencies(primaryKeys: [:], foreignKeys: [])
        var seen = Set<String>()
        for schema in schemas.sorted() {
            for table in try await tables(inSchema: schema, session) where !table.hasPrefix("~") {
                let name = SQLTableName(schema: schema, table: table)
                guard let described = try await describe(name, session) else { continue }
                result.primaryKeys[name] = described.primaryKey
                for fk in described.foreignKeys {
                    let key = "\(schema).\(table).\(fk.columns)"
                    if seen.insert(key).inserted { result.foreignKeys.append((name, fk)) }
                }
                for (child, fk) in try await foreignKeys(referencing: name, session) where !schemas.contains(child.schema) {
                    let key = "\(child.schema).\(child.table).\(fk.columns)"
                    if seen.insert(key).inserted { result.foreignKeys.append((child, fk)) }
                }
            }
        }
        return result
    }
}
