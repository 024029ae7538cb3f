import Foundation
import PropertyBased
import ReliabilitySupport
import Testing

@testable import DataJointCore

/// Configuration against generated and damaged `datajoint.json` files, `DJ_*` values and JSON text: it loads or is
/// refused with a `.configuration` error, and what loads gives settings a connection can use (a port a driver can
/// take, stores that open or are refused).
@Suite("Fuzz: configuration")
struct FuzzConfigTests {
    /// A project directory (with `.git`, so the search for `datajoint.json` stays in it) and a store location.
    final class Project: Sendable {
        let root: URL

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("dj-fuzz-config-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: root.appendingPathComponent(".git"), withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: root.appendingPathComponent("store"), withIntermediateDirectories: true)
        }

        deinit { try? FileManager.default.removeItem(at: root) }

        /// Loads the configuration of `file` (none when nil) and `environment`, and reads every setting of it.
        func load(file: String?, environment: [String: String] = [:]) throws {
            let url = root.appendingPathComponent(Config.fileName)
            if let file {
                try Data(file.utf8).write(to: url)
            } else {
                try? FileManager.default.removeItem(at: url)
            }
            let config = try Config.load(workingDirectory: root, environment: environment, systemSecretsDirectory: nil)
            try FuzzConfigTests.use(config)
        }
    }

    /// Reads what a connection reads from `config`; a port must be one a driver can take.
    static func use(_ config: Config) throws {
        _ = (config.backend, config.host, config.user, config.sqlitePath, config.settings, config.targetDescription, config.entries)
        if let port = config.port {
            #expect((1...65535).contains(port), "port \(port) of host \(config.host)")
        }
        let registry = StoreRegistry(configuration: config.stores)
        for name in registry.names { _ = try registry.resolve(name) }
        if config.backend.isServer { _ = try config.serverOptions }
    }

    static let fileSeeds = [
        #"{"database": {"backend": "postgresql", "host": "db.example.org:5433", "user": "alice", "use_tls": true}}"#,
        #"{"database.backend": "mysql", "database.port": 3306, "safemode": "off", "display": {"limit": 20, "width": 30}}"#,
        #"{"stores": {"default": "main", "main": {"protocol": "file", "location": "STORE", "subfolding": [2, 2]}}}"#,
        #"{"stores": {"raw": {"protocol": "file", "location": "STORE", "hash_prefix": "h", "schema_prefix": "s", "filepath_prefix": "f", "token_length": 12}}}"#,
        #"{"jobs": {"stale_timeout": 60, "default_priority": 3, "version_method": "git"}, "loglevel": "DEBUG", "download_path": "/tmp"}"#,
        #"{"database": {"backend": "sqlite", "path": ":memory:"}, "provenance": {"capture": true, "source": {"a": [1, 2.5, null]}}}"#,
        #"{"database": {"host": "h", "port": "65535", "user": "u", "password": "p\u00e9\n", "name": "n"}, "query_cache": null}"#,
    ]

    static let jsonTokens = [
        "{", "}", "[", "]", ":", ",", "\"", "\\", "\\u", "\\ud800", "null", "true", "false", "-", "0", "1e", "1e999", "-0.0",
        "99999999999999999999", "\"database\"", "\"stores\"", "\"host\"", "\"port\"", "\"protocol\"", "\"location\"",
        "\"subfolding\"", "\"file\"", "\"s3\"", ":65536", ":-1", ":0", " ", "\n", "é", "\u{0}",
    ]

    @Test("damaged datajoint.json files load or are refused with a configuration error")
    func mutatedFiles() async throws {
        let project = try Project()
        let store = project.root.appendingPathComponent("store").path
        let mutator = FuzzMutator(texts: Self.fileSeeds.map { $0.replacingOccurrences(of: "STORE", with: store) }, tokens: Self.jsonTokens, maximumLength: 4096)
        var tally = FuzzTally()
        await propertyCheck(count: ReliabilityLog.iterations(standard: 1500), input: Fuzz.textMutations(mutator)) { text in
            tally.feed(text.debugDescription, kinds: [.configuration]) { try project.load(file: text) }
        }
        tally.record("configuration: mutated datajoint.json files (loaded, then every setting and store read)", accepted: "loaded")
    }

    static let environmentVariables = ConfigKey.all.compactMap(\.environmentVariable) + [ConfigKey.storesEnvironmentVariable]
    static let variableValues = [
        "", " ", "0", "1", "-1", "65535", "65536", "true", "FALSE", "yes", "off", "maybe", "postgresql", "MySQL", "sqlite",
        "LR", "dark", "DEBUG", "git", "db:5432", "db:-1", "db:99999999999", "db:", ":5432", "a:b:c", "[::1]:5432",
        ":memory:", "/tmp/x.sqlite", "9223372036854775808", "1e3", "{}", "{\"a\": 1}", "[1]", "{", "null", "é\u{0}",
        #"{"main": {"protocol": "file", "location": "/nonexistent"}, "default": "main"}"#,
        #"{"main": {"protocol": "s3", "endpoint": "x", "bucket": "b", "location": "l", "secure": "yes"}}"#,
        #"{"default": 5, "x": {"protocol": 1}}"#,
    ]

    @Test("random DJ_* values load or are refused with a configuration error")
    func environmentValues() async throws {
        let project = try Project()
        var tally = FuzzTally()
        let environments = Generator { rng -> [String: String] in
            var environment: [String: String] = [:]
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let name = Self.environmentVariables[Int.random(in: 0..<Self.environmentVariables.count, using: &rng)]
                let cased = Bool.random(using: &rng) ? name : name.lowercased()
                environment[cased] = Self.variableValues[Int.random(in: 0..<Self.variableValues.count, using: &rng)]
            }
            return environment
        }
        await propertyCheck(count: ReliabilityLog.iterations(standard: 1500), input: environments) { environment in
            tally.feed("\(environment)", kinds: [.configuration]) { try project.load(file: nil, environment: environment) }
        }
        tally.record("configuration: random DJ_* environment values (and DJ_STORES)", accepted: "loaded")
    }

    /// A random JSON value, nested at most `depth` levels.
    static func json(_ depth: Int, _ rng: inout any SeededRandomNumberGenerator) -> JSON {
        let keys = ["a", "", "é", "\"q\"", "\\", "\n", "\u{1}", "😀", "\u{7F}"]
        switch Int.random(in: depth > 0 ? 0...7 : 0...4, using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2: return .int(Int64.random(in: .min ... .max, using: &rng) >> Int64.random(in: 0...63, using: &rng))
        case 3:
            let d = [0.5, -0.0, 1e300, -2.5e-300, 123456.789, Double.random(in: -1e6...1e6, using: &rng)][Int.random(in: 0...5, using: &rng)]
            return .double(d)
        case 4: return .string((0..<Int.random(in: 0...4, using: &rng)).map { _ in keys[Int.random(in: 0..<keys.count, using: &rng)] }.joined())
        case 5, 6:
            var object: [String: JSON] = [:]
            for _ in 0..<Int.random(in: 0...3, using: &rng) { object[keys[Int.random(in: 0..<keys.count, using: &rng)]] = json(depth - 1, &rng) }
            return .object(object)
        default: return .array((0..<Int.random(in: 0...3, using: &rng)).map { _ in json(depth - 1, &rng) })
        }
    }

    @Test("generated JSON documents round-trip through the configuration parser")
    func jsonRoundTrip() async {
        var tally = FuzzTally()
        await propertyCheck(count: ReliabilityLog.iterations(standard: 1500), input: Generator { rng in Self.json(4, &rng) }) { value in
            let text = value.serialized()
            let parsed = tally.feed(text) { () throws -> JSON in
                do throws(ConfigJSONParser.SyntaxError) {
                    return try ConfigJSONParser.parse(text)
                } catch {
                    throw DataJointError(.configuration, "malformed JSON at \(error.description)")
                }
            }
            guard let parsed else {
                Issue.record("serialized JSON was refused: \(text)")
                return
            }
            // Whole doubles are written with ".0" and read back as doubles; compare as the writer writes.
            #expect(parsed.serialized() == text, "\(text)")
        }
        #expect(tally.accepted == tally.tried)
        tally.record("configuration JSON parser: generated documents serialized and parsed", accepted: "round-tripped")
    }

    @Test("random JSON-like text parses or is refused with a syntax error that has a position")
    func jsonTokenText() async {
        var tally = FuzzTally()
        await propertyCheck(count: ReliabilityLog.iterations(standard: 3000), input: Fuzz.tokenStrings(Self.jsonTokens, maxPieces: 40)) { text in
            tally.feed(text.debugDescription, kinds: [.configuration]) { () throws -> JSON in
                do throws(ConfigJSONParser.SyntaxError) {
                    return try ConfigJSONParser.parse(text)
                } catch {
                    #expect(error.line >= 1 && error.column >= 1, "\(error.description) for \(text.debugDescription)")
                    throw DataJointError(.configuration, "malformed JSON at \(error.description)")
                }
            }
        }
        tally.record("configuration JSON parser: random token sequences", accepted: "parsed")
    }
}
