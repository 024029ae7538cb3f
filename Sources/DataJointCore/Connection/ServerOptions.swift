/// Where and how to reach a database server (PostgreSQL or MySQL/MariaDB).
public struct ServerOptions: Sendable {
    public var host: String
    public var port: Int
    public var user: String
    /// The password; never printed by `description`.
    public var password: String
    /// The database to connect to on PostgreSQL (`database.name`; default `postgres`). Unused on MySQL.
    public var databaseName: String?
    /// `true` requires TLS, `false` disables it, nil uses it when the server offers it.
    public var useTLS: Bool?
    /// Seconds to wait for a connection to open.
    public var connectTimeout: Double
    /// The most sessions the driver keeps open at once.
    public var maxSessions: Int
    /// Every session refuses changes (a read-only transaction mode on the server).
    public var readOnly: Bool
    /// MySQL/MariaDB: many rows are loaded with `LOAD DATA LOCAL INFILE`, their data streamed from memory (never
    /// from a file), when the server allows it (`local_infile`); otherwise, or when this is false, they are sent
    /// as multi-row INSERT statements. Unused on PostgreSQL.
    public var localInfile: Bool
    /// Whether the client tells a MySQL server that it may send local data (`CLIENT_LOCAL_FILES`). Tests turn it
    /// off, leaving `localInfile` on, to see how the driver copes with a server that refuses `LOAD DATA LOCAL`
    /// the way one with `local_infile=OFF` does.
    package var advertisesLocalInfile = true

    public init(
        host: String = "localhost", port: Int, user: String, password: String = "", databaseName: String? = nil,
        useTLS: Bool? = nil, connectTimeout: Double = 10, maxSessions: Int = 8, readOnly: Bool = false,
        localInfile: Bool = true
    ) {
        self.readOnly = readOnly
        self.localInfile = localInfile
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.databaseName = databaseName
        self.useTLS = useTLS
        self.connectTimeout = connectTimeout
        self.maxSessions = maxSessions
    }
}

extension ServerOptions: CustomStringConvertible {
    /// `user@host:port`, never with the password.
    public var description: String { "\(user)@\(host):\(port)" }
}
