import DataJoint
import Foundation
import Testing

/// `DataJoint.connect(config:)`: the configuration decides the backend; errors name the sources, never the password.
@Suite struct ConnectConfigTests {
    private func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dj-connect-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent(".git"), withIntermediateDirectories: true)
        return directory
    }

    @Test func nothingConfiguredOpensDatajointSQLiteInTheWorkingDirectory() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try Config.load(workingDirectory: directory, environment: [:], systemSecretsDirectory: nil)
        let db = try await DataJoint.connect(config: config)
        #expect(try await db.schemaNames().isEmpty)
        try await db.close()
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("datajoint.sqlite").path))
    }

    @Test func settingsComeFromTheConfiguration() async throws {
        var config = Config()
        config.databasePath = ":memory:"
        config.safemode = false
        try config.set("display.limit", to: 5)
        let db = try await DataJoint.connect(config: config)
        #expect(db.settings.safemode == false)
        #expect(db.settings.displayLimit == 5)
        try await db.close()
    }

    @Test func connectionsOpenS3Stores() async throws {
        let settings = Settings(stores: [
            "default": .string("cold"),
            "cold": .object([
                "protocol": .string("s3"), "endpoint": .string("http://127.0.0.1:9"), "bucket": .string("lab"),
                "location": .string("pipeline"), "anonymous": .bool(true),
            ]),
        ])
        let db = try await DataJoint.connect(path: ":memory:", settings: settings)
        let resolved = try db.stores.resolve(nil)
        #expect(resolved.store is S3Store)
        #expect(resolved.store.url(for: "_hash/x") == "s3://lab/pipeline/_hash/x")
        try await db.close()
    }

    @Test func serverConnectionErrorsNameSourcesButNotThePassword() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // Port 9 (discard) on localhost: nothing listens, or the driver is not built; either way it fails.
        let config = try Config.load(
            workingDirectory: directory,
            environment: [
                "DJ_BACKEND": "postgresql", "DJ_HOST": "127.0.0.1", "DJ_PORT": "9", "DJ_USER": "someone",
                "DJ_PASS": "pa55-w0rd-xyz",
            ],
            systemSecretsDirectory: nil)
        let error = await #expect(throws: DataJointError.self) { _ = try await DataJoint.connect(config: config) }
        #expect(error?.kind == .connection)
        #expect(error?.message.contains("postgresql://someone@127.0.0.1:9") == true)
        #expect(error?.message.contains("database.host from DJ_HOST") == true)
        #expect(error?.message.contains("database.user from DJ_USER") == true)
        #expect(error?.message.contains("pa55-w0rd-xyz") == false)
    }

    @Test func missingUserIsAConfigurationError() async throws {
        var config = Config()
        config.backend = .mysql
        let error = await #expect(throws: DataJointError.self) { _ = try await DataJoint.connect(config: config) }
        #expect(error?.kind == .configuration)
        #expect(error?.message.contains("database.user is not set") == true)
    }
}

@Suite("SQLite connection lifetime")
struct SQLiteLifetimeTests {
    @Test("a closed SQLite connection can be closed again and released")
    func closeTwice() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("dj-close-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        do {
            let db = try await DataJoint.connect(path: path)
            #expect(try await db.schemaNames().isEmpty)
            try await db.close()
            try await db.close()
        }
        // Released after close: the driver must not close the connection a second time.
        let again = try await DataJoint.connect(path: path)
        #expect(try await again.schemaNames().isEmpty)
        try await again.close()
    }
}
