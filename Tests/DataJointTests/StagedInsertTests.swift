import DataJoint
import Foundation
import Testing

enum StagedPipeline {
    struct SgScan: Manual {
        static let definition = """
            # a scan whose frames are written while they are acquired
            subject_id : int32
            scan_idx : int16
            ---
            n_frames = null : int32
            frames = null : <object@>   # a directory (Zarr-like)
            raw = null : <object@>      # one file
            notes = null : <blob@>
            """
    }
}

/// A connection of the running test to `store` (the default store `faults`), with S3 stores available.
private func connect(_ store: FaultStore) async throws -> Connection {
    let db = try await TestDatabase.connect(settings: store.settings)
    db.stores.register(S3StorageAdapter())
    return db
}

/// `count` bytes of pattern `seed`.
private func bytes(_ seed: UInt8, _ count: Int) -> Data {
    Data((0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) })
}

private struct Abort: Error {}

@Suite("Staged insert")
struct StagedInsertTests {
    typealias SgScan = StagedPipeline.SgScan

    @Test("a staged directory and a staged file become the row's objects, with the metadata of an ordinary insert",
          arguments: TestBackend.all, StoreKind.available)
    func stagedObjects(backend: TestBackend, kind: StoreKind) async throws {
        let store = try await FaultStore(kind)
        defer { store.cleanUp() }
        try await backend.run { () async throws in
            let db = try await connect(store)
            let lab = try await db.schema("staged", tables: SgScan.self)
            let scans = lab[SgScan.self]
            let chunks = [bytes(1, 1000), bytes(2, 1000), bytes(3, 500)]
            let returned = try await scans.stagedInsert1 { staged in
                staged.rec["subject_id"] = 7
                staged.rec["scan_idx"] = 2
                let frames = try await staged.store("frames", fileExtension: ".zarr")
                #expect(try await staged.store("frames", fileExtension: ".zarr").path == frames.path)  // the same directory
                try await frames.write(Data(#"{"zarr_format": 3}"#.utf8), to: "zarr.json")
                #expect(try await frames.read("zarr.json") == Data(#"{"zarr_format": 3}"#.utf8))
                let first = try await frames.writer(for: "c/0/0")
                for chunk in chunks { try await first.write(chunk) }
                #expect(try await first.finish() == 2500)
                let second = try await frames.writer(for: "c/1/0")  // left open: finished with the block
                try await second.write(bytes(4, 300))
                let raw = try await staged.open("raw", fileExtension: "dat")  // not finished either
                for chunk in chunks { try await raw.write(chunk) }
                staged.rec["n_frames"] = 2
                return frames.path
            }

            let row = try await scans.fetch1()
            #expect(row["subject_id"] == 7 && row["scan_idx"] == 2 && row["n_frames"] == 2)
            let frames = try #require(ObjectRef(dataJointValue: row["frames"]!))
            #expect(frames.path == returned)
            #expect(frames.path.hasPrefix("_schema/staged/sg_scan/subject_id=7/scan_idx=2/frames_") && frames.path.hasSuffix(".zarr"))
            #expect(frames.isDirectory && frames.itemCount == 3 && frames.size == 18 + 2500 + 300)
            #expect(frames.fileExtension == ".zarr" && frames.storeName == "faults" && frames.timestamp != nil)
            #expect(try await frames.listdir() == ["c", "zarr.json"])
            #expect(try await frames.read("c/0/0") == chunks.reduce(Data(), +))
            #expect(try await frames.read("c/1/0") == bytes(4, 300))
            try await frames.verify()
            let raw = try #require(ObjectRef(dataJointValue: row["raw"]!))
            #expect(!raw.isDirectory && raw.size == 2500 && raw.fileExtension == ".dat" && raw.itemCount == nil)
            #expect(raw.path.hasPrefix("_schema/staged/sg_scan/subject_id=7/scan_idx=2/raw_") && raw.path.hasSuffix(".dat"))
            #expect(try await raw.read() == chunks.reduce(Data(), +))
            try await raw.verify()
            // The store holds the objects, the directory's manifest, and nothing else (no temporary files).
            #expect(try await store.storedObjects() == [
                raw.path, frames.path + "/c/0/0", frames.path + "/c/1/0", frames.path + "/zarr.json",
                frames.path + ".manifest.json",
            ].sorted())

            // An ordinary insert of the same content records the same metadata, but for path and time (and the
            // extension, which a local directory does not have).
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dj-staged-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            for (name, data) in [("zarr.json", Data(#"{"zarr_format": 3}"#.utf8)), ("c/0/0", chunks.reduce(Data(), +)), ("c/1/0", bytes(4, 300))] {
                let file = folder.appendingPathComponent(name)
                try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
                try data.write(to: file)
            }
            try await scans.insert1([
                "subject_id": 7, "scan_idx": 3, "frames": Value.string(folder.path),
                "raw": ObjectData(chunks.reduce(Data(), +), fileExtension: ".dat").dataJointValue,
            ])
            let ordinary = try await (scans & ["scan_idx": 3]).fetch1()
            for field in ["frames", "raw"] {
                guard case .object(var staged) = try #require(ObjectRef(dataJointValue: row[field]!)).metadata,
                    case .object(var plain) = try #require(ObjectRef(dataJointValue: ordinary[field]!)).metadata
                else { Issue.record("no metadata"); return }
                #expect(Set(staged.keys) == Set(plain.keys), "\(field)")
                for key in ["path", "timestamp"] {
                    staged[key] = nil
                    plain[key] = nil
                }
                if field == "frames" { staged["ext"] = nil; plain["ext"] = nil }
                #expect(staged == plain, "\(field)")
            }
        }
    }

    @Test("a throwing block, a cancelled task and a duplicate key leave the table and the store as they were",
          arguments: TestBackend.all, StoreKind.available)
    func failures(backend: TestBackend, kind: StoreKind) async throws {
        let store = try await FaultStore(kind)
        defer { store.cleanUp() }
        try await backend.run { () async throws in
            let db = try await connect(store)
            let scans = try await db.schema("staged_failures", tables: SgScan.self)[SgScan.self]
            /// Writes a directory with a finished and an open file, and an open file object.
            @Sendable func write(_ staged: StagedInsert, key: Int) async throws {
                staged.rec["subject_id"] = .int(Int64(key))
                staged.rec["scan_idx"] = 1
                let frames = try await staged.store("frames", fileExtension: ".zarr")
                try await frames.write(bytes(1, 100), to: "zarr.json")
                let open = try await frames.writer(for: "c/0")
                try await open.write(bytes(2, 100))
                let raw = try await staged.open("raw")
                try await raw.write(bytes(3, 100))
            }

            // The block throws.
            await #expect(throws: Abort.self) {
                try await scans.stagedInsert1 { staged in
                    try await write(staged, key: 1)
                    throw Abort()
                }
            }
            #expect(try await scans.count() == 0)
            #expect(try await store.storedObjects() == [])

            // The task is cancelled while the block waits.
            let (started, signal) = AsyncStream.makeStream(of: Void.self)
            let task = Task {
                try await scans.stagedInsert1 { staged in
                    try await write(staged, key: 2)
                    signal.yield()
                    try await Task.sleep(for: .seconds(60))
                }
            }
            for await _ in started { break }
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
            #expect(try await scans.count() == 0)
            #expect(try await store.storedObjects() == [])

            // The task is cancelled, and the block returns all the same: nothing is inserted.
            let ignoring = Task {
                try await scans.stagedInsert1 { staged in
                    try await write(staged, key: 3)
                    withUnsafeCurrentTask { $0?.cancel() }
                }
            }
            await #expect(throws: CancellationError.self) { try await ignoring.value }
            #expect(try await scans.count() == 0)
            #expect(try await store.storedObjects() == [])

            // The insert fails: the key is taken.
            try await scans.insert1(["subject_id": 4, "scan_idx": 1])
            let duplicate = await #expect(throws: DataJointError.self) {
                try await scans.stagedInsert1 { staged in try await write(staged, key: 4) }
            }
            #expect(duplicate?.kind == .duplicate)
            let kept: [Row] = [["subject_id": 4, "scan_idx": 1, "n_frames": Value.null, "frames": Value.null, "raw": Value.null, "notes": Value.null]]
            #expect(try await scans.toDicts() == kept)
            #expect(try await store.storedObjects() == [])

            // A transaction that rolls back takes the staged objects with it.
            await #expect(throws: Abort.self) {
                try await db.transaction {
                    try await scans.stagedInsert1 { staged in try await write(staged, key: 5) }
                    #expect(try await scans.count() == 2)
                    throw Abort()
                }
            }
            #expect(try await scans.count() == 1)
            #expect(try await store.storedObjects() == [])
        }
    }

    @Test("store() and open() refuse other attributes, an incomplete key, a second staging and bad names, and change nothing",
          arguments: TestBackend.all)
    func refusals(backend: TestBackend) async throws {
        let store = try await FaultStore(.file)
        defer { store.cleanUp() }
        try await backend.run { () async throws in
            let db = try await connect(store)
            let scans = try await db.schema("staged_refusals", tables: SgScan.self)[SgScan.self]
            try await scans.stagedInsert1 { staged in
                let noKey = await #expect(throws: DataJointError.self) { try await staged.store("frames") }
                #expect(noKey?.kind == .invalidValue)
                #expect(noKey?.message.contains("`subject_id`, `scan_idx`") == true)
                staged.rec["subject_id"] = 1
                let partKey = await #expect(throws: DataJointError.self) { try await staged.open("raw") }
                #expect(partKey?.kind == .invalidValue && partKey?.message.contains("missing `scan_idx`") == true)
                staged.rec["scan_idx"] = 1
                let blob = await #expect(throws: DataJointError.self) { try await staged.store("notes") }
                #expect(blob?.kind == .notAllowed && blob?.message.contains("<object@> attributes only") == true)
                #expect(blob?.message.contains("`sg_scan`.`notes`") == true)
                let plain = await #expect(throws: DataJointError.self) { try await staged.open("n_frames") }
                #expect(plain?.kind == .notAllowed)
                let unknown = await #expect(throws: DataJointError.self) { try await staged.store("movie") }
                #expect(unknown?.kind == .missingAttribute)
                #expect(try await store.storedObjects() == [])

                let frames = try await staged.store("frames", fileExtension: ".zarr")
                let asFile = await #expect(throws: DataJointError.self) { try await staged.open("frames") }
                #expect(asFile?.kind == .notAllowed)
                let otherExtension = await #expect(throws: DataJointError.self) {
                    try await staged.store("frames", fileExtension: ".n5")
                }
                #expect(otherExtension?.kind == .invalidValue)
                for name in ["", "/", "../escape", "a/../../b", "./x"] {
                    let bad = await #expect(throws: DataJointError.self, "\(name)") { try await frames.write(Data([1]), to: name) }
                    #expect(bad?.kind == .invalidValue, "\(name)")
                }
                try await frames.write(Data([1, 2, 3]), to: "/a//b")  // empty components are dropped
                #expect(try await frames.files() == ["a/b"])
                let raw = try await staged.open("raw")
                let twice = await #expect(throws: DataJointError.self) { try await staged.open("raw") }
                #expect(twice?.kind == .notAllowed)
                try await raw.finish()  // an empty file
            }
            let row = try await scans.fetch1()
            let frames = try #require(ObjectRef(dataJointValue: row["frames"]!))
            let raw = try #require(ObjectRef(dataJointValue: row["raw"]!))
            #expect(frames.itemCount == 1 && frames.size == 3 && raw.size == 0)
            #expect(try await raw.read() == Data())
            #expect(try await store.storedObjects() == [frames.path + ".manifest.json", frames.path + "/a/b", raw.path].sorted())
        }
    }

    @Test("an empty staged directory or a given-up file is refused; handles kept beyond the block write nothing",
          arguments: TestBackend.all)
    func emptyAndLeaked(backend: TestBackend) async throws {
        let store = try await FaultStore(.file)
        defer { store.cleanUp() }
        try await backend.run { () async throws in
            let db = try await connect(store)
            let scans = try await db.schema("staged_empty", tables: SgScan.self)[SgScan.self]
            let empty = await #expect(throws: DataJointError.self) {
                try await scans.stagedInsert1 { staged in
                    staged.rec = ["subject_id": 1, "scan_idx": 1]
                    _ = try await staged.store("frames")
                }
            }
            #expect(empty?.kind == .invalidValue && empty?.message.contains("nothing was written") == true)
            let givenUp = await #expect(throws: DataJointError.self) {
                try await scans.stagedInsert1 { staged in
                    staged.rec = ["subject_id": 1, "scan_idx": 1]
                    let raw = try await staged.open("raw")
                    try await raw.write(Data([1, 2]))
                    await raw.abort()
                }
            }
            #expect(givenUp?.kind == .invalidValue && givenUp?.message.contains("given up") == true)
            #expect(try await scans.count() == 0)
            #expect(try await store.storedObjects() == [])

            // A staged insert that stages nothing inserts its row; handles taken out of the block refuse to write.
            var kept: (StagedDirectory, any ObjectWriter)?
            try await scans.stagedInsert1 { staged in
                staged.rec = ["subject_id": 2, "scan_idx": 1, "n_frames": 0]
                let frames = try await staged.store("frames")
                try await frames.write(Data([9]), to: "only")
                kept = (frames, try await frames.writer(for: "late"))
            }
            let (frames, writer) = try #require(kept)
            let late = await #expect(throws: DataJointError.self) { try await frames.write(Data([1]), to: "late") }
            #expect(late?.kind == .notAllowed && late?.message.contains("staged insert is over") == true)
            await #expect(throws: DataJointError.self) { try await writer.write(Data([1])) }
            let stored = try #require(ObjectRef(dataJointValue: try await scans.fetch1("frames", as: Value.self)))
            #expect(try await stored.listdir() == ["late", "only"])  // the open writer was finished, empty
            #expect(stored.itemCount == 2 && stored.size == 1)
        }
    }

    @Test("concurrent staged inserts of different keys do not interfere", arguments: TestBackend.all, StoreKind.available)
    func concurrent(backend: TestBackend, kind: StoreKind) async throws {
        let store = try await FaultStore(kind)
        defer { store.cleanUp() }
        try await backend.run { () async throws in
            let db = try await connect(store)
            let scans = try await db.schema("staged_concurrent", tables: SgScan.self)[SgScan.self]
            let keys = 0..<8
            await withTaskGroup(of: Void.self) { group in
                for key in keys {
                    group.addTask {
                        try? await scans.stagedInsert1 { staged in
                            staged.rec = ["subject_id": Value.int(Int64(key)), "scan_idx": 0]
                            let frames = try await staged.store("frames")
                            for chunk in 0..<3 {
                                try await frames.write(bytes(UInt8(key), 64 + chunk), to: "c/\(chunk)")
                                await Task.yield()
                            }
                            let raw = try await staged.open("raw")
                            try await raw.write(bytes(UInt8(key), 10 * key))
                            if key % 2 == 1 { throw Abort() }  // odd keys fail
                        }
                    }
                }
            }
            let ids: [Int] = try await scans.toArray("subject_id", orderBy: ["subject_id"])
            #expect(ids == [0, 2, 4, 6])
            var expected: [String] = []
            for key in ids {
                let row = try await (scans & ["subject_id": Value.int(Int64(key))]).fetch1()
                let frames = try #require(ObjectRef(dataJointValue: row["frames"]!))
                let raw = try #require(ObjectRef(dataJointValue: row["raw"]!))
                for chunk in 0..<3 { #expect(try await frames.read("c/\(chunk)") == bytes(UInt8(key), 64 + chunk)) }
                #expect(try await raw.read() == bytes(UInt8(key), 10 * key))
                try await frames.verify()
                expected += [raw.path, frames.path + ".manifest.json"] + (0..<3).map { frames.path + "/c/\($0)" }
            }
            #expect(try await store.storedObjects() == expected.sorted())
        }
    }

    struct SgShared: Manual {
        // DataJoint-Python cannot resolve `<object@>` without a store name.
        static let definition = """
            scan_id : int32
            ---
            frames : <object@faults>
            raw : <object@faults>
            """
    }

    @Test("DataJoint-Python fetches a staged-inserted row and reads its objects", arguments: StoreInteropTests.backends)
    func readByPython(backend: TestBackend) async throws {
        let store = try await FaultStore(.file)
        defer { store.cleanUp() }
        try await backend.run { () async throws in
            let db = try await connect(store)
            let lab = try await db.schema("staged_shared", tables: SgShared.self)
            try await lab[SgShared.self].stagedInsert1 { staged in
                staged.rec["scan_id"] = 1
                let frames = try await staged.store("frames", fileExtension: ".zarr")
                try await frames.write(Data(#"{"zarr_format": 3}"#.utf8), to: "zarr.json")
                let chunk = try await frames.writer(for: "c/0")
                try await chunk.write(Data([1, 2, 3]))
                try await chunk.write(Data([4, 5]))
                let raw = try await staged.open("raw", fileExtension: ".dat")
                try await raw.write(Data("raw bytes".utf8))
            }
            guard case .string(let location)? = store.settings.stores["faults"]?.objectValue?["location"] else {
                Issue.record("no store location")
                return
            }
            let script = """
                import datajoint as dj, json
                \(ReferenceProcess.connectionConfig(backend))
                dj.config['stores'] = {'default': 'faults', 'faults': {'protocol': 'file', 'location': '\(location)'}}
                row = (dj.VirtualModule('swift', 'staged_shared').SgShared & 'scan_id = 1').fetch1()
                frames, raw = row['frames'], row['raw']
                with frames.open('zarr.json') as f: zarr = f.read().decode()
                with frames.open('c/0') as f: chunk = list(f.read())
                print(json.dumps({
                    'is_dir': frames.is_dir, 'size': frames.size, 'item_count': frames.item_count, 'ext': frames.ext,
                    'listdir': sorted(frames.listdir()), 'zarr': zarr, 'chunk': chunk, 'verified': frames.verify(),
                    'raw': raw.read().decode(), 'raw_size': raw.size, 'raw_verified': raw.verify(),
                }))
                """
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("dj-staged-\(UUID().uuidString).py")
            defer { try? FileManager.default.removeItem(at: file) }
            try script.write(to: file, atomically: true, encoding: .utf8)
            let (status, output) = try await ReferenceProcess.run(StoreInteropTests.python, [file.path])
            try #require(status == 0, "DataJoint-Python failed:\n\(output.suffix(3000))")
            let line = try #require(output.split(separator: "\n").last)
            let seen = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(seen["is_dir"] as? Bool == true && seen["size"] as? Int == 23 && seen["item_count"] as? Int == 2)
            #expect(seen["ext"] as? String == ".zarr" && seen["listdir"] as? [String] == ["c", "zarr.json"])
            #expect(seen["zarr"] as? String == #"{"zarr_format": 3}"# && seen["chunk"] as? [Int] == [1, 2, 3, 4, 5])
            #expect(seen["verified"] as? Bool == true && seen["raw_verified"] as? Bool == true)
            #expect(seen["raw"] as? String == "raw bytes" && seen["raw_size"] as? Int == 9)
        }
    }
}
