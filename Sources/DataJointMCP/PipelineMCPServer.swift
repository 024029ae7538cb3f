import DataJoint
import MCP

/// An MCP (Model Context Protocol) server that lets an agent explore a pipeline: list schemas and tables, describe
/// tables, draw diagrams, run queries in DataJoint's Python operator syntax, count rows, preview tables and read job
/// progress and errors; and, when given schemas to populate, compute their missing rows.
///
/// Every tool is a thin layer over the core calls the other front-ends use (`overview()`, `details()`,
/// `jobsOverview()`, `page()`, `Connection.query(_:in:)`, `populate`), with results sized for an agent's context.
/// The reading tools work on `connection`; give it a read-only connection (`Config.readOnly`), so that SQL text in a
/// query cannot write either. Only `populate` writes, through the schema values in `populate`.
///
/// ```swift
/// var config = try Config.load()
/// config.readOnly = true
/// let reader = try await DataJoint.connect(config: config)
/// let writer = try await DataJoint.connect()
/// let lab = try await writer.schema("lab", tables: Subject.self, Session.self, SessionStats.self)
/// let server = PipelineMCPServer(
///     connection: reader, schemas: [try await reader.schema("lab", tables: [], create: false)], populate: [lab])
/// try await server.runOverStdio()
/// ```
public struct PipelineMCPServer: Sendable {
    /// The name the server reports to clients.
    public static let name = "datajoint"
    /// The version of the server's tool catalogue, reported to clients.
    public static let version = "1.0.0"

    /// The connection the reading tools work on.
    public let connection: Connection
    /// The schemas the tools see, on `connection`; query names resolve in them, in this order.
    public let schemas: [Schema]
    /// Schema values that declared the program's table types (`connection.schema(name, tables: ...)`, on a connection
    /// that may write): the `populate` tool computes their Imported and Computed tables with those types' `make`s.
    /// Without such tables the tool is not offered.
    public let populate: [Schema]

    /// A server over `schemas` of `connection`, populating the declared tables of `populate` (none by default).
    public init(connection: Connection, schemas: [Schema], populate: [Schema] = []) {
        self.connection = connection
        self.schemas = schemas
        self.populate = populate
    }

    /// Serves MCP requests from `transport` until the client closes it, then answers the requests still in progress.
    public func run(transport: any Transport) async throws {
        let populatable = try await populatableTables()
        let handlers = PipelineToolHandlers(
            connection: connection, served: ServedSchemas(schemas: schemas),
            populating: populatable.isEmpty ? nil : ServedSchemas(schemas: populate), populatable: populatable)
        let note = "Tables it computes: \(populatable.map(\.description).joined(separator: ", "))."
        let tools = PipelineTool.offered(populating: !populatable.isEmpty).map { $0.tool(note: $0 == .populate ? note : nil) }
        let server = Server(
            name: Self.name, version: Self.version, title: "DataJoint pipeline", instructions: instructions,
            capabilities: .init(tools: .init(listChanged: false)))
        await server.withMethodHandler(ListTools.self) { _ in ListTools.Result(tools: tools) }
        await server.withMethodHandler(CallTool.self) { call in await handlers.call(call.name, call.arguments) }
        let answering = AnsweringTransport(transport)
        try await server.start(transport: answering)
        await server.waitUntilCompleted()
        // The requests read before the input ended are answered; one whose answer never comes (a handler that
        // hangs, an answer the transport could not send) does not keep the server from stopping.
        let unanswered = await answering.unansweredAfter(waiting: .seconds(30))
        if !unanswered.isEmpty {
            answering.logger.error(
                "stopping with requests unanswered 30 s after the end of input: \(unanswered.joined(separator: ", "))")
        }
        await server.stop()
    }

    /// Serves MCP over standard input and output (newline-delimited JSON-RPC) until standard input closes. Nothing
    /// else may write to standard output meanwhile; logs go to standard error.
    public func runOverStdio() async throws {
        try await run(transport: StdioTransport())
    }

    /// What the server offers, for the agent's context.
    private var instructions: String {
        """
        DataJoint pipeline of schemas \(schemas.map(\.name).joined(separator: ", ")). Tables are steps of the \
        workflow (manual, lookup, imported, computed, part); foreign keys are dependencies. Start with list_tables \
        and describe_table; query and count take DataJoint's Python operator syntax (`Table & {'attr': value}`, \
        `A * B`, `A - B`, `A.proj(...)`, `schema.Table`, `Master.Part`). Results are JSON and say their limit and \
        whether they were truncated.
        """
    }

    /// The Imported and Computed tables whose Swift types the schema values of `populate` declared.
    private func populatableTables() async throws -> [SQLTableName] {
        var tables: [SQLTableName] = []
        for schema in populate {
            for name in try await schema.tableNames(order: .topological)
            where schema.declaredType(ofTable: name) is any AutoPopulated.Type {
                tables.append(SQLTableName(schema: schema.name, table: name))
            }
        }
        return tables
    }
}
