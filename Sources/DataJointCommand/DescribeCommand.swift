import ArgumentParser
import DataJoint

/// `dj describe SCHEMA.Table`: the definition of a table, reconstructed from the database.
struct DescribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe", abstract: "Print the definition of a table.")

    @OptionGroup var options: DatabaseOptions

    @Argument(help: "SCHEMA.Table: a table name (session, #letter_grade, session__trial) or class name (Session.Trial).")
    var table: String

    func run() async throws {
        let (schemaName, tableName) = try splitQualifiedName(table)
        let definition = try await withConnection(options.connectExisting) { connection in
            let schema = try await connection.schema(schemaName, tables: [], create: false)
            return try await openTable(tableName, in: schema).describe()
        }
        print(definition, terminator: definition.hasSuffix("\n") ? "" : "\n")
    }
}
