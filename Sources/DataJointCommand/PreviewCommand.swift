import ArgumentParser
import DataJoint

/// `dj preview SCHEMA.Table [--limit N]`: the first rows of a table and its row count.
struct PreviewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview", abstract: "Print the first rows of a table.")

    @OptionGroup var options: DatabaseOptions

    @Argument(help: "SCHEMA.Table: a table name (session, #letter_grade, session__trial) or class name (Session.Trial).")
    var table: String

    @Option(name: .long, help: "The number of rows to show.")
    var limit: Int = 12

    func validate() throws {
        guard limit >= 0 else { throw ValidationError("--limit must not be negative") }
    }

    func run() async throws {
        let (schemaName, tableName) = try splitQualifiedName(table)
        let limit = self.limit
        let text = try await withConnection(options.connectExisting) { connection in
            let schema = try await connection.schema(schemaName, tables: [], create: false)
            return try await preview(openTable(tableName, in: schema), limit: limit)
        }
        print(text)
    }
}

/// The first `limit` rows of a query in primary-key order as a text table, followed by `(N of TOTAL rows)`.
public func preview(_ query: Table, limit: Int) async throws -> String {
    let heading = try await query.heading()
    let rows = try await query.toDicts(orderBy: ["KEY"], limit: limit)
    let total = try await query.count()
    return TextTable(heading: heading, rows: rows).render() + "\n(\(rows.count) of \(total) rows)"
}
