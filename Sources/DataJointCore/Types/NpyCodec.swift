import Foundation

/// `<npy@store>`: an array kept as a NumPy `.npy` file in a store at a schema-addressed path, readable by any NumPy
/// program. The column holds `{path, store, dtype, shape}`; fetch gives an ``NpyRef`` whose ``NpyRef/load()`` reads
/// the array.
public struct NpyCodec: SchemaAddressedCodec {
    public let name = "npy"

    public init() {}

    public func storedType(inStore: Bool) throws -> String { try storeOnlyType(inStore: inStore) }

    public func validate(_ value: Value, context: CodecContext) throws {
        guard let array = NDArray(dataJointValue: value) else {
            throw context.unsupportedValue(value, codec: "<npy@>", give: "an NDArray")
        }
        if array.dtype == .object {
            throw DataJointError(
                .invalidValue, "\(context.attributeName) is <npy@>: object arrays cannot be stored as .npy")
        }
    }

    public func encode(_ value: Value, context: CodecContext) async throws -> Value {
        guard let array = NDArray(dataJointValue: value) else { throw DataJointError(.invalidValue, "not an array") }
        let data = try NpyFormat.encode(array)
        let (spec, store) = try context.objectStore().pair
        let path = context.newObjectPath(fileExtension: ".npy", spec: spec)
        context.recordNewObject(path, in: store)
        try await store.put(data, at: path)
        return .json([
            "path": .string(path), "store": .string(spec.name), "dtype": .string(NpyFormat.dtypeName(of: array)),
            "shape": .array(array.shape.map { .int(Int64($0)) }),
        ])
    }

    public func decode(_ stored: Value, context: CodecContext) async throws -> Value {
        let metadata = try StoredMetadata(stored, context: context)
        let resolved = try metadata.objectStore()
        return .custom(CustomValue(try NpyRef(metadata: metadata, store: resolved.store, storeName: resolved.spec.name)))
    }
}
