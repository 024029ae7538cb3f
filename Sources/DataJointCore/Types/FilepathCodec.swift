import Foundation

/// `<filepath@store>`: a reference to a file (or directory) that already exists in a store, by its path relative to
/// the store's location. Only the path is recorded (`{path, store, size, is_dir, timestamp}`); DataJoint neither
/// copies, moves nor deletes the file. The path may not enter the store's managed sections (`hash_prefix`,
/// `schema_prefix`) and must start with `filepath_prefix` when one is configured. Fetch gives an ``ObjectRef``.
///
/// `<filepath@>` uses `stores.filepath_default`.
public struct FilepathCodec: Codec {
    public let name = "filepath"

    public init() {}

    public func storedType(inStore: Bool) throws -> String { try storeOnlyType(inStore: inStore) }

    public func validate(_ value: Value, context: CodecContext) throws {
        guard case .string = value else {
            throw context.unsupportedValue(value, codec: "<filepath@>", give: "a path relative to the store")
        }
    }

    public func encode(_ value: Value, context: CodecContext) async throws -> Value {
        guard case .string(let path) = value else { throw DataJointError(.invalidValue, "not a path") }
        let (spec, store) = try context.objectStore(filepath: true).pair
        let relative = String(path.drop(while: { $0 == "/" }))
        func refuse(_ why: String) -> DataJointError {
            DataJointError(.invalidValue, "\(context.attributeName): \(why) (got \(path))")
        }
        for (key, prefix) in [("hash_prefix", spec.hashPrefix), ("schema_prefix", spec.schemaPrefix)] {
            let section = prefix.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            if !section.isEmpty, relative.hasPrefix(section + "/") || relative == section {
                throw refuse("<filepath@> cannot refer into the section \(section) (\(key)) that DataJoint manages")
            }
        }
        if let required = spec.filepathPrefix?.trimmingCharacters(in: CharacterSet(charactersIn: "/")), !required.isEmpty,
            !relative.hasPrefix(required + "/")
        {
            throw refuse("paths of store \(spec.name) must start with \(required)/ (filepath_prefix)")
        }
        guard try await store.exists(path) else {
            throw refuse("no file at \(store.url(for: path)) in store \(spec.name)")
        }
        let isDirectory = try await store.isDirectory(path)
        let size: JSON = isDirectory ? .null : .int(Int64(try await store.size(path)))
        return .json([
            "path": .string(path), "store": .string(spec.name), "size": size, "is_dir": .bool(isDirectory),
            "timestamp": .string(ObjectCodec.timestamp()),
        ])
    }

    public func decode(_ stored: Value, context: CodecContext) async throws -> Value {
        try ObjectCodec.reference(stored, context: context, filepath: true)
    }
}
