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

extension [SchemaSpec] {
    /// The schemas in which a front-end looks names up, in order, opened without declaring anything: `given` if any,
    /// else this program's schemas that exist, then every other schema of the connection.
    func lookupOrder(given: [String], on connection: Connection) async throws -> [Schema] {
        var names = given
        if names.isEmpty {
            let existing = try await connection.schemaNames()
            names = map(\.name).filter(existing.contains)
            names += existing.filter { !names.contains($0) }
        }
        var opened: [Schema] = []
        for name in names where !opened.contains(where: { $0.name == name }) {
            opened.append(try await connection.schema(name, tables: [], create: false))
        }
        return opened
    }
}
