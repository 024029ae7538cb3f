import DataJoint
import Foundation

// dj-benchmark BACKEND [--repetitions N] [--rows N] [--blobs N] [--populate N]
// BACKEND: sqlite, postgresql, mysql or blob (no database). Prints one JSON object per workload:
// {"backend": ..., "workload": ..., "median": seconds (or MB/s for blob speed), "runs": [...]}.
// Servers: 127.0.0.1, user/password datajoint (PostgreSQL 5432 database dj_bench_db, MariaDB 3307), as
// scripts/start-databases sets them up; DJ_BENCH_PG_PORT / DJ_BENCH_MYSQL_PORT override the ports and
// DJ_BENCH_PG_DATABASE the PostgreSQL database.

let arguments = CommandLine.arguments.dropFirst()
guard let backend = arguments.first else {
    FileHandle.standardError.write(Data("usage: dj-benchmark sqlite|postgresql|mysql|blob [--repetitions N] [--rows N] [--blobs N] [--populate N]\n".utf8))
    exit(2)
}
func option(_ name: String, _ fallback: Int) -> Int {
    guard let i = arguments.firstIndex(of: name), arguments.index(after: i) < arguments.endIndex,
        let n = Int(arguments[arguments.index(after: i)])
    else { return fallback }
    return n
}
let repetitions = option("--repetitions", 3)
let environment = ProcessInfo.processInfo.environment

func emit(_ workload: String, _ runs: [Double]) {
    let object: [String: Any] = [
        "backend": backend, "language": "swift", "workload": workload, "median": Workloads.median(runs), "runs": runs,
    ]
    let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    FileHandle.standardOutput.write(data + Data("\n".utf8))
}

if backend == "blob" {
    var runs: [String: [Double]] = [:]
    var order: [String] = []
    _ = try Workloads.blobSpeed(repetitions: 2)  // warm-up
    for (name, value) in try Workloads.blobSpeed(repetitions: max(3, repetitions)) {
        order.append(name)
        runs[name, default: []].append(value)
    }
    for name in order { emit(name, runs[name]!) }
    exit(0)
}

let sqlitePath = FileManager.default.temporaryDirectory.appendingPathComponent("dj-bench.sqlite").path
let connect: @Sendable () async throws -> Connection = {
    let settings = Settings(safemode: false)
    switch backend {
    case "sqlite":
        return try await DataJoint.connect(path: sqlitePath, settings: settings)
    case "postgresql":
        let options = ServerOptions(
            host: "127.0.0.1", port: Int(environment["DJ_BENCH_PG_PORT"] ?? "") ?? 5432, user: "datajoint",
            password: "datajoint", databaseName: environment["DJ_BENCH_PG_DATABASE"] ?? "dj_bench_db", maxSessions: 4)
        return Connection(driver: try await PostgresDriver.open(options), settings: settings)
    case "mysql":
        let options = ServerOptions(
            host: "127.0.0.1", port: Int(environment["DJ_BENCH_MYSQL_PORT"] ?? "") ?? 3307, user: "datajoint",
            password: "datajoint", maxSessions: 4)
        return Connection(driver: try await MySQLDriver.open(options), settings: settings)
    default:
        throw DataJointError(.configuration, "unknown backend \(backend)")
    }
}
let workloads = Workloads(
    connect: connect, rows: option("--rows", 100_000), blobs: option("--blobs", 100), populateKeys: option("--populate", 1000))
_ = try await workloads.runOnce()  // warm-up
var runs: [String: [Double]] = [:]
var order: [String] = []
for _ in 0..<repetitions {
    for (name, seconds) in try await workloads.runOnce() {
        if runs[name] == nil { order.append(name) }
        runs[name, default: []].append(seconds)
    }
}
for name in order { emit(name, runs[name]!) }
for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: sqlitePath + suffix) }
