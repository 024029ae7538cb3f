import DataJointCore
import DataJointMySQL
import DataJointPostgres
import DataJointS3
import DataJointSQLite
import Foundation
import Logging

/// Connects to the database the configuration names (see `Config`): `datajoint.json` in the working directory
/// or a parent, `.secrets/`, and the `DJ_*` environment variables. With nothing configured, it opens the embedded
/// SQLite database `datajoint.sqlite` in the working directory (created if needed).
///
/// ```swift
/// let db = try await DataJoint.connect()                  // as configured; default ./datajoint.sqlite
///
/// var config = try Config.load()
/// config.backend = .postgresql
/// config.host = "db.example.org"
/// let server = try await DataJoint.connect(config: config)
/// ```
///
/// - Parameters:
///   - config: the configuration; nil reads it with `Config.load()`.
///   - logger: where DataJoint reports; nil creates one at the configured `loglevel`.
/// - Throws: `DataJointError`: `.configuration` for a bad setting (naming where it came from), `.connection`
///   when the database cannot be reached (naming where host and user came from; never the password).
public func connect(config: Config? = nil, logger: Logger? = nil) async throws -> Connection {
    let config = try config ?? Config.load()
    let logger = logger ?? {
        var logger = Logger(label: "datajoint")
        logger.logLevel = config.logLevel
        return logger
    }()
    for warning in config.warnings { logger.warning("\(warning)") }

    let driver: any DatabaseDriver
    switch config.backend {
    case .sqlite:
        let path = config.sqlitePath
        do {
            driver = try await SQLiteDriver.open(path: path, readOnly: config.readOnly)
        } catch {
            throw connectionError(
                error, config: config,
                context: "cannot open the SQLite database \(path) (database.path from \(config.source(forKey: "database.path")!))")
        }
    case .postgresql, .mysql:
        let options = try config.serverOptions
        do {
            driver = config.backend == .postgresql
                ? try await PostgresDriver.open(options, logger: logger)
                : try await MySQLDriver.open(options, logger: logger)
        } catch {
            throw connectionError(error, config: config, context: "cannot connect to \(config.targetDescription)")
        }
    }
    logger.debug("connected to \(config.targetDescription)")
    return withStoreProtocols(Connection(driver: driver, settings: config.settings, logger: logger))
}

/// Connects to the embedded SQLite database: a file (created if needed) or `":memory:"`, with the given settings
/// and no configuration file.
///
/// ```swift
/// let scratch = try await DataJoint.connect(path: ":memory:")
/// ```
public func connect(path: String, settings: Settings = Settings(), logger: Logger? = nil)
    async throws -> Connection
{
    let driver = try await SQLiteDriver.open(path: path)
    return withStoreProtocols(Connection(driver: driver, settings: settings, logger: logger))
}

/// Makes the store protocols of the modules beyond the core (`s3`) available to `connection`.
private func withStoreProtocols(_ connection: Connection) -> Connection {
    connection.stores.register(S3StorageAdapter())
    return connection
}

/// A connection failure with the sources of the settings that decided where to connect, and never the password.
private func connectionError(_ error: any Error, config: Config, context: String) -> DataJointError {
    var underlying = (error as? DataJointError)?.message ?? String(describing: error)
    // The driver's text is the one place the password could appear; what we add never holds it.
    if let password = config.password, !password.isEmpty {
        underlying = underlying.replacingOccurrences(of: password, with: "***")
    }
    var notes: [String] = []
    if config.backend.isServer {
        for key in ["database.backend", "database.host", "database.port", "database.user"] {
            if let source = config.source(forKey: key) { notes.append("\(key) from \(source)") }
        }
        if config.password == nil {
            notes.append("database.password is not set (DJ_PASS or .secrets/database.password)")
        } else if let source = config.source(forKey: "database.password") {
            notes.append("database.password from \(source)")
        }
    }
    var message = "\(context): \(underlying)"
    if !notes.isEmpty { message += " [\(notes.joined(separator: "; "))]" }
    guard let error = error as? DataJointError else {
        return DataJointError(.connection, message, underlying: revealsPassword(error, config) ? nil : error)
    }
    let kind: DataJointError.Kind = error.kind == .configuration ? .configuration : .connection
    if let cause = error.underlying, revealsPassword(cause, config) {
        return DataJointError(kind, message, serverCode: error.serverCode)
    }
    return error.reworded(message, kind: kind)
}

/// True when the text of a driver's error holds the configured password (such an error is not passed on).
private func revealsPassword(_ error: any Error, _ config: Config) -> Bool {
    guard let password = config.password, !password.isEmpty else { return false }
    return String(describing: error).contains(password) || String(reflecting: error).contains(password)
}
