import Foundation

/// A namespace for one-call packing and unpacking, named as in DataJoint-Python.
///
/// Mind literal types: `Blob.pack([1.0, 2.0])` packs a `BlobValue` list literal, a Python `list`, while a `[Double]`
/// value packs as a NumPy array (see ``BlobConvertible``).
public enum Blob {
    /// `datajoint.blob.pack(value, compress=compress)`: the blob of `value`.
    public static func pack(_ value: BlobValue, compress: Bool = true) throws -> Data {
        try BlobEncoder(compress: compress).encode(value)
    }

    /// The blob of a Swift value (see ``BlobConvertible``).
    public static func pack<T: BlobConvertible>(_ value: T, compress: Bool = true) throws -> Data {
        try BlobEncoder(compress: compress).encode(value.blobValue)
    }

    /// `datajoint.blob.unpack(data)`: the value in a blob. Throws ``DataJointError`` (`.codec`) for malformed data.
    public static func unpack(_ data: Data) throws -> BlobValue {
        try BlobDecoder().decode(data)
    }

    /// The value in a blob as a Swift type; throws if the blob is malformed or holds another kind of value.
    public static func unpack<T: BlobConvertible>(_ data: Data, as type: T.Type) throws -> T {
        try BlobDecoder().decode(type, from: data)
    }
}
