import DataJointCore

/// An array to insert into a `<zarr@>` attribute with a chunk shape or compression of its own; a plain `NDArray`
/// gets the codec's (see ``ZarrCodec``).
///
/// ```swift
/// try await recordings.insert1([
///     "rec_id": 1,
///     "trace": Value.zarr(samples, chunks: [10_000, 64]),   // or ZarrArrayInput(...).dataJointValue
/// ])
/// ```
public struct ZarrArrayInput: Sendable, Hashable, CustomValueConvertible {
    /// The array to store.
    public var array: NDArray
    /// The chunk shape: one length (at least 1) per axis of the array; nil for the codec's choice.
    public var chunks: [Int]?
    /// How the chunks are compressed; nil for the codec's choice.
    public var compression: ZarrCompression?

    public init(_ array: NDArray, chunks: [Int]? = nil, compression: ZarrCompression? = nil) {
        self.array = array
        self.chunks = chunks
        self.compression = compression
    }
}

extension Value {
    /// A value for a `<zarr@>` attribute, with a chunk shape and compression of its own (nil: the codec's).
    public static func zarr(_ array: NDArray, chunks: [Int]? = nil, compression: ZarrCompression? = nil) -> Value {
        ZarrArrayInput(array, chunks: chunks, compression: compression).dataJointValue
    }
}
