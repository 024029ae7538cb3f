import DataJoint
import MCP

/// What each tool does: a thin layer over the core's overview values, query text and populate, shaping the results
/// for an agent (see ``ResultSizing``).
struct PipelineToolHandlers: Sendable {
    let connection: Connection
    let served: ServedSchemas
    /// The schema values whose declared tables `populate` computes (on a connection that may write); nil when the
    /// tool is not offered.
    let populating: ServedSchemas?
    /// The tables `populate` may compute: Imported and Computed tables whose Swift types `populating` declared.
    let populatable: [SQLTableName]

    /// Runs a tool. Its failures, bad arguments included, are error results; the server goes on.
    func call(_ name: String, _ arguments: [String: MCP.Value]?) async -> CallTool.Result {
        let offered = PipelineTool.offered(populating: populating != nil)
        guard let tool = PipelineTool(rawValue: name), offered.contains(tool) else {
            let available = offered.map(\.name)
            return ToolResult.failure(
                DataJointError(
                    .invalidValue, "there is no tool `\(name)`; the tools are \(available.joined(separator: ", "))"))
        }
        do {
            return try await run(tool, ToolArguments(tool, arguments))
        } catch {
            return ToolResult.failure(error)
        }
    }

    private func run(_ tool: PipelineTool, _ arguments: ToolArguments) async throws -> CallTool.Result {
        switch tool {
        case .listSchemas:
            return ToolResult.json(.object(ResultSizing.list(served.names.map(JSON.string), under: "schemas")))
        case .listTables:
            let name = try arguments.requiredString("schema")
            let overview = try await served.schema(name).overview()
            var result = ResultSizing.list(try overview.tables.map { .object(try ToolResult.object($0)) }, under: "tables")
            result["schema"] = .string(name)
            return ToolResult.json(.object(result))
        case .describeTable:
            let table = try await served.table(try arguments.requiredString("table"), schema: try arguments.string("schema"))
            return ToolResult.json(.object(try ResultSizing.sized(try await table.details())))
        case .diagram:
            return ToolResult.text(try await diagram(arguments))
        case .query:
            let expr = try arguments.requiredString("expr")
            let query = try await connection.query(expr, in: served.schemas)
            let page = try await query.page(
                limit: try arguments.integer("limit") ?? ResultSizing.defaultRows,
                offset: try arguments.integer("offset") ?? 0, orderBy: try arguments.strings("order_by"))
            var result = ResultSizing.sized(page)
            result["expr"] = .string(expr)
            return ToolResult.json(.object(result))
        case .count:
            let expr = try arguments.requiredString("expr")
            let count = try await connection.query(expr, in: served.schemas).count()
            return ToolResult.json(["expr": .string(expr), "count": .int(Int64(count))])
        case .preview:
            let table = try await served.table(try arguments.requiredString("table"), schema: try arguments.string("schema"))
            let page = try await table.page(limit: try arguments.integer("limit") ?? ResultSizing.previewRows)
            var result = ResultSizing.sized(page)
            result["table"] = .string(try await table.info().name.description)
            return ToolResult.json(.object(result))
        case .jobStatus:
            return ToolResult.json(try await jobStatus(arguments))
        case .populate:
            return ToolResult.json(try await populate(arguments))
        }
    }

    /// A schema's diagram, or a table's with its parents and children, as Mermaid text.
    private func diagram(_ arguments: ToolArguments) async throws -> String {
        let schemaName = try arguments.requiredString("schema")
        let diagram: Diagram
        if let tableName = try arguments.string("table") {
            let seed = try await Diagram(try await served.table(tableName, schema: schemaName))
            diagram = try seed.expandingUp(1).union(seed.expandingDown(1))
        } else {
            diagram = try await Diagram(try served.schema(schemaName))
        }
        return ResultSizing.capped(diagram.mermaid(), at: ResultSizing.diagramLength)
    }

    /// The jobs overview of one table, or of every Imported and Computed table of a schema.
    private func jobStatus(_ arguments: ToolArguments) async throws -> JSON {
        let errorLimit = try arguments.integer("error_limit") ?? ResultSizing.defaultErrors
        let schemaName = try arguments.string("schema")
        if let tableName = try arguments.string("table") {
            let table = try await served.table(tableName, schema: schemaName)
            return .object(try ResultSizing.sized(try await table.jobsOverview(errorLimit: errorLimit), errorLimit: errorLimit))
        }
        guard let schemaName else {
            throw DataJointError(.invalidValue, "job_status needs `table` (one table) or `schema` (all its computed tables)")
        }
        let overviews = try await served.schema(schemaName).jobsOverview(errorLimit: errorLimit)
        var result = ResultSizing.list(
            try overviews.map { .object(try ResultSizing.sized($0, errorLimit: errorLimit)) }, under: "tables")
        result["schema"] = .string(schemaName)
        return .object(result)
    }

    /// Populates one table of the program, optionally for the keys of a restriction query, and reports what it did.
    private func populate(_ arguments: ToolArguments) async throws -> JSON {
        guard let populating else { throw DataJointError(.notAllowed, "populate is not offered by this server") }
        let table = try await populating.table(
            try arguments.requiredString("table"), schema: try arguments.string("schema"))
        let name = try await table.info().name
        guard populatable.contains(name) else {
            throw DataJointError(
                .notAllowed,
                "`\(name)` is not a table this program computes; populate computes "
                    + populatable.map(\.description).joined(separator: ", "))
        }
        let maxCalls = try arguments.integer("max_calls")
        let reserveJobs = try arguments.boolean("reserve_jobs")
        let report: PopulateReport
        if let restriction = try arguments.string("restriction") {
            // The restriction is read through the reading connection (its SQL text cannot write); its keys restrict.
            let keys = try await connection.query(restriction, in: served.schemas).keys(limit: ResultSizing.maxRestrictionKeys + 1)
            guard keys.count <= ResultSizing.maxRestrictionKeys else {
                throw DataJointError(
                    .invalidValue,
                    "the restriction `\(restriction)` matches more than \(ResultSizing.maxRestrictionKeys) keys; narrow it")
            }
            report = try await table.populate(
                keys, suppressErrors: true, reserveJobs: reserveJobs, maxCalls: maxCalls, display: .none)
        } else {
            report = try await table.populate(
                suppressErrors: true, reserveJobs: reserveJobs, maxCalls: maxCalls, display: .none)
        }
        let remaining = try await table.progress().remaining
        return .object(ResultSizing.sized(report, of: name, remaining: remaining))
    }
}
