import DataJoint
import Foundation
import ReliabilitySupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The table of the `store-writer` worker: Tests/PopulateWorker/StoreWriter.swift declares the same one and inserts
/// the same values.
enum StoreFaultPipeline {
    struct FaultItem: Manual {
        static let definition = """
            # a row with large values in a store, written by a process that may be killed
            item_id : int32
            ---
            payload : <blob@>    # hash-addressed
            content : <object@>  # schema-addressed file
            trace : <npy@>       # schema-addressed .npy
            """
    }

    /// The values the worker inserts for row `id`.
    static func expected(_ id: Int) throws -> (payload: NDArray, content: Data, trace: NDArray) {
        (
            try NDArray(dtype: .uint8, shape: [256, 256], bytes: bytes(id, salt: 1, count: 1 << 16)),
            bytes(id, salt: 2, count: 1 << 20),
            try NDArray(dtype: .float64, shape: [256, 256], bytes: bytes(id, salt: 3, count: 8 << 16))
        )
    }

    /// `count` (a multiple of 8, at most 1 MB) bytes of row `id`, as the worker makes them: a pseudo-random block per
    /// `salt`, with `id` in its first 8 bytes.
    static func bytes(_ id: Int, salt: UInt64, count: Int) -> Data {
        var data = Data(blocks[Int(salt)].prefix(count))
        data.replaceSubrange(0..<8, with: withUnsafeBytes(of: UInt64(id).littleEndian) { Data($0) })
        return data
    }

    static let blocks = (0...3).map { random(seed: UInt64($0), count: 1 << 20) }

    /// `count` (a multiple of 8) pseudo-random bytes from `seed` (splitmix64), each 8 a finite float64.
    static func random(seed: UInt64, count: Int) -> Data {
        var state = seed &* 0x9E37_79B9_7F4A_7C15
        var data = Data(count: count)
        data.withUnsafeMutableBytes { raw in
            for index in 0..<(count / 8) {
                state &+= 0x9E37_79B9_7F4A_7C15
                var z = state
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                raw.storeBytes(of: (z ^ (z >> 31)) & 0x800F_FFFF_FFFF_FFFF, toByteOffset: index * 8, as: UInt64.self)
            }
        }
        return data
    }

    /// The rows of `items` whose values cannot be read back as inserted, with the reason.
    static func unreadableRows(_ items: Table) async throws -> (rows: Int, unreadable: [String]) {
        let ids: [Int] = try await items.toArray("item_id", orderBy: ["item_id"])
        var unreadable: [String] = []
        for id in ids {
            do {
                let row = try await (items & ["item_id": Value.int(Int64(id))]).fetch1()
                let (payload, content, trace) = try expected(id)
                let storedContent = try #require(ObjectRef(dataJointValue: row["content"]!))
                let storedTrace = try #require(NpyRef(dataJointValue: row["trace"]!))
                if NDArray(dataJointValue: row["payload"]!) != payload { unreadable.append("item \(id): payload differs") }
                if try await storedContent.read() != content { unreadable.append("item \(id): content differs") }
                if try await storedTrace.load() != trace { unreadable.append("item \(id): trace differs") }
            } catch {
                unreadable.append("item \(id): \(error)")
            }
        }
        return (ids.count, unreadable)
    }
}

/// The kind of object store a fault test writes to.
enum StoreKind: String, Sendable, CustomTestStringConvertible {
    case file, s3
    var testDescription: String { rawValue }

    /// `file`, and `s3` when the S3 tests run (`DJ_TEST_S3_ENDPOINT` is set).
    static let available: [StoreKind] = PrivateMoto.enabled ? [.file, .s3] : [.file]
}

/// The default store `faults` of one test: a new directory, or a new bucket on a moto server of the test's own.
struct FaultStore {
    let kind: StoreKind
    let settings: Settings
    private let directory: URL?
    private let moto: PrivateMoto?
    private let bucket: String

    init(_ kind: StoreKind) async throws {
        self.kind = kind
        var settings = Settings(safemode: false)
        switch kind {
        case .file:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dj-faults-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            settings.stores = ["default": "faults", "faults": ["protocol": "file", "location": .string(directory.path)]]
            (self.directory, moto, bucket) = (directory, nil, "")
        case .s3:
            let moto = try await PrivateMoto()
            let bucket = try await moto.makeBucket()
            settings.stores = ["default": "faults", "faults": moto.storeSettings(bucket: bucket)]
            (directory, self.moto, self.bucket) = (nil, moto, bucket)
        }
        self.settings = settings
    }

    /// The `stores` settings as JSON text, for a worker process.
    var storesJSON: String { JSON.object(settings.stores).serialized() }

    /// Every object in the store (temporary files included), as store-relative paths, found without DataJoint's
    /// collector.
    func storedObjects() async throws -> [String] {
        if let directory {
            return try FileManager.default.subpathsOfDirectory(atPath: directory.path).filter { path in
                var isDirectory: ObjCBool = false
                return FileManager.default.fileExists(atPath: directory.path + "/" + path, isDirectory: &isDirectory)
                    && !isDirectory.boolValue
            }.sorted()
        }
        let store = try S3Store(spec: StoreSpec(name: "faults", attributes: moto!.storeSettings(bucket: bucket).objectValue!))
        return try await store.list(under: "").map(\.path).sorted()
    }

    func cleanUp() {
        if let directory { try? FileManager.default.removeItem(at: directory) }
        moto?.stopNow()
    }
}

/// A small file system of its own (tmpfs), to fill up.
struct SmallDisk {
    let directory: URL

    /// Mounts a tmpfs of `megabytes` on a new directory.
    /// - Throws: when it cannot be mounted (the test needs root, or CAP_SYS_ADMIN), with the reason.
    init(megabytes: Int) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("dj-small-disk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        guard mount("tmpfs", directory.path, "tmpfs", 0, "size=\(megabytes)m") == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: directory)
            throw WorkerError(
                "cannot mount a \(megabytes) MB tmpfs on \(directory.path) (mount -t tmpfs: \(reason)); the disk-full "
                    + "test needs root or CAP_SYS_ADMIN")
        }
    }

    /// Every file on the disk, hidden ones included.
    var files: [String] {
        (try? FileManager.default.subpathsOfDirectory(atPath: directory.path))?.filter { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: directory.path + "/" + path, isDirectory: &isDirectory)
                && !isDirectory.boolValue
        }.sorted() ?? []
    }

    func unmount() {
        umount2(directory.path, Int32(MNT_DETACH))
        try? FileManager.default.removeItem(at: directory)
    }
}

@Suite("Object store faults")
struct StoreFaultTests {
    typealias FaultItem = StoreFaultPipeline.FaultItem

    @Test("a process killed while inserting large in-store values leaves no row without its objects; garbage collection finds what it wrote without a row",
          arguments: TestBackend.all, StoreKind.available)
    func killedWriter(backend: TestBackend, kind: StoreKind) async throws {
        let store = try await FaultStore(kind)  // before the test's turn on the database: moto takes a while to start
        defer { store.cleanUp() }
        try await backend.run { () async throws in
            let db = try await TestDatabase.connect(settings: store.settings)
            db.stores.register(S3StorageAdapter())
            let schemaName = "fault_killed_writer"
            let lab = try await db.schema(schemaName, tables: FaultItem.self)
            let items = lab[FaultItem.self]
            let context = try #require(TestContext.current)
            let target = switch backend {
            case .sqlite: context.sqlitePath
            case .postgresql: context.id
            case .mysql: "-"
            }

            // Each writer inserts rows until it is killed at a random moment of its third insert (of one row),
            // measured by the time its second (of two rows) took.
            let kills = ReliabilityLog.trials(standard: 3, full: 10)
            for round in 0..<kills {
                let writer = try WorkerProcess(
                    executable: try WorkerProcess.executable(),
                    arguments: [backend.rawValue, target, schemaName, "store-writer", store.storesJSON, String(round * 100_000 + 1)])
                defer { writer.stop() }
                _ = try await writer.line(startingWith: "INSERTED")
                let started = ContinuousClock.now
                _ = try await writer.line(startingWith: "INSERTED \(round * 100_000 + 2) ")
                let oneRow = (ContinuousClock.now - started) / 2
                try await Task.sleep(for: oneRow * Double.random(in: 0..<1))
                try await writer.killNow()
            }

            // Every row's objects are there and read back as inserted.
            let (rows, unreadable) = try await StoreFaultPipeline.unreadableRows(items)
            #expect(rows >= kills)
            #expect(unreadable.isEmpty, "rows whose objects are missing or damaged: \(unreadable)")

            // The collector accounts for every stored object: the rows' own (one of each attribute) and the orphans.
            let stored = try await store.storedObjects()
            let found = try await lab.collectGarbage()
            #expect(found.hashReferenced == rows && found.schemaReferenced == 2 * rows)
            let orphans = Set(found.orphanedHashPaths + found.orphanedSchemaPaths + found.unfinishedWritePaths)
            let unaccounted = stored.filter { !orphans.contains($0) }
            #expect(unaccounted.count == 3 * rows, "objects neither referenced nor found by the collector: \(unaccounted.filter { $0.hasSuffix(".tmp") })")

            // Removing the orphans leaves exactly the rows' objects, all readable.
            let collected = try await lab.collectGarbage(dryRun: false)
            #expect(collected.deleted == orphans.count)
            let left = try await store.storedObjects()
            #expect(left.count == 3 * rows, "left after garbage collection: \(left.filter { $0.hasSuffix(".tmp") })")
            let (_, unreadableAfter) = try await StoreFaultPipeline.unreadableRows(items)
            #expect(unreadableAfter.isEmpty, "rows unreadable after garbage collection: \(unreadableAfter)")

            ReliabilityLog.append(ReliabilityRecord(
                section: "faults", subject: "SIGKILL of a client process inserting large <blob@>, <object@> and <npy@> values",
                backend: "\(backend.rawValue)+\(kind.rawValue)", tried: kills,
                lost: unreadable.count + unreadableAfter.count + max(0, left.count - 3 * rows),
                outcome: "\(rows) rows committed, every object readable; garbage collection found "
                    + "\(orphans.count - found.unfinishedWritePaths.count) objects written without a row and "
                    + "\(found.unfinishedWritePaths.count) unfinished writes (\(found.orphanedBytes) bytes) and removed them"))
        }
    }

    @Test("garbage collection finds and removes the temporary files of writes that a killed process never finished",
          arguments: TestBackend.all)
    func unfinishedWrites(backend: TestBackend) async throws {
        let store = try await FaultStore(.file)
        defer { store.cleanUp() }
        try await backend.run { () async throws in
            let db = try await TestDatabase.connect(settings: store.settings)
            let lab = try await db.schema("fault_unfinished", tables: FaultItem.self)
            let items = lab[FaultItem.self]
            try await items.insert1(try Self.row(1))
            let objects = try await store.storedObjects()
            #expect(objects.count == 3)

            // What a process killed in the middle of `put` leaves: a temporary file beside the object it was writing.
            let location = try #require(store.settings.stores["faults"]?.objectValue?["location"])
            guard case .string(let root) = location else { throw WorkerError("no location") }
            let unfinished = objects.map { path in
                let url = URL(fileURLWithPath: root + "/" + path)
                return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
            }
            for url in unfinished { try Data(count: 1000).write(to: url) }

            let found = try await lab.collectGarbage()
            #expect(found.orphanedHashPaths.isEmpty && found.orphanedSchemaPaths.isEmpty)
            #expect(found.unfinishedWritePaths.count == 3)
            #expect(found.orphanedBytes == 3000)
            let removed = try await lab.collectGarbage(dryRun: false)
            #expect(removed.deleted == 3 && removed.bytesFreed == 3000)
            #expect(try await store.storedObjects() == objects)
            #expect(try await StoreFaultPipeline.unreadableRows(items).unreadable.isEmpty)
        }
    }

    /// Row `id` as the worker inserts it.
    static func row(_ id: Int) throws -> Row {
        let (payload, content, trace) = try StoreFaultPipeline.expected(id)
        return [
            "item_id": Value.int(Int64(id)), "payload": payload.dataJointValue,
            "content": ObjectData(content, fileExtension: "dat").dataJointValue, "trace": trace.dataJointValue,
        ]
    }

    /// The reason of a store error `Cannot write PATH: REASON`.
    static func reason(_ message: String) -> String {
        message.range(of: ": ").map { String(message[$0.upperBound...]) } ?? message
    }

    struct DiskItem: Manual {
        static let definition = """
            # values for a store on a small disk
            item_id : int32
            ---
            content = null : <object@>
            payload = null : <blob@>
            trace = null : <npy@>
            """
    }

    @Test("a full disk under a file store: a store error that says so, no row, no partial object; a small insert afterwards works",
          arguments: TestBackend.all)
    func diskFull(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let disk = try SmallDisk(megabytes: 2)
            defer { disk.unmount() }
            var settings = Settings(safemode: false)
            settings.stores = ["default": "tiny", "tiny": ["protocol": "file", "location": .string(disk.directory.path)]]
            let db = try await TestDatabase.connect(settings: settings)
            let items = try await db.schema("fault_disk_full", tables: DiskItem.self)[DiskItem.self]
            let bytes = { (count: Int) in StoreFaultPipeline.random(seed: UInt64(count), count: count) }
            let tooLarge: [(String, Row)] = [
                ("a 3 MB <object@>", ["item_id": 1, "content": Value.bytes(bytes(3 << 20))]),
                ("a 3 MB <blob@>", ["item_id": 2, "payload": try NDArray(dtype: .uint8, shape: [3 << 20, 1], bytes: bytes(3 << 20)).dataJointValue]),
                ("a 3 MB <npy@>", ["item_id": 3, "trace": try NDArray(dtype: .float64, shape: [3 << 17], bytes: bytes(3 << 20)).dataJointValue]),
                ("a 1.25 MB <object@> that fits and a 1.25 MB <npy@> that does not", [
                    "item_id": 4, "content": Value.bytes(bytes(5 << 18)),
                    "trace": try NDArray(dtype: .float64, shape: [5 << 15], bytes: bytes(5 << 18)).dataJointValue,
                ]),
            ]
            var messages: [String] = []
            var partial = 0
            for (description, row) in tooLarge {
                let error = await #expect(throws: DataJointError.self, "\(description)") { try await items.insert1(row) }
                #expect(error?.kind == .store, "\(description): \(String(describing: error))")
                #expect(error?.message.contains("No space left on device") == true, "\(description): \(String(describing: error))")
                #expect(try await items.count() == 0, "\(description)")
                #expect(disk.files == [], "\(description) left files behind")
                partial += disk.files.count
                if let error { messages.append(error.message) }
            }

            // A small insert works on the same disk.
            let small = try NDArray(dtype: .float64, shape: [128], bytes: bytes(1024))
            try await items.insert1([
                "item_id": 5, "content": Value.bytes(bytes(4096)), "payload": small.dataJointValue, "trace": small.dataJointValue,
            ])
            let row = try await items.fetch1()
            #expect(try await ObjectRef(dataJointValue: row["content"]!)?.read() == bytes(4096))
            #expect(try await NpyRef(dataJointValue: row["trace"]!)?.load() == small)

            ReliabilityLog.append(ReliabilityRecord(
                section: "faults", subject: "disk full under a file store (2 MB tmpfs) during inserts",
                backend: "\(backend.rawValue)+file", tried: tooLarge.count, lost: partial,
                outcome: "DataJointError(store) \"Cannot write <the object's path>: \(messages.first.map(Self.reason) ?? "")\"; "
                    + "no row, no partial object; a small insert afterwards worked"))
        }
    }
}
