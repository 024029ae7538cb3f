import ArgumentParser
import DataJoint
import Foundation

/// `dj`: inspect DataJoint schemas in a database and run the demo pipeline.
@main
struct DJ: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dj",
        abstract: "DataJoint for Swift: inspect schemas and tables, draw the pipeline graph, and run a demo pipeline.",
        subcommands: [
            SchemasCommand.self, TablesCommand.self, DescribeCommand.self, PreviewCommand.self, DiagramCommand.self,
            DemoCommand.self, ConfigCommand.self, JobsCommand.self, DeleteCommand.self,
        ]
    )

    /// Runs the parsed command. DataJoint errors are reported as `error: <message>` on stderr with exit code 1;
    /// argument errors, help and version requests are handled by ArgumentParser.
    static func main() async {
        do {
            var command = try await asyncParseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as DataJointError {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            Foundation.exit(1)
        } catch {
            exit(withError: error)
        }
    }
}

/// Options shared by every subcommand. Without `--database`, commands connect as the configuration says
/// (`datajoint.json`, `.secrets/`, `DJ_*` variables; see `dj config show`), by default to `datajoint.sqlite`.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "An SQLite database file (or :memory:); overrides the configured database.", valueName: "path"))
    var database: String?

    /// The configuration of this run: `Config.load()`, with `--database` on top.
    func loadConfig() throws -> Config {
        var config = try Config.load()
        if let database {
            try config.set("database.backend", to: "sqlite", source: .commandLine("--database"))
            try config.set("database.path", to: .string(database), source: .commandLine("--database"))
        }
        return config
    }

    /// Where the commands connect, for messages (never with the password).
    var target: String { (try? loadConfig())?.targetDescription ?? (database ?? "the configured database") }

    /// Opens the database, creating an SQLite file if needed. `safemode` overrides the configured value.
    func connect(safemode: Bool? = nil) async throws -> Connection {
        var config = try loadConfig()
        if let safemode { config.safemode = safemode }
        return try await DataJoint.connect(config: config)
    }

    /// Opens a database that must already exist (inspecting commands never create an empty SQLite file).
    func connectExisting() async throws -> Connection {
        let config = try loadConfig()
        if config.backend == .sqlite, config.databasePath != ":memory:",
            !FileManager.default.fileExists(atPath: config.sqlitePath)
        {
            throw DataJointError(
                .connection,
                "no database at `\(config.sqlitePath)` (database.path from \(config.source(forKey: "database.path")!)); "
                    + "run `dj demo` to create one, pass --database PATH, or configure a server (`dj config init`, "
                    + "`dj config show`)")
        }
        return try await DataJoint.connect(config: config)
    }
}

/// Runs `body` with a connection and closes the connection afterwards, also when `body` throws.
func withConnection<T>(
    _ open: () async throws -> Connection, _ body: (Connection) async throws -> T
) async throws -> T {
    let connection = try await open()
    do {
        let result = try await body(connection)
        try await connection.close()
        return result
    } catch {
        try? await connection.close()
        throw error
    }
}

/// Splits `schema.Table` (the table part may itself contain dots, as in `lab.Session.Trial`).
func splitQualifiedName(_ text: String) throws -> (schema: String, table: String) {
    guard let dot = text.firstIndex(of: "."), dot != text.startIndex, text.index(after: dot) != text.endIndex else {
        throw DataJointError(
            .missingTable, "expected SCHEMA.Table (for example `demo.Session` or `demo.session__trial`), got `\(text)`")
    }
    return (String(text[..<dot]), String(text[text.index(after: dot)...]))
}

/// The table `name` of a schema: a database table name (`session`, `#letter_grade`, `session__trial`) or a
/// class name (`Session`, `Session.Trial`).
func openTable(_ name: String, in schema: Schema) async throws -> Table {
    let table = schema.table(name)
    _ = try await table.info()
    return table
}
