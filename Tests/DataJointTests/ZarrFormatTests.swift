import DataJoint
import Foundation
import Synchronization
import Testing

@testable import DataJointZarr

/// A file store in a temporary directory, with helpers that write Zarr arrays by hand (as other writers lay them out),
/// and a wrapper that counts the objects read.
struct ZarrScratchStore {
    let root: URL
    let store: FileStore
    let counting: CountingStore

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("dj-zarr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        store = try FileStore(spec: StoreSpec(name: "scratch", attributes: ["protocol": "file", "location": .string(root.path)]))
        counting = CountingStore(store)
    }

    func write(_ json: String, at path: String) throws {
        try put(Data(json.utf8), at: path)
    }

    func put(_ data: Data, at path: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    }

    func remove() { try? FileManager.default.removeItem(at: root) }

    /// The bytes of the chunk at `index` of an array of `shape` cut into `chunks`, whose element at a position is
    /// `value(position)` (zeros outside the array): row-major or, `fortran`, column-major; `bigEndian` or not.
    static func chunk<T: FixedWidthInteger>(
        _ index: [Int], shape: [Int], chunks: [Int], fortran: Bool = false, bigEndian: Bool = false,
        _ value: ([Int]) -> T
    ) -> Data {
        let count = chunks.reduce(1, *)
        var out = Data(count: count * MemoryLayout<T>.size)
        for flat in 0..<count {
            // The chunk-local position of the flat-th stored element.
            var local = [Int](repeating: 0, count: chunks.count)
            var rest = flat
            let axes = fortran ? Array(chunks.indices) : Array(chunks.indices.reversed())
            for axis in axes {
                local[axis] = rest % chunks[axis]
                rest /= chunks[axis]
            }
            let global = zip(index, zip(chunks, local)).map { $0 * $1.0 + $1.1 }
            let inside = zip(global, shape).allSatisfy { $0 < $1 }
            let v: T = inside ? value(global) : 0
            let stored = bigEndian ? v.bigEndian : v.littleEndian
            out.withUnsafeMutableBytes { $0.storeBytes(of: stored, toByteOffset: flat * MemoryLayout<T>.size, as: T.self) }
        }
        return out
    }
}

/// An object store that forwards to another and records the paths it was asked to read.
final class CountingStore: ObjectStore {
    let inner: any ObjectStore
    private let reads = Mutex<[String]>([])

    init(_ inner: any ObjectStore) { self.inner = inner }

    /// The paths read so far, and forgets them.
    func takeReads() -> [String] {
        reads.withLock { paths in
            let taken = paths
            paths = []
            return taken
        }
    }

    func put(_ data: Data, at path: String) async throws { try await inner.put(data, at: path) }
    func get(_ path: String) async throws -> Data {
        reads.withLock { $0.append(path) }
        return try await inner.get(path)
    }
    func exists(_ path: String) async throws -> Bool { try await inner.exists(path) }
    func isDirectory(_ path: String) async throws -> Bool { try await inner.isDirectory(path) }
    func size(_ path: String) async throws -> Int { try await inner.size(path) }
    func remove(_ path: String) async throws { try await inner.remove(path) }
    func list(under prefix: String) async throws -> [StoredObject] { try await inner.list(under: prefix) }
    func url(for path: String) -> String { inner.url(for: path) }
}

/// The Zarr format itself, without a database: arrays laid out by hand as Zarr v2 and v3 writers lay them out.
@Suite("Zarr format")
struct ZarrFormatTests {
    static let v3Header = #""zarr_format": 3, "node_type": "array", "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": CHUNKS}}"#

    static func v3(shape: [Int], chunks: [Int], type: String, codecs: String, fill: String = "0", keys: String = #"{"name": "default", "configuration": {"separator": "/"}}"#) -> String {
        "{" + v3Header.replacingOccurrences(of: "CHUNKS", with: "\(chunks)")
            + #", "shape": \#(shape), "data_type": "\#(type)", "chunk_key_encoding": \#(keys), "fill_value": \#(fill), "codecs": \#(codecs), "attributes": {"origin": "hand"}}"#
    }

    static let littleGzip = #"[{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "gzip", "configuration": {"level": 5}}]"#

    @Test("Zarr v2, big-endian, Fortran order, gzip, partial edge chunks: read whole, by rows, by region and by chunk")
    func v2BigEndianFortran() async throws {
        let scratch = try ZarrScratchStore()
        defer { scratch.remove() }
        let (shape, chunks) = ([5, 7], [2, 3])
        try scratch.write(
            #"{"zarr_format": 2, "shape": [5, 7], "chunks": [2, 3], "dtype": ">i8", "fill_value": 0, "order": "F", "filters": null, "dimension_separator": ".", "compressor": {"id": "gzip", "level": 1}}"#,
            at: "a.zarr/.zarray")
        try scratch.write(#"{"units": "mV"}"#, at: "a.zarr/.zattrs")
        for i in 0..<3 {
            for j in 0..<3 {
                let raw = ZarrScratchStore.chunk([i, j], shape: shape, chunks: chunks, fortran: true, bigEndian: true) {
                    Int64($0[0] * 100 + $0[1]) - 250
                }
                try scratch.put(try ZarrCompression.gzip(level: 1).compress(raw), at: "a.zarr/\(i).\(j)")
            }
        }
        let expected = NDArray((0..<35).map { (i: Int) -> Int64 in Int64((i / 7) * 100 + i % 7 - 250) }, shape: shape)
        let ref = try await ZarrArrayRef(store: scratch.counting, path: "a.zarr")
        #expect(ref.shape == shape && ref.dtype == .int64)
        let metadata = try await ref.metadata()
        #expect(metadata.zarrFormat == 2 && metadata.chunks == chunks && metadata.chunkCounts == [3, 3])
        #expect(metadata.compression == .gzip(level: 1) && metadata.attributes["units"] == "mV")
        _ = scratch.counting.takeReads()
        #expect(try await ref.read() == expected)
        #expect(scratch.counting.takeReads().count == 9)

        // Rows 2..<4 lie in chunk row 1 only: 3 chunks read.
        let rows = try await ref.read(rows: 2..<4)
        #expect(rows == NDArray(Array(expected.values(as: Int64.self)[14..<28]), shape: [2, 7]))
        #expect(Set(scratch.counting.takeReads()) == ["a.zarr/1.0", "a.zarr/1.1", "a.zarr/1.2"])
        // A region across chunk boundaries.
        let region = try await ref.read(region: [1..<4, 2..<6])
        let values = expected.values(as: Int64.self)
        let regionValues: [Int64] = (1..<4).flatMap { (r: Int) -> [Int64] in (2..<6).map { (c: Int) -> Int64 in values[r * 7 + c] } }
        #expect(region == NDArray(regionValues, shape: [3, 4]))
        #expect(scratch.counting.takeReads().count == 4)  // chunk rows 0-1, chunk columns 0-1
        // The edge chunk is cut to the array.
        #expect(try await ref.chunk(at: [2, 2]) == NDArray([values[34]], shape: [1, 1]))
        #expect(try await ref.chunk(at: [0, 1]) == NDArray([values[3], values[4], values[5], values[10], values[11], values[12]], shape: [2, 3]))
        #expect(try await ref.read(rows: 3...) == NDArray(Array(values[21...]), shape: [2, 7]))
    }

    @Test("Zarr v3 written as Python's zarr writes it: gzip, missing chunks give the fill value (NaN)")
    func v3FillValue() async throws {
        let scratch = try ZarrScratchStore()
        defer { scratch.remove() }
        try scratch.write(Self.v3(shape: [5], chunks: [2], type: "float64", codecs: Self.littleGzip, fill: #""NaN""#), at: "f.zarr/zarr.json")
        let chunk = ZarrScratchStore.chunk([1], shape: [5], chunks: [2]) { UInt64(Double($0[0]).bitPattern) }
        try scratch.put(try ZarrCompression.gzip(level: 5).compress(chunk), at: "f.zarr/c/1")
        let ref = try await ZarrArrayRef(store: scratch.store, path: "f.zarr")
        #expect(try await ref.read() == NDArray([Double.nan, .nan, 2, 3, .nan]))
        #expect(try await ref.metadata().attributes == ["origin": "hand"])
    }

    @Test("Zarr v3 chunk keys: `default` with `.`, and `v2` with `.` and `/`; big-endian bytes; no compression")
    func v3ChunkKeys() async throws {
        let scratch = try ZarrScratchStore()
        defer { scratch.remove() }
        let cases: [(keys: String, key: (Int, Int) -> String)] = [
            (#"{"name": "default", "configuration": {"separator": "."}}"#, { "c.\($0).\($1)" }),
            (#"{"name": "v2", "configuration": {"separator": "."}}"#, { "\($0).\($1)" }),
            (#"{"name": "v2", "configuration": {"separator": "/"}}"#, { "\($0)/\($1)" }),
            (#"{"name": "default"}"#, { "c/\($0)/\($1)" }),
        ]
        let codecs = #"[{"name": "bytes", "configuration": {"endian": "big"}}]"#
        for (n, (keys, key)) in cases.enumerated() {
            try scratch.write(Self.v3(shape: [3, 3], chunks: [2, 2], type: "uint16", codecs: codecs, keys: keys), at: "k\(n)/zarr.json")
            for i in 0..<2 {
                for j in 0..<2 {
                    try scratch.put(
                        ZarrScratchStore.chunk([i, j], shape: [3, 3], chunks: [2, 2], bigEndian: true) { UInt16($0[0] * 3 + $0[1] + 60000) },
                        at: "k\(n)/" + key(i, j))
                }
            }
            let ref = try await ZarrArrayRef(store: scratch.store, path: "k\(n)")
            #expect(try await ref.read() == NDArray((0..<9).map { UInt16($0 + 60000) }, shape: [3, 3]), "chunk keys \(keys)")
        }
    }

    @Test("Zarr v2: zlib, `/` separator, complex big-endian, bool, and a 0-dimensional array")
    func v2Types() async throws {
        let scratch = try ZarrScratchStore()
        defer { scratch.remove() }
        // complex128, big-endian: each half swapped on its own.
        try scratch.write(
            #"{"zarr_format": 2, "shape": [3], "chunks": [2], "dtype": ">c16", "fill_value": [0.0, 0.0], "order": "C", "filters": null, "dimension_separator": "/", "compressor": {"id": "zlib", "level": 1}}"#,
            at: "c/.zarray")
        let complexValues: [(Double, Double)] = [(1.5, -2), (0, 3.25), (-7, 0.5)]
        for i in 0..<2 {
            var raw = Data()
            for k in 0..<2 {
                let (re, im) = 2 * i + k < 3 ? complexValues[2 * i + k] : (0, 0)
                withUnsafeBytes(of: re.bitPattern.bigEndian) { raw.append(contentsOf: $0) }
                withUnsafeBytes(of: im.bitPattern.bigEndian) { raw.append(contentsOf: $0) }
            }
            try scratch.put(try ZarrCompression.zlib(level: 1).compress(raw), at: "c/\(i)")
        }
        let complexRef = try await ZarrArrayRef(store: scratch.store, path: "c")
        #expect(complexRef.dtype == .complex128)
        #expect(try await complexRef.read() == NDArray(complexValues.map { ComplexNumber($0.0, $0.1) }))

        try scratch.write(
            #"{"zarr_format": 2, "shape": [4], "chunks": [4], "dtype": "|b1", "fill_value": false, "order": "C", "filters": [], "compressor": null}"#,
            at: "b/.zarray")
        try scratch.put(Data([1, 0, 0, 1]), at: "b/0")
        #expect(try await ZarrArrayRef(store: scratch.store, path: "b").read() == NDArray([true, false, false, true]))

        try scratch.write(
            #"{"zarr_format": 2, "shape": [], "chunks": [], "dtype": "<f4", "fill_value": 0.0, "order": "C", "filters": null, "compressor": null}"#,
            at: "s/.zarray")
        withUnsafeBytes(of: Float(2.5).bitPattern.littleEndian) { try? scratch.put(Data($0), at: "s/0") }
        let scalar = try await ZarrArrayRef(store: scratch.store, path: "s")
        #expect(try await scalar.read() == NDArray(scalar: Float(2.5)))
        #expect(try await scalar.chunk(at: []) == NDArray(scalar: Float(2.5)))
        await #expect(throws: DataJointError.self) { try await scalar.read(rows: 0..<1) }
    }

    @Test("Arrays this module cannot read are refused with an error that names what is not supported")
    func unsupported() async throws {
        let scratch = try ZarrScratchStore()
        defer { scratch.remove() }
        let lz4 = #"[{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "numcodecs.lz4", "configuration": {}}]"#
        try scratch.write(Self.v3(shape: [4], chunks: [4], type: "float64", codecs: lz4), at: "lz4/zarr.json")
        try scratch.write(Self.v3(shape: [4], chunks: [4], type: "float16", codecs: Self.littleGzip), at: "half/zarr.json")
        try scratch.write(
            Self.v3(shape: [4], chunks: [4], type: "int32", codecs: #"[{"name": "sharding_indexed", "configuration": {}}]"#),
            at: "shard/zarr.json")
        try scratch.write(
            #"{"zarr_format": 2, "shape": [4], "chunks": [4], "dtype": "<f8", "fill_value": 0, "order": "C", "filters": null, "compressor": {"id": "blosc", "cname": "lz4"}}"#,
            at: "blosc/.zarray")
        try scratch.write(
            #"{"zarr_format": 2, "shape": [4], "chunks": [4], "dtype": "<i4", "fill_value": 0, "order": "C", "filters": [{"id": "delta", "dtype": "<i4"}], "compressor": null}"#,
            at: "delta/.zarray")
        try scratch.write(#"{"zarr_format": 3, "node_type": "group", "attributes": {}}"#, at: "group/zarr.json")
        for (path, named) in [
            ("lz4", "lz4"), ("half", "float16"), ("shard", "shard"), ("blosc", "blosc"), ("delta", "delta"), ("group", "group"),
        ] {
            do {
                _ = try await ZarrArrayRef(store: scratch.store, path: path)
                Issue.record("\(path) was read")
            } catch let error as DataJointError {
                #expect(error.kind == .codec, "\(path)")
                #expect(error.message.contains(named), "\(path): \(error.message)")
                #expect(error.message.contains(scratch.store.url(for: path)), "\(path): \(error.message)")
            }
        }
        // No array at all.
        do {
            _ = try await ZarrArrayRef(store: scratch.store, path: "nothing.zarr")
            Issue.record("an absent array was read")
        } catch let error as DataJointError {
            #expect(error.kind == .missingObject && error.message.contains("no Zarr array"))
        }
        // A damaged chunk.
        try scratch.write(Self.v3(shape: [4], chunks: [4], type: "float64", codecs: Self.littleGzip), at: "bad/zarr.json")
        try scratch.put(Data("not gzip".utf8), at: "bad/c/0")
        let bad = try await ZarrArrayRef(store: scratch.store, path: "bad")
        await #expect(throws: DataJointError.self) { try await bad.read() }
    }

    @Test("Regions and chunk positions outside the array are refused")
    func outOfRange() async throws {
        let scratch = try ZarrScratchStore()
        defer { scratch.remove() }
        let array = NDArray((0..<12).map { Int32($0) }, shape: [3, 4])
        try await ZarrArrayWriter.write(array, chunks: [2, 2], compression: .none, attributes: [:], to: scratch.store, at: "r")
        let ref = try await ZarrArrayRef(store: scratch.store, path: "r")
        for region in [[0..<4], [0..<3, 2..<5], [0..<1, 0..<1, 0..<1]] {
            await #expect(throws: DataJointError.self, "\(region)") { try await ref.read(region: region) }
        }
        await #expect(throws: DataJointError.self) { try await ref.chunk(at: [2, 0]) }
        await #expect(throws: DataJointError.self) { try await ref.chunk(at: [0]) }
        #expect(try await ref.read(region: [1..<1]) == NDArray([Int32](), shape: [0, 4]))
        #expect(try await ref.read(region: [2..<3]) == NDArray([Int32](arrayLiteral: 8, 9, 10, 11), shape: [1, 4]))
    }

    @Test("The chunks chosen when none are named: about 1 MiB, along the first axis first")
    func defaultChunks() {
        #expect(ZarrChunkGrid.defaultChunks(shape: [1000, 64], itemSize: 8, targetBytes: 1 << 20) == [1000, 64])
        #expect(ZarrChunkGrid.defaultChunks(shape: [100_000, 64], itemSize: 8, targetBytes: 1 << 20) == [2048, 64])
        #expect(ZarrChunkGrid.defaultChunks(shape: [2, 1024, 1024], itemSize: 8, targetBytes: 1 << 20) == [1, 128, 1024])
        #expect(ZarrChunkGrid.defaultChunks(shape: [3, 4_000_000], itemSize: 4, targetBytes: 1 << 20) == [1, 262_144])
        #expect(ZarrChunkGrid.defaultChunks(shape: [], itemSize: 8, targetBytes: 1 << 20) == [])
        #expect(ZarrChunkGrid.defaultChunks(shape: [0, 3], itemSize: 8, targetBytes: 1 << 20) == [1, 3])
    }

    @Test("What the writer writes: zarr.json as Zarr v3 lays it out, chunks `c/i/j`, all-zero chunks left out")
    func writerLayout() async throws {
        let scratch = try ZarrScratchStore()
        defer { scratch.remove() }
        var values = [Float](repeating: 0, count: 30)
        values[0] = 1
        values[29] = -1
        try await ZarrArrayWriter.write(
            NDArray(values, shape: [5, 6]), chunks: [2, 4], compression: .gzip(level: 5), attributes: ["k": "v"],
            to: scratch.store, at: "w.zarr")
        #expect(try await scratch.store.list(under: "w.zarr").map(\.path).sorted() == ["w.zarr/c/0/0", "w.zarr/c/2/1", "w.zarr/zarr.json"])
        let text = String(decoding: try await scratch.store.get("w.zarr/zarr.json"), as: UTF8.self)
        // A float fill value is written as one (JSON parsing here would read 0.0 as an integer).
        #expect(text.contains(#""fill_value":0.0"#))
        guard case .object(var document) = try JSON(parsing: text) else {
            Issue.record("zarr.json is not an object")
            return
        }
        document.removeValue(forKey: "fill_value")
        #expect(JSON.object(document) == [
            "zarr_format": 3, "node_type": "array", "shape": [5, 6], "data_type": "float32",
            "chunk_grid": ["name": "regular", "configuration": ["chunk_shape": [2, 4]]],
            "chunk_key_encoding": ["name": "default", "configuration": ["separator": "/"]],
            "codecs": [["name": "bytes", "configuration": ["endian": "little"]], ["name": "gzip", "configuration": ["level": 5]]],
            "attributes": ["k": "v"], "storage_transformers": [],
        ])
        #expect(try await ZarrArrayRef(store: scratch.store, path: "w.zarr").read() == NDArray(values, shape: [5, 6]))
    }
}
