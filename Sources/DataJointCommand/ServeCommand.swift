import ArgumentParser
import DataJoint
import DataJointWeb
import Foundation

/// `serve`: the read-only web view of the pipeline (schemas, diagrams, tables, rows with a query box, jobs) and its
/// JSON API, until SIGINT or SIGTERM.
struct ServeCommand<Pipeline: PipelineCommand>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "serve",
            abstract: "Serve a read-only web view of the pipeline: schemas, diagrams, tables, rows, jobs, and a JSON API.",
            discussion: """
                Shows the program's schemas unless --schema names others or --all-schemas asks for every schema of \
                the database. Listens on 127.0.0.1 (this machine only) by default. Any other --host needs a token \
                (--token or DJ_SERVE_TOKEN): every request must then send `Authorization: Bearer TOKEN`, or open a \
                page once with ?token=TOKEN (a cookie keeps the browser signed in). SIGINT or SIGTERM stops the \
                server after the requests in progress.
                """)
    }

    /// The environment variable that holds the token when `--token` is not given.
    static var tokenVariable: String { "DJ_SERVE_TOKEN" }

    @OptionGroup var options: DatabaseOptions

    @Option(name: .long, help: "The address to listen on; other than loopback, a token is required.")
    var host = WebServerConfiguration.loopback

    @Option(name: .long, help: "The port to listen on (0: any free port).")
    var port = 8080

    @Option(name: .long, help: "The token every request must present (default: $DJ_SERVE_TOKEN).")
    var token: String?

    @Option(name: .customLong("schema"), help: "A schema to show (repeatable; default: the program's schemas).")
    var schemaNames: [String] = []

    @Flag(name: .long, help: "Show every schema of the database.")
    var allSchemas = false

    func validate() throws {
        if allSchemas, !schemaNames.isEmpty { throw ValidationError("give either --schema or --all-schemas, not both") }
    }

    func run() async throws {
        let configuration = WebServerConfiguration(
            host: host, port: port, token: token ?? ProcessInfo.processInfo.environment[Self.tokenVariable])
        // Refuse a bad host, port or missing token before connecting.
        try configuration.validate()
        let names = allSchemas ? nil : (schemaNames.isEmpty ? Pipeline.schemas.map(\.name) : schemaNames)
        // Read-only: the database refuses any change, also one that SQL text in a query might attempt.
        try await withConnection(options.connectReadOnly) { connection in
            var schemas: [Schema]?
            if let names {
                schemas = []
                let existing = try await connection.schemaNames()
                for name in names {
                    guard existing.contains(name) else {
                        throw DataJointError(
                            .missingTable,
                            "schema `\(name)` does not exist in \(options.target); name another with --schema NAME, "
                                + "or show every schema with --all-schemas")
                    }
                    schemas?.append(try await connection.schema(name, tables: [], create: false))
                }
            }
            let server = try PipelineWebServer(connection: connection, schemas: schemas, configuration: configuration)
            let shown = names?.joined(separator: ", ") ?? "every schema"
            try await server.run { url in
                FileHandle.standardOutput.write(Data("Serving \(shown) at \(url) (SIGINT or SIGTERM stops)\n".utf8))
            }
            FileHandle.standardOutput.write(Data("Stopped.\n".utf8))
        }
    }
}
