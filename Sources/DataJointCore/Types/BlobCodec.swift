import Foundation

/// `<blob>`: any value DataJoint's blob format holds — N-dimensional arrays, numbers, strings, lists, dicts,
/// structs — serialized as DataJoint-Python serializes it (`mYm`/`dj0` protocols, zlib for large blobs), so Python
/// clients read what Swift writes and the reverse. Insert a `BlobValue`, an `NDArray` or any `BlobConvertible`
/// Swift value (wrapped by `Value.blob(_:)`), or a plain value; fetch gives `.custom(BlobValue)`.
public struct BlobCodec: Codec {
    public let name = "blob"

    public init() {}

    public func storedType(inStore: Bool) -> String { inStore ? "<hash>" : "bytes" }

    /// The blob value of an inserted value.
    static func blobValue(of value: Value) -> BlobValue? {
        switch value {
        case .custom(let c):
            if let blob = c.as(BlobValue.self) { return blob }
            if let array = c.as(NDArray.self) { return .array(array) }
            return nil
        case .null: return BlobValue.none
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .float(d)
        case .string(let s): return .string(s)
        case .bytes(let d): return .bytes(d)
        case .decimal(let d): return .decimal(d.description)
        case .date(let d): return .date(d)
        case .datetime(let d): return .datetime(d)
        case .uuid(let u): return .uuid(u)
        case .json(let j): return blobValue(of: j)
        }
    }

    /// The blob value of a JSON value: arrays become lists, objects dicts (keys sorted), scalars as plain values do.
    static func blobValue(of json: JSON) -> BlobValue {
        switch json {
        case .array(let a): .list(a.map(blobValue(of:)))
        case .object(let o): .dict(o.keys.sorted().map { (key: BlobValue.string($0), value: blobValue(of: o[$0]!)) })
        case .null, .bool, .int, .double, .string: blobValue(of: json.asValue) ?? .none  // a scalar's is never nil
        }
    }

    public func validate(_ value: Value, context: CodecContext) throws {
        guard BlobCodec.blobValue(of: value) != nil else {
            throw context.unsupportedValue(value, codec: "<blob>", give: "a BlobValue, an NDArray or a plain value")
        }
    }

    public func encode(_ value: Value, context: CodecContext) throws -> Value {
        guard let blob = BlobCodec.blobValue(of: value) else { throw DataJointError(.invalidValue, "not a blob value") }
        return .bytes(try Blob.pack(blob, compress: true))
    }

    public func decode(_ stored: Value, context: CodecContext) throws -> Value {
        guard case .bytes(let data) = stored else {
            throw DataJointError(.codec, "\(context.attributeName) does not hold a blob")
        }
        do {
            return .custom(CustomValue(try Blob.unpack(data)))
        } catch let error as DataJointError {
            throw DataJointError(.codec, "\(context.attributeName): \(error.message)")
        }
    }
}

extension Value {
    /// A value for a `<blob>` attribute: `["trace": .blob(NDArray(samples, shape: [n]))]`.
    public static func blob(_ value: some BlobConvertible) -> Value {
        .custom(CustomValue(BlobValue(value)))
    }
}

extension BlobValue: CustomValueConvertible {}

extension NDArray: ValueConvertible, ValueReadable {
    public var dataJointValue: Value { .custom(CustomValue(BlobValue.array(self))) }
    /// An `NDArray`, or a ``BlobValue`` that holds one, inserted or fetched as a custom value.
    static func read(_ value: Value) -> NDArray? {
        guard case .custom(let c) = value else { return nil }
        return c.as(NDArray.self) ?? c.as(BlobValue.self)?.arrayValue
    }
}
