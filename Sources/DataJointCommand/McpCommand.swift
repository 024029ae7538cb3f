import ArgumentParser
import DataJoint
import DataJointMCP
import Foundation

/// `mcp [--schema NAME ...] [--allow-populate]`: an MCP server over standard input and output, for AI agents (see
/// `PipelineMCPServer`). With `--allow-populate` the `populate` tool runs this program's `make`s.
struct McpCommand<Pipeline: PipelineCommand>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "mcp",
            abstract: "Serve the pipeline to AI agents: an MCP server over standard input and output.",
            discussion: """
                An MCP client (an agent, an editor) starts this command and speaks JSON-RPC over its standard input \
                and output; messages for people go to standard error. The tools list schemas and tables, describe \
                tables, draw diagrams, run and count queries in DataJoint's Python operator syntax, preview tables \
                and show job progress and errors. They only read, unless --allow-populate adds the populate tool, \
                which computes the missing rows of this program's Imported and Computed tables.
                """)
    }

    @OptionGroup var options: DatabaseOptions

    @Option(
        name: .customLong("schema"),
        help: ArgumentHelp(
            "Serve this schema (repeatable; default: the program's schemas, then every other schema of the database).",
            valueName: "name"))
    var schemas: [String] = []

    @Flag(name: .long, help: "Offer the populate tool, which runs this program's makes and writes their results.")
    var allowPopulate = false

    func run() async throws {
        // The reading tools use a read-only connection, so that SQL text in a query cannot write either.
        try await withConnection(options.connectReadOnly) { reader in
            let served = try await servedSchemas(reader)
            let names = served.map(\.name).joined(separator: ", ")
            let note = allowPopulate ? " (populate allowed)" : ""
            FileHandle.standardError.write(
                Data("MCP server for \(names) of \(options.target) on standard input and output\(note)\n".utf8))
            guard allowPopulate else {
                return try await PipelineMCPServer(connection: reader, schemas: served).runOverStdio()
            }
            try await withConnection(options.connectExisting) { writer in
                let programs = try await programSchemas(writer, served: served)
                try await PipelineMCPServer(connection: reader, schemas: served, populate: programs).runOverStdio()
            }
        }
    }

    /// The schemas to serve, in the order query names are looked up, each of which must exist.
    private func servedSchemas(_ connection: Connection) async throws -> [Schema] {
        let opened = try await Pipeline.schemas.lookupOrder(given: schemas, on: connection)
        guard !opened.isEmpty else {
            throw DataJointError(
                .missingTable, "\(options.target) has no schema to serve; run `dj demo` or name one with --schema")
        }
        return opened
    }

    /// The program's schemas among the served ones, opened for writing with their table types (declaring tables that
    /// do not exist yet), so that populate can run their `make`s.
    private func programSchemas(_ connection: Connection, served: [Schema]) async throws -> [Schema] {
        var opened: [Schema] = []
        for spec in Pipeline.schemas where served.contains(where: { $0.name == spec.name }) {
            opened.append(try await connection.schema(spec.name, tables: spec.tables, create: false))
        }
        return opened
    }
}
