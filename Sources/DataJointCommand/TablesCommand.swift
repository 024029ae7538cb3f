import ArgumentParser
import DataJoint

/// `dj tables SCHEMA`: the tables of a schema with their tier and row count.
struct TablesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tables", abstract: "List the tables of a schema with their tier and row count.")

    @OptionGroup var options: DatabaseOptions

    @Argument(help: "The schema name.")
    var schema: String

    func run() async throws {
        let table = try await withConnection(options.connectExisting) { connection in
            let schema = try await connection.schema(self.schema, tables: [], create: false)
            var rows: [[String]] = []
            for name in try await schema.tableNames() {
                let table = schema.table(name)
                let info = try await table.info()
                rows.append([name, info.tier.rawValue, String(try await table.count())])
            }
            return TextTable(header: ["table", "tier", "rows"], rows: rows)
        }
        print(table.render())
    }
}
