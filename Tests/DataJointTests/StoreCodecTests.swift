import DataJoint
import Foundation
import Testing

enum StorePipeline {
    struct StRecording: Manual {
        static let definition = """
            rec_id : int32
            ---
            signal : <blob@>              # default store
            archived = null : <blob@cold>
            notes = null : <attach@>
            raw = null : <hash@>
            """
    }

    struct StArtifact: Manual {
        static let definition = """
            subject : varchar(16)
            art_id : int32
            ---
            content = null : <object@>
            trace = null : <npy@>
            source = null : <filepath@>
            """
    }

    struct StBadHash: Manual {
        static let definition = """
            id : int32
            ---
            h : <hash>
            """
    }
}

/// Directories for the stores of one test: `main` (the default, subfolded), `cold`, and `raw` (file paths).
struct StoreFixture {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("dj-stores-\(UUID().uuidString)")
        for name in ["main", "cold", "raw", "downloads"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(name), withIntermediateDirectories: true)
        }
    }

    func path(_ store: String) -> String { root.appendingPathComponent(store).path }

    var settings: Settings {
        var settings = Settings(safemode: false)
        settings.downloadPath = path("downloads")
        settings.stores = [
            "default": "main",
            "filepath_default": "raw",
            "main": ["protocol": "file", "location": .string(path("main"))],
            "cold": ["protocol": "file", "location": .string(path("cold")), "subfolding": [2, 2]],
            "raw": ["protocol": "file", "location": .string(path("raw")), "filepath_prefix": "incoming"],
        ]
        return settings
    }

    /// Every file under a store, as store-relative paths.
    func files(_ store: String) -> [String] {
        let base = root.appendingPathComponent(store).path
        let enumerator = FileManager.default.enumerator(atPath: base)
        var result: [String] = []
        while let relative = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: base + "/" + relative, isDirectory: &isDirectory), !isDirectory.boolValue {
                result.append(relative)
            }
        }
        return result.sorted()
    }

    func remove() { try? FileManager.default.removeItem(at: root) }
}

@Suite("In-store codecs")
struct StoreCodecTests {
    /// The JSON metadata in the column, of the row whose first key attribute (`rec_id`/`art_id`) is 1.
    static func metadata(_ db: Connection, schema: String, table: String, attribute: String) async throws -> [String: JSON] {
        let key = table == "st_recording" ? "rec_id" : "art_id"
        let select = SQLSelect(
            columns: [(.column(attribute), alias: nil)], from: .table(SQLTableName(schema: schema, table: table)),
            where: .binary(.column(key), "=", .bind(.int(1))))
        let raw = try await db.query(db.dialect.render(.select(select)))
        guard case .json(.object(let object)) = try db.dialect.decode(raw[0][0], as: .json) else {
            Issue.record("no JSON metadata in \(table).\(attribute)")
            return [:]
        }
        return object
    }

    @Test("<blob@> and <attach@> store content once per schema under _hash, with the reference's metadata", arguments: TestBackend.all)
    func hashAddressed(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let stores = try StoreFixture()
            defer { stores.remove() }
            let db = try await TestDatabase.connect(settings: stores.settings)
            let s = try await db.schema("stored", tables: StorePipeline.StRecording.self)
            let recordings = s[StorePipeline.StRecording.self]
            let signal = NDArray((0..<1000).map { Double($0) * 0.5 }, shape: [10, 100])
            let attachment = stores.root.appendingPathComponent("protocol.txt")
            try Data("stimulus protocol v2\n".utf8).write(to: attachment)
            let recordingRows: [Row] = [
                ["rec_id": 1, "signal": signal.dataJointValue, "archived": Value.blob(["a": 1, "b": [1.5, 2.5]] as [String: BlobValue]),
                 "notes": Value.string(attachment.path), "raw": Value.bytes(Data([0, 1, 2, 255]))],
                ["rec_id": 2, "signal": signal.dataJointValue],
            ]
            try await recordings.insert(recordingRows)
            #expect(try await recordings.heading()["signal"]?.type == .codec(name: "blob", store: ""))
            #expect(try await recordings.heading()["archived"]?.type == .codec(name: "blob", store: "cold"))

            // The column holds {hash, path, schema, store, size}; the file holds the blob bytes.
            let meta = try await Self.metadata(db, schema: "stored", table: "st_recording", attribute: "signal")
            let packed = try Blob.pack(.array(signal), compress: true)
            let hash = HashAddress.hash(of: packed)
            #expect(meta["hash"] == .string(hash))
            #expect(meta["path"] == .string("_hash/stored/\(hash)"))
            #expect(meta["schema"] == .string("stored"))
            #expect(meta["store"] == .string("main"))
            #expect(meta["size"] == .int(Int64(packed.count)))
            #expect(try Data(contentsOf: stores.root.appendingPathComponent("main/_hash/stored/\(hash)")) == packed)
            // Two rows with the same array: one object (deduplication).
            #expect(stores.files("main").filter { $0.hasPrefix("_hash/stored/") }.count == 3)  // signal, notes, raw
            // Subfolding [2, 2] puts the object two folders deep.
            let cold = try await Self.metadata(db, schema: "stored", table: "st_recording", attribute: "archived")
            guard case .string(let coldHash)? = cold["hash"] else { Issue.record("no hash"); return }
            #expect(cold["path"] == .string("_hash/stored/\(coldHash.prefix(2))/\(coldHash.dropFirst(2).prefix(2))/\(coldHash)"))
            #expect(stores.files("cold") == ["_hash/stored/\(coldHash.prefix(2))/\(coldHash.dropFirst(2).prefix(2))/\(coldHash)"])

            // Fetch decodes through the chain.
            let row = try await (recordings & ["rec_id": 1]).fetch1()
            #expect(NDArray(dataJointValue: row["signal"]!) == signal)
            #expect(BlobValue(dataJointValue: row["archived"]!) == .dict([(key: "a", value: 1), (key: "b", value: .list([1.5, 2.5]))]))
            #expect(row["raw"] == .bytes(Data([0, 1, 2, 255])))
            guard case .string(let downloaded)? = row["notes"] else { Issue.record("attach gave no path"); return }
            #expect(downloaded == stores.path("downloads") + "/protocol.txt")
            #expect(try String(contentsOfFile: downloaded, encoding: .utf8) == "stimulus protocol v2\n")
            #expect(try await (recordings & ["rec_id": 2]).fetch1("archived", as: Value.self) == .null)
            #expect(try await recordings.describe().contains("signal               : <blob@>"))
        }
    }

    @Test("content changed or removed outside DataJoint is reported, not returned", arguments: TestBackend.all)
    func damagedObjects(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let stores = try StoreFixture()
            defer { stores.remove() }
            let db = try await TestDatabase.connect(settings: stores.settings)
            let s = try await db.schema("stored", tables: StorePipeline.StRecording.self)
            let recordings = s[StorePipeline.StRecording.self]
            try await recordings.insert1(["rec_id": 1, "signal": Value.blob(42)])
            let file = stores.root.appendingPathComponent("main/" + stores.files("main")[0])
            try Data("tampered".utf8).write(to: file)
            let changed = await #expect(throws: DataJointError.self) { try await recordings.fetch1("signal", as: Value.self) }
            #expect(changed?.kind == .missingObject)
            #expect(changed?.message.contains("does not match its hash") == true)
            try FileManager.default.removeItem(at: file)
            let missing = await #expect(throws: DataJointError.self) { try await recordings.fetch1("signal", as: Value.self) }
            #expect(missing?.kind == .missingObject)
            // The key and other attributes can still be fetched.
            #expect(try await recordings.keys() == [["rec_id": 1]])
        }
    }

    @Test("<object@>, <npy@> and <filepath@> keep files at the reference's paths and fetch handles", arguments: TestBackend.all)
    func schemaAddressed(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let stores = try StoreFixture()
            defer { stores.remove() }
            let db = try await TestDatabase.connect(settings: stores.settings)
            let s = try await db.schema("stored", tables: StorePipeline.StArtifact.self)
            let artifacts = s[StorePipeline.StArtifact.self]
            // A local directory to upload, and a file already in the raw store.
            let folder = stores.root.appendingPathComponent("scan.zarr")
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("0"), withIntermediateDirectories: true)
            try Data("{}".utf8).write(to: folder.appendingPathComponent(".zattrs"))
            try Data(repeating: 7, count: 100).write(to: folder.appendingPathComponent("0/0.0"))
            try FileManager.default.createDirectory(
                at: stores.root.appendingPathComponent("raw/incoming/m1"), withIntermediateDirectories: true)
            try Data("acquired".utf8).write(to: stores.root.appendingPathComponent("raw/incoming/m1/run.bin"))
            let trace = NDArray([Int16](arrayLiteral: 1, -2, 3, 4, 5, 32767), shape: [2, 3])

            let artifactRows: [Row] = [
                ["subject": "m1", "art_id": 1, "content": Value.bytes(Data("hello".utf8)), "trace": trace.dataJointValue,
                 "source": "incoming/m1/run.bin"],
                ["subject": "m1", "art_id": 2, "content": ObjectData(Data([1, 2, 3]), fileExtension: "dat").dataJointValue],
                ["subject": "m/2", "art_id": 3, "content": Value.string(folder.path)],
            ]
            try await artifacts.insert(artifactRows)
            let content = try await Self.metadata(db, schema: "stored", table: "st_artifact", attribute: "content")
            guard case .string(let path)? = content["path"] else { Issue.record("no path"); return }
            #expect(path.hasPrefix("_schema/stored/st_artifact/subject=m1/art_id=1/content_"))
            #expect(path.count == "_schema/stored/st_artifact/subject=m1/art_id=1/content_".count + 8)
            #expect(content["store"] == .string("main") && content["size"] == .int(5) && content["is_dir"] == .bool(false))
            #expect(content["ext"] == .null && content["item_count"] == .null)
            let npyMeta = try await Self.metadata(db, schema: "stored", table: "st_artifact", attribute: "trace")
            #expect(npyMeta["dtype"] == .string("int16") && npyMeta["shape"] == .array([2, 3]))
            guard case .string(let npyPath)? = npyMeta["path"] else { Issue.record("no npy path"); return }
            #expect(npyPath.hasPrefix("_schema/stored/st_artifact/subject=m1/art_id=1/trace_") && npyPath.hasSuffix(".npy"))
            let npyBytes = try Data(contentsOf: stores.root.appendingPathComponent("main/" + npyPath))
            #expect(npyBytes == (try NpyFormat.encode(trace)))
            let fileMeta = try await Self.metadata(db, schema: "stored", table: "st_artifact", attribute: "source")
            #expect(fileMeta["path"] == .string("incoming/m1/run.bin") && fileMeta["store"] == .string("raw"))
            #expect(fileMeta["size"] == .int(8))

            // Fetch gives handles; reading goes to the store.
            let first = try await (artifacts & ["art_id": 1]).fetch1()
            let object = try #require(ObjectRef(dataJointValue: first["content"]!))
            #expect(try await object.read() == Data("hello".utf8))
            let npy = try #require(NpyRef(dataJointValue: first["trace"]!))
            #expect(npy.shape == [2, 3] && npy.dtype == "int16")
            #expect(try await npy.load() == trace)
            let source = try #require(ObjectRef(dataJointValue: first["source"]!))
            #expect(try await source.read() == Data("acquired".utf8))
            let second = try #require(ObjectRef(dataJointValue: try await (artifacts & ["art_id": 2]).fetch1("content", as: Value.self)))
            #expect(second.fileExtension == ".dat" && second.path.hasSuffix(".dat"))
            // A directory: its files, a manifest beside it, and the path component of "m/2" percent-encoded.
            let third = try #require(ObjectRef(dataJointValue: try await (artifacts & ["art_id": 3]).fetch1("content", as: Value.self)))
            #expect(third.isDirectory && third.itemCount == 2 && third.size == 102)
            #expect(third.path.hasPrefix("_schema/stored/st_artifact/subject=m%2F2/art_id=3/content_"))
            #expect(try await third.files() == [".zattrs", "0/0.0"])
            #expect(try await third.read("0/0.0") == Data(repeating: 7, count: 100))
            #expect(stores.files("main").contains(third.path + ".manifest.json"))
            let copy = try await third.download(to: stores.root.appendingPathComponent("downloads"))
            #expect(try Data(contentsOf: copy.appendingPathComponent("0/0.0")) == Data(repeating: 7, count: 100))
            // The raw store was only read.
            #expect(stores.files("raw") == ["incoming/m1/run.bin"])
        }
    }

    @Test("bad in-store values are refused and a failed insert leaves the stores as they were", arguments: TestBackend.all)
    func refusals(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let stores = try StoreFixture()
            defer { stores.remove() }
            let db = try await TestDatabase.connect(settings: stores.settings)
            let s = try await db.schema("stored", tables: StorePipeline.StArtifact.self)
            let artifacts = s[StorePipeline.StArtifact.self]
            try FileManager.default.createDirectory(at: stores.root.appendingPathComponent("raw/_hash"), withIntermediateDirectories: true)
            try Data("x".utf8).write(to: stores.root.appendingPathComponent("raw/_hash/x"))
            try Data("y".utf8).write(to: stores.root.appendingPathComponent("raw/elsewhere.bin"))
            func refused(_ row: Row) async -> DataJointError? {
                await #expect(throws: DataJointError.self) { try await artifacts.insert1(row) }
            }
            #expect(await refused(["subject": "a", "art_id": 1, "source": "incoming/none.bin"])?.message.contains("no file") == true)
            #expect(await refused(["subject": "a", "art_id": 1, "source": "_hash/x"])?.message.contains("hash_prefix") == true)
            #expect(await refused(["subject": "a", "art_id": 1, "source": "elsewhere.bin"])?.message.contains("filepath_prefix") == true)
            #expect(await refused(["subject": "a", "art_id": 1, "trace": Value.blob([BlobValue.string("x")])])?.kind == .invalidValue)
            #expect(await refused(["subject": "a", "art_id": 1, "content": 12])?.kind == .invalidValue)
            #expect(try await artifacts.count() == 0)
            #expect(stores.files("main").isEmpty)

            // A duplicate key fails the insert after the objects were written: they are removed again.
            try await artifacts.insert1(["subject": "a", "art_id": 1, "content": Value.bytes(Data("kept".utf8))])
            #expect(stores.files("main").count == 1)
            let duplicate = await refused(["subject": "a", "art_id": 1, "content": Value.bytes(Data("dropped".utf8)),
                                           "trace": NDArray([1.0, 2.0]).dataJointValue])
            #expect(duplicate?.kind == .duplicate)
            #expect(stores.files("main").count == 1)
            // So does a transaction that rolls back.
            struct Abort: Error {}
            await #expect(throws: Abort.self) {
                try await db.transaction {
                    try await artifacts.insert1(["subject": "b", "art_id": 2, "content": Value.bytes(Data("gone".utf8))])
                    throw Abort()
                }
            }
            #expect(stores.files("main").count == 1)
            #expect(try await artifacts.count() == 1)

            // Unconfigured stores and <hash> without a store are clear errors.
            let bare = try await TestDatabase.connect()
            let unconfigured = await #expect(throws: DataJointError.self) {
                try await bare.schema("stored", tables: [], create: false).table("st_artifact")
                    .insert1(["subject": "c", "art_id": 3, "content": Value.bytes(Data())])
            }
            #expect(unconfigured?.kind == .configuration)
            let badHash = await #expect(throws: DataJointError.self) { try await db.schema("stored2", tables: StorePipeline.StBadHash.self) }
            #expect(badHash?.kind == .declaration)
        }
    }

    @Test("update1 replaces an in-store value; garbage collection removes what no row refers to", arguments: TestBackend.all)
    func garbageCollection(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let stores = try StoreFixture()
            defer { stores.remove() }
            let db = try await TestDatabase.connect(settings: stores.settings)
            let s = try await db.schema("stored", tables: StorePipeline.StRecording.self, StorePipeline.StArtifact.self)
            let recordings = s[StorePipeline.StRecording.self]
            let artifacts = s[StorePipeline.StArtifact.self]
            try await recordings.insert([["rec_id": 1, "signal": Value.blob(1)], ["rec_id": 2, "signal": Value.blob(2)]])
            try await artifacts.insert1(["subject": "a", "art_id": 1, "content": Value.bytes(Data("v1".utf8))])
            try await artifacts.update1(["subject": "a", "art_id": 1, "content": Value.bytes(Data("v2".utf8))])
            let updated = try #require(ObjectRef(dataJointValue: try await artifacts.fetch1("content", as: Value.self)))
            #expect(try await updated.read() == Data("v2".utf8))
            #expect(stores.files("main").count == 4)  // two blobs, two object versions

            try await (recordings & ["rec_id": 1]).delete()
            let dry = try await s.collectGarbage()
            #expect(dry.dryRun && dry.deleted == 0)
            #expect(dry.hashStored == 2 && dry.hashReferenced == 1 && dry.orphanedHashPaths.count == 1)
            #expect(dry.schemaStored == 2 && dry.schemaReferenced == 1 && dry.orphanedSchemaPaths.count == 1)
            #expect(stores.files("main").count == 4)
            let report = try await s.collectGarbage(dryRun: false)
            #expect(report.deleted == 2 && report.bytesFreed == dry.orphanedBytes)
            #expect(stores.files("main").count == 2)
            #expect(try await (recordings & ["rec_id": 2]).fetch1("signal", as: Value.self) == Value.blob(2))
            #expect(try await ObjectRef(dataJointValue: try await artifacts.fetch1("content", as: Value.self))!.read() == Data("v2".utf8))
            #expect(try await s.collectGarbage().orphanedHashPaths.isEmpty)
        }
    }
    @Test("garbage collection with a minimum age leaves recently written orphans alone", arguments: TestBackend.all)
    func garbageCollectionMinimumAge(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let stores = try StoreFixture()
            defer { stores.remove() }
            let db = try await TestDatabase.connect(settings: stores.settings)
            let s = try await db.schema("stored_age", tables: StorePipeline.StRecording.self, StorePipeline.StArtifact.self)
            let recordings = s[StorePipeline.StRecording.self]
            let artifacts = s[StorePipeline.StArtifact.self]
            try await recordings.insert([["rec_id": 1, "signal": Value.blob(1)], ["rec_id": 2, "signal": Value.blob(2)]])
            try await artifacts.insert([
                ["subject": "a", "art_id": 1, "content": Value.bytes(Data("one".utf8))],
                ["subject": "a", "art_id": 2, "content": Value.bytes(Data("two".utf8))],
            ])
            try await (recordings & ["rec_id": 1]).delete()
            try await (artifacts & ["art_id": 1]).delete()

            // Written just now: an hour's minimum age keeps both orphans, and says so.
            let recent = try await s.collectGarbage(dryRun: false, minimumAge: .seconds(3600))
            #expect(recent.deleted == 0)
            #expect(recent.orphanedHashPaths.isEmpty && recent.orphanedSchemaPaths.isEmpty)
            #expect(recent.recentPaths.count == 2)
            #expect(stores.files("main").count == 4)

            // Two hours old: now they go, and the referenced objects (just as old) stay.
            let old = Date().addingTimeInterval(-7200)
            for file in stores.files("main") {
                try FileManager.default.setAttributes(
                    [.modificationDate: old], ofItemAtPath: stores.root.appendingPathComponent("main/" + file).path)
            }
            let collected = try await s.collectGarbage(dryRun: false, minimumAge: .seconds(3600))
            #expect(collected.deleted == 2 && collected.recentPaths.isEmpty)
            #expect(stores.files("main").count == 2)
            #expect(try await (recordings & ["rec_id": 2]).fetch1("signal", as: Value.self) == Value.blob(2))

            let error = await #expect(throws: DataJointError.self) { try await s.collectGarbage(minimumAge: .seconds(-1)) }
            #expect(error?.kind == .invalidValue)
        }
    }
}
