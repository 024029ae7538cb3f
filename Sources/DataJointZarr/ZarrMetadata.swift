import DataJointCore
import Foundation

/// What a Zarr array's metadata document says: `zarr.json` (Zarr v3) or `.zarray` (Zarr v2) in the array's
/// directory.
///
/// This module reads arrays of both formats with a regular chunk grid, C or (v2) Fortran element order, either byte
/// order, and chunks that are uncompressed or gzip/zlib compressed (see ``ZarrCompression``). It writes Zarr v3.
public struct ZarrArrayMetadata: Sendable, Hashable {
    /// 2 or 3.
    public let zarrFormat: Int
    /// The array's shape (`[]` for a 0-dimensional array).
    public let shape: [Int]
    /// The shape of one chunk: the array is cut into chunks of this shape, those at the far edges partly filled.
    public let chunks: [Int]
    /// The element type.
    public let dtype: DType
    /// How chunks are compressed.
    public let compression: ZarrCompression
    /// The array's user attributes (`attributes` of `zarr.json`, `.zattrs` of Zarr v2, when read).
    public let attributes: [String: JSON]

    let dataType: ZarrDataType
    /// Element order inside a chunk: C (row-major) unless a v2 array says `F`.
    let fortranOrder: Bool
    let chunkKeys: ZarrChunkKeyEncoding
    /// One element of the fill value, little-endian.
    let fill: Data

    /// The number of chunks along each axis (0 along an axis of length 0).
    public var chunkCounts: [Int] { zip(shape, chunks).map { $0 == 0 ? 0 : ($0 + $1 - 1) / $1 } }

    /// The number of bytes of one decoded chunk.
    var chunkByteCount: Int { chunks.reduce(1, *) * dataType.itemSize }

    init(
        zarrFormat: Int, shape: [Int], chunks: [Int], dataType: ZarrDataType, compression: ZarrCompression,
        attributes: [String: JSON], fortranOrder: Bool = false, chunkKeys: ZarrChunkKeyEncoding = .v3Default,
        fill: Data? = nil
    ) {
        self.zarrFormat = zarrFormat
        self.shape = shape
        self.chunks = chunks
        self.dtype = dataType.dtype
        self.dataType = dataType
        self.compression = compression
        self.attributes = attributes
        self.fortranOrder = fortranOrder
        self.chunkKeys = chunkKeys
        self.fill = fill ?? Data(count: dataType.itemSize)
    }

    // MARK: - Reading

    /// Parses `zarr.json` of a Zarr v3 array.
    static func parseV3(_ data: Data) throws -> ZarrArrayMetadata {
        let object = try document(data, name: "zarr.json")
        guard object["zarr_format"] == .int(3) else {
            throw DataJointError(.codec, "its zarr.json does not say zarr_format 3")
        }
        if case .string(let type)? = object["node_type"], type != "array" {
            throw DataJointError(.codec, "it is a Zarr \(type), not an array")
        }
        let shape = try dimensions(object["shape"], name: "shape")
        guard case .object(let grid)? = object["chunk_grid"], grid["name"] == .string("regular"),
            case .object(let gridConfiguration)? = grid["configuration"]
        else {
            throw DataJointError(.codec, "its chunk grid is not regular (only regular chunk grids are supported)")
        }
        let chunks = try dimensions(gridConfiguration["chunk_shape"], name: "chunk_shape")
        guard case .string(let typeName)? = object["data_type"] else {
            throw DataJointError(.codec, "its data_type is missing or not a name (only the numeric types are supported)")
        }
        if let transformers = object["storage_transformers"], transformers != .array([]), transformers != .null {
            throw DataJointError(.codec, "it has storage transformers, which are not supported")
        }
        // codecs: [array -> bytes] followed by bytes -> bytes compressors.
        guard case .array(let codecs)? = object["codecs"], !codecs.isEmpty else {
            throw DataJointError(.codec, "its codecs are missing")
        }
        var bigEndian = false
        var compression = ZarrCompression.none
        var sawBytes = false
        for codec in codecs {
            let (name, configuration) = try codecName(codec)
            switch name {
            case "bytes" where !sawBytes:
                sawBytes = true
                if case .string(let endian)? = configuration["endian"] {
                    guard endian == "little" || endian == "big" else {
                        throw DataJointError(.codec, "its bytes codec has the unknown endian `\(endian)`")
                    }
                    bigEndian = endian == "big"
                }
            case "gzip", "numcodecs.gzip", "zlib", "numcodecs.zlib":
                guard sawBytes, compression == .none else { throw unsupportedCodecOrder(codecs) }
                let level = configuration["level"].flatMap { if case .int(let l) = $0 { Int(l) } else { nil } } ?? 5
                compression = name.hasSuffix("gzip") ? .gzip(level: level) : .zlib(level: level)
            case "zstd", "numcodecs.zstd":
                guard sawBytes, compression == .none else { throw unsupportedCodecOrder(codecs) }
                let level = configuration["level"].flatMap { if case .int(let l) = $0 { Int(l) } else { nil } } ?? 0
                let checksum = configuration["checksum"].flatMap { if case .bool(let b) = $0 { b } else { nil } } ?? false
                compression = .zstd(level: level, checksum: checksum)
            case "transpose":
                throw DataJointError(.codec, "it uses the transpose codec, which is not supported")
            case "sharding_indexed":
                throw DataJointError(.codec, "it is sharded (codec sharding_indexed), which is not supported")
            default:
                throw DataJointError(
                    .codec, "its chunks use the codec `\(name)`, which is not supported (only bytes and gzip/zlib/zstd)")
            }
        }
        guard sawBytes else { throw unsupportedCodecOrder(codecs) }
        let dataType = try ZarrDataType(v3: typeName, bigEndian: bigEndian)
        var attributes: [String: JSON] = [:]
        if case .object(let a)? = object["attributes"] { attributes = a }
        let chunkKeys = try ZarrChunkKeyEncoding(v3: object["chunk_key_encoding"])
        let fill = try ZarrFillValue.bytes(object["fill_value"], dtype: dataType.dtype)
        return try checked(
            ZarrArrayMetadata(
                zarrFormat: 3, shape: shape, chunks: chunks, dataType: dataType, compression: compression,
                attributes: attributes, chunkKeys: chunkKeys, fill: fill))
    }

    /// Parses `.zarray` (and the attributes of `.zattrs`, when there are any) of a Zarr v2 array.
    static func parseV2(_ data: Data, attributes: Data?) throws -> ZarrArrayMetadata {
        let object = try document(data, name: ".zarray")
        guard object["zarr_format"] == .int(2) else {
            throw DataJointError(.codec, "its .zarray does not say zarr_format 2")
        }
        let shape = try dimensions(object["shape"], name: "shape")
        let chunks = try dimensions(object["chunks"], name: "chunks")
        guard case .string(let typestr)? = object["dtype"] else {
            throw DataJointError(
                .codec, "its dtype is not a type string (structured dtypes are not supported; supported: "
                    + "\(ZarrDataType.supportedNames))")
        }
        let dataType = try ZarrDataType(v2: typestr)
        var fortranOrder = false
        switch object["order"] {
        case .string("C")?, nil: break
        case .string("F")?: fortranOrder = true
        default: throw DataJointError(.codec, "its order is not C or F")
        }
        switch object["filters"] {
        case nil, .null?, .array([])?: break
        case .array(let filters)?:
            let ids = filters.map { filter -> String in
                if case .object(let o) = filter, case .string(let id)? = o["id"] { return id }
                return "?"
            }
            throw DataJointError(.codec, "it has the filters \(ids.joined(separator: ", ")), which are not supported")
        default: throw DataJointError(.codec, "its filters are not a list")
        }
        let compression: ZarrCompression
        switch object["compressor"] {
        case nil, .null?:
            compression = .none
        case .object(let compressor)?:
            guard case .string(let id)? = compressor["id"] else {
                throw DataJointError(.codec, "its compressor has no id")
            }
            let level = compressor["level"].flatMap { if case .int(let l) = $0 { Int(l) } else { nil } } ?? 1
            switch id {
            case "zlib": compression = .zlib(level: level)
            case "gzip": compression = .gzip(level: level)
            case "zstd":
                let checksum = compressor["checksum"].flatMap { if case .bool(let b) = $0 { b } else { nil } } ?? false
                compression = .zstd(level: level, checksum: checksum)
            default:
                throw DataJointError(
                    .codec, "its chunks are compressed with `\(id)`, which is not supported (only zlib, gzip, zstd or none)")
            }
        default:
            throw DataJointError(.codec, "its compressor is not an object")
        }
        var userAttributes: [String: JSON] = [:]
        if let attributes, case .object(let a) = try? JSON(parsing: String(decoding: attributes, as: UTF8.self)) {
            userAttributes = a
        }
        let chunkKeys = try ZarrChunkKeyEncoding(v2Separator: object["dimension_separator"])
        let fill = try ZarrFillValue.bytes(object["fill_value"], dtype: dataType.dtype)
        return try checked(
            ZarrArrayMetadata(
                zarrFormat: 2, shape: shape, chunks: chunks, dataType: dataType, compression: compression,
                attributes: userAttributes, fortranOrder: fortranOrder, chunkKeys: chunkKeys, fill: fill))
    }

    private static func document(_ data: Data, name: String) throws -> [String: JSON] {
        guard case .object(let object)? = try? JSON(parsing: String(decoding: data, as: UTF8.self)) else {
            throw DataJointError(.codec, "its \(name) is not a JSON object")
        }
        return object
    }

    private static func dimensions(_ json: JSON?, name: String) throws -> [Int] {
        guard case .array(let items)? = json else {
            throw DataJointError(.codec, "its \(name) is missing or not a list of lengths")
        }
        return try items.map { item in
            guard case .int(let n) = item, n >= 0, let length = Int(exactly: n) else {
                throw DataJointError(.codec, "its \(name) \(json!.serialized()) is not a list of lengths")
            }
            return length
        }
    }

    private static func codecName(_ codec: JSON) throws -> (String, [String: JSON]) {
        switch codec {
        case .string(let name): return (name, [:])
        case .object(let object):
            guard case .string(let name)? = object["name"] else { break }
            if case .object(let configuration)? = object["configuration"] { return (name, configuration) }
            return (name, [:])
        default: break
        }
        throw DataJointError(.codec, "its codecs hold \(codec.serialized()), which is not a codec")
    }

    private static func unsupportedCodecOrder(_ codecs: [JSON]) -> DataJointError {
        DataJointError(
            .codec, "its codecs \(JSON.array(codecs).serialized()) are not supported (only bytes followed by gzip/zlib)")
    }

    /// Checks that the shape and chunks fit each other and that sizes do not overflow.
    private static func checked(_ metadata: ZarrArrayMetadata) throws -> ZarrArrayMetadata {
        guard metadata.chunks.count == metadata.shape.count else {
            throw DataJointError(
                .codec, "its chunk shape \(metadata.chunks) does not have one length per axis of its shape \(metadata.shape)")
        }
        guard metadata.chunks.allSatisfy({ $0 > 0 }) else {
            throw DataJointError(.codec, "its chunk shape \(metadata.chunks) has an axis of length 0")
        }
        var total = metadata.dataType.itemSize
        for n in metadata.shape + metadata.chunks {
            let (product, overflow) = total.multipliedReportingOverflow(by: max(n, 1))
            guard !overflow, product < 1 << 48 else {
                throw DataJointError(.codec, "its shape \(metadata.shape) or chunk shape \(metadata.chunks) is too large")
            }
            total = product
        }
        return metadata
    }

    // MARK: - Writing

    /// The `zarr.json` of this (Zarr v3) array, as this module writes it: a regular chunk grid, the default chunk key
    /// encoding with `/`, little-endian `bytes` followed by the compressor.
    func v3Document() -> Data {
        var bytesCodec: JSON = ["name": "bytes"]
        // Python's zarr leaves out the byte order of one-byte types, and so does this.
        if dataType.itemSize > 1 { bytesCodec = ["name": "bytes", "configuration": ["endian": "little"]] }
        var codecs: [JSON] = [bytesCodec]
        switch compression {
        case .none: break
        case .gzip(let level): codecs.append(["name": "gzip", "configuration": ["level": .int(Int64(level))]])
        case .zlib(let level): codecs.append(["name": "numcodecs.zlib", "configuration": ["level": .int(Int64(level))]])
        case .zstd(let level, let checksum):
            codecs.append(["name": "zstd", "configuration": ["level": .int(Int64(level)), "checksum": .bool(checksum)]])
        }
        let document: JSON = [
            "zarr_format": 3,
            "node_type": "array",
            "shape": .array(shape.map { .int(Int64($0)) }),
            "data_type": .string(dataType.v3Name),
            "chunk_grid": ["name": "regular", "configuration": ["chunk_shape": .array(chunks.map { .int(Int64($0)) })]],
            "chunk_key_encoding": chunkKeys.v3JSON,
            "fill_value": ZarrFillValue.zero(dtype),
            "codecs": .array(codecs),
            "attributes": .object(attributes),
            "storage_transformers": [],
        ]
        return Data(document.serialized().utf8)
    }
}
