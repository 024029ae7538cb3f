import Foundation

/// One setting of the configuration: its dotted key, the values it accepts, its default and environment variable.
///
/// The keys, defaults and variable names follow DataJoint-Python 2.3.5 (`datajoint/settings.py`:
/// `DatabaseSettings`, `ConnectionSettings`, `DisplaySettings`, `JobsSettings`, `ProvenanceSettings`,
/// `Config`, and `ENV_VAR_MAPPING`). `database.backend = sqlite` and `database.path` are ours.
public struct ConfigKey: Sendable, Hashable {
    /// What values a key accepts.
    public enum Kind: Sendable, Hashable {
        case string
        case integer(min: Int, max: Int)
        case boolean
        /// One of the listed words (matched without regard to case; stored as listed).
        case choice([String])
        /// A JSON object.
        case object
    }

    /// The dotted key, e.g. `database.host`.
    public let name: String
    public let kind: Kind
    /// Whether `null` is accepted.
    public let optional: Bool
    /// The built-in default (`.null` for none). `database.backend` and `database.port` have computed defaults.
    public let defaultValue: JSON
    /// The environment variable that sets this key, if any.
    public let environmentVariable: String?
    /// Whether the value is a secret (never shown, logged or put in an error message).
    public let isSecret: Bool

    init(
        _ name: String, _ kind: Kind, optional: Bool = false, default defaultValue: JSON = .null,
        env environmentVariable: String? = nil, secret: Bool = false
    ) {
        self.name = name
        self.kind = kind
        self.optional = optional
        self.defaultValue = defaultValue
        self.environmentVariable = environmentVariable
        self.isSecret = secret
    }

    /// Every key of the configuration except the `stores.*` keys, in display order.
    public static let all: [ConfigKey] = [
        // DatabaseSettings (settings.py) and ENV_VAR_MAPPING; `reconnect` is read from DJ_RECONNECT by
        // pydantic-settings' env_prefix "DJ_".
        ConfigKey("database.backend", .choice(["postgresql", "mysql", "sqlite"]), default: "sqlite", env: "DJ_BACKEND"),
        ConfigKey("database.path", .string, default: "datajoint.sqlite", env: "DJ_SQLITE_PATH"),
        ConfigKey("database.host", .string, default: "localhost", env: "DJ_HOST"),
        ConfigKey("database.port", .integer(min: 1, max: 65535), optional: true, env: "DJ_PORT"),
        ConfigKey("database.user", .string, optional: true, env: "DJ_USER"),
        ConfigKey("database.password", .string, optional: true, env: "DJ_PASS", secret: true),
        ConfigKey("database.name", .string, optional: true, env: "DJ_DATABASE_NAME"),
        ConfigKey("database.use_tls", .boolean, optional: true, env: "DJ_USE_TLS"),
        ConfigKey("database.reconnect", .boolean, default: true, env: "DJ_RECONNECT"),
        ConfigKey("database.create_tables", .boolean, default: true, env: "DJ_CREATE_TABLES"),
        ConfigKey("database.database_prefix", .string, default: "", env: "DJ_DATABASE_PREFIX"),
        // ConnectionSettings
        ConfigKey("connection.charset", .string, default: ""),
        // DisplaySettings
        ConfigKey("display.limit", .integer(min: 0, max: Int.max), default: 12),
        ConfigKey("display.width", .integer(min: 0, max: Int.max), default: 14),
        ConfigKey("display.show_tuple_count", .boolean, default: true),
        ConfigKey("display.diagram_direction", .choice(["TB", "LR"]), default: "LR", env: "DJ_DIAGRAM_DIRECTION"),
        ConfigKey("display.diagram_theme", .choice(["light", "dark", "auto"]), default: "auto", env: "DJ_DIAGRAM_THEME"),
        // JobsSettings (env_prefix "DJ_JOBS_")
        ConfigKey("jobs.auto_refresh", .boolean, default: true, env: "DJ_JOBS_AUTO_REFRESH"),
        ConfigKey("jobs.keep_completed", .boolean, default: false, env: "DJ_JOBS_KEEP_COMPLETED"),
        ConfigKey("jobs.stale_timeout", .integer(min: 0, max: Int.max), default: 3600, env: "DJ_JOBS_STALE_TIMEOUT"),
        ConfigKey("jobs.default_priority", .integer(min: 0, max: 255), default: 5, env: "DJ_JOBS_DEFAULT_PRIORITY"),
        ConfigKey("jobs.version_method", .choice(["git", "none"]), optional: true, env: "DJ_JOBS_VERSION_METHOD"),
        ConfigKey(
            "jobs.allow_new_pk_fields_in_computed_tables", .boolean, default: false,
            env: "DJ_JOBS_ALLOW_NEW_PK_FIELDS_IN_COMPUTED_TABLES"),
        ConfigKey("jobs.add_job_metadata", .boolean, default: false, env: "DJ_JOBS_ADD_JOB_METADATA"),
        // ProvenanceSettings (env_prefix "DJ_PROVENANCE_")
        ConfigKey("provenance.capture", .boolean, default: false, env: "DJ_PROVENANCE_CAPTURE"),
        ConfigKey("provenance.source", .object, default: .object([:]), env: "DJ_PROVENANCE_SOURCE"),
        // Config (env_prefix "DJ_")
        ConfigKey("loglevel", .choice(["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]), default: "INFO", env: "DJ_LOG_LEVEL"),
        ConfigKey("safemode", .boolean, default: true, env: "DJ_SAFEMODE"),
        ConfigKey("ignore_config_file", .boolean, default: false, env: "DJ_IGNORE_CONFIG_FILE"),
        ConfigKey("query_cache", .string, optional: true, env: "DJ_QUERY_CACHE"),
        ConfigKey("download_path", .string, default: ".", env: "DJ_DOWNLOAD_PATH"),
    ]

    /// The environment variable holding the whole `stores` block as a JSON object (replaces the file's block).
    public static let storesEnvironmentVariable = "DJ_STORES"

    /// The groups of nested keys, as in `{"database": {"host": ...}}`.
    static let groups: Set<String> = ["database", "connection", "display", "jobs", "provenance"]

    /// Keys of older DataJoint-Python versions that the current reference ignores; a `datajoint.json` holding
    /// them is accepted, with a warning, so that files shared with Python clients keep working.
    static let legacyKeys: Set<String> = [
        "connection.init_function", "enable_python_native_blobs", "cache", "fetch_format", "add_hidden_timestamp",
        "filepath_checksum_size_limit", "custom",
    ]

    static let byName: [String: ConfigKey] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    /// The key named `name`, if it is one of ours (store keys are not listed here).
    public static func named(_ name: String) -> ConfigKey? { byName[name] }

    /// Store attributes that hold credentials and are masked like passwords.
    static let secretStoreAttributes: Set<String> = [
        "secret_key", "access_key", "account_key", "connection_string", "token", "password",
    ]

    /// Whether the value of `key` (any key, including `stores.<name>.<attr>`) must never be shown.
    public static func isSecret(_ key: String) -> Bool {
        if let known = byName[key] { return known.isSecret }
        let parts = key.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 3 && parts[0] == "stores" && secretStoreAttributes.contains(String(parts[2]))
    }

    /// What the key accepts, for error messages.
    var expectation: String {
        let base: String
        switch kind {
        case .string: base = "a string"
        case .integer(let min, let max):
            base = max == Int.max ? "an integer of at least \(min)" : "an integer from \(min) to \(max)"
        case .boolean: base = "true or false"
        case .choice(let words):
            base = words.count == 2
                ? "\(words[0]) or \(words[1])"
                : words.dropLast().joined(separator: ", ") + " or " + words.last!
        case .object: base = "a JSON object"
        }
        return optional ? "\(base), or null" : base
    }

    /// Checks a value read from JSON (a file, code) and returns its canonical form. Accepts what the reference's
    /// lax validation accepts: numeric strings for integers; `"yes"`, `"off"`, `0`, `1` ... for booleans.
    func normalize(_ value: JSON) -> JSON? {
        if value == .null { return optional ? .null : nil }
        switch kind {
        case .string:
            if case .string = value { return value }
            return nil
        case .integer(let min, let max):
            let number: Int?
            switch value {
            case .int(let i): number = Int(exactly: i)
            case .double(let d): number = d.rounded() == d ? Int(exactly: d) : nil
            case .string(let s): number = Int(s.trimmingCharacters(in: .whitespaces))
            default: number = nil
            }
            guard let number, number >= min, number <= max else { return nil }
            return .int(Int64(number))
        case .boolean:
            switch value {
            case .bool: return value
            case .int(0): return .bool(false)
            case .int(1): return .bool(true)
            case .string(let s): return ConfigKey.parseBool(s).map(JSON.bool)
            default: return nil
            }
        case .choice(let words):
            guard case .string(let s) = value else { return nil }
            let trimmed = s.trimmingCharacters(in: .whitespaces)
            return words.first { $0.caseInsensitiveCompare(trimmed) == .orderedSame }.map(JSON.string)
        case .object:
            if case .object = value { return value }
            return nil
        }
    }

    /// Checks the text of an environment variable (or a secrets file) and returns the canonical value.
    func normalize(text: String) -> JSON? {
        switch kind {
        case .string: return .string(text)
        case .object:
            guard let parsed = try? ConfigJSONParser.parse(text), case .object = parsed else { return nil }
            return parsed
        default: return normalize(.string(text))
        }
    }

    /// The words pydantic accepts for a boolean.
    static func parseBool(_ text: String) -> Bool? {
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "1", "true", "t", "yes", "y", "on": true
        case "0", "false", "f", "no", "n", "off": false
        default: nil
        }
    }

    /// The known key nearest to a misspelt one, for "did you mean" hints.
    static func suggestion(for unknown: String) -> String? {
        var best: (key: String, distance: Int)?
        for key in all.map(\.name) + ["stores.default", "stores.filepath_default"] {
            let d = editDistance(unknown.lowercased(), key)
            if d <= max(2, unknown.count / 4), d < (best?.distance ?? Int.max) { best = (key, d) }
        }
        if best == nil, let last = unknown.split(separator: ".").last {
            best = all.first { $0.name.hasSuffix("." + last) || $0.name == last }.map { ($0.name, 0) }
        }
        return best?.key
    }

    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var row = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            row[0] = i
            for j in 1...b.count {
                row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &row)
        }
        return previous[b.count]
    }
}
