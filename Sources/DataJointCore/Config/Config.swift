import Foundation
import Logging

/// The DataJoint configuration: where to connect and how to behave, with the keys of DataJoint-Python's
/// `dj.config` (`database.host`, `safemode`, `display.limit`, `jobs.*`, `stores.*`, ...).
///
/// ``load(workingDirectory:environment:systemSecretsDirectory:)`` reads it from, highest precedence first:
///
/// 1. values set in code (``set(_:to:source:)``, the typed properties);
/// 2. environment variables (`DJ_HOST`, `DJ_PORT`, `DJ_USER`, `DJ_PASS`, `DJ_BACKEND`, ... and `DJ_STORES`);
/// 3. `datajoint.json`, found in the working directory or the nearest parent directory (the search stops at a
///    directory holding `.git` or `.hg`);
/// 4. the secrets directory: `.secrets/` next to `datajoint.json`, else `/run/secrets/datajoint/`; one file per
///    secret (`database.user`, `database.password`, `stores.<name>.<attr>`), which fills only what 1-3 leave unset;
/// 5. the built-in defaults.
///
/// Every value remembers its ``ConfigSource``, and every error about a value names it. Passwords and store
/// credentials are never shown: `description`, ``Entry/displayValue`` and error messages print `***`.
///
/// A `Config` is a value: nothing is global, and two configurations in one process never interfere.
///
/// ```swift
/// var config = try Config.load()
/// config.safemode = false
/// try config.set("database.port", to: 5433)
/// let db = try await DataJoint.connect(config: config)
/// ```
public struct Config: Sendable, CustomStringConvertible {
    /// A value of the configuration and where it came from.
    public struct Entry: Sendable, Hashable, CustomStringConvertible {
        /// The dotted key, e.g. `database.host`.
        public let key: String
        /// The value (canonical: integers as `.int`, booleans as `.bool`).
        public let value: JSON
        /// Where the value came from.
        public let source: ConfigSource

        /// Whether the value is a secret (a password or store credential).
        public var isSecret: Bool { ConfigKey.isSecret(key) }

        /// The value as JSON text, or `***` for a secret.
        public var displayValue: String { isSecret && value != .null ? "***" : value.serialized() }

        public var description: String { "\(key) = \(displayValue)  (\(source))" }
    }

    /// The name of the configuration file.
    public static let fileName = "datajoint.json"
    /// The name of the project secrets directory, next to the configuration file.
    public static let secretsDirectoryName = ".secrets"
    /// The secrets directory used when the project has none (Docker and Kubernetes secrets).
    public static let defaultSystemSecretsDirectory = URL(fileURLWithPath: "/run/secrets/datajoint")

    /// Values given by any source other than the defaults.
    var given: [String: Entry] = [:]
    /// Opens the database read-only: every session refuses changes (PostgreSQL and MySQL sessions in read-only
    /// transaction mode, SQLite with `query_only`), so that SQL text in a query cannot write either. Set by programs
    /// that only show data (the web view, the MCP server); not read from files or the environment.
    public var readOnly = false
    /// The directory relative paths of the environment and of code are resolved against.
    public internal(set) var workingDirectory: URL
    /// The `datajoint.json` that was read, if any.
    public internal(set) var configFile: URL?
    /// The secrets directory that was read, if any.
    public internal(set) var secretsDirectory: URL?
    /// Things worth knowing that are not errors (keys of older DataJoint versions that are ignored,
    /// unreadable secrets files, ...). `connect` logs them; `dj config show` prints them.
    public internal(set) var warnings: [String] = []

    /// A configuration holding only the defaults (nothing is read).
    public init(workingDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) {
        self.workingDirectory = workingDirectory
    }

    // MARK: reading values

    /// The effective entry of `key`: the value given by the highest source, else the default.
    /// Nil for a key that is neither a setting nor a configured `stores.*` key.
    public func entry(forKey key: String) -> Entry? {
        if let entry = given[key], !(key == "database.port" && entry.value == .null) { return entry }
        switch key {
        case "database.backend":
            let (backend, source) = defaultBackend
            return Entry(key: key, value: .string(backend.rawValue), source: source)
        case "database.port":
            let backend = self.backend
            let port = backend.defaultPort.map { JSON.int(Int64($0)) } ?? .null
            return Entry(key: key, value: port, source: backend.isServer ? .inferred("the \(backend) port") : .defaultValue)
        default:
            guard let known = ConfigKey.named(key) else { return nil }
            return Entry(key: key, value: known.defaultValue, source: .defaultValue)
        }
    }

    /// The effective value of `key` (see ``entry(forKey:)``). `stores` and `stores.<name>` give the block and a
    /// store as objects.
    public func value(forKey key: String) -> JSON? {
        if let entry = entry(forKey: key) { return entry.value }
        if key == "stores" { return .object(stores) }
        if key.hasPrefix("stores."), key.split(separator: ".").count == 2 {
            return stores[String(key.dropFirst("stores.".count))]
        }
        return nil
    }

    /// Where the effective value of `key` came from.
    public func source(forKey key: String) -> ConfigSource? { entry(forKey: key)?.source }

    /// The effective value of `key`.
    public subscript(key: String) -> JSON? { value(forKey: key) }

    /// Every setting with its effective value and source, in display order, followed by the `stores.*` keys.
    public var entries: [Entry] {
        ConfigKey.all.compactMap { entry(forKey: $0.name) }
            + given.values.filter { $0.key.hasPrefix("stores.") }.sorted { $0.key < $1.key }
    }

    /// The reference's default backend is MySQL; ours is SQLite, so that nothing needs configuring. A
    /// configuration that names a server (host, port or user) but no backend means MySQL, as it would to
    /// DataJoint-Python.
    private var defaultBackend: (Backend, ConfigSource) {
        for key in ["database.host", "database.port", "database.user"] {
            if let entry = given[key], !entry.source.isDefault, entry.value != .null {
                return (
                    .mysql,
                    .inferred("the reference's backend, as \(key) is set (\(entry.source)); set database.backend to choose")
                )
            }
        }
        return (.sqlite, .defaultValue)
    }

    // MARK: setting values

    /// Sets `key` to `value`, checked as a file value would be; the value remembers `source`.
    ///
    /// `stores.<name>` takes an object (it replaces the store's attributes), `stores.<name>.<attr>` any JSON value,
    /// `stores.default` and `stores.filepath_default` a store name.
    public mutating func set(_ key: String, to value: JSON, source: ConfigSource = .code) throws {
        if let known = ConfigKey.named(key) {
            guard let canonical = known.normalize(value) else {
                throw Config.invalid(key, value, source, expected: known.expectation)
            }
            given[key] = Entry(key: key, value: canonical, source: source)
            return
        }
        let parts = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.first == "stores", parts.count >= 2 else {
            throw Config.unknownKey(key, in: source)
        }
        guard parts.count <= 3, !parts.dropFirst().contains(where: \.isEmpty) else {
            throw DataJointError(
                .configuration,
                "invalid key '\(key)' from \(source): store keys are stores.default, stores.filepath_default, "
                    + "stores.<name> and stores.<name>.<attribute>, and store names contain no '.'")
        }
        if parts.count == 3 {
            if parts[1] == "default" || parts[1] == "filepath_default" {
                throw DataJointError(.configuration, "invalid key '\(key)' from \(source): stores.\(parts[1]) names a store")
            }
            given[key] = Entry(key: key, value: value, source: source)
            return
        }
        let name = parts[1]
        if name == "default" || name == "filepath_default" {
            switch value {
            case .string, .null: given[key] = Entry(key: key, value: value, source: source)
            default: throw Config.invalid(key, value, source, expected: "the name of a store")
            }
            return
        }
        guard case .object(let attributes) = value else {
            throw Config.invalid(key, value, source, expected: "a JSON object (the store's protocol, location, ...)")
        }
        for stale in given.keys where stale.hasPrefix("stores.\(name).") { given[stale] = nil }
        for (attribute, attributeValue) in attributes {
            guard !attribute.isEmpty, !attribute.contains(".") else {
                throw DataJointError(
                    .configuration, "invalid attribute '\(attribute)' of store '\(name)' from \(source): attribute names contain no '.'")
            }
            given["stores.\(name).\(attribute)"] = Entry(key: "stores.\(name).\(attribute)", value: attributeValue, source: source)
        }
    }

    /// A copy with `key` set to `value` (see ``set(_:to:source:)``).
    public func setting(_ key: String, to value: JSON, source: ConfigSource = .code) throws -> Config {
        var copy = self
        try copy.set(key, to: value, source: source)
        return copy
    }

    /// Forgets the value given for `key` (for `stores.<name>`, all of the store's attributes), so that the
    /// default applies again.
    public mutating func reset(_ key: String) {
        given[key] = nil
        if key.hasPrefix("stores."), key.split(separator: ".").count == 2 {
            for attribute in given.keys where attribute.hasPrefix(key + ".") { given[attribute] = nil }
        }
    }

    /// Sets a value already known to be valid.
    mutating func setValid(_ key: String, _ value: JSON) {
        given[key] = Entry(key: key, value: value, source: .code)
    }

    /// A text setting that may be null: nil when unset or null; setting nil stores null.
    private subscript(optionalText key: String) -> String? {
        get { value(forKey: key)?.configString }
        set { setValid(key, newValue.map(JSON.string) ?? .null) }
    }

    // MARK: typed access

    /// The database backend (`database.backend`).
    public var backend: Backend {
        get { value(forKey: "database.backend")?.configString.flatMap(Backend.init(rawValue:)) ?? .sqlite }
        set { setValid("database.backend", .string(newValue.rawValue)) }
    }

    /// The server host (`database.host`), without a `:port` suffix.
    public var host: String {
        get { splitHost.host }
        set { setValid("database.host", .string(newValue)) }
    }

    /// The server port: `database.port`, a `host:port` suffix of `database.host` (which wins, as in the
    /// reference), or the backend's default port. Nil for SQLite.
    public var port: Int? {
        if let port = splitHost.port { return port }
        return value(forKey: "database.port")?.configInt ?? backend.defaultPort
    }

    private var splitHost: (host: String, port: Int?) {
        let host = value(forKey: "database.host")?.configString ?? "localhost"
        let parts = host.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 2, let port = Int(parts[1]), (1...65535).contains(port) { return (String(parts[0]), port) }
        return (host, nil)
    }

    /// The user name on the server (`database.user`).
    public var user: String? {
        get { self[optionalText: "database.user"] }
        set { self[optionalText: "database.user"] = newValue }
    }

    /// The password on the server (`database.password`). Never printed.
    public var password: String? {
        get { self[optionalText: "database.password"] }
        set { self[optionalText: "database.password"] = newValue }
    }

    /// The PostgreSQL database to connect to (`database.name`; the server's `postgres` when nil).
    public var databaseName: String? {
        get { self[optionalText: "database.name"] }
        set { self[optionalText: "database.name"] = newValue }
    }

    /// TLS: true requires it, false disables it, nil uses it when offered (`database.use_tls`).
    public var useTLS: Bool? {
        get { value(forKey: "database.use_tls")?.configBool }
        set { setValid("database.use_tls", newValue.map(JSON.bool) ?? .null) }
    }

    /// Reconnect after a lost connection (`database.reconnect`).
    public var reconnect: Bool { value(forKey: "database.reconnect")?.configBool ?? true }

    /// The SQLite database file as configured (`database.path`): a path or `:memory:`.
    public var databasePath: String {
        get { value(forKey: "database.path")?.configString ?? "datajoint.sqlite" }
        set { setValid("database.path", .string(newValue)) }
    }

    /// The SQLite database file to open: `database.path`, a relative path resolved against the directory of
    /// the `datajoint.json` that set it, else against the working directory. `:memory:` stays as it is.
    public var sqlitePath: String {
        let path = databasePath
        if path == ":memory:" || path.hasPrefix("/") || path.hasPrefix("file:") { return path }
        let base: URL
        if case .file(let file) = source(forKey: "database.path") {
            base = URL(fileURLWithPath: file).deletingLastPathComponent()
        } else {
            base = workingDirectory
        }
        return base.appendingPathComponent(path).standardizedFileURL.path
    }

    /// Ask for confirmation before deleting or dropping (`safemode`).
    public var safemode: Bool {
        get { value(forKey: "safemode")?.configBool ?? true }
        set { setValid("safemode", .bool(newValue)) }
    }

    /// The log level (`loglevel`).
    public var logLevel: Logger.Level {
        switch value(forKey: "loglevel")?.configString {
        case "DEBUG": .debug
        case "WARNING": .warning
        case "ERROR": .error
        case "CRITICAL": .critical
        default: .info
        }
    }

    /// The `stores` block: `default`, `filepath_default` and one object per store, as in `datajoint.json`.
    public var stores: [String: JSON] {
        var stores: [String: JSON] = [:]
        for entry in given.values where entry.key.hasPrefix("stores.") {
            let parts = entry.key.split(separator: ".").map(String.init)
            if parts.count == 2 {
                stores[parts[1]] = entry.value
            } else if parts.count == 3 {
                var store: [String: JSON] = [:]
                if case .object(let existing)? = stores[parts[1]] { store = existing }
                store[parts[2]] = entry.value
                stores[parts[1]] = .object(store)
            }
        }
        return stores
    }

    /// The behaviour settings a ``Connection`` uses.
    public var settings: Settings {
        func int(_ key: String) -> Int { value(forKey: key)?.configInt ?? 0 }
        func bool(_ key: String) -> Bool { value(forKey: key)?.configBool ?? false }
        return Settings(
            safemode: safemode,
            displayLimit: int("display.limit"),
            allowNewPrimaryKeyFieldsInComputedTables: bool("jobs.allow_new_pk_fields_in_computed_tables"),
            displayWidth: int("display.width"),
            showTupleCount: bool("display.show_tuple_count"),
            diagramDirection: value(forKey: "display.diagram_direction")?.configString
                .flatMap(DiagramDirection.init(rawValue:)) ?? .leftToRight,
            diagramTheme: value(forKey: "display.diagram_theme")?.configString.flatMap(DiagramTheme.init(rawValue:)) ?? .auto,
            createTables: bool("database.create_tables"),
            jobs: JobSettings(
                autoRefresh: bool("jobs.auto_refresh"),
                keepCompleted: bool("jobs.keep_completed"),
                staleTimeout: int("jobs.stale_timeout"),
                defaultPriority: int("jobs.default_priority"),
                versionMethod: value(forKey: "jobs.version_method")?.configString.flatMap(JobSettings.VersionMethod.init),
                addJobMetadata: bool("jobs.add_job_metadata")),
            downloadPath: value(forKey: "download_path")?.configString ?? ".",
            stores: stores)
    }

    /// Where and how to reach the server of a PostgreSQL or MySQL configuration.
    /// Throws when the backend is SQLite or `database.user` is not set.
    public var serverOptions: ServerOptions {
        get throws {
            let backend = self.backend
            guard backend.isServer else {
                throw DataJointError(
                    .configuration,
                    "database.backend = 'sqlite' from \(source(forKey: "database.backend")!): "
                        + "no server to connect to (set database.backend to postgresql or mysql)")
            }
            let hostText = value(forKey: "database.host")?.configString ?? ""
            if hostText.split(separator: ":", omittingEmptySubsequences: false).count == 2, splitHost.port == nil {
                throw DataJointError(
                    .configuration,
                    "database.host = '\(hostText)' from \(source(forKey: "database.host")!): expected HOST or HOST:PORT "
                        + "with a port from 1 to 65535")
            }
            guard let user, !user.isEmpty else {
                throw DataJointError(
                    .configuration,
                    "database.user is not set (\(source(forKey: "database.user")!)) for the \(backend) server "
                        + "\(host):\(port ?? 0); set DJ_USER, write it to \(Config.secretsDirectoryName)/database.user, "
                        + "or add \"database\": {\"user\": ...} to \(Config.fileName)")
            }
            return ServerOptions(
                host: host, port: port ?? backend.defaultPort ?? 0, user: user, password: password ?? "",
                databaseName: databaseName, useTLS: useTLS, readOnly: readOnly)
        }
    }

    /// Where the configuration points, without the password: `SQLite /path/datajoint.sqlite` or
    /// `postgresql://user@host:port/name`.
    public var targetDescription: String {
        switch backend {
        case .sqlite:
            return "SQLite \(databasePath == ":memory:" ? ":memory:" : sqlitePath)"
        case .postgresql, .mysql:
            let userPart = user.map { "\($0)@" } ?? ""
            let name = databaseName.map { "/\($0)" } ?? ""
            return "\(backend)://\(userPart)\(host):\(port ?? 0)\(name)"
        }
    }

    // MARK: description

    /// One line per setting, `key = value  (source)`, secrets masked.
    public var description: String {
        let rows = entries
        let width = rows.map(\.key.count).max() ?? 0
        let valueWidth = min(40, rows.map(\.displayValue.count).max() ?? 0)
        return rows.map { entry in
            let key = entry.key.padding(toLength: width, withPad: " ", startingAt: 0)
            let shown = entry.displayValue
            let value = shown.count < valueWidth ? shown.padding(toLength: valueWidth, withPad: " ", startingAt: 0) : shown
            return "\(key) = \(value)  (\(entry.source))"
        }.joined(separator: "\n")
    }

    // MARK: errors

    /// `key = 'value' from SOURCE: expected ...`, with secrets masked.
    static func invalid(_ key: String, _ value: JSON, _ source: ConfigSource, expected: String) -> DataJointError {
        DataJointError(.configuration, "\(key) = \(shown(value, secret: ConfigKey.isSecret(key))) from \(source): expected \(expected)")
    }

    static func shown(_ value: JSON, secret: Bool) -> String {
        if secret { return "***" }
        let text: String
        if case .string(let s) = value { text = "'\(s)'" } else { text = value.serialized() }
        return text.count > 80 ? String(text.prefix(77)) + "..." : text
    }

    static func unknownKey(_ key: String, in source: ConfigSource) -> DataJointError {
        var message = "unknown key '\(key)' in \(source)"
        if let suggestion = ConfigKey.suggestion(for: key) { message += "; did you mean '\(suggestion)'?" }
        message += " (the keys are listed by `dj config show`)"
        return DataJointError(.configuration, message)
    }
}

extension JSON {
    var configString: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    var configInt: Int? {
        if case .int(let i) = self { return Int(exactly: i) }
        return nil
    }

    var configBool: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }
}
