import DataJointCore
import Foundation

/// Writes an `NDArray` to a store as a Zarr v3 array: its chunks (`c/i/j`), then `zarr.json`.
///
/// Chunks that hold only zeros (the fill value) are not written, as Python's zarr does by default: readers give the
/// fill value for them. The edge chunks are written whole, the part outside the array filled with zeros.
enum ZarrArrayWriter {
    /// The chunks written at once (S3 takes many requests in parallel).
    static let concurrentWrites = 8

    /// Writes `array` (a numeric dtype of ``ZarrDataType/supported``) into the directory `path` of `store`, cut into
    /// chunks of `chunks`. Returns the metadata written.
    @discardableResult
    static func write(
        _ array: NDArray, chunks: [Int], compression: ZarrCompression, attributes: [String: JSON],
        to store: any ObjectStore, at path: String
    ) async throws -> ZarrArrayMetadata {
        let dataType = ZarrDataType(array.dtype)
        let metadata = ZarrArrayMetadata(
            zarrFormat: 3, shape: array.shape, chunks: chunks, dataType: dataType, compression: compression,
            attributes: attributes)
        guard let elements = array.bytes else {
            throw DataJointError(.invalidValue, "a \(array.dtype) array has no element bytes to store as Zarr")
        }
        let all = array.shape.map { 0..<$0 }
        let indices = ZarrChunkGrid.chunks(covering: all, chunkShape: chunks)
        try await withThrowingTaskGroup(of: Void.self) { group in
            var pending = indices.makeIterator()
            func add(_ index: [Int]) {
                group.addTask {
                    guard let chunk = chunkBytes(index, of: elements, metadata: metadata) else { return }
                    let key = path + "/" + metadata.chunkKeys.key(index)
                    try await store.put(try compression.compress(chunk), at: key)
                }
            }
            for _ in 0..<concurrentWrites {
                guard let index = pending.next() else { break }
                add(index)
            }
            while try await group.next() != nil {
                if let index = pending.next() { add(index) }
            }
        }
        try await store.put(metadata.v3Document(), at: path + "/zarr.json")
        return metadata
    }

    /// The bytes of the chunk at `index` (the whole chunk shape, zeros beyond the array's edge), or nil when they are
    /// all zero.
    static func chunkBytes(_ index: [Int], of elements: Data, metadata: ZarrArrayMetadata) -> Data? {
        let itemSize = metadata.dataType.itemSize
        let origin = zip(index, metadata.chunks).map { $0 * $1 }
        let part = zip(origin, zip(metadata.chunks, metadata.shape)).map { start, pair in min(pair.0, pair.1 - start) }
        let arrayStrides = ZarrChunkGrid.strides(metadata.shape)
        let sourceOffset = zip(origin, arrayStrides).reduce(0) { $0 + $1.0 * $1.1 }
        var chunk = Data(count: metadata.chunkByteCount)
        elements.withUnsafeBytes { src in
            chunk.withUnsafeMutableBytes { dst in
                ZarrChunkGrid.copyBox(
                    from: src.baseAddress!, sourceStrides: arrayStrides, sourceOffset: sourceOffset,
                    to: dst.baseAddress!, destinationStrides: ZarrChunkGrid.strides(metadata.chunks), destinationOffset: 0,
                    extent: part, itemSize: itemSize)
            }
        }
        return isZero(chunk) ? nil : chunk
    }

    /// Whether every byte of `data` is zero, eight at a time.
    static func isZero(_ data: Data) -> Bool {
        data.withUnsafeBytes { raw in
            let words = raw.count / 8
            for i in 0..<words where raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self) != 0 { return false }
            for i in (words * 8)..<raw.count where raw[i] != 0 { return false }
            return true
        }
    }
}
