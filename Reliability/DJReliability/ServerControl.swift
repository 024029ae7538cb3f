// The private servers of the fault cases, driven through scripts/reliability-server.
import DataJoint
import Foundation

/// A way the database loses its sessions.
enum ServerFault: String, CaseIterable, Sendable {
    /// The server is stopped cleanly and started again.
    case restart
    /// The server process is SIGKILLed and started again (crash recovery).
    case crash
    /// Every session of the test user is ended from the server side (`pg_terminate_backend`, `KILL`).
    case killSessions = "kill-sessions"

    var phrase: String {
        switch self {
        case .restart: "server restarted"
        case .crash: "server crashed (SIGKILL) and restarted"
        case .killSessions: "every session killed from the server side"
        }
    }
}

/// One of the private servers that scripts/reliability-server runs (never the servers the test suite uses).
struct ServerControl: Sendable {
    /// `postgresql` or `mysql`.
    let backend: String
    /// The path of scripts/reliability-server.
    let script: String

    var port: Int { backend == "postgresql" ? 5439 : 3309 }

    /// Runs a command of the script and returns what it printed; throws when it fails.
    @discardableResult
    func run(_ command: String) async throws -> String {
        let (status, text) = try await ChildProcess.run([script, command, backend])
        guard status == 0 else {
            throw DataJointError(.connection, "reliability-server \(command) \(backend) failed (status \(status)): \(text)")
        }
        return text
    }

    /// Injects a fault; returns once the server accepts connections again.
    func inject(_ fault: ServerFault) async throws {
        try await run(fault.rawValue)
    }

    /// How many sessions the test user has open on the server.
    func sessions() async -> Int? { (try? await run("sessions")).flatMap { Int($0.split(separator: "\n").last ?? "") } }

    /// A connection to the server as the test user, with at most `maxSessions` sessions.
    func connect(maxSessions: Int = 4) async throws -> Connection {
        let options = ServerOptions(
            host: "127.0.0.1", port: port, user: "datajoint", password: "datajoint",
            databaseName: backend == "postgresql" ? "dj_reliability" : nil, connectTimeout: 30, maxSessions: maxSessions)
        let settings = Settings(safemode: false)
        switch backend {
        case "postgresql": return Connection(driver: try await PostgresDriver.open(options), settings: settings)
        case "mysql": return Connection(driver: try await MySQLDriver.open(options), settings: settings)
        default: throw DataJointError(.notAllowed, "unknown server backend \(backend): postgresql or mysql")
        }
    }
}
