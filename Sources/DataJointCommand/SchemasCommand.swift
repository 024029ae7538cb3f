import ArgumentParser
import DataJoint

/// `dj schemas`: the schema names of the database, one per line.
struct SchemasCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "schemas", abstract: "List the schemas.")

    @OptionGroup var options: DatabaseOptions

    func run() async throws {
        let names = try await withConnection(options.connectExisting) { try await $0.schemaNames() }
        for name in names { print(name) }
    }
}
