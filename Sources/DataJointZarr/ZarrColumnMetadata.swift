import DataJointCore

/// What a `<zarr@>` column holds for each row: JSON that names the Zarr array and describes it.
///
/// ```json
/// {"path": "_schema/lab/recording/rec_id=1/trace_Xy3k9a2B.zarr", "store": "main",
///  "shape": [1000, 64], "dtype": "float64", "codec_version": 1}
/// ```
///
/// `path`, `store`, `shape` and `dtype` are those of DataJoint-Python's plugin `dj-zarr-codecs` (`dtype` is
/// `str(numpy.dtype)`; `store` may be null there, for the default store). `codec_version` is the version of the
/// format of this codec: 1, the first. Metadata without it (written by DataJoint-Python) is read as version 1.
/// Metadata of a later version is refused, so that an older reader never misreads what a newer writer stored.
struct ZarrColumnMetadata: Sendable, Hashable {
    /// The store-relative path of the array's directory.
    var path: String
    /// The store the array is in: nil for the attribute's own (or the default) store.
    var store: String?
    /// Shape and dtype, when the metadata gives them.
    var shape: [Int]?
    var dtype: DType?
    /// The format version the metadata was written with.
    var version: Int

    /// The column value of an array just written.
    static func json(path: String, store: String, shape: [Int], dataType: ZarrDataType) -> JSON {
        [
            "path": .string(path), "store": .string(store), "shape": .array(shape.map { .int(Int64($0)) }),
            "dtype": .string(dataType.numpyName), "codec_version": .int(Int64(ZarrCodec.formatVersion)),
        ]
    }

    /// Reads the column value of `<zarr@>` (`.json` or JSON text). Throws `.codec` when it is not the metadata of
    /// a Zarr array, or when it was written by a newer version of the codec.
    init(_ stored: Value, attribute: String) throws {
        guard case .object(let object)? = stored.jsonDocument else {
            throw DataJointError(.codec, "\(attribute) does not hold the JSON metadata of a Zarr array")
        }
        switch object["codec_version"] {
        case nil, .null?:
            version = 1
        case .int(let v)?:
            guard v >= 1, v <= ZarrCodec.formatVersion else {
                throw DataJointError(
                    .codec,
                    "\(attribute) was stored with version \(v) of the <zarr@> format, but this DataJointZarr reads "
                        + "versions 1 to \(ZarrCodec.formatVersion): update DataJointZarr to read it")
            }
            version = Int(v)
        case let other?:
            throw DataJointError(
                .codec, "\(attribute) has the codec_version \(other.serialized()), which is not a <zarr@> format version")
        }
        guard case .string(let path)? = object["path"], !path.isEmpty else {
            throw DataJointError(.codec, "\(attribute): the stored metadata has no `path`")
        }
        self.path = path
        if case .string(let s)? = object["store"] { store = s }
        if case .array(let dims)? = object["shape"] {
            let lengths = dims.compactMap { item -> Int? in
                if case .int(let n) = item, n >= 0 { return Int(exactly: n) }
                return nil
            }
            guard lengths.count == dims.count else {
                throw DataJointError(.codec, "\(attribute): the stored metadata has an impossible shape \(JSON.array(dims).serialized())")
            }
            shape = lengths
        }
        if case .string(let name)? = object["dtype"] {
            guard let dtype = DType(numpyName: name), ZarrDataType.isSupported(dtype) else {
                throw DataJointError(
                    .codec, "\(attribute) holds a Zarr array of dtype `\(name)`, which is not supported; supported: "
                        + ZarrDataType.supportedNames)
            }
            self.dtype = dtype
        }
    }
}
