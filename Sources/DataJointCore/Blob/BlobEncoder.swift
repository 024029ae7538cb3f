import Foundation

/// Serializes ``BlobValue``s into the DataJoint blob format, byte for byte as DataJoint-Python 2.3.5's
/// `datajoint.blob.pack` does for the equivalent Python values.
///
/// The protocol header is `mYm\0` when the value uses only MATLAB-compatible structures (numeric, logical and char
/// arrays of at least one dimension, structs, cells) and `dj0\0` otherwise. With ``compress`` on, a blob larger than
/// 1000 bytes is zlib-compressed (`ZL123\0` header) when that makes it smaller: at zlib's default level, as
/// DataJoint-Python compresses, below 64 KiB. From 64 KiB on, a blob is deflated at the fastest level, and only when
/// that pays: when a sample of it, and then the whole, shrinks below 90% of its size; data that barely compress (float
/// noise, compressed media) are stored as they are. Python reads both (its reader takes any zlib level, and
/// uncompressed blobs); the compressed bytes differ from those Python would write.
///
/// ```swift
/// let data = try BlobEncoder().encode(["x": .array(NDArray([1.0, 2.0, 3.0]))])
/// ```
public struct BlobEncoder: Sendable {
    /// Compress blobs larger than 1000 bytes when compression makes them smaller (DataJoint-Python's rule for
    /// `<blob>` attributes). Default: on.
    public var compress: Bool
    /// The deepest nesting of containers that is written; deeper values throw instead of exhausting the stack.
    public var maxDepth: Int

    /// An encoder; `compress` as in DataJoint-Python's `<blob>` codec.
    public init(compress: Bool = true, maxDepth: Int = BlobDecoder.defaultMaxDepth) {
        self.compress = compress
        self.maxDepth = maxDepth
    }

    /// The blob of `value`. Throws ``DataJointError`` (`.codec`) for what the format cannot hold: an integer of more
    /// than 65535 bytes, a field name containing a NUL character, nesting deeper than ``maxDepth``.
    public func encode(_ value: BlobValue) throws -> Data {
        var writer = BlobWriter(maxDepth: maxDepth)
        writer.bytes.append(contentsOf: BlobFormat.mYmHeader)  // replaced below if dj0 features occur
        try writer.write(value)
        if writer.usesDJ0 {
            writer.bytes.replaceSubrange(0..<4, with: BlobFormat.dj0Header)
        }
        let blob = writer.bytes
        if compress, blob.count >= BlobFormat.fastCompressionThreshold {
            if let compressed = blob.withUnsafeBytes({ BlobCompression.compressedBlob($0) }) { return compressed }
        } else if compress, blob.count > BlobFormat.compressionThreshold {
            let zipped = try blob.withUnsafeBytes { try BlobCompression.compress($0) }
            let total = BlobFormat.zlibHeader.count + 8 + zipped.count
            if total < blob.count {
                var out = Data(capacity: total)
                out.append(contentsOf: BlobFormat.zlibHeader)
                Swift.withUnsafeBytes(of: UInt64(blob.count).littleEndian) { out.append(contentsOf: $0) }
                out.append(contentsOf: zipped)
                return out
            }
        }
        return Data(blob)
    }

    /// The blob of a Swift value (see ``BlobConvertible`` for what each type becomes in Python).
    public func encode<T: BlobConvertible>(_ value: T) throws -> Data {
        try encode(value.blobValue)
    }
}
