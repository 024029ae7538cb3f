import ArgumentParser
import DataJoint
import Foundation

/// `populate [SCHEMA.Table]`: brings the pipeline (or one table and everything upstream of it) up to date, running the
/// `make`s of the program's table types in dependency order.
struct PopulateCommand<Pipeline: PipelineCommand>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "populate",
            abstract: "Compute what is missing: every Imported and Computed table of the pipeline, in dependency order.",
            discussion: """
                With SCHEMA.Table, that table and the tables upstream of it. Each table's failures are reported and \
                the others go on; the exit status is 1 when any key failed. With --watch the worker keeps running, \
                populating again every --interval seconds (through the jobs queues, shared with other workers), until \
                SIGINT or SIGTERM: then the makes in progress finish and it exits.
                """)
    }

    @OptionGroup var options: DatabaseOptions

    @Argument(help: "SCHEMA.Table: populate this table and what it depends on (default: the whole pipeline).")
    var table: String?

    @Option(name: .long, help: "Keys computed at once in this process.")
    var workers = 1

    @Flag(name: .long, help: "Coordinate through the jobs queues, so that several workers share the work.")
    var reserveJobs = false

    @Option(name: .long, help: "Compute at most this many keys per table.")
    var maxCalls: Int?

    @Option(name: .long, help: "With --reserve-jobs, only jobs of this priority or more urgent (lower).")
    var priority: Int?

    @Flag(name: .long, help: "Stop at the first failure instead of going on with other keys and tables.")
    var stopOnError = false

    @Flag(name: .long, help: "Keep running: compute new keys as upstream rows appear, until SIGINT or SIGTERM.")
    var watch = false

    @Option(name: .long, help: "With --watch, seconds between rounds.")
    var interval = 5.0

    func validate() throws {
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
        if let maxCalls, maxCalls < 0 { throw ValidationError("--max-calls must not be negative") }
        guard interval > 0, interval.isFinite else { throw ValidationError("--interval must be a positive number of seconds") }
        if watch, table != nil { throw ValidationError("--watch keeps the whole pipeline up to date; leave out SCHEMA.Table") }
        if watch, stopOnError { throw ValidationError("--watch goes on after failures; leave out --stop-on-error") }
    }

    func run() async throws {
        if watch { return try await runWatching() }
        let report = try await withConnection({ try await options.connect() }) { connection in
            let schemas = try await Pipeline.schemas.open(on: connection)
            let suppress = !stopOnError
            if let table {
                let (schemaName, tableName) = try splitQualifiedName(table)
                guard let schema = schemas.first(where: { $0.name == schemaName }) else {
                    throw DataJointError(
                        .missingTable,
                        "schema `\(schemaName)` is not part of this pipeline (its schemas: "
                            + "\(schemas.map(\.name).joined(separator: ", ")))")
                }
                let target = try await openTable(tableName, in: schema)
                return try await target.populateWithUpstream(
                    suppressErrors: suppress, reserveJobs: reserveJobs, maxCalls: maxCalls, workers: workers,
                    priority: priority, stopOnError: stopOnError)
            }
            return try await connection.populate(
                schemas: schemas, suppressErrors: suppress, reserveJobs: reserveJobs, maxCalls: maxCalls,
                workers: workers, priority: priority, stopOnError: stopOnError)
        }
        print(Self.render(report))
        if !report.succeeded { throw ExitCode(1) }
    }

    /// Populates in rounds until SIGINT or SIGTERM, printing what each round computed.
    private func runWatching() async throws {
        let stop = StopRequest()
        let signals = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                FileHandle.standardError.write(Data("stopping: the makes in progress finish, no new key starts\n".utf8))
                stop.stop()
            }
            source.resume()
            return source
        }
        defer { for source in signals { source.cancel() } }
        let names = Pipeline.schemas.map(\.name).joined(separator: ", ")
        print("Watching \(names) (every \(interval) s, \(workers) worker(s)); SIGINT or SIGTERM stops.")
        let total = try await withConnection({ try await options.connect() }) { connection in
            let schemas = try await Pipeline.schemas.open(on: connection)
            return try await connection.watch(
                schemas: schemas, interval: .milliseconds(Int64(interval * 1000)), reserveJobs: true, workers: workers,
                maxCalls: maxCalls, priority: priority, stop: stop
            ) { round in
                guard round.success + round.error > 0 else { return }
                print(Self.render(round))
            }
        }
        print("Stopped: \(total.success) computed, \(total.error) failed, \(total.skip) skipped in all.")
    }

    /// The report as a table: one line per table, then the failed keys.
    static func render(_ report: PipelineReport) -> String {
        let rows = report.steps.map { step -> [String] in
            if let skipped = step.skipped { return [step.table.description, "-", "-", "-", "skipped: \(skipped)"] }
            let note = step.error.map { "stopped: \(($0 as? DataJointError)?.message ?? "\($0)")" } ?? ""
            return [
                step.table.description, String(step.report.success), String(step.report.error),
                String(step.report.skip), note,
            ]
        }
        var text = TextTable(header: ["table", "computed", "failed", "skipped", ""], rows: rows).render()
        for step in report.steps {
            for failure in step.report.errors { text += "\nfailed \(step.table) \(failure.key): \(failure.message)" }
        }
        text += "\n\(report.success) computed, \(report.error) failed, \(report.skip) skipped"
        return text
    }
}
