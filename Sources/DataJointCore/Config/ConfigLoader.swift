import Foundation

extension Config {
    /// Reads the configuration, as DataJoint-Python 2.3.5 does (`settings.py`, `_create_config`), from, highest
    /// precedence first: environment variables, `datajoint.json`, the secrets directory, the defaults.
    ///
    /// - `datajoint.json` is looked for in `workingDirectory`, then in each parent directory; the search stops
    ///   after a directory that holds `.git` or `.hg`, or at the root. Its keys may be nested
    ///   (`{"database": {"host": ...}}`) or dotted (`{"database.host": ...}`). An unknown key is an error (the
    ///   reference ignores it silently); keys of older DataJoint versions are ignored with a warning.
    /// - The secrets directory is `.secrets/` next to `datajoint.json`, else `systemSecretsDirectory`
    ///   (`/run/secrets/datajoint/`). Its files `database.user`, `database.password` and `stores.<name>.<attr>`
    ///   supply values that neither the environment nor the file set.
    /// - `DJ_IGNORE_CONFIG_FILE=true` skips the file and the secrets directory; `DJ_STORES` (a JSON object)
    ///   replaces the file's `stores` block. Empty environment variables count as unset.
    ///
    /// - Parameters:
    ///   - workingDirectory: where the search for `datajoint.json` starts (default: the current directory).
    ///   - environment: the environment variables (default: the process environment).
    ///   - systemSecretsDirectory: the secrets directory used when the project has none; nil for none.
    /// - Throws: ``DataJointError`` of kind `.configuration` naming the file, variable or secrets file of a bad value.
    public static func load(
        workingDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
        environment: [String: String] = ProcessInfo.processInfo.environment,
        systemSecretsDirectory: URL? = Config.defaultSystemSecretsDirectory
    ) throws -> Config {
        var config = Config(workingDirectory: workingDirectory)
        let env = EnvironmentReader(environment)

        // DJ_IGNORE_CONFIG_FILE decides whether files are read at all.
        try config.apply(environment: env, keys: ["ignore_config_file"])
        if config.value(forKey: "ignore_config_file")?.configBool != true {
            if let file = findFile(from: workingDirectory) {
                try config.read(file: file)
            }
        }
        // Environment variables override the file (settings.py: `_update_from_flat_dict` skips a file value
        // whose variable is set; pydantic-settings reads the others).
        try config.apply(environment: env, keys: ConfigKey.all.map(\.name).filter { $0 != "ignore_config_file" })
        try config.applyStoresVariable(env)
        // Secrets fill what is still unset (`_load_secrets`), unless the file or environment says to ignore files.
        if config.value(forKey: "ignore_config_file")?.configBool != true {
            if let directory = findSecretsDirectory(configFile: config.configFile, system: systemSecretsDirectory) {
                try config.read(secrets: directory)
            }
        }
        return config
    }

    /// The `datajoint.json` that `load` reads when started in `directory`, if any (settings.py `find_config_file`).
    public static func findFile(from directory: URL) -> URL? {
        let manager = FileManager.default
        var current = directory.standardizedFileURL.resolvingSymlinksInPath()
        while true {
            let candidate = current.appendingPathComponent(fileName)
            var isDirectory: ObjCBool = false
            if manager.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                return candidate
            }
            if manager.fileExists(atPath: current.appendingPathComponent(".git").path)
                || manager.fileExists(atPath: current.appendingPathComponent(".hg").path)
            {
                return nil
            }
            let parent = current.deletingLastPathComponent().standardizedFileURL
            if parent.path == current.path || current.path == "/" { return nil }
            current = parent
        }
    }

    /// The secrets directory (settings.py `find_secrets_dir`): `.secrets/` next to the config file, else the
    /// system directory, whichever exists first.
    static func findSecretsDirectory(configFile: URL?, system: URL?) -> URL? {
        var candidates: [URL] = []
        if let configFile {
            candidates.append(configFile.deletingLastPathComponent().appendingPathComponent(secretsDirectoryName))
        }
        if let system { candidates.append(system) }
        return candidates.first { url in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
        }
    }

    // MARK: datajoint.json

    /// Reads the values of a `datajoint.json`.
    mutating func read(file: URL) throws {
        let path = file.path
        let text: String
        do {
            text = try String(contentsOf: file, encoding: .utf8)
        } catch {
            throw DataJointError(.configuration, "cannot read \(path): \(error.localizedDescription)")
        }
        let members = try Config.jsonObject(
            in: text, malformed: "malformed JSON in \(path)",
            notAnObject: "\(path) must hold a JSON object ({\"database\": {...}, ...})")
        configFile = file
        let source = ConfigSource.file(path)
        // Sorted, so that errors and warnings come in a stable order.
        for (key, value) in members.sorted(by: { $0.key < $1.key }) {
            if key == "stores", case .object(let stores) = value {
                try setStores(stores, source: source)
            } else if ConfigKey.groups.contains(key), case .object(let nested) = value {
                for (nestedKey, nestedValue) in nested.sorted(by: { $0.key < $1.key }) {
                    try setFromFile("\(key).\(nestedKey)", nestedValue, source)
                }
            } else if ConfigKey.groups.contains(key) || key == "stores" {
                throw Config.invalid(key, value, source, expected: "a JSON object")
            } else {
                try setFromFile(key, value, source)
            }
        }
    }

    private mutating func setFromFile(_ key: String, _ value: JSON, _ source: ConfigSource) throws {
        if ConfigKey.legacyKeys.contains(key) {
            warnings.append("ignored key '\(key)' in \(source): DataJoint 2.x does not use it")
            return
        }
        if ConfigKey.named(key) == nil, !key.hasPrefix("stores.") {
            throw Config.unknownKey(key, in: source)
        }
        try set(key, to: value, source: source)
    }

    // MARK: environment

    /// Sets the listed keys from their environment variables.
    mutating func apply(environment env: EnvironmentReader, keys: [String]) throws {
        for name in keys {
            guard let key = ConfigKey.named(name), let variable = key.environmentVariable,
                let (found, text) = env[variable]
            else { continue }
            let source = ConfigSource.environment(found)
            guard let value = key.normalize(text: text) else {
                throw Config.invalid(name, .string(text), source, expected: key.expectation)
            }
            given[name] = Entry(key: name, value: value, source: source)
        }
    }

    /// `DJ_STORES`: a JSON object that replaces the `stores` block of the file (settings.py `_apply_stores_env`).
    mutating func applyStoresVariable(_ env: EnvironmentReader) throws {
        guard let (variable, text) = env[ConfigKey.storesEnvironmentVariable] else { return }
        // The text may hold credentials: a syntax error reports the position only.
        let stores = try Config.jsonObject(
            in: text, malformed: "\(variable) holds malformed JSON",
            notAnObject: "\(variable) must hold a JSON object like the \"stores\" block of \(Config.fileName)")
        for key in given.keys where key.hasPrefix("stores.") { given[key] = nil }
        try setStores(stores, source: .environment(variable))
    }

    /// Sets `stores.<name>` for each store of a `stores` block, in order of name.
    private mutating func setStores(_ stores: [String: JSON], source: ConfigSource) throws {
        for (name, value) in stores.sorted(by: { $0.key < $1.key }) {
            try set("stores.\(name)", to: value, source: source)
        }
    }

    /// The members of the JSON object `text` holds; `malformed` begins the error for text that is not JSON (the
    /// position follows), `notAnObject` is the error for a JSON value that is not an object.
    private static func jsonObject(in text: String, malformed: String, notAnObject: String) throws -> [String: JSON] {
        let document: JSON
        do {
            document = try ConfigJSONParser.parse(text)
        } catch {
            throw DataJointError(.configuration, "\(malformed) at \(error.description)")
        }
        guard case .object(let members) = document else {
            throw DataJointError(.configuration, notAnObject)
        }
        return members
    }

    // MARK: secrets

    /// Reads `database.user`, `database.password` and `stores.<name>.<attr>` files of a secrets directory, for the
    /// keys that are still unset (settings.py `_load_secrets`).
    mutating func read(secrets directory: URL) throws {
        let manager = FileManager.default
        let names: [String]
        do {
            names = try manager.contentsOfDirectory(atPath: directory.path).sorted()
        } catch {
            warnings.append("cannot list the secrets directory \(directory.path): \(error.localizedDescription)")
            return
        }
        secretsDirectory = directory
        for name in names where !name.hasPrefix(".") {
            let file = directory.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: file.path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            let parts = name.split(separator: ".", omittingEmptySubsequences: false)
            let isStoreSecret = parts.count == 3 && parts[0] == "stores" && !parts[1].isEmpty && !parts[2].isEmpty
                && parts[1] != "default" && parts[1] != "filepath_default"
            guard name == "database.user" || name == "database.password" || isStoreSecret else {
                warnings.append(
                    "ignored secrets file \(file.path): only database.user, database.password and "
                        + "stores.<name>.<attribute> are read from secrets")
                continue
            }
            if let existing = given[name], existing.value != .null { continue }
            let text: String
            do {
                text = try String(contentsOf: file, encoding: .utf8)
            } catch {
                throw DataJointError(.configuration, "cannot read the secrets file \(file.path): \(error.localizedDescription)")
            }
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            given[name] = Entry(key: name, value: .string(value), source: .secretsFile(file.path))
        }
    }
}

/// Looks up environment variables by name; the reference matches them without regard to case
/// (pydantic-settings `case_sensitive=False`). Empty values count as unset.
struct EnvironmentReader {
    private let exact: [String: String]
    private let folded: [String: (String, String)]

    init(_ environment: [String: String]) {
        exact = environment.filter { !$0.value.isEmpty }
        var folded: [String: (String, String)] = [:]
        for (name, value) in exact.sorted(by: { $0.key < $1.key }) where folded[name.uppercased()] == nil {
            folded[name.uppercased()] = (name, value)
        }
        self.folded = folded
    }

    /// The variable's actual name and its value.
    subscript(name: String) -> (String, String)? {
        if let value = exact[name] { return (name, value) }
        return folded[name.uppercased()]
    }
}
