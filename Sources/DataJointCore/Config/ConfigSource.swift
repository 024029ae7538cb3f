/// The database backend a configuration selects (`database.backend`).
public enum Backend: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The embedded SQLite database (a file, `database.path`). Our default when nothing configures a server.
    case sqlite
    /// A PostgreSQL server.
    case postgresql
    /// A MySQL or MariaDB server (the reference's default backend).
    case mysql

    /// The server port used when `database.port` is not set: 5432 for PostgreSQL, 3306 for MySQL, nil for SQLite.
    public var defaultPort: Int? {
        switch self {
        case .sqlite: nil
        case .postgresql: 5432
        case .mysql: 3306
        }
    }

    /// True for the backends that connect to a server (PostgreSQL, MySQL).
    public var isServer: Bool { self != .sqlite }

    public var description: String { rawValue }
}

/// Where a configuration value came from. Errors and `dj config show` name it, so a bad value can be traced.
public enum ConfigSource: Sendable, Hashable, CustomStringConvertible {
    /// The built-in default.
    case defaultValue
    /// A default chosen from other settings; the text says why (e.g. the port of the configured backend).
    case inferred(String)
    /// A `datajoint.json` file (its path).
    case file(String)
    /// A file in a secrets directory (its path).
    case secretsFile(String)
    /// An environment variable (its name).
    case environment(String)
    /// Set by program code (`Config.set`, the typed properties).
    case code
    /// Set by a command-line option (its name, e.g. `--database`).
    case commandLine(String)

    public var description: String {
        switch self {
        case .defaultValue: "default"
        case .inferred(let reason): "default: \(reason)"
        case .file(let path): path
        case .secretsFile(let path): path
        case .environment(let name): name
        case .code: "code"
        case .commandLine(let option): "command line \(option)"
        }
    }

    /// True when the value was not given by anyone (a built-in or inferred default).
    public var isDefault: Bool {
        switch self {
        case .defaultValue, .inferred: true
        default: false
        }
    }
}
