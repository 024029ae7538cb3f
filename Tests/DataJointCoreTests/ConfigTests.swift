import Foundation
import Testing

@testable import DataJointCore

/// A temporary project directory: holds `.git` so that the search for `datajoint.json` never leaves it.
private struct Project {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("dj-config-\(UUID().uuidString)")
            .resolvingSymlinksInPath()
        try FileManager.default.createDirectory(at: root.appendingPathComponent(".git"), withIntermediateDirectories: true)
    }

    func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    @discardableResult
    func write(_ relative: String, _ text: String) throws -> URL {
        let file = url(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
        return file
    }

    func directory(_ relative: String) throws -> URL {
        let directory = url(relative)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    func load(from relative: String = "", environment: [String: String] = [:], system: URL? = nil) throws -> Config {
        try Config.load(workingDirectory: relative.isEmpty ? root : url(relative), environment: environment,
            systemSecretsDirectory: system)
    }

    func remove() { try? FileManager.default.removeItem(at: root) }
}

/// Runs `body` and returns the message of the `DataJointError` it throws.
private func errorMessage(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch let error as DataJointError {
        return error.message
    } catch {
        return "unexpected error \(error)"
    }
}

@Suite struct ConfigTests {
    @Test func defaultsWithNothingConfiguredAreEmbeddedSQLite() throws {
        let project = try Project()
        defer { project.remove() }
        let config = try project.load()
        #expect(config.configFile == nil)
        #expect(config.secretsDirectory == nil)
        #expect(config.backend == .sqlite)
        #expect(config.source(forKey: "database.backend") == .defaultValue)
        #expect(config.databasePath == "datajoint.sqlite")
        #expect(config.sqlitePath == project.url("datajoint.sqlite").path)
        #expect(config.port == nil)
        #expect(config.host == "localhost")
        #expect(config.user == nil)
        #expect(config.password == nil)
        #expect(config["safemode"] == .bool(true))
        #expect(config["loglevel"] == "INFO")
        #expect(config["display.limit"] == 12)
        #expect(config["display.width"] == 14)
        #expect(config["display.show_tuple_count"] == true)
        #expect(config["jobs.stale_timeout"] == 3600)
        #expect(config["jobs.default_priority"] == 5)
        #expect(config["jobs.version_method"] == .null)
        #expect(config["jobs.allow_new_pk_fields_in_computed_tables"] == false)
        #expect(config["jobs.add_job_metadata"] == false)
        #expect(config["download_path"] == ".")
        #expect(config["nonsense"] == nil)
        #expect(config.stores.isEmpty)
        let settings = config.settings
        #expect(settings.safemode && settings.displayLimit == 12 && settings.displayWidth == 14)
        #expect(settings.jobs == JobSettings())
        #expect(config.targetDescription == "SQLite \(project.url("datajoint.sqlite").path)")
    }

    @Test func defaultPortFollowsTheBackend() throws {
        var config = Config()
        config.backend = .postgresql
        #expect(config.port == 5432)
        #expect(config["database.port"] == 5432)
        config.backend = .mysql
        #expect(config.port == 3306)
        try config.set("database.port", to: 3307)
        #expect(config.port == 3307)
        #expect(config.source(forKey: "database.port") == .code)
        // A port in database.host wins, as in the reference.
        config.host = "db.example.org:3308"
        #expect(config.host == "db.example.org")
        #expect(config.port == 3308)
        #expect(Backend.sqlite.defaultPort == nil)
    }

    @Test func fileIsFoundInAParentDirectoryWithNestedAndDottedKeys() throws {
        let project = try Project()
        defer { project.remove() }
        let file = try project.write(
            "datajoint.json",
            """
            {
              "database": {"backend": "postgresql", "host": "db.lab.org", "name": "lab"},
              "database.user": "alice",
              "display.limit": "20",
              "safemode": "no",
              "jobs": {"add_job_metadata": true, "version_method": "git"},
              "stores": {
                "default": "main",
                "main": {"protocol": "file", "location": "/data/main", "subfolding": [2, 2]}
              }
            }
            """)
        let config = try project.load(from: "src/analysis")
        #expect(config.configFile?.path == file.path)
        #expect(config.backend == .postgresql)
        #expect(config.source(forKey: "database.backend") == .file(file.path))
        #expect(config.host == "db.lab.org")
        #expect(config.port == 5432)
        #expect(config.user == "alice")
        #expect(config.databaseName == "lab")
        #expect(config["display.limit"] == 20)
        #expect(config.safemode == false)
        #expect(config.settings.jobs.addJobMetadata)
        #expect(config.settings.jobs.versionMethod == .git)
        #expect(config["stores.default"] == "main")
        #expect(config["stores.main.location"] == "/data/main")
        #expect(config.stores["main"] == ["protocol": "file", "location": "/data/main", "subfolding": [2, 2]])
        #expect(config["stores.main"] == config.stores["main"])
        let options = try config.serverOptions
        #expect(options.host == "db.lab.org" && options.port == 5432 && options.user == "alice")
        #expect(options.databaseName == "lab")
        #expect(config.targetDescription == "postgresql://alice@db.lab.org:5432/lab")
    }

    @Test func searchStopsAtTheRepositoryRoot() throws {
        let outer = try Project()
        defer { outer.remove() }
        try outer.write("datajoint.json", #"{"database.backend": "mysql"}"#)
        // `inner` is a repository of its own inside `outer`: its search ends at its root.
        _ = try outer.directory("inner/.hg")
        let config = try outer.load(from: "inner/deep")
        #expect(config.configFile == nil)
        #expect(config.backend == .sqlite)
        #expect(try outer.load(from: "other").backend == .mysql)
    }

    @Test func secretsFillWhatFileAndEnvironmentLeaveUnset() throws {
        let project = try Project()
        defer { project.remove() }
        try project.write("datajoint.json", #"{"database": {"backend": "mysql"}, "stores": {"main": {"protocol": "s3"}}}"#)
        try project.write(".secrets/database.user", "bob\n")
        try project.write(".secrets/database.password", "  s3cret \n")
        try project.write(".secrets/stores.main.secret_key", "KEY")
        try project.write(".secrets/stores.main.protocol", "file")
        try project.write(".secrets/database.host", "ignored.example.org")
        let config = try project.load()
        let secrets = project.url(".secrets")
        #expect(config.secretsDirectory?.path == secrets.path)
        #expect(config.user == "bob")
        #expect(config.source(forKey: "database.user") == .secretsFile(secrets.appendingPathComponent("database.user").path))
        #expect(config.password == "s3cret")
        #expect(config["stores.main.secret_key"] == "KEY")
        // The file wins over the secrets directory (settings.py: secrets only fill unset values).
        #expect(config["stores.main.protocol"] == "s3")
        // Only database.user, database.password and stores.<name>.<attr> are read from secrets.
        #expect(config.host == "localhost")
        #expect(config.warnings.contains { $0.contains("database.host") })

        // The environment wins over secrets.
        let withEnvironment = try project.load(environment: ["DJ_USER": "carol", "DJ_PASS": "other"])
        #expect(withEnvironment.user == "carol")
        #expect(withEnvironment.password == "other")
        #expect(withEnvironment.source(forKey: "database.password") == .environment("DJ_PASS"))
    }

    @Test func systemSecretsDirectoryIsUsedWhenTheProjectHasNone() throws {
        let project = try Project()
        defer { project.remove() }
        let system = try project.directory("run-secrets")
        try project.write("run-secrets/database.password", "pw")
        let config = try project.load(from: "work", system: system)
        #expect(config.password == "pw")
        #expect(config.secretsDirectory?.path == system.path)
        // DJ_IGNORE_CONFIG_FILE skips the file and every secrets directory.
        try project.write("datajoint.json", #"{"database.host": "x"}"#)
        let ignoring = try project.load(environment: ["DJ_IGNORE_CONFIG_FILE": "true"], system: system)
        #expect(ignoring.configFile == nil && ignoring.password == nil && ignoring.host == "localhost")
    }

    @Test func environmentOverridesTheFile() throws {
        let project = try Project()
        defer { project.remove() }
        try project.write(
            "datajoint.json",
            #"{"database": {"backend": "mysql", "host": "file-host", "port": 3306, "use_tls": false}, "stores": {"a": {"protocol": "file", "location": "/a"}}}"#
        )
        let config = try project.load(environment: [
            "DJ_BACKEND": "postgresql", "DJ_HOST": "env-host", "DJ_PORT": "6543", "DJ_USE_TLS": "true",
            "DJ_DATABASE_NAME": "dj_test", "DJ_SAFEMODE": "false", "DJ_JOBS_STALE_TIMEOUT": "60",
            "DJ_LOG_LEVEL": "debug", "DJ_STORES": #"{"default": "b", "b": {"protocol": "file", "location": "/b"}}"#,
            "DJ_SQLITE_PATH": "/tmp/x.sqlite", "dj_user": "lowercase", "DJ_CREATE_TABLES": "",
        ])
        #expect(config.backend == .postgresql)
        #expect(config.source(forKey: "database.backend") == .environment("DJ_BACKEND"))
        #expect(config.host == "env-host")
        #expect(config.port == 6543)
        #expect(config.useTLS == true)
        #expect(config.databaseName == "dj_test")
        #expect(config.safemode == false)
        #expect(config.settings.jobs.staleTimeout == 60)
        #expect(config["loglevel"] == "DEBUG")
        #expect(config.logLevel == .debug)
        #expect(config.databasePath == "/tmp/x.sqlite")
        // Variable names match without regard to case, as in pydantic-settings; empty ones count as unset.
        #expect(config.user == "lowercase")
        #expect(config.source(forKey: "database.create_tables") == .defaultValue)
        // DJ_STORES replaces the file's stores block.
        #expect(config["stores.a.location"] == nil)
        #expect(config["stores.b.location"] == "/b")
        #expect(config.source(forKey: "stores.default") == .environment("DJ_STORES"))
    }

    @Test func codeOverridesTheEnvironment() throws {
        let project = try Project()
        defer { project.remove() }
        var config = try project.load(environment: ["DJ_HOST": "env-host", "DJ_BACKEND": "mysql"])
        #expect(config.host == "env-host")
        config.host = "code-host"
        try config.set("database.port", to: "3310")
        try config.set("stores.main", to: ["protocol": "file", "location": "/x"])
        #expect(config.host == "code-host")
        #expect(config.source(forKey: "database.host") == .code)
        #expect(config.port == 3310)
        #expect(config["stores.main.protocol"] == "file")
        let copy = try config.setting("display.limit", to: 3)
        #expect(copy.settings.displayLimit == 3 && config.settings.displayLimit == 12)
        config.reset("database.host")
        #expect(config.host == "localhost")
        #expect(config.source(forKey: "database.host") == .defaultValue)

        #expect(errorMessage { try config.set("database.hots", to: "x") }?.contains("did you mean 'database.host'") == true)
        #expect(
            errorMessage { try config.set("jobs.default_priority", to: 300) }
                == "jobs.default_priority = 300 from code: expected an integer from 0 to 255")
    }

    @Test func serverSettingsWithoutABackendMeanMySQLAsInTheReference() throws {
        let project = try Project()
        defer { project.remove() }
        let config = try project.load(environment: ["DJ_HOST": "db.lab.org", "DJ_USER": "u"])
        #expect(config.backend == .mysql)
        #expect(config.port == 3306)
        #expect(config.source(forKey: "database.backend")?.description.contains("DJ_HOST") == true)
    }

    @Test func badBackendNamesItsSource() throws {
        let project = try Project()
        defer { project.remove() }
        #expect(
            errorMessage { _ = try project.load(environment: ["DJ_BACKEND": "oracle"]) }
                == "database.backend = 'oracle' from DJ_BACKEND: expected postgresql, mysql or sqlite")
        let file = try project.write("datajoint.json", #"{"database": {"backend": "oracle"}}"#)
        #expect(
            errorMessage { _ = try project.load() }
                == "database.backend = 'oracle' from \(file.path): expected postgresql, mysql or sqlite")
    }

    @Test func malformedJSONNamesFileLineAndColumn() throws {
        let project = try Project()
        defer { project.remove() }
        let file = try project.write("datajoint.json", "{\n  \"database\": {\n    \"host\": \"x\",,\n  }\n}\n")
        let message = errorMessage { _ = try project.load() }
        #expect(message == "malformed JSON in \(file.path) at line 3, column 17: expected a quoted key, found ','")

        try project.write("datajoint.json", "{\"safemode\": true, \"safemode\": false}")
        #expect(errorMessage { _ = try project.load() }?.contains("duplicate key \"safemode\"") == true)
        try project.write("datajoint.json", "[1, 2]")
        #expect(errorMessage { _ = try project.load() }?.contains("must hold a JSON object") == true)
        try project.write("datajoint.json", "{\"safemode\": true \"loglevel\": \"INFO\"}")
        #expect(
            errorMessage { _ = try project.load() }?.hasSuffix(
                "line 1, column 19: expected ',' or '}' after the value of \"safemode\", found '\"'") == true)
        try project.write("datajoint.json", "{\"provenance\": {\"source\": {\"runs\": [1, 2 3]}}}")
        #expect(
            errorMessage { _ = try project.load() }?.hasSuffix(
                "line 1, column 42: expected ',' or ']' in an array, found '3'") == true)
        try project.write("datajoint.json", "{\"provenance\": {\"source\": {\"runs\": [1, 2]")
        #expect(
            errorMessage { _ = try project.load() }?.hasSuffix(
                "expected ',' or '}' after the value of \"runs\", found end of file") == true)
    }

    @Test func emptyObjectsAndArraysAndSpacesBetweenItems() throws {
        let project = try Project()
        defer { project.remove() }
        try project.write(
            "datajoint.json", " {\n \"safemode\" : false ,\n \"provenance\" : { \"source\" : { \"a\" : [ ] , \"b\" : [ 1 , { } ] } } } ")
        let config = try project.load()
        #expect(config.safemode == false)
        #expect(config.value(forKey: "provenance.source") == .object(["a": .array([]), "b": .array([1, .object([:])])]))
    }

    @Test func badPortNamesItsSource() throws {
        let project = try Project()
        defer { project.remove() }
        #expect(
            errorMessage { _ = try project.load(environment: ["DJ_PORT": "54x2"]) }
                == "database.port = '54x2' from DJ_PORT: expected an integer from 1 to 65535, or null")
        let file = try project.write("datajoint.json", #"{"database.port": 70000}"#)
        #expect(
            errorMessage { _ = try project.load() }
                == "database.port = 70000 from \(file.path): expected an integer from 1 to 65535, or null")
    }


    @Test("a host:port whose port is out of range is refused, never handed to a driver")
    func outOfRangeHostPortIsRefused() throws {
        let project = try Project()
        defer { project.remove() }
        for host in ["db:99999999999", "db:2147483648", "db:-1", "db:0", "db:65536"] {
            let config = try project.load(environment: ["DJ_HOST": host, "DJ_USER": "u", "DJ_BACKEND": "mysql"])
            #expect(config.port == 3306, "\(host)")
            #expect(
                errorMessage { _ = try config.serverOptions }
                    == "database.host = '\(host)' from DJ_HOST: expected HOST or HOST:PORT with a port from 1 to 65535")
        }
        let config = try project.load(environment: ["DJ_HOST": "db:65535", "DJ_USER": "u", "DJ_BACKEND": "mysql"])
        #expect(try config.serverOptions.port == 65535)
    }
    @Test func unknownKeysAreRefusedAndLegacyKeysIgnored() throws {
        let project = try Project()
        defer { project.remove() }
        let file = try project.write("datajoint.json", #"{"database": {"hots": "x"}}"#)
        #expect(
            errorMessage { _ = try project.load() }?.hasPrefix(
                "unknown key 'database.hots' in \(file.path); did you mean 'database.host'?") == true)
        try project.write("datajoint.json", #"{"safe_mode": false}"#)
        #expect(errorMessage { _ = try project.load() }?.contains("did you mean 'safemode'?") == true)
        try project.write(
            "datajoint.json", #"{"enable_python_native_blobs": true, "connection.init_function": null, "safemode": false}"#)
        let config = try project.load()
        #expect(config.safemode == false)
        #expect(config.warnings.count == 2)
    }

    @Test func secretsNeverAppearInDescriptionOrErrors() throws {
        let project = try Project()
        defer { project.remove() }
        try project.write(".secrets/stores.main.secret_key", "TOPSECRETKEY")
        try project.write("datajoint.json", #"{"database.backend": "postgresql", "stores": {"main": {"protocol": "s3"}}}"#)
        let config = try project.load(environment: ["DJ_PASS": "hunter2pass", "DJ_USER": "u"])
        #expect(config.password == "hunter2pass")
        #expect(config["stores.main.secret_key"] == "TOPSECRETKEY")
        let text = config.description + config.entries.map(\.description).joined() + String(describing: config)
        #expect(!text.contains("hunter2pass") && !text.contains("TOPSECRETKEY"))
        #expect(text.contains("database.password") && text.contains("***"))
        #expect(config.entry(forKey: "database.password")?.displayValue == "***")
        #expect(try config.serverOptions.description == "u@localhost:5432")

        // A password of the wrong type is reported without its value.
        try project.write("datajoint.json", #"{"database": {"password": 12345678}}"#)
        let message = errorMessage { _ = try project.load() }
        #expect(message?.contains("12345678") == false)
        #expect(message?.hasPrefix("database.password = *** from") == true)
        // A malformed DJ_STORES is reported by position only.
        try project.write("datajoint.json", "{}")
        let storesMessage = errorMessage { _ = try project.load(environment: ["DJ_STORES": #"{"s": {"secret_key": "LEAK"}"#]) }
        #expect(storesMessage?.contains("LEAK") == false)
        #expect(storesMessage?.hasPrefix("DJ_STORES holds malformed JSON at line 1") == true)
    }

    @Test func serverOptionsNeedAUser() throws {
        var config = Config()
        config.backend = .postgresql
        let message = errorMessage { _ = try config.serverOptions }
        #expect(message?.hasPrefix("database.user is not set (default) for the postgresql server localhost:5432") == true)
        #expect(errorMessage { _ = try Config().serverOptions }?.contains("sqlite") == true)
    }

    @Test func sqlitePathFromAFileIsRelativeToTheFile() throws {
        let project = try Project()
        defer { project.remove() }
        try project.write("datajoint.json", #"{"database": {"path": "data/pipeline.sqlite"}}"#)
        let config = try project.load(from: "src")
        #expect(config.sqlitePath == project.url("data/pipeline.sqlite").path)
        let fromEnvironment = try project.load(from: "src", environment: ["DJ_SQLITE_PATH": "local.sqlite"])
        #expect(fromEnvironment.sqlitePath == project.url("src/local.sqlite").path)
        var memory = config
        memory.databasePath = ":memory:"
        #expect(memory.sqlitePath == ":memory:")
    }

    @Test func templateWritesConfigSecretsAndGitignore() throws {
        let project = try Project()
        defer { project.remove() }
        try project.write(".gitignore", "build/")
        let result = try ConfigTemplate.write(to: project.root)
        #expect(result.configFile.path == project.url("datajoint.json").path)
        let password = project.url(".secrets/database.password")
        #expect(result.createdPasswordFile?.path == password.path)
        let attributes = try FileManager.default.attributesOfItem(atPath: password.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect((attributes[.size] as? NSNumber)?.intValue == 0)
        #expect(try String(contentsOf: project.url(".gitignore"), encoding: .utf8) == "build/\n.secrets/\n")

        // The template loads: backend sqlite, every value from the file, the empty password from secrets.
        let config = try project.load()
        #expect(config.backend == .sqlite)
        #expect(config.source(forKey: "jobs.stale_timeout") == .file(result.configFile.path))
        #expect(config.password == "")
        #expect(config.warnings.isEmpty)

        // No overwrite without force; with force, secrets and .gitignore stay as they are.
        try Data("real-password".utf8).write(to: password)
        #expect(errorMessage { try ConfigTemplate.write(to: project.root) }?.contains("--force") == true)
        let again = try ConfigTemplate.write(to: project.root, force: true)
        #expect(again.createdPasswordFile == nil && again.updatedGitignore == nil)
        #expect(try String(contentsOf: password, encoding: .utf8) == "real-password")
        #expect(try String(contentsOf: project.url(".gitignore"), encoding: .utf8) == "build/\n.secrets/\n")
    }

    @Test func templateCreatesGitignoreWhenMissing() throws {
        let project = try Project()
        defer { project.remove() }
        let result = try ConfigTemplate.write(to: project.root)
        #expect(result.updatedGitignore != nil)
        #expect(try String(contentsOf: project.url(".gitignore"), encoding: .utf8) == ".secrets/\n")
    }
}
