import DataJointCore
import Foundation
import Logging
import PostgresNIO

/// The PostgreSQL backend: a pool of connections to one database of a PostgreSQL server (postgres-nio).
///
/// A DataJoint schema is a PostgreSQL schema of that database. Each session is one pooled connection, used by
/// one task at a time; a connection found closed when it is taken from the pool (server restart, network
/// failure, terminated backend) is replaced by a new one, so a lost connection costs at most the statement that
/// was running on it.
public final class PostgresDriver: DatabaseDriver {
    public let dialect: any Dialect = PostgresDialect()
    public let catalog: any Catalog = PostgresCatalog()
    /// Where the driver connects (never includes the password).
    public let targetDescription: String
    let pool: PostgresConnectionPool

    private init(pool: PostgresConnectionPool, targetDescription: String) {
        self.pool = pool
        self.targetDescription = targetDescription
    }

    /// Connects to a PostgreSQL server and checks the credentials by opening the first connection.
    ///
    /// TLS follows `options.useTLS` as libpq's `sslmode` does for the reference implementation: `true` requires
    /// TLS (`require`), `false` disables it (`disable`), nil uses it when the server offers it (`prefer`). As
    /// with libpq's `require` and `prefer`, the server certificate is not verified.
    public static func open(_ options: ServerOptions, logger: Logger? = nil) async throws -> PostgresDriver {
        let database = options.databaseName ?? "postgres"
        let tls: PostgresConnection.Configuration.TLS
        if options.useTLS == false {
            tls = .disable
        } else {
            var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
            tlsConfiguration.certificateVerification = .none
            let context: NIOSSLContext
            do {
                context = try NIOSSLContext(configuration: tlsConfiguration)
            } catch {
                throw DataJointError(.connection, "cannot set up TLS for PostgreSQL at \(options.host):\(options.port): \(error)")
            }
            tls = options.useTLS == true ? .require(context) : .prefer(context)
        }
        var configuration = PostgresConnection.Configuration(
            host: options.host, port: options.port, username: options.user, password: options.password,
            database: database, tls: tls)
        configuration.options.connectTimeout = .milliseconds(Int64(max(0.001, options.connectTimeout) * 1000))
        if options.readOnly {
            configuration.options.additionalStartupParameters = [("default_transaction_read_only", "on")]
        }
        let target = PostgresTarget(user: options.user, host: options.host, port: options.port, database: database)
        let pool = PostgresConnectionPool(
            configuration: configuration, target: target, maxConnections: max(1, options.maxSessions),
            logger: logger ?? Logger(label: "datajoint.postgres"))
        // Open one connection now, so that a wrong password or an unreachable server fails here.
        let first = try await pool.lease()
        await pool.release(first, broken: false)
        return PostgresDriver(pool: pool, targetDescription: "PostgreSQL \(options.user)@\(options.host):\(options.port)/\(database)")
    }

    public func withSession<T: Sendable>(_ body: @Sendable (any DatabaseSession) async throws -> T) async throws -> T {
        let session = PostgresSession(connection: try await pool.lease(), pool: pool)
        let result: T
        do {
            result = try await body(session)
        } catch {
            await session.finish()
            throw error
        }
        await session.finish()
        return result
    }

    public func close() async throws {
        await pool.close()
    }

    deinit {
        let pool = self.pool
        Task { await pool.close() }
    }
}

/// Who and where a pool connects to, for messages (no password).
struct PostgresTarget: Sendable {
    let user: String
    let host: String
    let port: Int
    let database: String

    var address: String { "\(host):\(port)" }
    var account: String { "\(user)@\(host):\(port)" }
}

/// Up to `maxConnections` connections; `lease` hands out an idle one, opens a new one, or waits for one.
///
/// Why not postgres-nio's `PostgresClient` (1.33): it reports no error for a server it cannot reach or log in to —
/// it retries in the background while leases wait (postgres-nio issues #489, #565, #602) — whereas `open` must fail
/// at once with a `.connection` error naming the account; it needs a `run()` task that the caller keeps alive,
/// which a driver returned from `open` would have to own as an unstructured task; and it cannot swap a session's
/// connection that was lost between statements outside a transaction (`PostgresSession.usableConnection`). Sessions
/// still get the bare `PostgresConnection` they need for COPY and for pinning a task to the connection's event loop.
actor PostgresConnectionPool {
    let configuration: PostgresConnection.Configuration
    nonisolated let target: PostgresTarget
    let maxConnections: Int
    let logger: Logger
    /// The logger given to postgres-nio with each statement. postgres-nio sets metadata on it for every statement,
    /// which a stream handler pays for by formatting all of its metadata again (3% of a quick populate's client
    /// time); unless statements are logged (debug level), it is a logger that discards everything.
    nonisolated let statementLogger: Logger
    private var idle: [PostgresConnection] = []
    private var openCount = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var nextID = 1
    private var closed = false

    init(configuration: PostgresConnection.Configuration, target: PostgresTarget, maxConnections: Int, logger: Logger) {
        self.configuration = configuration
        self.target = target
        self.maxConnections = maxConnections
        self.logger = logger
        statementLogger = logger.logLevel <= .debug ? logger : Logger(label: logger.label, factory: { _ in SwiftLogNoOpLogHandler() })
    }

    /// A connection for the exclusive use of the caller until `release`.
    func lease() async throws -> PostgresConnection {
        while true {
            if closed {
                throw DataJointError(.connection, "the connection to PostgreSQL \(target.account) is closed")
            }
            while let connection = idle.popLast() {
                if !connection.isClosed { return connection }
                // Lost while idle (server restart, terminated backend): replace it.
                openCount -= 1
                try? await connection.close()
            }
            if openCount < maxConnections {
                openCount += 1
                do {
                    return try await connect()
                } catch {
                    openCount -= 1
                    wakeOne()
                    throw error
                }
            }
            await withCheckedContinuation { waiters.append($0) }
        }
    }

    /// Opens a new connection, outside the pool's accounting (used to replace a lost one in place).
    func connect() async throws -> PostgresConnection {
        let id = nextID
        nextID += 1
        do {
            return try await PostgresConnection.connect(configuration: configuration, id: id, logger: logger)
        } catch {
            throw PostgresErrors.translate(error, sql: nil, target: target, connecting: true)
        }
    }

    /// Returns a connection to the pool; a broken one is closed and its slot freed.
    func release(_ connection: PostgresConnection, broken: Bool) async {
        if broken || closed || connection.isClosed {
            openCount -= 1
            try? await connection.close()
        } else {
            idle.append(connection)
        }
        wakeOne()
    }

    private func wakeOne() {
        if !waiters.isEmpty { waiters.removeFirst().resume() }
    }

    /// Closes the idle connections; connections in use are closed when they are returned.
    func close() async {
        closed = true
        let connections = idle
        idle.removeAll()
        openCount -= connections.count
        for connection in connections { try? await connection.close() }
        let pending = waiters
        waiters.removeAll()
        for waiter in pending { waiter.resume() }
    }
}
