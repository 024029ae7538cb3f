import DataJoint
import Foundation
import Testing

enum ObjectStreamingPipeline {
    struct SmRecording: Manual {
        static let definition = """
            rec_id : int32
            ---
            folder = null : <object@>
            blob_file = null : <object@>
            trace = null : <npy@>
            """
    }
}

/// `count` bytes of pattern `seed`.
private func pattern(_ seed: UInt8, _ count: Int) -> Data {
    Data((0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ Int(seed)) })
}

/// A connection of the running test to `store` (the default store `faults`), with S3 stores available.
private func connect(_ store: FaultStore) async throws -> Connection {
    let db = try await TestDatabase.connect(settings: store.settings)
    db.stores.register(S3StorageAdapter())
    return db
}

@Suite("Streaming object access")
struct ObjectStreamingTests {
    typealias SmRecording = ObjectStreamingPipeline.SmRecording

    /// A file store in a new directory.
    static func fileStore() throws -> (FileStore, URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dj-stream-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return (try FileStore(spec: StoreSpec(name: "local", attributes: ["protocol": "file", "location": .string(directory.path)])), directory)
    }

    @Test("a file store reads ranges of a file, and its writer streams to a temporary file renamed into place")
    func fileStore() async throws {
        let (store, root) = try Self.fileStore()
        defer { try? FileManager.default.removeItem(at: root) }
        let content = pattern(1, 10_000)
        try await store.put(content, at: "a/b/file.bin")
        #expect(try await store.get("a/b/file.bin", range: 100..<250) == content[100..<250])
        #expect(try await store.get("a/b/file.bin", range: 9_990..<20_000) == content[9_990...])  // up to the end
        #expect(try await store.get("a/b/file.bin", range: 20_000..<20_010) == Data())
        #expect(try await store.get("a/b/file.bin", range: 5..<5) == Data())
        let missing = await #expect(throws: DataJointError.self) { try await store.get("a/b/none.bin", range: 0..<10) }
        #expect(missing?.kind == .missingObject)
        let directory = await #expect(throws: DataJointError.self) { try await store.get("a/b", range: 0..<10) }
        #expect(directory?.kind == .store)
        #expect(store.localFile("a/b/file.bin") == root.standardizedFileURL.appendingPathComponent("a/b/file.bin"))
        #expect(store.localFile("../outside") == nil)

        // Pieces go to a temporary file, which garbage collection would see; the object appears at finish.
        let writer = try await store.writer(at: "c/d/streamed.dat")
        for piece in stride(from: 0, to: content.count, by: 3_000) {
            try await writer.write(content[piece..<min(content.count, piece + 3_000)])
        }
        #expect(try await store.exists("c/d/streamed.dat") == false)
        #expect(try await store.list(under: "c").isEmpty)
        let unfinished = try await store.unfinishedWrites(under: "c")
        #expect(unfinished.count == 1 && unfinished[0].size == 10_000 && unfinished[0].path.hasPrefix("c/d/.streamed.dat."))
        #expect(try await writer.finish() == 10_000)
        #expect(try await store.get("c/d/streamed.dat") == content)
        #expect(try await store.unfinishedWrites(under: "c").isEmpty)
        let late = await #expect(throws: DataJointError.self) { try await writer.write(Data([1])) }
        #expect(late?.kind == .notAllowed)
        await writer.abort()  // after finish: nothing happens
        #expect(try await store.get("c/d/streamed.dat") == content)

        // A write given up leaves nothing, not even the directories made for it.
        let abandoned = try await store.writer(at: "e/f/g/abandoned.dat")
        try await abandoned.write(content)
        await abandoned.abort()
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("e").path))
        await #expect(throws: DataJointError.self) { try await abandoned.finish() }
        // A writer replaces what is there.
        let replacing = try await store.writer(at: "a/b/file.bin")
        try await replacing.write(Data("new".utf8))
        try await replacing.finish()
        #expect(try await store.get("a/b/file.bin") == Data("new".utf8))
        await #expect(throws: DataJointError.self) { try await store.writer(at: "../escape") }
    }

    @Test("ObjectRef reads ranges and streams pieces, lists and walks directories, downloads parts, and verifies",
          arguments: TestBackend.all, StoreKind.available)
    func objectRef(backend: TestBackend, kind: StoreKind) async throws {
        let store = try await FaultStore(kind)
        defer { store.cleanUp() }
        try await backend.run { () async throws in
            let db = try await connect(store)
            let recordings = try await db.schema("streaming", tables: SmRecording.self)[SmRecording.self]
            let local = FileManager.default.temporaryDirectory.appendingPathComponent("dj-stream-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: local) }
            let files = ["a.bin": pattern(1, 100), "sub/b.bin": pattern(2, 250), "sub/deep/c.bin": pattern(3, 10), "z.txt": pattern(4, 5)]
            for (name, data) in files {
                let url = local.appendingPathComponent("folder/" + name)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try data.write(to: url)
            }
            let content = pattern(5, 1_000)
            try await recordings.insert1([
                "rec_id": 1, "folder": Value.string(local.appendingPathComponent("folder").path),
                "blob_file": ObjectData(content, fileExtension: ".bin").dataJointValue,
            ])
            let row = try await recordings.fetch1()
            let folder = try #require(ObjectRef(dataJointValue: row["folder"]!))
            let file = try #require(ObjectRef(dataJointValue: row["blob_file"]!))

            // Ranges.
            #expect(try await file.read(range: 10..<20) == content[10..<20])
            #expect(try await file.read(range: 990..<2_000) == content[990...])
            #expect(try await folder.read("sub/b.bin", range: 200..<300) == files["sub/b.bin"]![200...])
            let negative = await #expect(throws: DataJointError.self) { try await file.read(range: -1..<5) }
            #expect(negative?.kind == .invalidValue)
            let whole = await #expect(throws: DataJointError.self) { try await folder.read(range: 0..<5) }
            #expect(whole?.kind == .notAllowed)
            let inFile = await #expect(throws: DataJointError.self) { try await file.read("x", range: 0..<5) }
            #expect(inFile?.kind == .invalidValue)

            // Pieces.
            var pieces: [Data] = []
            for try await piece in try file.open(chunkSize: 300) { pieces.append(piece) }
            #expect(pieces.map(\.count) == [300, 300, 300, 100] && pieces.reduce(Data(), +) == content)
            pieces = []
            for try await piece in try file.open(chunkSize: 250) { pieces.append(piece) }
            #expect(pieces.map(\.count) == [250, 250, 250, 250])
            pieces = []
            for try await piece in try folder.open("sub/deep/c.bin") { pieces.append(piece) }
            #expect(pieces == [files["sub/deep/c.bin"]!])
            #expect(throws: DataJointError.self) { try file.open(chunkSize: 0) }
            #expect(throws: DataJointError.self) { try folder.open() }
            #expect(throws: DataJointError.self) { try folder.open("../a.bin") }
            let gone = await #expect(throws: DataJointError.self) {
                for try await _ in try folder.open("none.bin") {}
            }
            #expect(gone?.kind == .missingObject)

            // Listing.
            #expect(try await folder.listdir() == ["a.bin", "sub", "z.txt"])
            #expect(try await folder.listdir("sub") == ["b.bin", "deep"])
            #expect(try await folder.listdir("sub/deep/") == ["c.bin"])
            let noDirectory = await #expect(throws: DataJointError.self) { try await folder.listdir("nope") }
            #expect(noDirectory?.kind == .missingObject)
            let ofFile = await #expect(throws: DataJointError.self) { try await file.listdir() }
            #expect(ofFile?.kind == .notAllowed)
            #expect(try await folder.walk() == [
                ObjectRef.WalkStep(path: "", directories: ["sub"], files: ["a.bin", "z.txt"]),
                ObjectRef.WalkStep(path: "sub", directories: ["deep"], files: ["b.bin"]),
                ObjectRef.WalkStep(path: "sub/deep", directories: [], files: ["c.bin"]),
            ])
            #expect(try await folder.walk("sub/deep") == [ObjectRef.WalkStep(path: "sub/deep", directories: [], files: ["c.bin"])])

            // Downloads of the whole and of parts.
            let downloads = local.appendingPathComponent("downloads")
            let sub = try await folder.download("sub", to: downloads)
            #expect(sub.lastPathComponent == "sub")
            #expect(try Data(contentsOf: sub.appendingPathComponent("deep/c.bin")) == files["sub/deep/c.bin"]!)
            #expect(try Data(contentsOf: try await folder.download("a.bin", to: downloads)) == files["a.bin"]!)
            #expect(try Data(contentsOf: try await file.download(to: downloads)) == content)
            let copy = try await folder.download(to: downloads)
            #expect(try Data(contentsOf: copy.appendingPathComponent("sub/b.bin")) == files["sub/b.bin"]!)

            // Verification against the recorded metadata.
            try await folder.verify()
            try await file.verify()
            let objects = try db.stores.resolve("faults").store
            try await objects.put(content.prefix(999), at: file.path)  // truncated
            let truncated = await #expect(throws: DataJointError.self) { try await file.verify() }
            #expect(truncated?.kind == .missingObject && truncated?.message.contains("999 bytes, not the 1000 recorded") == true)
            try await objects.remove(file.path)
            let removed = await #expect(throws: DataJointError.self) { try await file.verify() }
            #expect(removed?.message.contains("missing") == true)
            try await objects.put(pattern(9, 250), at: folder.path + "/sub/b.bin")  // same size, other content: not seen
            try await folder.verify()
            try await objects.put(pattern(9, 20), at: folder.path + "/sub/b.bin")
            let resized = await #expect(throws: DataJointError.self) { try await folder.verify() }
            #expect(resized?.message.contains("sub/b.bin holds 20 bytes, not the 250 of the manifest") == true)
            try await objects.remove(folder.path + "/a.bin")
            let lost = await #expect(throws: DataJointError.self) { try await folder.verify() }
            #expect(lost?.message.contains("it holds 3 files, not the 4 recorded") == true)
            #expect(lost?.message.contains("a.bin is missing") == true)
        }
    }

    @Test("ObjectRef.verify checks a recorded content hash", arguments: TestBackend.all)
    func verifyHash(backend: TestBackend) async throws {
        let (store, root) = try Self.fileStore()
        defer { try? FileManager.default.removeItem(at: root) }
        var settings = Settings(safemode: false)
        settings.stores = ["default": "local", "local": ["protocol": "file", "location": .string(root.path)]]
        try await backend.run { [settings] () async throws in
            let db = try await TestDatabase.connect(settings: settings)
            let lab = try await db.schema("hashed", tables: SmRecording.self)
            let content = pattern(3, 5_000)
            try await store.put(content, at: "external/data.bin")
            let metadata: JSON = [
                "path": "external/data.bin", "store": "local", "size": 5_000, "ext": ".bin", "is_dir": false,
                "hash": .string(HashAddress.hash(of: content)), "timestamp": "2026-01-01T00:00:00+00:00",
            ]
            try await lab[SmRecording.self].insert1(["rec_id": 1, "blob_file": Value.json(metadata)])
            let file = try #require(ObjectRef(dataJointValue: try await lab[SmRecording.self].fetch1("blob_file", as: Value.self)))
            try await file.verify()
            var changed = content
            changed[0] ^= 0xFF
            try await store.put(changed, at: "external/data.bin")
            let error = await #expect(throws: DataJointError.self) { try await file.verify() }
            #expect(error?.kind == .missingObject && error?.message.contains("content hash") == true)
        }
    }

    @Test("NpyRef: nbytes from the metadata, memory-mapped loads, and rows read without reading the whole array",
          arguments: TestBackend.all, StoreKind.available)
    func npyRows(backend: TestBackend, kind: StoreKind) async throws {
        let store = try await FaultStore(kind)
        defer { store.cleanUp() }
        try await backend.run { () async throws in
            let db = try await connect(store)
            let recordings = try await db.schema("npy_rows", tables: SmRecording.self)[SmRecording.self]
            let arrays: [Int: NDArray] = [
                1: NDArray((0..<1_200).map { Double($0) * 0.5 }, shape: [300, 4]),
                2: NDArray([Int16](arrayLiteral: 1, -2, 3, 4, 5), shape: [1, 5]),
                3: NDArray([Float](), shape: [0, 3]),
                4: NDArray((0..<10).map { Int32($0 * $0) }),
                5: NDArray(strings: ["a", "bcd", "", "éé"], shape: [2, 2]),
                6: NDArray(scalar: 2.5),
                7: NDArray((0..<24).map { UInt8($0) }, shape: [2, 3, 4]),
                8: NDArray([Bool](arrayLiteral: true, false, true, true), shape: [4]),
            ]
            for (id, array) in arrays.sorted(by: { $0.key < $1.key }) {
                try await recordings.insert1(["rec_id": Value.int(Int64(id)), "trace": array.dataJointValue])
            }
            func ref(_ id: Int) async throws -> NpyRef {
                try #require(NpyRef(dataJointValue: try await (recordings & ["rec_id": Value.int(Int64(id))]).fetch1("trace", as: Value.self)))
            }
            func expectedRows(_ array: NDArray, _ range: Range<Int>) throws -> NDArray { try array.rowsForTest(range) }

            for (id, array) in arrays {
                let npy = try await ref(id)
                #expect(try await npy.load() == array, "\(id)")
                #expect(try await npy.load(mmap: true) == array, "\(id) mapped")
                #expect(npy.nbytes == array.count * (array.dtype.itemSize ?? 4 * (array.strings ?? []).map(\.unicodeScalars.count).max()!), "\(id)")
                guard let rows = array.shape.first else { continue }
                for range in [0..<rows, 0..<0, rows..<rows, 0..<min(1, rows), (rows / 3)..<(rows / 2)] {
                    #expect(try await npy.rows(range) == (try expectedRows(array, range)), "\(id) \(range)")
                }
            }
            let big = try await ref(1)
            #expect(try await big.rows(100..<200) == (try expectedRows(arrays[1]!, 100..<200)))
            #expect(try await big.rows(299...) == (try expectedRows(arrays[1]!, 299..<300)))
            #expect(try await big.rows(..<3) == (try expectedRows(arrays[1]!, 0..<3)))
            #expect(try await big.rows(...2) == (try expectedRows(arrays[1]!, 0..<3)))
            #expect(try await big.rows(5...7) == (try expectedRows(arrays[1]!, 5..<8)))
            #expect(try await big.rows(300...).shape == [0, 4])  // at the end: no rows
            let scalar = try await ref(6)
            #expect(big.nbytes == 9_600)
            #expect(try await ref(5).nbytes == 4 * 4 * 3)  // <U3: 4 bytes per character

            // Odd arguments: a clear error, nothing read.
            for (description, attempt) in [
                ("-1..<3", { try await big.rows(-1..<3) }), ("0..<301", { try await big.rows(0..<301) }),
                ("301...", { try await big.rows(301...) }), ("5...Int.max", { try await big.rows(5...Int.max) }),
                ("...Int.max", { try await big.rows(...Int.max) }), ("..<(-1)", { try await big.rows(..<(-1)) }),
                ("scalar", { try await scalar.rows(0..<1) }),
            ] as [(String, () async throws -> NDArray)] {
                let error = await #expect(throws: DataJointError.self, "\(description)") { _ = try await attempt() }
                #expect(error?.kind == .invalidValue, "\(description)")
            }
            let outside = await #expect(throws: DataJointError.self) { try await big.rows(0..<301) }
            #expect(outside?.message.contains("within 0..<300") == true)
        }
    }

    /// A `.npy` file with `header` (a Python dict literal) and `body`, as numpy writes version 1.0.
    static func npyFile(_ header: String, body: Data) -> Data {
        var text = Array(header.utf8)
        text += [UInt8](repeating: 0x20, count: (64 - (10 + text.count + 1) % 64) % 64) + [0x0A]
        return Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(text.count & 0xFF), UInt8(text.count >> 8)] + text) + body
    }

    @Test("NpyRef reads rows and maps files that numpy wrote column-major or big-endian, and reports truncated files",
          arguments: TestBackend.all)
    func npyLayouts(backend: TestBackend) async throws {
        let store = try await FaultStore(.file)
        defer { store.cleanUp() }
        try await backend.run { () async throws in
            let db = try await connect(store)
            let recordings = try await db.schema("npy_layouts", tables: SmRecording.self)[SmRecording.self]
            let objects = try db.stores.resolve("faults").store
            let cases: [(Int, NDArray, Data)] = [
                // [[1, 2], [3, 4], [5, 6]] in column-major order.
                (1, NDArray([Int32](arrayLiteral: 1, 2, 3, 4, 5, 6), shape: [3, 2]),
                 Self.npyFile("{'descr': '<i4', 'fortran_order': True, 'shape': (3, 2), }",
                              body: Data([Int32](arrayLiteral: 1, 3, 5, 2, 4, 6).flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) }))),
                (2, NDArray([1.5, -2, 3, 4.25]),
                 Self.npyFile("{'descr': '>f8', 'fortran_order': False, 'shape': (4,), }",
                              body: Data([1.5, -2, 3, 4.25].flatMap { withUnsafeBytes(of: $0.bitPattern.bigEndian, Array.init) }))),
            ]
            for (id, array, file) in cases {
                try await recordings.insert1(["rec_id": Value.int(Int64(id)), "trace": array.dataJointValue])
                let npy = try #require(NpyRef(dataJointValue: try await (recordings & ["rec_id": Value.int(Int64(id))]).fetch1("trace", as: Value.self)))
                try await objects.put(file, at: npy.path)  // the file as numpy wrote it
                #expect(try await npy.load() == array, "\(id)")
                #expect(try await npy.load(mmap: true) == array, "\(id)")
                #expect(try await npy.rows(1..<3) == (try NpyFormat.decode(NpyFormat.encode(array))).rowsForTest(1..<3), "\(id)")
            }
            // A file cut short: the rows it still holds are read, the others and a mapped load are refused.
            let array = NDArray((0..<100).map { Double($0) }, shape: [50, 2])
            try await recordings.insert1(["rec_id": 3, "trace": array.dataJointValue])
            let npy = try #require(NpyRef(dataJointValue: try await (recordings & ["rec_id": 3]).fetch1("trace", as: Value.self)))
            try await objects.put(try NpyFormat.encode(array).dropLast(16 * 10), at: npy.path)  // 10 rows short
            #expect(try await npy.rows(0..<40) == array.rowsForTest(0..<40))
            let short = await #expect(throws: DataJointError.self) { try await npy.rows(30..<50) }
            #expect(short?.kind == .codec && short?.message.contains("truncated") == true)
            let mapped = await #expect(throws: DataJointError.self) { try await npy.load(mmap: true) }
            #expect(mapped?.kind == .codec && mapped?.message.contains("truncated") == true)
        }
    }

    @Test("a streaming write that fills the disk fails with the system's reason and leaves no file")
    func streamingDiskFull() async throws {
        let disk = try SmallDisk(megabytes: 1)
        defer { disk.unmount() }
        let store = try FileStore(spec: StoreSpec(name: "tiny", attributes: ["protocol": "file", "location": .string(disk.directory.path)]))
        let writer = try await store.writer(at: "_schema/lab/big/content_x.dat")
        let piece = pattern(1, 256 << 10)
        let error = await #expect(throws: DataJointError.self) {
            for _ in 0..<8 { try await writer.write(piece) }
        }
        #expect(error?.kind == .store && error?.message.contains("No space left on device") == true)
        #expect(disk.files == [])
        let after = await #expect(throws: DataJointError.self) { try await writer.write(Data([1])) }
        #expect(after?.kind == .notAllowed)
        try await store.put(Data("small".utf8), at: "small.txt")
        #expect(disk.files == ["small.txt"])
    }
}

extension NDArray {
    /// Rows `range` of the array, from its elements (the expected value of `NpyRef.rows`).
    func rowsForTest(_ range: Range<Int>) throws -> NDArray {
        var part = shape
        part[0] = range.count
        let perRow = shape.dropFirst().reduce(1, *)
        if let strings {
            return NDArray(strings: Array(strings[(range.lowerBound * perRow)..<(range.upperBound * perRow)]), shape: part)
        }
        let rowBytes = perRow * dtype.itemSize!
        return try NDArray(dtype: dtype, shape: part, bytes: bytes!.subdata(in: (range.lowerBound * rowBytes)..<(range.upperBound * rowBytes)))
    }
}
