import ArgumentParser
import DataJoint
import Foundation

/// `dj codegen SCHEMA [-o FILE] [--records] [--namespace NAME]`: Swift declarations of an existing schema's tables.
struct CodegenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codegen",
        abstract: "Write Swift source declaring the tables of an existing schema.",
        discussion: """
            Each table becomes a struct with its definition as the database describes it, part tables nested in \
            their masters, all in one enum named after the schema. Declaring the generated types on the schema \
            changes nothing. Imported and Computed tables get a make that throws until you write it.
            """)

    @OptionGroup var options: DatabaseOptions

    @Argument(help: "The schema in the database.")
    var schema: String

    @Option(name: .shortAndLong, help: "Write the source to this file instead of standard output.")
    var output: String?

    @Option(help: "The name of the enum that holds the declarations (default: the schema name in CamelCase).")
    var namespace: String?

    @Flag(help: "Also write a Codable Record struct in each table's type, for fetch(as:).")
    var records = false

    func run() async throws {
        let source = try await withConnection(options.connectExisting) { connection in
            try await connection.swiftDeclarations(ofSchema: schema, namespace: namespace, records: records)
        }
        if let output {
            do {
                try Data(source.utf8).write(to: URL(fileURLWithPath: output))
            } catch {
                throw DataJointError(.invalidValue, "Cannot write \(output): \(error.localizedDescription)")
            }
        } else {
            print(source, terminator: "")
        }
    }
}
