// dj-reliability: the fault, load and report program of scripts/reliability (RELIABILITY.md).
//
//     dj-reliability faults --backend postgresql|mysql [--trials N] [--rows N] [--keys N]
//     dj-reliability soak ...
//     dj-reliability report RECORDS.jsonl OUTPUT.md
//
// Records go to $DJ_RELIABILITY_DIR/records.jsonl (ReliabilitySupport), as the tests' do.
import ArgumentParser
import DataJoint
import Foundation
import ReliabilitySupport

@main
struct DJReliability: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dj-reliability",
        abstract: "Fault, load and report program of scripts/reliability.",
        subcommands: [Faults.self, SoakCommand.self, SoakWorker.self, Report.self, Check.self])
}

/// The server fault cases, on the private servers of scripts/reliability-server.
struct Faults: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restart, crash and kill the sessions of a private server during inserts, deletes and populates.")

    @Option(help: "postgresql or mysql") var backend: String
    @Option(help: "trials of each case under each fault") var trials = 1
    @Option(help: "rows of the bulk insert (and grandchildren of the cascading delete)") var rows = 20_000
    @Option(help: "keys of the populate") var keys = 400
    @Option(help: "the server control script") var serverScript = "scripts/reliability-server"
    @Option(help: "the cases, comma-separated: insert, delete, populate, reserve") var cases = "insert,delete,populate,reserve"
    @Option(help: "the faults, comma-separated: restart, crash, kill-sessions") var faults = "restart,crash,kill-sessions"

    func run() async throws {
        let server = ServerControl(backend: backend, script: serverScript)
        var cases = ServerFaultCases(server: server, trials: trials, rows: rows, keys: keys)
        cases.cases = Set(self.cases.split(separator: ",").map(String.init))
        cases.faults = try self.faults.split(separator: ",").map { name in
            guard let fault = ServerFault(rawValue: String(name)) else {
                throw ValidationError("unknown fault \(name): restart, crash or kill-sessions")
            }
            return fault
        }
        say("faults on \(backend): \(trials) trial(s) of each case under each fault")
        for record in try await cases.runAll() { ReliabilityLog.append(record) }
    }
}

/// RELIABILITY.md from the records.
struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write RELIABILITY.md from the records of a run.")

    @Argument(help: "the records file (records.jsonl)") var records: String
    @Argument(help: "the report to write") var output: String
    @Option(help: "what the run was, for the report's header") var setting = "full"

    func run() async throws {
        let text = ReliabilityReport(records: try ReliabilityLog.read(records), setting: setting).markdown()
        try text.write(toFile: output, atomically: true, encoding: .utf8)
        say("wrote \(output)")
    }
}

/// A soak of worker processes on one jobs queue.
struct SoakCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak", abstract: "Worker processes (Swift, and DataJoint-Python) on one jobs queue of many keys.")

    @Option(help: "sqlite, postgresql or mysql") var backend: String
    @Option(help: "keys to compute") var jobs = 10_000
    @Option(help: "Swift worker processes") var processes = 3
    @Option(help: "concurrent makes in each Swift worker process") var workers = 2
    @Option(help: "DataJoint-Python worker processes (server backends)") var python = 0
    @Option(help: "the Python interpreter with datajoint") var pythonBin: String?
    @Option(help: "how long a make sleeps, in milliseconds") var makeMs = 1
    @Option(help: "the SQLite file (sqlite)") var sqliteFile = "/var/tmp/dj-reliability/soak.sqlite"

    func run() async throws {
        let program = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
        let soak = Soak(
            target: SoakTarget(backend: backend, sqliteFile: sqliteFile), jobs: jobs, processes: processes,
            workersPerProcess: workers, pythonProcesses: python, makeMilliseconds: makeMs, program: program,
            python: pythonBin)
        say("soak on \(backend): \(processes) Swift + \(python) Python worker processes × \(jobs) jobs")
        let record = try await soak.run()
        say("  \(record.backend) · \(record.subject): lost \(record.lost) · \(record.outcome)")
        ReliabilityLog.append(record)
    }
}

/// One Swift worker process of a soak.
struct SoakWorker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "soak-worker", abstract: "One worker process of a soak.")

    @Option var backend: String
    @Option var sqliteFile: String
    @Option var workers = 2
    @Option var makeMs = 1

    func run() async throws {
        let target = SoakTarget(backend: backend, sqliteFile: sqliteFile)
        let db = try await target.connect(maxSessions: workers + 1)
        let schema = try await db.schema(Soak.schemaName, tables: [RlKey.self, RlResult.self])
        let report = try await RlResult.$makeMilliseconds.withValue(makeMs) {
            try await schema[RlResult.self].populate(
                suppressErrors: true, reserveJobs: true, order: .random, workers: workers, display: .none)
        }
        try await db.close()
        let summary = SoakWorkerSummary(
            pid: getpid(), success: report.success, error: report.error, errors: report.errors.prefix(5).map(\.message))
        say(String(decoding: try JSONEncoder().encode(summary), as: UTF8.self))
    }
}

/// Fails when a case lost anything, or when there are no records at all.
struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Exit 1 if any case of a run lost anything.")

    @Argument(help: "the records file (records.jsonl)") var records: String

    func run() async throws {
        let all = try ReliabilityLog.read(records)
        let lost = all.filter { $0.lost > 0 }
        for record in lost {
            say("LOST: \(record.backend) · \(record.subject): \(record.lost) of \(record.tried) · \(record.outcome)")
        }
        guard !all.isEmpty else {
            say("no reliability records in \(records)")
            throw ExitCode(1)
        }
        say("\(all.count) reliability cases, \(all.map(\.tried).reduce(0, +)) tries, \(lost.count) with losses")
        if !lost.isEmpty { throw ExitCode(1) }
    }
}
