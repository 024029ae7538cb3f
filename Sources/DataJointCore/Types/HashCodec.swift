import Foundation

/// `<hash@store>`: bytes kept once per schema in a store, addressed by their content hash. The column holds JSON
/// metadata `{hash, path, schema, store, size}`; identical content inserted twice is stored once. Objects no row
/// refers to any more are removed by garbage collection (``Schema/collectGarbage(store:dryRun:minimumAge:)``).
///
/// Usually reached through `<blob@store>` and `<attach@store>`, which store their bytes this way.
public struct HashCodec: Codec {
    public let name = "hash"

    public init() {}

    public func storedType(inStore: Bool) throws -> String { try storeOnlyType(inStore: inStore) }

    public func validate(_ value: Value, context: CodecContext) throws {
        guard case .bytes = value else {
            throw context.unsupportedValue(value, codec: "<hash@>", give: "bytes (Data)")
        }
    }

    public func encode(_ value: Value, context: CodecContext) async throws -> Value {
        guard case .bytes(let data) = value else { throw DataJointError(.invalidValue, "<hash@> stores bytes") }
        let (spec, store) = try context.objectStore().pair
        let hash = HashAddress.hash(of: data)
        let path = HashAddress.path(hash: hash, schema: context.schema, spec: spec)
        // Content already stored by this schema is not written again.
        if try await !store.exists(path) {
            try await store.put(data, at: path)
        }
        return .json([
            "hash": .string(hash), "path": .string(path), "schema": .string(context.schema), "store": .string(spec.name),
            "size": .int(Int64(data.count)),
        ])
    }

    public func decode(_ stored: Value, context: CodecContext) async throws -> Value {
        let metadata = try StoredMetadata(stored, context: context)
        let path = try metadata.string("path")
        let expected = try metadata.string("hash")
        let store = try metadata.objectStore().store
        let data = try await store.get(path)
        guard HashAddress.hash(of: data) == expected else {
            throw DataJointError(
                .missingObject,
                "\(context.attributeName): the object at \(store.url(for: path)) does not match its hash "
                    + "\(expected); it was changed or damaged outside DataJoint")
        }
        return .bytes(data)
    }
}

extension StoreRegistry.Resolved {
    var pair: (StoreSpec, any ObjectStore) { (spec, store) }
}

/// The JSON metadata in-store codecs keep in their column.
struct StoredMetadata {
    let object: [String: JSON]
    let context: CodecContext

    init(_ stored: Value, context: CodecContext) throws {
        guard case .object(let object)? = stored.jsonDocument else {
            throw DataJointError(
                .codec, "\(context.attributeName) does not hold the JSON metadata of a stored object")
        }
        self.object = object
        self.context = context
    }

    func string(_ key: String) throws -> String {
        guard case .string(let s)? = object[key] else {
            throw DataJointError(
                .codec, "\(context.attributeName): the stored metadata has no `\(key)`")
        }
        return s
    }

    /// The store the metadata names (else the attribute's own store), resolved through the connection's stores.
    func objectStore(filepath: Bool = false) throws -> StoreRegistry.Resolved {
        var ctx = context
        ctx.store = optionalString("store") ?? context.store
        return try ctx.objectStore(filepath: filepath)
    }

    func optionalString(_ key: String) -> String? {
        if case .string(let s)? = object[key] { return s }
        return nil
    }

    func int(_ key: String) -> Int? {
        switch object[key] {
        case .int(let i)?: return Int(i)
        case .double(let d)?: return Int(exactly: d.rounded(.towardZero))
        default: return nil
        }
    }

    func bool(_ key: String) -> Bool? {
        if case .bool(let b)? = object[key] { return b }
        return nil
    }
}
