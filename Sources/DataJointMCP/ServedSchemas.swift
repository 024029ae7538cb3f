import DataJoint

/// The schemas an MCP server serves, and how the tools' schema and table arguments name them.
struct ServedSchemas: Sendable {
    let schemas: [Schema]

    var names: [String] { schemas.map(\.name) }

    /// The served schema `name`.
    func schema(_ name: String) throws -> Schema {
        guard let schema = schemas.first(where: { $0.name == name }) else {
            throw DataJointError(
                .missingTable, "schema `\(name)` is not served here (schemas: \(names.joined(separator: ", ")))")
        }
        return schema
    }

    /// The table named `name` (`schema.Table`, or a class or database name in `schemaName`, or in the only served
    /// schema), checked to exist and named by its database name, so that it carries the Swift type its schema value
    /// declared, if any.
    func table(_ name: String, schema schemaName: String?) async throws -> Table {
        let (schema, tableName) = try locate(name, schema: schemaName)
        let info = try await schema.table(tableName).info()
        guard info.name.schema == schema.name else {
            throw DataJointError(
                .missingTable, "table `\(tableName)` does not exist in schema `\(schema.name)`")
        }
        return schema.table(info.name.table)
    }

    private func locate(_ name: String, schema schemaName: String?) throws -> (Schema, String) {
        if let schemaName { return (try schema(schemaName), name) }
        if let dot = name.firstIndex(of: "."), let schema = schemas.first(where: { $0.name == name[..<dot] }) {
            let tableName = String(name[name.index(after: dot)...])
            guard !tableName.isEmpty else {
                throw DataJointError(.missingTable, "`\(name)` names no table: write `\(schema.name).Table`")
            }
            return (schema, tableName)
        }
        if schemas.count == 1 { return (schemas[0], name) }
        throw DataJointError(
            .missingTable,
            "name the schema of table `\(name)`: write `schema.Table` or pass `schema` (schemas: "
                + "\(names.joined(separator: ", ")))")
    }
}
