import DataJoint
import Foundation
import Synchronization
import Testing

/// A store that keeps objects in memory: the plugin protocol `memory` of these tests.
final class MemoryStore: ObjectStore {
    let objects = Mutex<[String: Data]>([:])
    let vault: String

    init(vault: String) { self.vault = vault }

    func put(_ data: Data, at path: String) async throws { objects.withLock { $0[path] = data } }
    func get(_ path: String) async throws -> Data {
        guard let data = objects.withLock({ $0[path] }) else { throw DataJointError(.missingObject, "no \(path) in \(vault)") }
        return data
    }
    func exists(_ path: String) async throws -> Bool {
        let isDirectory = try await isDirectory(path)
        return isDirectory || objects.withLock { $0[path] != nil }
    }
    func isDirectory(_ path: String) async throws -> Bool { objects.withLock { $0.keys.contains { $0.hasPrefix(path + "/") } } }
    func size(_ path: String) async throws -> Int { try await get(path).count }
    func remove(_ path: String) async throws { _ = objects.withLock { $0.removeValue(forKey: path) } }
    func list(under prefix: String) async throws -> [StoredObject] {
        objects.withLock { objects in
            objects.filter { prefix.isEmpty || $0.key.hasPrefix(prefix + "/") }.map { StoredObject(path: $0.key, size: $0.value.count) }
                .sorted { $0.path < $1.path }
        }
    }
    func url(for path: String) -> String { "memory://\(vault)/\(path)" }
}

/// The adapter of the `memory` protocol: needs `vault` (lower-case letters), allows `quota`; the stores it makes are
/// kept so a test can look inside.
final class MemoryAdapter: StorageAdapter {
    let protocolName = "memory"
    let requiredKeys = ["location", "vault"]
    let allowedKeys = ["vault", "quota"]
    let made = Mutex<[String: MemoryStore]>([:])

    func validate(_ spec: StoreSpec) throws {
        guard let vault = spec.string("vault"), !vault.isEmpty, vault.allSatisfy({ $0.isLowercase }) else {
            throw DataJointError(.configuration, "stores.\(spec.name): vault must be lower-case letters")
        }
    }

    func makeStore(_ spec: StoreSpec) throws -> any ObjectStore {
        let store = MemoryStore(vault: spec.string("vault")!)
        made.withLock { $0[spec.name] = store }
        return store
    }
}

enum AdapterPipeline {
    struct AdRecording: Manual {
        static let definition = """
            rec_id : int32
            ---
            signal : <blob@vault>
            raw = null : <object@vault>
            """
    }
}

@Suite("Storage adapters: plugin store protocols")
struct StorageAdapterTests {
    static func settings(_ vault: [String: JSON]) -> Settings {
        var settings = Settings(safemode: false)
        settings.stores = ["vault": .object(vault)]
        return settings
    }

    static let goodVault: [String: JSON] = ["protocol": "memory", "location": "lab", "vault": "primary"]

    @Test("a registered adapter's stores hold in-store values end to end", arguments: TestBackend.all)
    func endToEnd(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let db = try await TestDatabase.connect(settings: Self.settings(Self.goodVault))
            let adapter = MemoryAdapter()
            db.stores.register(adapter)
            #expect(db.stores.protocols.contains("memory"))
            let s = try await db.schema("adapted", tables: AdapterPipeline.AdRecording.self)
            let recordings = s[AdapterPipeline.AdRecording.self]
            let signal = NDArray([1.5, 2.5, 3.5], shape: [3])
            try await recordings.insert([
                ["rec_id": 1, "signal": signal.dataJointValue, "raw": ObjectData(Data("raw bytes".utf8), fileExtension: ".dat")]
            ])
            let fetched: NDArray = try await (recordings & ["rec_id": 1]).fetch1("signal")
            #expect(fetched == signal)
            let raw: ObjectRef = try await (recordings & ["rec_id": 1]).fetch1("raw")
            #expect(try await raw.read() == Data("raw bytes".utf8))
            #expect(raw.url.hasPrefix("memory://primary/"))
            let store = try #require(adapter.made.withLock { $0["vault"] })
            let paths = store.objects.withLock { Array($0.keys) }
            #expect(paths.contains { $0.hasPrefix("_hash/adapted/") })
            #expect(paths.contains { $0.hasPrefix("_schema/adapted/") && $0.hasSuffix(".dat") })
        }
    }

    @Test("required and allowed keys, the adapter's own checks and unknown protocols give configuration errors that name them")
    func checks() async throws {
        func resolveError(_ vault: [String: JSON], register: Bool = true) async throws -> DataJointError? {
            let db = try await DataJoint.connect(path: ":memory:", settings: Self.settings(vault))
            defer { Task { try? await db.close() } }
            if register { db.stores.register(MemoryAdapter()) }
            return #expect(throws: DataJointError.self) { try db.stores.resolve("vault") }
        }
        var missing = Self.goodVault
        missing["vault"] = nil
        let missingError = try await resolveError(missing)
        #expect(missingError?.kind == .configuration)
        #expect(missingError?.message.contains("needs vault") == true)

        var extra = Self.goodVault
        extra["bucket"] = "lab"
        extra["colour"] = "red"
        let extraError = try await resolveError(extra)
        #expect(extraError?.message.contains("bucket, colour are not keys of protocol memory") == true)
        #expect(extraError?.message.contains("quota") == true)  // what it does take

        var allowed = Self.goodVault
        allowed["quota"] = 10
        let db = try await DataJoint.connect(path: ":memory:", settings: Self.settings(allowed))
        db.stores.register(MemoryAdapter())
        #expect(try db.stores.resolve("vault").store is MemoryStore)
        try await db.close()

        var invalid = Self.goodVault
        invalid["vault"] = "Primary"
        #expect(try await resolveError(invalid)?.message.contains("vault must be lower-case letters") == true)

        let unknown = try await resolveError(Self.goodVault, register: false)
        #expect(unknown?.message.contains("unknown protocol \"memory\"") == true)
        #expect(unknown?.message.contains("file, s3") == true)
    }

    @Test("file and S3 stores go through the same checks")
    func builtInProtocols() async throws {
        let cases: [([String: JSON], String)] = [
            (["protocol": "file"], "protocol file needs location"),
            (["protocol": "file", "location": "/tmp", "bucket": "x"], "bucket is not a key of protocol file"),
            (["protocol": "s3", "endpoint": "127.0.0.1:9", "location": ""], "protocol s3 needs bucket"),
            (["protocol": "s3", "endpoint": "127.0.0.1:9", "bucket": "b", "location": "", "buckett": "b"], "buckett is not a key of protocol s3"),
        ]
        for (vault, expected) in cases {
            let db = try await DataJoint.connect(path: ":memory:", settings: Self.settings(vault))
            let error = #expect(throws: DataJointError.self) { try db.stores.resolve("vault") }
            #expect(error?.kind == .configuration)
            #expect(error?.message.contains(expected) == true, "\(error?.message ?? "no error") should say \(expected)")
            try await db.close()
        }
        #expect(S3StorageAdapter().requiredKeys == ["endpoint", "bucket", "location"])
        #expect(FileStorageAdapter().requiredKeys == ["location"])
    }

    @Test("an insert into a store whose settings are refused inserts nothing", arguments: TestBackend.all)
    func refusedStoreChangesNothing(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            var bad = Self.goodVault
            bad["colour"] = "red"
            let db = try await TestDatabase.connect(settings: Self.settings(bad))
            db.stores.register(MemoryAdapter())
            let s = try await db.schema("adapted_bad", tables: AdapterPipeline.AdRecording.self)
            let recordings = s[AdapterPipeline.AdRecording.self]
            let error = await #expect(throws: DataJointError.self) {
                try await recordings.insert([["rec_id": 1, "signal": NDArray([1.0], shape: [1]).dataJointValue]])
            }
            #expect(error?.message.contains("colour") == true)
            #expect(try await recordings.count() == 0)
        }
    }
}
