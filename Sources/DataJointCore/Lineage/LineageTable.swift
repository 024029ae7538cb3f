/// The `~lineage` table of a schema: for each primary-key and foreign-key attribute, the
/// `schema.table.attribute` where it originates. Semantic matching compares these.
struct LineageTable {
    let connection: Connection
    let schema: String

    static let tableName = "~lineage"

    var name: SQLTableName { SQLTableName(schema: schema, table: LineageTable.tableName) }

    /// The declaration of the lineage table, identical in layout to the reference implementation's.
    var declaration: TableDeclaration {
        TableDeclaration(
            name: name, comment: "",
            columns: [
                Attribute(name: "table_name", type: .native("VARCHAR(64)", .string), inPrimaryKey: true, comment: "table name within the schema"),
                Attribute(name: "attribute_name", type: .native("VARCHAR(64)", .string), inPrimaryKey: true, comment: "attribute name"),
                Attribute(name: "lineage", type: .native("VARCHAR(255)", .string), comment: "origin: schema.table.attribute"),
            ],
            primaryKey: ["table_name", "attribute_name"], foreignKeys: [], indexes: [])
    }

    func exists() async throws -> Bool {
        let catalog = connection.catalog
        let schema = self.schema
        return try await connection.withSession { try await catalog.tables(inSchema: schema, $0) }
            .contains(LineageTable.tableName)
    }

    /// Creates the table if it does not exist.
    func ensure() async throws {
        guard try await !exists() else { return }
        for statement in try connection.dialect.createTable(declaration) {
            try await connection.execute(statement)
        }
    }

    /// Lineage of the attributes of one table; empty if the schema has no lineage table.
    func lineages(ofTable table: String) async throws -> [String: String] {
        try await storedLineages(ofTable: table) ?? [:]
    }

    /// Lineage of the attributes of one table, or nil when the schema has no lineage table.
    func storedLineages(ofTable table: String) async throws -> [String: String]? {
        guard try await exists() else { return nil }
        let select = SQLSelect(
            columns: [(.column("attribute_name"), nil), (.column("lineage"), nil)], from: .table(name),
            where: .equals(.column("table_name"), .bind(.string(table))))
        let rows = try await connection.query(connection.dialect.render(.select(select)))
        var out: [String: String] = [:]
        for row in rows {
            if case .string(let attribute) = row[0], case .string(let lineage) = row[1] { out[attribute] = lineage }
        }
        return out
    }

    /// The lineage of one attribute, or nil.
    func lineage(table: String, attribute: String) async throws -> String? {
        try await lineages(ofTable: table)[attribute]
    }

    /// Replaces the lineage entries of one table.
    func replace(table: String, entries: [String: String]) async throws {
        try await ensure()
        try await connection.execute(.delete(SQLDelete(table: name, where: .equals(.column("table_name"), .bind(.string(table))))))
        guard !entries.isEmpty else { return }
        let rows: [[Value]] = entries.keys.sorted().map { [.string(table), .string($0), .string(entries[$0]!)] }
        try await connection.execute(
            .insert(SQLInsert(table: name, columns: ["table_name", "attribute_name", "lineage"], rows: .values(rows))))
    }

    /// Removes the entries of a dropped table.
    func delete(table: String) async throws {
        guard try await exists() else { return }
        try await connection.execute(.delete(SQLDelete(table: name, where: .equals(.column("table_name"), .bind(.string(table))))))
    }
}
