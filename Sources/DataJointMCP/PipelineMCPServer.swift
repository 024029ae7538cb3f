import DataJoint
import MCP

/// An MCP (Model Context Protocol) server that lets an agent explore a pipeline: list schemas and tables, describe
/// tables, draw diagrams, run queries in DataJoint's Python operator syntax, count rows, preview tables and read job
/// progress and errors; and, when allowed, populate the program's computed tables.
///
/// Every tool is a thin layer over the core calls the other front-ends use (`overview()`, `details()`,
/// `jobsOverview()`, `page()`, `Connection.query(_:in:)`, `populate`), with results sized for an agent's context.
/// Only `populate` writes.
///
/// ```swift
/// let db = try await DataJoint.connect()
/// let lab = try await db.schema("lab", tables: Subject.self, Session.self, SessionStats.self)
/// try await PipelineMCPServer(connection: db, schemas: [lab], allowPopulate: true).runOverStdio()
/// ```
public struct PipelineMCPServer: Sendable {
    /// The name the server reports to clients.
    public static let name = "datajoint"
    /// The version of the server's tool catalogue, reported to clients.
    public static let version = "1.0.0"

    /// The connection the tools work on.
    public let connection: Connection
    /// The schemas the tools see; query names resolve in them, in this order.
    public let schemas: [Schema]
    /// Whether the `populate` tool is offered. It is offered only for the Imported and Computed tables whose Swift
    /// types (with their `make`) a schema value of `schemas` declared (`connection.schema(name, tables: ...)`); with
    /// none, the tool is not listed.
    public let allowPopulate: Bool

    /// A server over `schemas` of `connection`.
    public init(connection: Connection, schemas: [Schema], allowPopulate: Bool = false) {
        self.connection = connection
        self.schemas = schemas
        self.allowPopulate = allowPopulate
    }

    /// Serves MCP requests from `transport` until the client closes it, then answers the requests still in progress.
    public func run(transport: any Transport) async throws {
        let populatable = allowPopulate ? try await populatableTables() : []
        let handlers = PipelineToolHandlers(
            connection: connection, served: ServedSchemas(schemas: schemas),
            populatable: populatable.isEmpty ? nil : populatable)
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
        await answering.allAnswered()
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

    /// The Imported and Computed tables whose Swift types the served schema values declared.
    private func populatableTables() async throws -> [SQLTableName] {
        var tables: [SQLTableName] = []
        for schema in schemas {
            for name in try await schema.tableNames(order: .topological)
            where schema.declaredType(ofTable: name) is any AutoPopulated.Type {
                tables.append(SQLTableName(schema: schema.name, table: name))
            }
        }
        return tables
    }
}
