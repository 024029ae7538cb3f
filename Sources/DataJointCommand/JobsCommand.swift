import ArgumentParser
import DataJoint

/// `dj jobs SCHEMA.Table`: the jobs queue of an Imported or Computed table: counts by status and the failures.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs", abstract: "Show the job progress and the errors of an Imported or Computed table.")

    @OptionGroup var options: DatabaseOptions

    @Argument(help: "SCHEMA.Table: a table name (__session_stats) or class name (SessionStats).")
    var table: String

    @Flag(help: "Remove the failed jobs, so that the next populate retries them.")
    var clearErrors = false

    func run() async throws {
        let (schemaName, tableName) = try splitQualifiedName(table)
        let output = try await withConnection(options.connectExisting) { connection -> String in
            let schema = try await connection.schema(schemaName, tables: [], create: false)
            let target = try await openTable(tableName, in: schema)
            let jobs = try await target.jobs()
            let (remaining, total) = try await target.progress()
            let counts = try await jobs.progress()
            var text = "\(try await target.tableName()): \(total - remaining) of \(total) computed, \(remaining) to go\n"
            text += TextTable(
                header: ["pending", "reserved", "success", "error", "ignore", "total"],
                rows: [[counts.pending, counts.reserved, counts.success, counts.error, counts.ignore, counts.total].map(String.init)]
            ).render() + "\n"
            let failures = try await jobs.errors.toDicts()
            if !failures.isEmpty {
                let rows = failures.map { job -> [String] in
                    let key = jobs.keyAttributes.map { "\($0)=\(job[$0].map { "\($0)" } ?? "")" }.joined(separator: ", ")
                    return [key, "\(job["completed_time"] ?? .null)", "\(job["host"] ?? .null)", "\(job["error_message"] ?? .null)"]
                }
                text += "\nErrors\n" + TextTable(header: ["key", "when", "host", "error"], rows: rows).render() + "\n"
            }
            if clearErrors {
                text += "\nCleared \(try await jobs.clearErrors()) failed job(s).\n"
            }
            return text
        }
        print(output, terminator: "")
    }
}
