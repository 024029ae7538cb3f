// dj-populate-worker: one populate worker process, for the distributed tests of DataJointTests
// (DistributedPopulateTests). It connects to a test's database, declares the tiny pipeline below if it is missing,
// runs `populate(reserveJobs: true)` on it and prints a one-line JSON summary.
//
//     dj-populate-worker BACKEND TARGET SCHEMA MODE [K] [--sleep-ms N] [--workers N] [--wait-for-go] [--three-phase]
//                        [--exclude K]...
//
// BACKEND  sqlite | postgresql | mysql
// TARGET   the SQLite file, the PostgreSQL database name (ignored for mysql)
// MODE     work            compute normally
//          hang-in-make    insert the row of the first key, print `IN_MAKE <key_id>`, then sleep forever inside make
//                          (the test SIGKILLs the process in the middle of the key's transaction)
//          hang-on K       compute normally until the K-th make of this process, then as hang-in-make (a make
//                          that is not the first runs inside a group of keys that share a transaction: the kill
//                          loses the whole group)
//          fail-on K       make throws `WorkerFailure` for key_id K (after inserting its row, so a rollback must
//                          remove it)
//          store-writer    not a populate worker: inserts rows with large in-store values in a loop until killed
//                          (see StoreWriter.swift for its arguments)
// --sleep-ms N     how long make works on a key (default 5)
// --workers N      concurrent makes in this process (default 1)
// --wait-for-go    print `READY` once connected and wait for a line on stdin before populating, so that the
//                  workers of a test start together
// --three-phase    compute with a TripartiteMake (the work outside the key's transaction) instead of make
// --exclude K      leave key_id K to other workers (populate restricted to `key_id != K`); may be repeated
// --watch          keep populating (`schema.watch`, every 100 ms) and print `MAKING <key_id>` as each make starts,
//                  until SIGTERM; then the make in progress finishes and the summary is printed
//
// Exit status 0 with the summary on stdout, or 1 with the error on stderr.
//
// The tables must match `DistributedPipeline` of Tests/DataJointTests/DistributedPopulateTests.swift.

import DataJoint
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

enum WorkerMode: Sendable, Equatable {
    case work
    case hangInMake
    case hangOn(Int)
    case failOn(Int)
}

struct WorkerConfig: Sendable {
    var mode = WorkerMode.work
    var sleepMilliseconds = 5
    /// Print `MAKING <key_id>` when a make starts.
    var announce = false
    @TaskLocal static var current = WorkerConfig()
    /// How many makes this process has begun.
    static let makes = Atomic<Int>(0)
}

/// The error a `fail-on` worker throws from make.
struct WorkerFailure: Error, CustomStringConvertible {
    let keyID: Int
    var description: String { "make failed on purpose for key_id \(keyID)" }
}

/// Writes to stdout at once (no buffering), so a test waiting for a line sees it even if the process is killed.
func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data(("dj-populate-worker: " + message + "\n").utf8))
    exit(1)
}

struct DistKey: Manual {
    static let definition = """
        # a key to compute
        key_id : int32
        ---
        value : int32
        """
}

struct DistSquare: Computed {
    static let definition = """
        # the square of a key's value, and the process that computed it
        -> DistKey
        ---
        square : int64
        worker_pid : int32
        """

    /// One transaction: read the value, work, insert.
    static func make(_ key: Row, _ ctx: MakeContext) async throws {
        let value: Int = try await (ctx[DistKey.self] & key).fetch1("value")
        if WorkerConfig.current.announce { emit("MAKING \(try key.get("key_id", as: Int.self))") }
        try await work()
        try await insert(key, square: value * value, ctx)
    }

    /// What every worker does for a key's "computation": sleep.
    static func work() async throws {
        let milliseconds = WorkerConfig.current.sleepMilliseconds
        if milliseconds > 0 { try await Task.sleep(for: .milliseconds(milliseconds)) }
    }

    /// Inserts the key's row, then (inside the key's transaction) fails or hangs as the mode says.
    static func insert(_ key: Row, square: Int, _ ctx: MakeContext) async throws {
        let id: Int = try key.get("key_id", as: Int.self)
        try await ctx.insert1(key + ["square": Value.int(Int64(square)), "worker_pid": Value.int(Int64(getpid()))])
        switch WorkerConfig.current.mode {
        case .work:
            break
        case .failOn(let failing):
            if failing == id { throw WorkerFailure(keyID: id) }
        case .hangInMake:
            emit("IN_MAKE \(id)")
            while true { try await Task.sleep(for: .seconds(3600)) }
        case .hangOn(let hanging):
            guard WorkerConfig.makes.add(1, ordering: .sequentiallyConsistent).newValue == hanging else { break }
            emit("IN_MAKE \(id)")
            while true { try await Task.sleep(for: .seconds(3600)) }
        }
    }
}

/// The same table computed in three phases (`--three-phase`): the work happens outside the transaction, so on
/// SQLite, where a transaction holds the database's one write lock, the workers overlap.
struct DistSquareThreePhase: TripartiteMake, Computed {
    static var className: String { "DistSquare" }
    static var definition: String { DistSquare.definition }

    static func makeFetch(_ key: Row, _ ctx: MakeContext) async throws -> Int {
        try await (ctx[DistKey.self] & key).fetch1("value")
    }
    static func makeCompute(_ key: Row, _ value: Int) async throws -> Int {
        try await DistSquare.work()
        return value * value
    }
    static func makeInsert(_ key: Row, _ square: Int, _ ctx: MakeContext) async throws {
        try await DistSquare.insert(key, square: square, ctx)
    }
}

/// What the worker prints when it is done.
struct Summary: Codable {
    var pid: Int32
    var success: Int
    var error: Int
    var skip: Int
    var errors: [String]
}

/// The command line, parsed.
struct Options {
    var backend = "", target = "", schema = ""
    var config = WorkerConfig()
    var workers = 1
    var waitForGo = false
    var threePhase = false
    var watch = false
    var excluded: [Int] = []

    init(_ arguments: [String]) {
        var arguments = arguments
        func take(_ name: String) -> String? {
            guard let index = arguments.firstIndex(of: name) else { return nil }
            guard index + 1 < arguments.count else { fail("\(name) needs a value") }
            let value = arguments[index + 1]
            arguments.removeSubrange(index...index + 1)
            return value
        }
        if let text = take("--sleep-ms") {
            guard let n = Int(text), n >= 0 else { fail("--sleep-ms takes a number of milliseconds") }
            config.sleepMilliseconds = n
        }
        if let text = take("--workers") {
            guard let n = Int(text), n > 0 else { fail("--workers takes a positive number") }
            workers = n
        }
        if let index = arguments.firstIndex(of: "--wait-for-go") {
            arguments.remove(at: index)
            waitForGo = true
        }
        while let text = take("--exclude") {
            guard let k = Int(text) else { fail("--exclude takes a key_id") }
            excluded.append(k)
        }
        if let index = arguments.firstIndex(of: "--three-phase") {
            arguments.remove(at: index)
            threePhase = true
        }
        if let index = arguments.firstIndex(of: "--watch") {
            arguments.remove(at: index)
            watch = true
            config.announce = true
        }
        guard arguments.count >= 4 else {
            fail("usage: dj-populate-worker sqlite|postgresql|mysql PATH|DATABASE SCHEMA work|hang-in-make|hang-on K|fail-on K "
                + "[--sleep-ms N] [--workers N] [--wait-for-go] [--three-phase] [--exclude K]...")
        }
        (backend, target, schema) = (arguments[0], arguments[1], arguments[2])
        switch arguments[3] {
        case "work": config.mode = .work
        case "hang-in-make": config.mode = .hangInMake
        case "hang-on":
            guard arguments.count >= 5, let k = Int(arguments[4]) else { fail("hang-on needs the key_id to hang on") }
            config.mode = .hangOn(k)
        case "fail-on":
            guard arguments.count >= 5, let k = Int(arguments[4]) else { fail("fail-on needs the key_id to fail on") }
            config.mode = .failOn(k)
        default: fail("unknown mode \(arguments[3])")
        }
    }
}

/// A connection to the test's database: the SQLite file `target`, the PostgreSQL database `target`, or the MySQL
/// test server.
func openConnection(backend: String, target: String, settings: Settings, maxSessions: Int = 2) async throws -> Connection {
    func server(port: Int, databaseName: String?) -> ServerOptions {
        ServerOptions(
            host: "127.0.0.1", port: port, user: "datajoint", password: "datajoint", databaseName: databaseName,
            connectTimeout: 60, maxSessions: maxSessions)
    }
    switch backend {
    case "sqlite":
        return try await DataJoint.connect(path: target, settings: settings)
    case "postgresql":
        return Connection(driver: try await PostgresDriver.open(server(port: 5432, databaseName: target)), settings: settings)
    case "mysql":
        // The test server the tests use: 3307, or DJ_TEST_MYSQL_PORT (the worker inherits the tests' environment).
        let port = Int(ProcessInfo.processInfo.environment["DJ_TEST_MYSQL_PORT"] ?? "") ?? 3307
        return Connection(driver: try await MySQLDriver.open(server(port: port, databaseName: nil)), settings: settings)
    default:
        fail("unknown backend \(backend)")
    }
}

if CommandLine.arguments.count > 4, CommandLine.arguments[4] == "store-writer" {
    await StoreWriter.run(Array(CommandLine.arguments.dropFirst()))
}

let options = Options(Array(CommandLine.arguments.dropFirst()))

do {
    let db = try await openConnection(
        backend: options.backend, target: options.target, settings: Settings(safemode: false),
        maxSessions: max(2, options.workers))
    let schema = try await db.schema(options.schema, tables: DistKey.self, DistSquare.self)
    if options.waitForGo {
        emit("READY")
        _ = readLine()
    }
    let table = options.threePhase ? schema[DistSquareThreePhase.self] : schema[DistSquare.self]
    let report = try await WorkerConfig.$current.withValue(options.config) {
        if options.watch {
            let stop = StopRequest()
            signal(SIGTERM, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: SIGTERM, queue: .global())
            source.setEventHandler { stop.stop() }
            source.resume()
            defer { source.cancel() }
            let watched = try await schema.watch(interval: .milliseconds(100), workers: options.workers, stop: stop)
            var report = PopulateReport()
            report.success = watched.success
            report.error = watched.error
            report.skip = watched.skip
            report.errors = watched.steps.flatMap(\.report.errors)
            return report
        }
        if options.excluded.isEmpty {
            return try await table.populate(
                suppressErrors: true, reserveJobs: true, order: .random, workers: options.workers, display: .none)
        } else {
            return try await table.populate(
                Restriction.and(options.excluded.map { .sql("key_id != \($0)") }), suppressErrors: true,
                reserveJobs: true, order: .random, workers: options.workers, display: .none)
        }
    }
    try await db.close()
    let summary = Summary(
        pid: getpid(), success: report.success, error: report.error, skip: report.skip,
        errors: report.errors.map(\.message))
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    emit(String(decoding: try encoder.encode(summary), as: UTF8.self))
    exit(0)
} catch {
    fail(String(describing: error))
}
