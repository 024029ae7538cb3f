import DataJoint
import DataJointZarr
import Foundation
import Testing

enum ZarrPipeline {
    struct ZrArray: Manual {
        static let definition = """
            # arrays kept as Zarr
            array_id : int32
            ---
            arr = null : <zarr@>
            """
    }

    struct ZrBare: Manual {
        static let definition = """
            id : int32
            ---
            arr : <zarr>
            """
    }

    /// Every dtype a `<zarr@>` attribute stores, as a 3 x 4 array with values typical of the type (negative, large).
    static var everyDtype: [NDArray] {
        let shape = [3, 4]
        return [
            NDArray((0..<12).map { $0 % 3 == 0 }, shape: shape),
            NDArray((0..<12).map { Int8($0 * 11 - 64) }, shape: shape),
            NDArray((0..<12).map { Int16($0 * 3000 - 20000) }, shape: shape),
            NDArray((0..<12).map { Int32($0 * 200_000_000 - 1_100_000_000) }, shape: shape),
            NDArray((0..<12).map { Int64($0) * 800_000_000_000_000_000 - .max / 2 }, shape: shape),
            NDArray((0..<12).map { UInt8($0 * 23) }, shape: shape),
            NDArray((0..<12).map { UInt16($0 * 5900) }, shape: shape),
            NDArray((0..<12).map { UInt32($0) * 390_000_000 }, shape: shape),
            NDArray((0..<12).map { UInt64.max - UInt64($0) }, shape: shape),
            NDArray((0..<12).map { Float($0) * 0.25 - 1 }, shape: shape),
            NDArray([Double.nan, -0.0, .infinity, -.infinity, 1e-300, 1e300, .pi, -2.5, 0, 1, 2, 3], shape: shape),
            NDArray((0..<12).map { ComplexNumber(Float($0), -Float($0) / 2) }, shape: shape),
            NDArray((0..<12).map { ComplexNumber(Double($0) * 1.5, .pi) }, shape: shape),
        ]
    }
}

/// A connection with stores (see `StoreFixture`) and the `<zarr@>` codec registered.
private func zarrConnection(_ stores: StoreFixture, codec: ZarrCodec = ZarrCodec()) async throws -> Connection {
    let db = try await TestDatabase.connect(settings: stores.settings)
    db.register(codec)
    return db
}

/// The JSON metadata in the `<zarr@>` column `arr` of the row `array_id` of `zr_array`.
private func zarrMetadata(_ db: Connection, schema: String, id: Int) async throws -> [String: JSON] {
    let select = SQLSelect(
        columns: [(.column("arr"), alias: nil)], from: .table(SQLTableName(schema: schema, table: "zr_array")),
        where: .binary(.column("array_id"), "=", .bind(.int(Int64(id)))))
    let raw = try await db.query(db.dialect.render(.select(select)))
    guard case .json(.object(let object)) = try db.dialect.decode(raw[0][0], as: .json) else { return [:] }
    return object
}

@Suite("<zarr@> codec")
struct ZarrCodecTests {
    @Test("Every dtype round trips through <zarr@>, with the column metadata and layout of dj-zarr-codecs", arguments: TestBackend.all)
    func everyDtype(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let stores = try StoreFixture()
            defer { stores.remove() }
            let db = try await zarrConnection(stores)
            let table = try await db.schema("zarr_rt", tables: ZarrPipeline.ZrArray.self)[ZarrPipeline.ZrArray.self]
            let arrays = ZarrPipeline.everyDtype
            let rows = arrays.enumerated().map { (id, array) -> Row in ["array_id": Value.int(Int64(id)), "arr": array.dataJointValue] }
            try await table.insert(rows)
            for (id, array) in arrays.enumerated() {
                let ref: ZarrArrayRef = try await (table & ["array_id": Value.int(Int64(id))]).fetch1("arr")
                #expect(ref.shape == [3, 4] && ref.dtype == array.dtype)
                #expect(try await ref.read() == array, "\(array.dtype)")
                #expect(try await ref.chunks == [3, 4])
                let meta = try await zarrMetadata(db, schema: "zarr_rt", id: id)
                #expect(meta["dtype"] == .string(array.dtype.description))
                #expect(meta["shape"] == [3, 4] && meta["store"] == "main" && meta["codec_version"] == 1)
                guard case .string(let path)? = meta["path"] else { Issue.record("no path"); continue }
                #expect(path.hasPrefix("_schema/zarr_rt/zr_array/array_id=\(id)/arr_") && path.hasSuffix(".zarr"))
                #expect(ref.path == path && ref.storeName == "main")
                #expect(stores.files("main").filter { $0.hasPrefix(path + "/") } == [path + "/c/0/0", path + "/zarr.json"])
                let document = try JSON(parsing: String(contentsOfFile: stores.path("main") + "/" + path + "/zarr.json", encoding: .utf8))
                guard case .object(let zarrJSON) = document, case .object(let attributes)? = zarrJSON["attributes"] else {
                    Issue.record("zarr.json is not an object with attributes")
                    continue
                }
                #expect(zarrJSON["zarr_format"] == 3 && zarrJSON["data_type"] == .string(array.dtype.description))
                #expect(attributes["datajoint"] == ["datajoint-swift": ["codec": "zarr", "codec_version": 1]])
            }
            // A null value stays null.
            try await table.insert1(["array_id": 99])
            #expect(try await (table & ["array_id": 99]).fetch1()["arr"] == .null)
        }
    }

    @Test("0-dimensional, 1-element, empty and multi-chunk arrays; chunks named on insert or by the codec", arguments: TestBackend.all)
    func shapes(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let stores = try StoreFixture()
            defer { stores.remove() }
            // Chunks of at most 1 KiB when the insert names none.
            let db = try await zarrConnection(stores, codec: ZarrCodec(chunkBytes: 1024))
            let table = try await db.schema("zarr_shapes", tables: ZarrPipeline.ZrArray.self)[ZarrPipeline.ZrArray.self]
            let big = NDArray((0..<(300 * 7)).map { Double($0) * 0.5 - 17 }, shape: [300, 7])
            let rows: [Row] = [
                ["array_id": 1, "arr": NDArray(scalar: Float(2.5)).dataJointValue],
                ["array_id": 2, "arr": NDArray([Int64(-9)]).dataJointValue],
                ["array_id": 3, "arr": NDArray([Double](), shape: [0, 3]).dataJointValue],
                ["array_id": 4, "arr": big.dataJointValue],
                ["array_id": 5, "arr": Value.zarr(big, chunks: [64, 3], compression: ZarrCompression.none)],
                ["array_id": 6, "arr": NDArray([Int16](repeating: 0, count: 50), shape: [5, 10]).dataJointValue],
                ["array_id": 7, "arr": Value.zarr(big, chunks: [100, 7], compression: .zstd(level: 3, checksum: true))],
            ]
            try await table.insert(rows)
            func ref(_ id: Int) async throws -> ZarrArrayRef { try await (table & ["array_id": Value.int(Int64(id))]).fetch1("arr") }
            func chunkFiles(_ id: Int) async throws -> [String] {
                let path = try await ref(id).path
                return stores.files("main").filter { $0.hasPrefix(path + "/") && !$0.hasSuffix("zarr.json") }
                    .map { String($0.dropFirst(path.count + 1)) }
            }

            let scalar = try await ref(1)
            #expect(scalar.shape == [] && scalar.dtype == .float32 && scalar.count == 1)
            #expect(try await scalar.read() == NDArray(scalar: Float(2.5)))
            #expect(try await scalar.chunks == [])
            #expect(try await chunkFiles(1) == ["c"])

            #expect(try await ref(2).read() == NDArray([Int64(-9)]))
            let empty = try await ref(3)
            #expect(empty.shape == [0, 3] && empty.count == 0)
            #expect(try await empty.read() == NDArray([Double](), shape: [0, 3]))
            #expect(try await chunkFiles(3) == [])

            // 1 KiB chunks of rows of 56 bytes: 18 rows each, 17 chunks, the last one partly filled.
            let multi = try await ref(4)
            #expect(try await multi.chunks == [18, 7])
            #expect(try await multi.chunkCounts == [17, 1])
            #expect(try await chunkFiles(4).count == 17)
            #expect(try await multi.read() == big)
            #expect(try await multi.chunk(at: [16, 0]) == NDArray(Array(big.doubles[(288 * 7)...]), shape: [12, 7]))

            let named = try await ref(5)
            #expect(try await named.chunks == [64, 3])
            #expect(try await named.chunkCounts == [5, 3])
            #expect(try await named.metadata().compression == ZarrCompression.none)
            #expect(try await named.read() == big)
            let zstd = try await ref(7)
            #expect(try await zstd.metadata().compression == .zstd(level: 3, checksum: true))
            #expect(try await zstd.read() == big)
            #expect(try await zstd.read(rows: 150..<260) == NDArray(Array(big.doubles[(150 * 7)..<(260 * 7)]), shape: [110, 7]))
            // Zeros only: no chunk is written, the fill value reads back.
            #expect(try await chunkFiles(6) == [])
            #expect(try await ref(6).read() == NDArray([Int16](repeating: 0, count: 50), shape: [5, 10]))
        }
    }

    @Test("Slices equal the same part of the whole array and read only the chunks they need", arguments: TestBackend.all)
    func slices(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let stores = try StoreFixture()
            defer { stores.remove() }
            let db = try await zarrConnection(stores)
            let table = try await db.schema("zarr_slices", tables: ZarrPipeline.ZrArray.self)[ZarrPipeline.ZrArray.self]
            let shape = [23, 9, 4]
            let values: [Int32] = (0..<(23 * 9 * 4)).map { (i: Int) -> Int32 in Int32(i * 7 - 300) }
            let whole = NDArray(values, shape: shape)
            try await table.insert1(["array_id": 1, "arr": Value.zarr(whole, chunks: [5, 4, 3])])
            let fetched: ZarrArrayRef = try await table.fetch1("arr")

            /// The part of `whole` in `region`, computed element by element.
            func expected(_ region: [Range<Int>]) -> NDArray {
                var out: [Int32] = []
                for i in region[0] { for j in region[1] { for k in region[2] { out.append(values[(i * 9 + j) * 4 + k]) } } }
                return NDArray(out, shape: region.map(\.count))
            }
            let regions: [[Range<Int>]] = [
                [0..<23, 0..<9, 0..<4], [3..<17, 2..<8, 1..<4], [22..<23, 8..<9, 3..<4], [5..<10, 4..<8, 0..<3], [0..<1, 0..<9, 2..<3],
            ]
            for region in regions {
                #expect(try await fetched.read(region: region) == expected(region), "\(region)")
            }
            #expect(try await fetched.read(region: [4..<6]) == expected([4..<6, 0..<9, 0..<4]))
            #expect(try await fetched.read(rows: 20...) == expected([20..<23, 0..<9, 0..<4]))
            #expect(try await fetched.read(rows: ..<2) == expected([0..<2, 0..<9, 0..<4]))
            #expect(try await fetched.chunk(at: [4, 2, 1]) == expected([20..<23, 8..<9, 3..<4]))

            // On a store that counts reads: a region inside one chunk reads it and nothing else.
            let counting = CountingStore(try FileStore(spec: StoreSpec(name: "main", attributes: ["protocol": "file", "location": .string(stores.path("main"))])))
            let ref = try await ZarrArrayRef(store: counting, path: fetched.path)
            _ = counting.takeReads()
            #expect(try await ref.read(region: [5..<10, 4..<8, 0..<3]) == expected([5..<10, 4..<8, 0..<3]))
            #expect(counting.takeReads() == [fetched.path + "/c/1/1/0"])
            #expect(try await ref.read(rows: 10..<15) == expected([10..<15, 0..<9, 0..<4]))
            #expect(Set(counting.takeReads()) == Set((0..<3).flatMap { j in (0..<2).map { k in fetched.path + "/c/2/\(j)/\(k)" } }))
        }
    }

    @Test("Fetch reads nothing from the store: the reference reads when asked", arguments: TestBackend.all)
    func lazy(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let stores = try StoreFixture()
            defer { stores.remove() }
            let db = try await zarrConnection(stores)
            let table = try await db.schema("zarr_lazy", tables: ZarrPipeline.ZrArray.self)[ZarrPipeline.ZrArray.self]
            let array = NDArray((0..<40).map { Double($0) }, shape: [10, 4])
            try await table.insert1(["array_id": 1, "arr": array.dataJointValue])
            let path = try await (table.fetch1("arr") as ZarrArrayRef).path
            // Move the array away: fetching still works (shape and dtype are in the row), reading does not.
            let directory = stores.root.appendingPathComponent("main/" + path)
            let aside = stores.root.appendingPathComponent("aside.zarr")
            try FileManager.default.moveItem(at: directory, to: aside)
            let ref: ZarrArrayRef = try await table.fetch1("arr")
            #expect(ref.shape == [10, 4] && ref.dtype == .float64)
            do {
                _ = try await ref.read()
                Issue.record("read an array that is not there")
            } catch let error as DataJointError {
                #expect(error.kind == .missingObject && error.message.contains("zr_array") && error.message.contains("`arr`"), "\(error.message)")
            }
            try FileManager.default.moveItem(at: aside, to: directory)
            #expect(try await ref.read() == array)
        }
    }

    @Test("A failed insert leaves no chunks; bad values are refused with a clear error before anything is written", arguments: TestBackend.all)
    func failures(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let stores = try StoreFixture()
            defer { stores.remove() }
            let db = try await zarrConnection(stores)
            let lab = try await db.schema("zarr_fail", tables: ZarrPipeline.ZrArray.self)
            let table = lab[ZarrPipeline.ZrArray.self]
            let array = NDArray((0..<600).map { Double($0) }, shape: [60, 10])
            try await table.insert1(["array_id": 1, "arr": Value.zarr(array, chunks: [7, 4])])
            let before = stores.files("main")
            #expect(before.count == 9 * 3 + 1)

            // The second row's key exists: the arrays written for the batch go again.
            await #expect(throws: DataJointError.self) {
                try await table.insert([
                    ["array_id": 2, "arr": Value.zarr(array, chunks: [7, 4])], ["array_id": 1, "arr": array.dataJointValue],
                ])
            }
            #expect(stores.files("main") == before)
            #expect(try await table.count() == 1)

            func refused(_ value: Value, saying words: [String]) async {
                do {
                    try await table.insert1(["array_id": 3, "arr": value])
                    Issue.record("inserted \(value)")
                } catch let error as DataJointError {
                    #expect(error.kind == .invalidValue, "\(error)")
                    for word in words { #expect(error.message.contains(word), "\(error.message) lacks \(word)") }
                } catch {
                    Issue.record("\(error)")
                }
            }
            await refused("not an array", saying: ["`zr_array`.`arr`", "<zarr@>", "NDArray"])
            await refused(Value.bytes(Data([1, 2])), saying: ["<zarr@>", "NDArray"])
            await refused(NDArray(strings: ["a", "b"]).dataJointValue, saying: ["dtype <U", "float64"])
            await refused(NDArray(datetime64: [1, 2], unit: .seconds).dataJointValue, saying: ["datetime64[s]"])
            await refused(Value.zarr(array, chunks: [7]), saying: ["chunk shape [7]", "[60, 10]"])
            await refused(Value.zarr(array, chunks: [0, 4]), saying: ["chunk shape [0, 4]"])
            await refused(Value.zarr(array, compression: .gzip(level: 12)), saying: ["level 12"])
            await refused(Value.zarr(array, compression: .zstd(level: 99, checksum: false)), saying: ["zstd level 99"])
            #expect(stores.files("main") == before)

            // <zarr> without a store cannot be declared.
            do {
                _ = try await db.schema("zarr_fail", tables: ZarrPipeline.ZrBare.self)
                Issue.record("declared <zarr> without a store")
            } catch let error as DataJointError {
                #expect(error.message.contains("<zarr@>"), "\(error.message)")
            }
            // Without the codec registered, the connection says to register it.
            let other = try await TestDatabase.connect(settings: stores.settings)
            do {
                _ = try await other.schema("zarr_fail", create: false).table("zr_array").toDicts()
                Issue.record("decoded <zarr@> without the codec")
            } catch let error as DataJointError {
                #expect(error.message.contains("<zarr>") && error.message.contains("register"), "\(error.message)")
            }
        }
    }

    @Test("A ZarrArrayRef inserted again is copied, with its chunks; garbage collection keeps what rows refer to", arguments: TestBackend.all)
    func copyAndGarbage(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let stores = try StoreFixture()
            defer { stores.remove() }
            let db = try await zarrConnection(stores)
            let lab = try await db.schema("zarr_gc", tables: ZarrPipeline.ZrArray.self)
            let table = lab[ZarrPipeline.ZrArray.self]
            let array = NDArray((0..<64).map { UInt16($0 * 1000) }, shape: [8, 8])
            try await table.insert1(["array_id": 1, "arr": Value.zarr(array, chunks: [3, 8])])
            let original: ZarrArrayRef = try await table.fetch1("arr")
            try await table.insert1(["array_id": 2, "arr": original.dataJointValue])
            let copy: ZarrArrayRef = try await (table & ["array_id": 2]).fetch1("arr")
            #expect(copy.path != original.path && copy.path.contains("array_id=2/arr_"))
            #expect(try await copy.chunks == [3, 8])
            #expect(try await copy.read() == array)

            // Nothing is orphaned while both rows exist.
            let dry = try await lab.collectGarbage(dryRun: true)
            #expect(dry.orphanedSchemaPaths.isEmpty && dry.schemaStored == 8)
            try await (table & ["array_id": 1]).deleteQuick()
            let report = try await lab.collectGarbage(dryRun: false)
            #expect(report.deleted == 4 && report.orphanedSchemaPaths.allSatisfy { $0.hasPrefix(original.path + "/") })
            #expect(!stores.files("main").contains { $0.hasPrefix(original.path) })
            #expect(try await copy.read() == array)
        }
    }

    @Test("The format version: metadata without one is read as version 1, a later one is refused")
    func formatVersion() async throws {
        let scratch = try ZarrScratchStore()
        defer { scratch.remove() }
        let array = NDArray([1.0, 2.0, 3.0])
        let stores = StoreRegistry(configuration: [
            "default": "scratch", "scratch": ["protocol": "file", "location": .string(scratch.root.path)],
        ])
        let context = CodecContext(schema: "lab", table: "recording", attribute: "trace", store: "", downloadPath: "", stores: stores)
        let codec = ZarrCodec()
        // Written by the codec: its column metadata says version 1.
        guard case .json(.object(let metadata)) = try await codec.encode(array.dataJointValue, context: context) else {
            Issue.record("no JSON metadata")
            return
        }
        #expect(metadata["codec_version"] == .int(Int64(ZarrCodec.formatVersion)))
        func decode(_ changes: [String: JSON]) async throws -> ZarrArrayRef {
            let stored = JSON.object(metadata.merging(changes) { $1 })
            let value = try await codec.decode(.json(stored), context: context)
            return try #require(ZarrArrayRef(dataJointValue: value))
        }
        // DataJoint-Python's dj-zarr-codecs writes no version, a null store, and no shape: all read.
        #expect(try await decode(["codec_version": .null, "store": .null]).read() == array)
        var python = metadata
        python.removeValue(forKey: "codec_version")
        python.removeValue(forKey: "shape")
        python["dtype"] = "<f8"
        let pythonRef = try #require(ZarrArrayRef(dataJointValue: try await codec.decode(.json(.object(python)), context: context)))
        #expect(pythonRef.shape == [3] && pythonRef.dtype == .float64)
        #expect(try await pythonRef.read() == array)
        do {
            _ = try await decode(["codec_version": 2])
            Issue.record("decoded version 2")
        } catch let error as DataJointError {
            #expect(error.kind == .codec)
            #expect(error.message.contains("version 2") && error.message.contains("update DataJointZarr"), "\(error.message)")
        }
        await #expect(throws: DataJointError.self) { try await decode(["codec_version": "1.0"]) }
        await #expect(throws: DataJointError.self) { try await decode(["dtype": "<U5"]) }
        await #expect(throws: DataJointError.self) { try await codec.decode(.json(["store": "scratch"]), context: context) }
        // A row whose shape disagrees with the array: the read says so.
        let wrong = try await decode(["shape": [4]])
        await #expect(throws: DataJointError.self) { try await wrong.read() }
    }
}
