// Where a soak runs: an SQLite file, or one of the private servers.
import DataJoint
import Foundation

/// The database of a soak, as the driver, the Swift workers and the Python workers reach it.
struct SoakTarget: Sendable {
    /// `sqlite`, `postgresql` or `mysql`.
    let backend: String
    /// The SQLite file (sqlite only).
    let sqliteFile: String

    var server: ServerControl? {
        backend == "sqlite" ? nil : ServerControl(backend: backend, script: "scripts/reliability-server")
    }

    /// A connection that keeps completed jobs (their durations are the soak's latencies).
    func connect(maxSessions: Int) async throws -> Connection {
        let settings = Settings(safemode: false, jobs: JobSettings(keepCompleted: true))
        if backend == "sqlite" { return try await DataJoint.connect(path: sqliteFile, settings: settings) }
        guard let server else { throw DataJointError(.configuration, "unknown backend \(backend)") }
        let options = ServerOptions(
            host: "127.0.0.1", port: server.port, user: "datajoint", password: "datajoint",
            databaseName: backend == "postgresql" ? "dj_reliability" : nil, connectTimeout: 30, maxSessions: maxSessions)
        switch backend {
        case "postgresql": return Connection(driver: try await PostgresDriver.open(options), settings: settings)
        default: return Connection(driver: try await MySQLDriver.open(options), settings: settings)
        }
    }

    /// The sessions open on the database now (the soak's connection count), nil on SQLite.
    func sessions(_ db: Connection) async throws -> Int? {
        let sql: String
        switch backend {
        case "postgresql": sql = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        case "mysql": sql = "SELECT count(*) FROM information_schema.processlist WHERE user = 'datajoint'"
        default: return nil
        }
        guard case .int(let n)? = try await db.query(RenderedSQL(sql)).first?.first else { return nil }
        return Int(n)
    }

    /// The lines that point DataJoint-Python at this database.
    var pythonConfig: String {
        var lines = [
            "dj.config['database.backend'] = '\(backend)'", "dj.config['database.host'] = '127.0.0.1'",
            "dj.config['database.port'] = \(server?.port ?? 0)", "dj.config['database.user'] = 'datajoint'",
            "dj.config['database.password'] = 'datajoint'", "dj.config['database.use_tls'] = False",
            "dj.config['safemode'] = False", "dj.config['jobs.keep_completed'] = True",
        ]
        if backend == "postgresql" { lines.append("dj.config['database.name'] = 'dj_reliability'") }
        return lines.joined(separator: "\n")
    }
}
