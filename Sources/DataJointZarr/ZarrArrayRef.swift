import DataJointCore
import Foundation
import Synchronization

/// What fetching a `<zarr@>` attribute gives: a Zarr array in a store, read lazily.
///
/// ``shape`` and ``dtype`` come from the row itself; nothing is read from the store until you ask for elements.
/// ``read()`` reads the whole array; ``read(rows:)``, ``read(region:)`` and ``chunk(at:)`` read only the chunks
/// they need.
///
/// ```swift
/// let trace: ZarrArrayRef = try await (lab[Recording.self] & key).fetch1("trace")
/// print(trace.shape, trace.dtype)                              // [100000, 64] float64, no store access
/// let first = try await trace.read(rows: 0..<1000)             // NDArray of shape [1000, 64]
/// let channel = try await trace.read(region: [0..<100000, 3..<4])
/// let whole = try await trace.read()
/// ```
///
/// Any Zarr array a store holds can be opened with ``init(store:path:storeName:)`` as well: Zarr v3 or v2, with the element
/// types, byte orders and compressors this module supports (see ``ZarrArrayMetadata``).
public struct ZarrArrayRef: Sendable, Hashable, CustomStringConvertible {
    /// The store-relative path of the array's directory (`..._schema/lab/recording/rec_id=1/trace_Xy3k9a2B.zarr`).
    public let path: String
    /// The name of the store the array is in.
    public let storeName: String?
    /// The array's shape.
    public let shape: [Int]
    /// The element type.
    public let dtype: DType
    let store: any ObjectStore
    /// Names the array in messages: the attribute it was fetched from, or its URL.
    let label: String
    private let cache: MetadataCache

    /// The chunks read at once from a store (S3 answers many requests in parallel).
    static let concurrentReads = 8

    /// A reference with what a row says about the array (nothing is read).
    init(store: any ObjectStore, storeName: String?, path: String, shape: [Int], dtype: DType, label: String) {
        self.store = store
        self.storeName = storeName
        self.path = path
        self.shape = shape
        self.dtype = dtype
        self.label = label
        cache = MetadataCache()
    }

    /// Opens the Zarr array whose directory is `path` in `store`, reading its metadata (`zarr.json` or `.zarray`).
    /// Throws `.missingObject` when there is no array at `path`, `.codec` when it is one this module cannot read.
    public init(store: any ObjectStore, path: String, storeName: String? = nil) async throws {
        let label = store.url(for: path)
        let metadata = try await Self.loadMetadata(store: store, path: path, label: label)
        self.init(store: store, storeName: storeName, path: path, shape: metadata.shape, dtype: metadata.dtype, label: label)
        cache.value.withLock { $0 = metadata }
    }

    /// The number of dimensions.
    public var ndim: Int { shape.count }
    /// The number of elements.
    public var count: Int { shape.reduce(1, *) }
    /// The array directory's URL (`file:///…`, `s3://bucket/…`).
    public var url: String { store.url(for: path) }

    /// The array's metadata, read from the store on first use.
    public func metadata() async throws -> ZarrArrayMetadata {
        if let cached = cache.value.withLock({ $0 }) { return cached }
        let metadata = try await Self.loadMetadata(store: store, path: path, label: label)
        guard metadata.shape == shape, metadata.dtype == dtype else {
            throw DataJointError(
                .codec,
                "\(label): the row says shape \(shape) and dtype \(dtype), but the Zarr array at \(url) has shape "
                    + "\(metadata.shape) and dtype \(metadata.dtype); it was changed outside DataJoint")
        }
        cache.value.withLock { $0 = metadata }
        return metadata
    }

    /// The shape of one chunk (read from the array's metadata on first use).
    public var chunks: [Int] {
        get async throws { try await metadata().chunks }
    }

    /// The number of chunks along each axis (read from the array's metadata on first use).
    public var chunkCounts: [Int] {
        get async throws { try await metadata().chunkCounts }
    }

    // MARK: - Reading elements

    /// Reads the whole array.
    public func read() async throws -> NDArray {
        try await read(region: shape.map { 0..<$0 })
    }

    /// Reads the elements of `rows` along the first axis (all of the other axes): the chunks that hold them, and
    /// no others. Throws `.invalidValue` for rows outside the array or a 0-dimensional array.
    public func read(rows: some RangeExpression<Int>) async throws -> NDArray {
        guard let first = shape.first else {
            throw DataJointError(.invalidValue, "\(label) is a 0-dimensional array: it has no rows; use read()")
        }
        let range = rows.relative(to: 0..<first)
        return try await read(region: [range])
    }

    /// Reads the hyper-rectangle `region`, one range per axis from the first (axes left out are read whole): the
    /// chunks it touches, and no others. The result has one axis per axis of the array, each as long as its range.
    /// Throws `.invalidValue` for a range outside the array or more ranges than axes.
    public func read(region: [Range<Int>]) async throws -> NDArray {
        guard region.count <= shape.count else {
            throw DataJointError(
                .invalidValue, "\(label) has \(shape.count) axes, but the region has \(region.count) ranges")
        }
        for (axis, range) in region.enumerated() where range.lowerBound < 0 || range.upperBound > shape[axis] {
            throw DataJointError(
                .invalidValue, "\(label): the range \(range) is outside axis \(axis) of length \(shape[axis])")
        }
        let box = region + shape[region.count...].map { 0..<$0 }
        let extent = box.map(\.count)
        if extent.contains(0) { return try NDArray(dtype: dtype, shape: extent, bytes: Data()) }
        let metadata = try await metadata()
        return try await readBox(box, metadata: metadata)
    }

    /// Reads the chunk at grid position `index` (one index per axis; `[]` for a 0-dimensional array). Chunks at the
    /// far edge of an axis are cut to the array: the result holds only elements of the array.
    public func chunk(at index: [Int]) async throws -> NDArray {
        let metadata = try await metadata()
        let counts = metadata.chunkCounts
        guard index.count == counts.count, zip(index, counts).allSatisfy({ $0 >= 0 && $0 < $1 }) else {
            throw DataJointError(
                .invalidValue, "\(label) has \(counts) chunks along its axes; there is no chunk at \(index)")
        }
        let box = zip(index, zip(metadata.chunks, shape)).map { i, pair in
            (i * pair.0)..<min((i + 1) * pair.0, pair.1)
        }
        return try await readBox(box, metadata: metadata)
    }

    /// Reads the non-empty box `box` (a range on every axis): the chunks it needs, a few at a time, each copied into
    /// place as it arrives.
    private func readBox(_ box: [Range<Int>], metadata: ZarrArrayMetadata) async throws -> NDArray {
        let itemSize = metadata.dataType.itemSize
        let extent = box.map(\.count)
        var output = Data(count: extent.reduce(itemSize, *))
        let outputStrides = ZarrChunkGrid.strides(extent)
        let chunkStrides = ZarrChunkGrid.strides(metadata.chunks)
        let needed = ZarrChunkGrid.chunks(covering: box, chunkShape: metadata.chunks)
        let fillIsZero = metadata.fill.allSatisfy { $0 == 0 }
        var fillChunk: Data?

        func place(_ index: [Int], _ chunk: Data?) {
            var source = chunk
            if source == nil {
                // A chunk never written holds the fill value; the output starts as zeros.
                if fillIsZero { return }
                if fillChunk == nil {
                    var filled = Data(capacity: metadata.chunkByteCount)
                    for _ in 0..<(metadata.chunkByteCount / itemSize) { filled.append(metadata.fill) }
                    fillChunk = filled
                }
                source = fillChunk
            }
            let origin = zip(index, metadata.chunks).map { $0 * $1 }
            var sourceOffset = 0
            var destinationOffset = 0
            var part = [Int](repeating: 0, count: box.count)
            for axis in box.indices {
                let lower = max(box[axis].lowerBound, origin[axis])
                let upper = min(box[axis].upperBound, origin[axis] + metadata.chunks[axis])
                part[axis] = upper - lower
                sourceOffset += (lower - origin[axis]) * chunkStrides[axis]
                destinationOffset += (lower - box[axis].lowerBound) * outputStrides[axis]
            }
            source!.withUnsafeBytes { src in
                output.withUnsafeMutableBytes { dst in
                    ZarrChunkGrid.copyBox(
                        from: src.baseAddress!, sourceStrides: chunkStrides, sourceOffset: sourceOffset,
                        to: dst.baseAddress!, destinationStrides: outputStrides, destinationOffset: destinationOffset,
                        extent: part, itemSize: itemSize)
                }
            }
        }

        try await withThrowingTaskGroup(of: ([Int], Data?).self) { group in
            var pending = needed.makeIterator()
            for _ in 0..<Self.concurrentReads {
                guard let index = pending.next() else { break }
                group.addTask { (index, try await self.decodedChunk(index, metadata: metadata)) }
            }
            while let (index, chunk) = try await group.next() {
                place(index, chunk)
                if let next = pending.next() {
                    group.addTask { (next, try await self.decodedChunk(next, metadata: metadata)) }
                }
            }
        }
        return try NDArray(dtype: metadata.dtype, shape: extent, bytes: output)
    }

    /// The elements of the chunk at `index` in row-major order and little-endian, the whole chunk shape (edge chunks
    /// are stored whole); nil when the chunk was never written.
    private func decodedChunk(_ index: [Int], metadata: ZarrArrayMetadata) async throws -> Data? {
        let key = path + "/" + metadata.chunkKeys.key(index)
        let stored: Data
        do {
            stored = try await store.get(key)
        } catch let error as DataJointError where error.kind == .missingObject {
            return nil
        }
        var bytes = try metadata.compression.decompress(
            stored, expectedSize: metadata.chunkByteCount,
            describe: "\(label): the chunk \(store.url(for: key)) (\(metadata.compression))")
        if metadata.dataType.bigEndian { ByteOrder.swap(&bytes, unit: metadata.dataType.swapUnit) }
        if metadata.fortranOrder, metadata.chunks.count > 1 {
            var reordered = Data(count: bytes.count)
            bytes.withUnsafeBytes { src in
                reordered.withUnsafeMutableBytes { dst in
                    ZarrChunkGrid.copyBox(
                        from: src.baseAddress!, sourceStrides: ZarrChunkGrid.fortranStrides(metadata.chunks), sourceOffset: 0,
                        to: dst.baseAddress!, destinationStrides: ZarrChunkGrid.strides(metadata.chunks), destinationOffset: 0,
                        extent: metadata.chunks, itemSize: metadata.dataType.itemSize)
                }
            }
            bytes = reordered
        }
        return bytes
    }

    /// Reads `zarr.json` (Zarr v3), else `.zarray` and `.zattrs` (Zarr v2), of the array at `path`.
    static func loadMetadata(store: any ObjectStore, path: String, label: String) async throws -> ZarrArrayMetadata {
        func describe(_ error: DataJointError) -> DataJointError {
            error.reworded("\(label): the Zarr array at \(store.url(for: path)) cannot be read: \(error.message)", kind: .codec)
        }
        if let document = try await optionalObject(store, path + "/zarr.json") {
            do { return try ZarrArrayMetadata.parseV3(document) } catch let error as DataJointError { throw describe(error) }
        }
        if let document = try await optionalObject(store, path + "/.zarray") {
            let attributes = try await optionalObject(store, path + "/.zattrs")
            do {
                return try ZarrArrayMetadata.parseV2(document, attributes: attributes)
            } catch let error as DataJointError {
                throw describe(error)
            }
        }
        throw DataJointError(
            .missingObject,
            "\(label): there is no Zarr array at \(store.url(for: path)) (neither zarr.json nor .zarray); it was removed "
                + "outside DataJoint")
    }

    private static func optionalObject(_ store: any ObjectStore, _ path: String) async throws -> Data? {
        do {
            return try await store.get(path)
        } catch let error as DataJointError where error.kind == .missingObject {
            return nil
        }
    }

    // MARK: - Value semantics

    public var description: String { "ZarrArrayRef(shape=\(shape), dtype=\(dtype), path=\(path))" }

    /// Equal when they name the same array with the same shape and dtype.
    public static func == (a: ZarrArrayRef, b: ZarrArrayRef) -> Bool {
        a.path == b.path && a.storeName == b.storeName && a.shape == b.shape && a.dtype == b.dtype
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(path)
        hasher.combine(storeName)
    }

    /// The metadata once read, shared by the copies of one reference.
    private final class MetadataCache: Sendable {
        let value = Mutex<ZarrArrayMetadata?>(nil)
    }
}

extension ZarrArrayRef: CustomValueConvertible {}
