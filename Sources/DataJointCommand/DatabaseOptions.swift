import ArgumentParser
import DataJoint
import Foundation

/// Options shared by every subcommand. Without `--database`, commands connect as the configuration says
/// (`datajoint.json`, `.secrets/`, `DJ_*` variables; see `dj config show`), by default to `datajoint.sqlite`.
public struct DatabaseOptions: ParsableArguments {
    public init() {}

    @Option(
        name: .long,
        help: ArgumentHelp(
            "An SQLite database file (or :memory:); overrides the configured database.", valueName: "path"))
    public var database: String?

    /// The configuration of this run: `Config.load()`, with `--database` on top.
    public func loadConfig() throws -> Config {
        var config = try Config.load()
        if let database {
            try config.set("database.backend", to: "sqlite", source: .commandLine("--database"))
            try config.set("database.path", to: .string(database), source: .commandLine("--database"))
        }
        return config
    }

    /// Where the commands connect, for messages (never with the password).
    public var target: String { (try? loadConfig())?.targetDescription ?? (database ?? "the configured database") }

    /// Opens the database, creating an SQLite file if needed. `safemode` overrides the configured value.
    public func connect(safemode: Bool? = nil) async throws -> Connection {
        var config = try loadConfig()
        if let safemode { config.safemode = safemode }
        return try await DataJoint.connect(config: config)
    }

    /// Opens a database that must already exist (inspecting commands never create an empty SQLite file).
    public func connectExisting() async throws -> Connection {
        try await connectExisting(readOnly: false)
    }

    /// Opens a database that must already exist, read-only: every change is refused by the database itself (see
    /// `Config.readOnly`). For commands that only show data, so that SQL text in a query cannot write either.
    public func connectReadOnly() async throws -> Connection {
        try await connectExisting(readOnly: true)
    }

    private func connectExisting(readOnly: Bool) async throws -> Connection {
        var config = try loadConfig()
        config.readOnly = readOnly
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
public func withConnection<T>(
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
