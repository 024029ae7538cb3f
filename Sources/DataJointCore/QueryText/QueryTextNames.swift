/// Finds the tables that names in query text refer to: `Student`, `Session.Trial`, `university.Student`, or a
/// database table name (`session`, `session__trial`), searched in the given schemas in order.
struct QueryTextNames: Sendable {
    let connection: Connection
    let schemas: [Schema]

    /// The table a dotted name means, or nil when the name is not a table in any of the schemas.
    func table(_ path: [String]) async throws -> Table? {
        guard let first = path.first else { return nil }
        if path.count >= 2, first.first?.isLowercase == true {
            guard let schema = try await schema(named: first) else { return nil }
            return try await table(Array(path.dropFirst()), in: schema)
        }
        for schema in schemas {
            if let table = try await table(path, in: schema) { return table }
        }
        return nil
    }

    /// A schema given to the query, or any other schema of the connection by its name.
    private func schema(named name: String) async throws -> Schema? {
        if let schema = schemas.first(where: { $0.name == name }) { return schema }
        guard try await connection.schemaNames().contains(name) else { return nil }
        return Schema(name: name, connection: connection)
    }

    private func table(_ path: [String], in schema: Schema) async throws -> Table? {
        guard let first = path.first, path.count <= 2 else { return nil }
        let info: TableInfo?
        if first.first?.isUppercase == true {
            do {
                info = try await schema.resolveReference(path.joined(separator: "."), masterTable: nil)
            } catch let error as DataJointError where error.kind == .missingTable {
                info = nil
            }
        } else if path.count == 1 {
            info = try await schema.loadInfo(first)
        } else {
            info = nil
        }
        return info.map { schema.table($0.name.table) }
    }

    /// The class names of the schemas' tables, for the message about an unknown name.
    func knownNames(limit: Int = 40) async -> [String] {
        var names: [String] = []
        for schema in schemas {
            guard let tables = try? await schema.tableNames(order: .topological) else { continue }
            let qualify = schemas.count > 1
            for table in tables where !table.hasPrefix("~") {
                let className = SQLTableName(schema: schema.name, table: table).className
                names.append(qualify ? "\(schema.name).\(className)" : className)
            }
        }
        return names.count > limit ? Array(names.prefix(limit)) + ["..."] : names
    }
}
