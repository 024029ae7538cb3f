import DataJoint

/// One schema in the list of schemas.
public struct SchemaSummary: Sendable, Hashable, Codable {
    /// The schema name.
    public var name: String
    /// The number of DataJoint tables in the schema.
    public var tables: Int
}

/// What the web view reads, page and API alike: the schemas it shows and the core's overview calls on them. The
/// HTML pages and the JSON API both call these, so they never disagree.
struct WebPipeline: Sendable {
    let connection: Connection
    /// The schemas given to the server; nil: every schema of the connection, read anew on each request (so schemas
    /// created while the server runs appear).
    let fixed: [Schema]?
    let configuration: WebServerConfiguration

    /// The schemas shown, in the order given (or sorted, for all schemas), with their table counts.
    func schemas() async throws -> [SchemaSummary] {
        let schemas: [Schema]
        if let fixed {
            schemas = fixed
        } else {
            var opened: [Schema] = []
            for name in try await connection.schemaNames() {
                opened.append(try await connection.schema(name, tables: [], create: false))
            }
            schemas = opened
        }
        var result: [SchemaSummary] = []
        for schema in schemas {
            result.append(SchemaSummary(name: schema.name, tables: try await schema.tableNames().count))
        }
        return result
    }

    /// The schema called `name`.
    ///
    /// - Throws: `DataJointError` `.missingTable` when the view does not show such a schema.
    func schema(_ name: String) async throws -> Schema {
        if let fixed {
            guard let schema = fixed.first(where: { $0.name == name }) else {
                throw DataJointError(
                    .missingTable,
                    "schema `\(name)` is not shown here (the schemas shown: \(fixed.map(\.name).joined(separator: ", ")))")
            }
            return schema
        }
        guard try await connection.schemaNames().contains(name) else {
            throw DataJointError(.missingTable, "schema `\(name)` does not exist")
        }
        return try await connection.schema(name, tables: [], create: false)
    }

    /// The table `name` (a class name such as `Session.Trial`, or a database name such as `session__trial`) of the
    /// schema called `schemaName`.
    ///
    /// - Throws: `DataJointError` `.missingTable` when there is no such schema or table.
    func table(_ name: String, inSchema schemaName: String) async throws -> Table {
        let table = try await schema(schemaName).table(name)
        _ = try await table.info()
        return table
    }

    /// The schema's tables in dependency order, with tier, row count and comment.
    func overview(ofSchema name: String) async throws -> SchemaOverview {
        try await schema(name).overview()
    }

    /// A table's definition, heading and neighbours.
    func details(ofTable name: String, inSchema schemaName: String) async throws -> TableDetails {
        try await table(name, inSchema: schemaName).details()
    }

    /// One page of rows: of the table, or, when the request has query text, of that query evaluated in the table's
    /// schema (the text goes through the query language's parser only).
    func rows(ofTable name: String, inSchema schemaName: String, _ request: RowsRequest) async throws -> QueryPage {
        let table = try await table(name, inSchema: schemaName)
        if let text = request.queryText {
            let query = try await table.schema.query(text)
            return try await query.page(limit: request.limit, offset: request.offset, orderBy: request.orderBy)
        }
        return try await table.page(limit: request.limit, offset: request.offset, orderBy: request.orderBy)
    }

    /// Progress, queue counts and failures of every Imported and Computed table of the schema.
    func jobs(ofSchema name: String) async throws -> [JobsOverview] {
        try await schema(name).jobsOverview(errorLimit: configuration.errorLimit)
    }

    /// The schema's diagram as an SVG document, drawn by Graphviz.
    ///
    /// - Throws: `DataJointError` `.configuration` when Graphviz is missing.
    func diagramSVG(ofSchema name: String) async throws -> String {
        try await Diagram(schema(name)).svg(graphviz: configuration.graphviz)
    }
}
