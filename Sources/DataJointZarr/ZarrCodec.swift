import DataJointCore
import Foundation

/// `<zarr@store>`: an N-dimensional array kept as a Zarr v3 array (a directory of chunks and `zarr.json`) in a store,
/// at a schema-addressed path, readable by Python's zarr and by DataJoint-Python's plugin `dj-zarr-codecs`.
///
/// Register it on a connection, then declare attributes as `<zarr@>` (the default store) or `<zarr@store>`:
///
/// ```swift
/// import DataJoint
/// import DataJointZarr
///
/// let db = try await DataJoint.connect()
/// db.register(ZarrCodec())
///
/// struct Recording: Manual {
///     static let definition = """
///         rec_id : int32
///         ---
///         trace : <zarr@>
///         """
/// }
/// let lab = try await db.schema("lab", tables: Recording.self)
/// try await lab[Recording.self].insert1(["rec_id": 1, "trace": samples.dataJointValue])   // an NDArray
/// let trace: ZarrArrayRef = try await (lab[Recording.self] & ["rec_id": 1]).fetch1("trace")
/// let first = try await trace.read(rows: 0..<100)
/// ```
///
/// Insert an `NDArray` of a numeric or bool dtype (``ZarrArrayInput`` or `Value.zarr(_:chunks:compression:)` to
/// choose the chunks of one array, a ``ZarrArrayRef`` to copy an array). Fetch gives a ``ZarrArrayRef``, which reads
/// only what is asked for.
///
/// The array goes to `{schema}/{table}/{key=value/...}/{attribute}_{token}.zarr` in the store's schema-addressed
/// section; the column holds `{"path", "store", "shape", "dtype", "codec_version"}` (see ``formatVersion``). A failed
/// insert removes the chunks it wrote; the arrays of deleted rows are removed by garbage collection
/// (`schema.collectGarbage(dryRun: false)`), which needs the codec registered on its connection.
public struct ZarrCodec: Codec {
    public let name = "zarr"

    /// The version of the stored format this codec writes (`codec_version` in the column). Decoding reads every
    /// version up to this one, and metadata without a version (DataJoint-Python's) as version 1; a later version
    /// is refused with a `DataJointError` that says to update DataJointZarr.
    ///
    /// Version 1: a Zarr v3 array (v2 arrays are read too), column metadata `{path, store, shape, dtype}`.
    public static let formatVersion = 1

    /// The size, in bytes before compression, that chunks are cut to when an insert names no chunk shape: along the
    /// first axis, and the following ones when one slice is larger.
    public var chunkBytes: Int
    /// How chunks are compressed when an insert does not say.
    public var compression: ZarrCompression

    /// A codec cutting arrays into chunks of about `chunkBytes` (1 MiB) compressed with `compression` (gzip at
    /// level 5, what Python's zarr writes for `GzipCodec()`).
    public init(chunkBytes: Int = 1 << 20, compression: ZarrCompression = .gzip(level: 5)) {
        self.chunkBytes = max(1, chunkBytes)
        self.compression = compression
    }

    public func storedType(inStore: Bool) throws -> String { try storeOnlyType(inStore: inStore) }

    /// What an inserted value holds.
    enum Content {
        case array(NDArray, chunks: [Int]?, compression: ZarrCompression?)
        case copy(ZarrArrayRef)
    }

    func content(of value: Value) -> Content? {
        if case .custom(let custom) = value {
            if let input = custom.as(ZarrArrayInput.self) {
                return .array(input.array, chunks: input.chunks, compression: input.compression)
            }
            if let ref = custom.as(ZarrArrayRef.self) { return .copy(ref) }
        }
        if let array = NDArray(dataJointValue: value) { return .array(array, chunks: nil, compression: nil) }
        return nil
    }

    public func validate(_ value: Value, context: CodecContext) throws {
        guard let content = content(of: value) else {
            throw context.unsupportedValue(value, codec: "<zarr@>", give: "an NDArray (or a ZarrArrayInput, a ZarrArrayRef)")
        }
        switch content {
        case .array(let array, let chunks, let compression):
            try Self.check(array.dtype, context: context)
            if let chunks {
                guard chunks.count == array.ndim, chunks.allSatisfy({ $0 >= 1 }) else {
                    throw DataJointError(
                        .invalidValue,
                        "\(context.attributeName) is <zarr@>: the chunk shape \(chunks) needs one length of at least 1 "
                            + "per axis of the array's shape \(array.shape)")
                }
            }
            try Self.check(compression ?? self.compression, context: context)
        case .copy(let ref):
            try Self.check(ref.dtype, context: context)
        }
    }

    public func encode(_ value: Value, context: CodecContext) async throws -> Value {
        guard let content = content(of: value) else { throw DataJointError(.invalidValue, "not an array") }
        var attributes: [String: JSON] = [:]
        let array: NDArray
        var chunks: [Int]?
        var compression = self.compression
        switch content {
        case .array(let a, let c, let z):
            (array, chunks) = (a, c)
            if let z { compression = z }
        case .copy(let ref):
            // A copy keeps the chunks and the attributes of the original.
            let metadata = try await ref.metadata()
            array = try await ref.read()
            chunks = metadata.chunks
            attributes = metadata.attributes
        }
        try Self.check(array.dtype, context: context)
        let dataType = ZarrDataType(array.dtype)
        attributes["datajoint"] = [
            "datajoint-swift": ["codec": "zarr", "codec_version": .int(Int64(Self.formatVersion))]
        ]
        let resolved = try context.objectStore()
        let path = context.newObjectPath(fileExtension: ".zarr", spec: resolved.spec)
        // Before the first chunk: if anything fails from here on (or the row is not inserted), the whole directory goes.
        context.recordNewObject(path, in: resolved.store)
        try await ZarrArrayWriter.write(
            array,
            chunks: chunks
                ?? ZarrChunkGrid.defaultChunks(shape: array.shape, itemSize: dataType.itemSize, targetBytes: chunkBytes),
            compression: compression, attributes: attributes, to: resolved.store, at: path)
        return .json(ZarrColumnMetadata.json(path: path, store: resolved.spec.name, shape: array.shape, dataType: dataType))
    }

    public func decode(_ stored: Value, context: CodecContext) async throws -> Value {
        let column = try ZarrColumnMetadata(stored, attribute: context.attributeName)
        var storeContext = context
        storeContext.store = column.store ?? context.store
        let resolved = try storeContext.objectStore()
        let ref: ZarrArrayRef
        if let shape = column.shape, let dtype = column.dtype {
            ref = ZarrArrayRef(
                store: resolved.store, storeName: resolved.spec.name, path: column.path, shape: shape, dtype: dtype,
                label: context.attributeName)
        } else {
            // Metadata without shape or dtype: the array's own metadata says them.
            ref = try await ZarrArrayRef(store: resolved.store, path: column.path, storeName: resolved.spec.name)
        }
        return .custom(CustomValue(ref))
    }

    static func check(_ dtype: DType, context: CodecContext) throws {
        guard ZarrDataType.isSupported(dtype) else {
            throw DataJointError(
                .invalidValue,
                "\(context.attributeName) is <zarr@>: arrays of dtype \(dtype) cannot be stored as Zarr; supported: "
                    + ZarrDataType.supportedNames)
        }
    }

    static func check(_ compression: ZarrCompression, context: CodecContext) throws {
        switch compression {
        case .none: return
        case .gzip(let level), .zlib(let level):
            guard (0...9).contains(level) else {
                throw DataJointError(
                    .invalidValue, "\(context.attributeName) is <zarr@>: the compression level \(level) is not 0 to 9")
            }
        case .zstd(let level, _):
            guard (-131072...22).contains(level) else {
                throw DataJointError(
                    .invalidValue, "\(context.attributeName) is <zarr@>: the zstd level \(level) is not -131072 to 22")
            }
        }
    }
}
