import ArgumentParser
import DataJoint
import Foundation

/// `query 'EXPR'`: runs a query written as DataJoint-Python users write it and prints its rows.
struct QueryCommand<Pipeline: PipelineCommand>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "query",
            abstract: "Run a query written in DataJoint's Python syntax and print its rows.",
            discussion: """
                EXPR is a query expression as in DataJoint-Python: "Session & {'subject_id': 1}", \
                "SessionStats & 'n_trials > 5'", "(Subject * Session).proj('species')", \
                "dj.U('species').aggr(Subject, n='count(*)')", "Session & dj.Top(3, 'session_date DESC')". \
                Class names are looked up in the --schema schemas in order (default: the program's schemas, then \
                every other schema); schema.Class names any table. String conditions are SQL. \
                Large values (blobs, attachments, objects) are shown as placeholders such as =<blob>=.
                """)
    }

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json, csv
    }

    @OptionGroup var options: DatabaseOptions

    @Argument(help: "The query expression, for example \"Session & {'subject_id': 1}\".")
    var expression: String

    @Option(name: .long, help: "A schema to look names up in (repeat for several, in order).")
    var schema: [String] = []

    @Option(name: .long, help: "Show at most this many rows (default: 25 as a table, all as json or csv).")
    var limit: Int?

    @Option(name: .long, help: "Skip this many rows first.")
    var offset = 0

    @Option(name: .long, parsing: .upToNextOption, help: "Order by these attributes, each optionally followed by ASC or DESC (default: the primary key).")
    var orderBy: [String] = []

    @Option(name: .long, help: "table, json or csv.")
    var format: Format = .table

    @Flag(name: .long, help: "Print only the number of rows.")
    var count = false

    @Flag(name: .long, help: "Print the SQL of the query (values as placeholders) instead of running it.")
    var sql = false

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must not be negative") }
        guard offset >= 0 else { throw ValidationError("--offset must not be negative") }
        if count, sql { throw ValidationError("use either --count or --sql") }
    }

    func run() async throws {
        let output = try await withConnection(options.connectReadOnly) { connection -> String in
            let schemas = try await Pipeline.schemas.lookupOrder(given: schema, on: connection)
            let query = try await connection.query(expression, in: schemas)
            if sql { return try await query.sql() }
            if count { return String(try await query.count()) }
            let page = try await query.page(
                limit: limit ?? (format == .table ? 25 : Int.max), offset: offset, orderBy: orderBy)
            switch format {
            case .table: return Self.table(page)
            case .json: return try frontEndJSON(QueryRows(page), pretty: true)
            case .csv: return Self.csv(page)
            }
        }
        print(output, terminator: output.hasSuffix("\n") || output.hasSuffix("\r\n") ? "" : "\n")
    }

    /// The text of a cell.
    static func cell(_ value: JSON) -> String {
        switch value {
        case .null: "NULL"
        case .bool(let b): b ? "true" : "false"
        case .int(let i): String(i)
        case .double(let d): Value.double(d).description
        case .string(let s): TextTable.cell(.string(s))
        case .array, .object: value.encodedText()
        }
    }

    static func table(_ page: QueryPage) -> String {
        let header = page.columns.map { ($0.inPrimaryKey ? "*" : "") + $0.name }
        let rows = page.rows.map { $0.map(cell) }
        let shown = page.rows.isEmpty ? "0" : "\(page.offset + 1)-\(page.offset + page.rows.count)"
        return TextTable(header: header, rows: rows).render() + "\n(\(shown) of \(page.total) rows)"
    }

    /// RFC 4180: a header line, fields quoted when they hold a comma, quote or line break; NULL as an empty field.
    static func csv(_ page: QueryPage) -> String {
        func field(_ text: String) -> String {
            text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        var lines = [page.columns.map { field($0.name) }.joined(separator: ",")]
        for row in page.rows {
            lines.append(
                row.map { value -> String in
                    switch value {
                    case .null: ""
                    case .string(let s): field(s)
                    default: field(cell(value))
                    }
                }.joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}

/// The JSON that `query --format json` prints: rows as objects, with how many there are in all.
struct QueryRows: Encodable {
    let columns: [String]
    let rows: [[String: JSON]]
    let total: Int
    let offset: Int
    let truncated: Bool

    init(_ page: QueryPage) {
        columns = page.columns.map(\.name)
        rows = page.objects
        total = page.total
        offset = page.offset
        truncated = page.truncated
    }
}
