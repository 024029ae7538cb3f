import Foundation

/// Reads the DataJoint blob format, as DataJoint-Python 2.3.5's `datajoint.blob.unpack` does, into ``BlobValue``s.
///
/// Reads both protocols (`mYm\0`, `dj0\0`) and zlib-compressed blobs (`ZL123\0`). Malformed input (truncated data,
/// unknown codes, sizes beyond the data, invalid text or dates, trailing bytes) throws a ``DataJointError`` of kind
/// `.codec` that says what is wrong and at which byte offset; sizes are checked against the bytes present before
/// anything is allocated.
///
/// Where the result differs from what Python makes of the same bytes, it is because Python fails or loses data:
/// an unknown protocol header throws instead of giving `None`; MATLAB `char` data keeps the full UTF-16 code unit
/// (Python keeps the low byte); object and cell arrays keep their elements even when NumPy could not build the array.
public struct BlobDecoder: Sendable {
    /// The default limit of nesting depth (about twice what DataJoint-Python can read before its recursion limit).
    public static let defaultMaxDepth = 512

    /// Read dimensions and lengths as 32-bit numbers, for blobs written by the 32-bit mYm library for MATLAB
    /// (DataJoint-Python's `blob.use_32bit_dims`). Default: off.
    public var uses32BitDimensions: Bool
    /// The deepest nesting of containers accepted; deeper blobs throw instead of exhausting the stack.
    public var maxDepth: Int

    /// A decoder.
    public init(uses32BitDimensions: Bool = false, maxDepth: Int = BlobDecoder.defaultMaxDepth) {
        self.uses32BitDimensions = uses32BitDimensions
        self.maxDepth = maxDepth
    }

    /// The value in `data`.
    public func decode(_ data: Data) throws -> BlobValue {
        let compressed = data.starts(with: BlobFormat.zlibHeader)
        if compressed {
            let payload: Data = try data.withUnsafeBytes { raw in
                var reader = BlobReader(raw, dims32: uses32BitDimensions, maxDepth: maxDepth, where: "")
                reader.position = BlobFormat.zlibHeader.count
                let size = try reader.readDimension("the uncompressed length")
                let rest = UnsafeRawBufferPointer(rebasing: raw[reader.position...])
                return try BlobCompression.decompress(rest, expectedSize: size, headerOffset: reader.position)
            }
            return try decodeUncompressed(payload, where: " of the decompressed blob", owned: true)
        }
        return try decodeUncompressed(data, where: "")
    }

    /// The value in `data` as a Swift type; throws if the blob is malformed or its value does not convert.
    public func decode<T: BlobConvertible>(_ type: T.Type, from data: Data) throws -> T {
        let value = try decode(data)
        guard let result = T(blobValue: value) else {
            throw DataJointError(.codec, "The blob holds a Python \(value.pythonTypeName), which cannot be read as \(T.self)")
        }
        return result
    }

    /// Reads an uncompressed blob; `owned`: `data` is a buffer of its own (inflated here) that arrays may share.
    private func decodeUncompressed(_ data: Data, where location: String, owned: Bool = false) throws -> BlobValue {
        try data.withUnsafeBytes { raw in
            var reader = BlobReader(raw, dims32: uses32BitDimensions, maxDepth: maxDepth, where: location)
            if owned { reader.owner = data }
            try reader.readProtocol()
            return try reader.readBlob(length: raw.count - reader.position)
        }
    }
}
