import DataJoint
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A database backend the suite runs against. Every database test runs once per backend in `TestBackend.all`.
enum TestBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgresql, mysql

    var testDescription: String { rawValue }

    /// The backends to test. `DJ_TEST_BACKENDS` (set by `scripts/test` and CI) names them, and a named backend
    /// that is unreachable fails its tests. Without it (running `swift test` by hand) SQLite always runs and a
    /// server runs when it answers on 127.0.0.1; a server that does not is skipped with a warning.
    static let all: [TestBackend] = {
        if let names = ProcessInfo.processInfo.environment["DJ_TEST_BACKENDS"], !names.isEmpty {
            return names.split(separator: ",").compactMap { TestBackend(rawValue: $0.trimmingCharacters(in: .whitespaces)) }
        }
        var backends: [TestBackend] = [.sqlite]
        for backend in [TestBackend.postgresql, .mysql] {
            if portIsOpen(backend.port) {
                backends.append(backend)
            } else {
                FileHandle.standardError.write(Data(
                    "WARNING: \(backend.rawValue) is not reachable on 127.0.0.1:\(backend.port); its tests are SKIPPED. Run scripts/test to test every backend.\n".utf8))
            }
        }
        return backends
    }()

    /// PostgreSQL on its usual port; MariaDB on the test server of `scripts/start-databases` (3307, or
    /// `DJ_TEST_MYSQL_PORT` for a second test server), which the MySQL tests empty between tests.
    var port: Int {
        if self == .postgresql { return 5432 }
        return Int(ProcessInfo.processInfo.environment["DJ_TEST_MYSQL_PORT"] ?? "") ?? 3307
    }

    /// Credentials created by `scripts/start-databases`.
    var serverOptions: ServerOptions {
        ServerOptions(
            host: "127.0.0.1", port: port, user: "datajoint", password: "datajoint",
            // The suite runs many tests and worker processes at once on two cores: a new server process can take a
            // while to start, which is load, not a fault.
            databaseName: self == .postgresql ? "dj_test" : nil, connectTimeout: 60, maxSessions: 4)
    }

    /// Runs one test body on this backend, in a database of its own (see `TestContext`).
    func run(_ body: @Sendable () async throws -> Void) async throws {
        let context = TestContext(backend: self)
        do {
            if self == .mysql {
                // MySQL has no namespace above schemas, so its tests take turns on a cleaned server.
                try await TestContext.mysqlTurns.withLock {
                    try await context.prepareMySQL()
                    try await TestContext.$current.withValue(context) { try await body() }
                }
            } else {
                try await TestContext.$current.withValue(context) { try await body() }
            }
        } catch {
            await context.cleanUp()
            throw error
        }
        await context.cleanUp()
    }

    static func portIsOpen(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return result == 0
    }
}

/// The database of one running test: a fresh SQLite file, a fresh PostgreSQL database, or (MySQL) the server
/// emptied of schemas before the test. Several connections opened by one test reach the same database.
final class TestContext: Sendable {
    let backend: TestBackend
    let id: String
    private let created = Mutex<Bool>(false)
    private let connections = Mutex<[Connection]>([])

    @TaskLocal static var current: TestContext?
    /// MySQL tests take turns.
    static let mysqlTurns = AsyncLock()

    init(backend: TestBackend) {
        self.backend = backend
        id = "t_" + String(UUID().uuidString.prefix(8)).lowercased()
    }

    var sqlitePath: String {
        FileManager.default.temporaryDirectory.appendingPathComponent("dj-\(id).sqlite").path
    }

    /// A new connection to this test's database.
    func connect(
        settings: Settings, maxSessions: Int? = nil, readOnly: Bool = false, configure: (inout ServerOptions) -> Void = { _ in }
    ) async throws -> Connection {
        let connection: Connection
        var options = backend.serverOptions
        if let maxSessions { options.maxSessions = maxSessions }
        options.readOnly = readOnly
        configure(&options)
        switch backend {
        case .sqlite:
            connection = Connection(driver: try await SQLiteDriver.open(path: sqlitePath, readOnly: readOnly), settings: settings)
        case .postgresql:
            if !created.withLock({ $0 }) {
                let admin = try await PostgresDriver.open(backend.serverOptions)
                try await admin.withSession { try await $0.execute(RenderedSQL("CREATE DATABASE \"\(self.id)\"")) }
                try await admin.close()
                created.withLock { $0 = true }
            }
            options.databaseName = id
            connection = Connection(driver: try await PostgresDriver.open(options), settings: settings)
        case .mysql:
            connection = Connection(driver: try await MySQLDriver.open(options), settings: settings)
        }
        connections.withLock { $0.append(connection) }
        return connection
    }

    /// Drops every schema on the MySQL server (only test schemas live there).
    func prepareMySQL() async throws {
        let connection = Connection(driver: try await MySQLDriver.open(backend.serverOptions), settings: Settings(safemode: false))
        let catalog = connection.catalog
        for name in try await connection.schemaNames() {
            try await connection.withSession { try await catalog.dropSchema(name, $0) }
        }
        try await connection.close()
    }

    /// Closes the test's connections and removes its database.
    func cleanUp() async {
        for connection in connections.withLock({ $0 }) { try? await connection.close() }
        switch backend {
        case .sqlite:
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: sqlitePath + suffix) }
        case .postgresql:
            guard created.withLock({ $0 }), let admin = try? await PostgresDriver.open(backend.serverOptions) else { return }
            _ = try? await admin.withSession { try await $0.execute(RenderedSQL("DROP DATABASE IF EXISTS \"\(self.id)\" WITH (FORCE)")) }
            try? await admin.close()
        case .mysql:
            break
        }
    }
}
