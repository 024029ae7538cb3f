import DataJoint

/// One schema of a pipeline program: its name and its table types, in declaration order (a master's parts are
/// declared with it).
public struct SchemaSpec: Sendable {
    /// The schema name.
    public let name: String
    /// The table types of the schema.
    public let tables: [any UserTable.Type]

    public init(_ name: String, tables: any UserTable.Type...) {
        self.init(name, tables: tables)
    }

    public init(_ name: String, tables: [any UserTable.Type]) {
        self.name = name
        self.tables = tables
    }
}

extension [SchemaSpec] {
    /// Opens every schema on `connection`, declaring tables that do not exist yet.
    func open(on connection: Connection) async throws -> [Schema] {
        var schemas: [Schema] = []
        for spec in self { schemas.append(try await connection.schema(spec.name, tables: spec.tables)) }
        return schemas
    }
}
