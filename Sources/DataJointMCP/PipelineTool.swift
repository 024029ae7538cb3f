import MCP

/// The tools of the pipeline MCP server: each tool's name, what it does (for the agent), and its parameters, from
/// which the JSON schema of its input is made and its arguments are checked.
enum PipelineTool: String, CaseIterable, Sendable {
    case listSchemas = "list_schemas"
    case listTables = "list_tables"
    case describeTable = "describe_table"
    case diagram
    case query
    case count
    case preview
    case jobStatus = "job_status"
    case populate

    /// The tools a server offers: all but `populate`, unless it may populate.
    static func offered(populating: Bool) -> [PipelineTool] {
        allCases.filter { $0 != .populate || populating }
    }

    /// The tool's name as agents call it.
    var name: String { rawValue }

    /// True for the tools that only read.
    var readsOnly: Bool { self != .populate }

    /// What the tool does and returns, for the agent.
    var description: String {
        switch self {
        case .listSchemas:
            "The schemas this server serves. Returns JSON {schemas, total, limit, truncated}."
        case .listTables:
            "The tables of a schema in dependency order (upstream first, parts after their masters) with class name, "
                + "tier (manual, lookup, imported, computed, part), row count and comment. Returns JSON "
                + "{schema, tables, total, limit, truncated}."
        case .describeTable:
            "A table's definition (DataJoint definition language), attributes (name, type, primary key, nullable, "
                + "default, comment), parents, children, parts, master and row count. Returns JSON; a long "
                + "definition is cut at \(ResultSizing.definitionLength) characters."
        case .diagram:
            "The pipeline graph as a Mermaid flowchart: a whole schema, or one table with its parents and "
                + "children. Returns Mermaid text (cut at \(ResultSizing.diagramLength) characters)."
        case .query:
            "Rows of a query written in DataJoint's Python operator syntax, e.g. `Session & {'subject_id': 1}`, "
                + "`Subject * Session`, `Session.Trial & 'response > 0.5'`, `Subject - Session`, "
                + "`Session.proj('session_date')`, `demo.Subject` (names resolve in the served schemas). Returns "
                + "JSON {columns, rows (objects keyed by column), total, offset, limit, truncated}; blobs show as "
                + "placeholders and long text cells are cut at \(ResultSizing.cellLength) characters."
        case .count:
            "The number of rows of a query in DataJoint's Python operator syntax (see `query`). Returns JSON "
                + "{expr, count}."
        case .preview:
            "The first rows of a table (by primary key) and its row count. Returns JSON like `query`."
        case .jobStatus:
            "Progress of Imported and Computed tables: keys computed and remaining, the jobs queue by status, "
                + "and the failed jobs with their error messages and stacks (stacks cut at "
                + "\(ResultSizing.stackLength) characters). Give a table, or a schema for all its computed tables."
        case .populate:
            "Computes the missing rows of an Imported or Computed table of this pipeline program by running its "
                + "`make`, optionally only for the keys matching a restriction query. Failures are collected, "
                + "not thrown. Returns JSON {table, computed, failed, skipped, remaining, errors}. Changes the "
                + "database."
        }
    }

    /// The tool's parameters.
    var parameters: [ToolParameter] {
        let table = ToolParameter(
            "table", .string, required: true,
            "A table as `schema.Table` (e.g. `demo.Session`, `demo.Session.Trial`) or, with `schema`, its class "
                + "name (`Session`) or database name (`session`, `__session_stats`).")
        let schema = ToolParameter(
            "schema", .string, "The schema of `table` (not needed when `table` is `schema.Table` or one schema is served).")
        let expr = ToolParameter(
            "expr", .string, required: true,
            "A query in DataJoint's Python operator syntax, e.g. `Session & {'subject_id': 1}`.")
        switch self {
        case .listSchemas:
            return []
        case .listTables:
            return [ToolParameter("schema", .string, required: true, "The schema name.")]
        case .describeTable:
            return [table, schema]
        case .diagram:
            return [
                ToolParameter("schema", .string, required: true, "The schema to draw."),
                ToolParameter("table", .string, "Draw only this table of the schema with its parents and children."),
            ]
        case .query:
            return [
                expr,
                ToolParameter(
                    "limit", .integer(minimum: 0, maximum: ResultSizing.maxRows, default: ResultSizing.defaultRows),
                    "The number of rows to return."),
                ToolParameter("offset", .integer(minimum: 0, maximum: nil, default: 0), "Rows to skip first."),
                ToolParameter(
                    "order_by", .stringList,
                    "Attribute names, each optionally followed by ASC or DESC (default: the primary key)."),
            ]
        case .count:
            return [expr]
        case .preview:
            return [
                table, schema,
                ToolParameter(
                    "limit", .integer(minimum: 0, maximum: ResultSizing.maxRows, default: ResultSizing.previewRows),
                    "The number of rows to return."),
            ]
        case .jobStatus:
            return [
                ToolParameter(
                    "table", .string,
                    "An Imported or Computed table as `schema.Table`, or its name with `schema`."),
                ToolParameter("schema", .string, "A schema: every Imported and Computed table of it (without `table`)."),
                ToolParameter(
                    "error_limit",
                    .integer(minimum: 0, maximum: ResultSizing.maxErrors, default: ResultSizing.defaultErrors),
                    "The number of failed jobs to show per table (latest first)."),
            ]
        case .populate:
            return [
                table, schema,
                ToolParameter(
                    "restriction", .string,
                    "Compute only the keys matching this query (Python operator syntax, at most "
                        + "\(ResultSizing.maxRestrictionKeys) keys), e.g. `Session & {'subject_id': 1}` or "
                        + "`Subject & {'species': 'rat'}`."),
                ToolParameter(
                    "max_calls", .integer(minimum: 0, maximum: nil, default: nil), "Compute at most this many keys."),
                ToolParameter(
                    "reserve_jobs", .boolean(default: false),
                    "Coordinate through the jobs queue, so that other workers can share the work."),
            ]
        }
    }

    /// The tool as listed to clients, with `note` added to its description.
    func tool(note: String? = nil) -> Tool {
        Tool(
            name: name, description: note.map { description + " " + $0 } ?? description, inputSchema: ToolParameter.inputSchema(of: parameters),
            annotations: .init(
                readOnlyHint: readsOnly, destructiveHint: false, idempotentHint: readsOnly, openWorldHint: false))
    }
}

/// One parameter of a tool.
struct ToolParameter: Sendable {
    /// The JSON type of a parameter.
    enum Kind: Sendable {
        case string
        case integer(minimum: Int?, maximum: Int?, default: Int?)
        case boolean(default: Bool)
        case stringList
    }

    let name: String
    let kind: Kind
    let required: Bool
    let description: String

    init(_ name: String, _ kind: Kind, required: Bool = false, _ description: String) {
        self.name = name
        self.kind = kind
        self.required = required
        self.description = description
    }

    /// The parameter's JSON schema.
    var schema: MCP.Value {
        var schema: [String: MCP.Value] = ["description": .string(description)]
        switch kind {
        case .string:
            schema["type"] = "string"
        case .integer(let minimum, let maximum, let defaultValue):
            schema["type"] = "integer"
            if let minimum { schema["minimum"] = .int(minimum) }
            if let maximum { schema["maximum"] = .int(maximum) }
            if let defaultValue { schema["default"] = .int(defaultValue) }
        case .boolean(let defaultValue):
            schema["type"] = "boolean"
            schema["default"] = .bool(defaultValue)
        case .stringList:
            schema["type"] = "array"
            schema["items"] = ["type": "string"]
        }
        return .object(schema)
    }

    /// The JSON schema of a tool's input: an object of these parameters and no others.
    static func inputSchema(of parameters: [ToolParameter]) -> MCP.Value {
        var properties: [String: MCP.Value] = [:]
        for parameter in parameters { properties[parameter.name] = parameter.schema }
        return [
            "type": "object",
            "properties": .object(properties),
            "required": .array(parameters.filter(\.required).map { .string($0.name) }),
            "additionalProperties": false,
        ]
    }
}
