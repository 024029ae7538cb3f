/// A schema at a glance, as the front-ends show it: its tables in dependency order with tier, row count and comment.
public struct SchemaOverview: Sendable, Hashable, Codable {
    /// The schema name.
    public var name: String
    /// The tables, upstream before downstream, parts right after their masters.
    public var tables: [TableOverview]

    public init(name: String, tables: [TableOverview]) {
        self.name = name
        self.tables = tables
    }
}

/// One table in a ``SchemaOverview``.
public struct TableOverview: Sendable, Hashable, Codable {
    /// The schema name.
    public var schema: String
    /// The database table name (`__session_stats`).
    public var table: String
    /// The class name (`SessionStats`, `Session.Trial`).
    public var className: String
    /// `manual`, `lookup`, `imported`, `computed` or `part`.
    public var tier: String
    /// The number of rows.
    public var rows: Int
    /// The table comment.
    public var comment: String

    public init(schema: String, table: String, className: String, tier: String, rows: Int, comment: String) {
        self.schema = schema
        self.table = table
        self.className = className
        self.tier = tier
        self.rows = rows
        self.comment = comment
    }
}

extension Schema {
    /// The schema's tables in dependency order with tier, row count and comment. Reads only.
    public func overview() async throws -> SchemaOverview {
        var tables: [TableOverview] = []
        for name in try await tableNames(order: .topological) {
            let table = self.table(name)
            let info = try await table.info()
            tables.append(
                TableOverview(
                    schema: self.name, table: name, className: info.name.className, tier: info.tier.rawValue,
                    rows: try await table.count(), comment: info.comment))
        }
        return SchemaOverview(name: name, tables: tables)
    }
}
