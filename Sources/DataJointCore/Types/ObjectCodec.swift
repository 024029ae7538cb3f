import Foundation

/// `<object@store>`: a file or a directory of files kept in a store at a path built from the row's schema, table,
/// primary key and attribute (schema-addressed), with JSON metadata `{path, store, size, ext, is_dir, item_count,
/// timestamp}` in the column.
///
/// Insert `Data` (stored without extension), ``ObjectData`` (with an extension), or the path of a local file or
/// directory (`String` or `URL`, uploaded with its extension). Fetch gives an ``ObjectRef``.
public struct ObjectCodec: SchemaAddressedCodec {
    public let name = "object"

    public init() {}

    public func storedType(inStore: Bool) throws -> String { try storeOnlyType(inStore: inStore) }

    enum Content {
        case data(Data, String?)
        case file(URL)
        case stored([String: JSON])
    }

    func content(of value: Value) -> Content? {
        switch value {
        case .bytes(let d): return .data(d, nil)
        case .string(let s): return .file(URL(fileURLWithPath: s))
        case .json(.object(let o)) where o["path"] != nil: return .stored(o)
        case .custom(let c):
            if let d = c.as(ObjectData.self) { return .data(d.data, d.fileExtension) }
            if let url = c.as(URL.self) { return .file(url) }
            if case .object(let o)? = c.as(ObjectRef.self)?.metadata { return .stored(o) }
            return nil
        default: return nil
        }
    }

    public func validate(_ value: Value, context: CodecContext) throws {
        guard let content = content(of: value) else {
            throw context.unsupportedValue(
                value, codec: "<object@>", give: "Data, ObjectData, or the path of a local file or directory")
        }
        if case .file(let url) = content, !FileManager.default.fileExists(atPath: url.path) {
            throw DataJointError(
                .invalidValue, "\(context.attributeName): no file or directory at \(url.path)")
        }
    }

    public func encode(_ value: Value, context: CodecContext) async throws -> Value {
        guard let content = content(of: value) else { throw DataJointError(.invalidValue, "not an object value") }
        if case .stored(let metadata) = content { return .json(.object(metadata)) }
        let (spec, store) = try context.objectStore().pair
        var ext: String?
        var isDirectory = false
        var size = 0
        var itemCount: Int?
        var upload: (String) async throws -> Void
        switch content {
        case .data(let data, let fileExtension):
            ext = fileExtension.map { $0.hasPrefix(".") || $0.isEmpty ? $0 : "." + $0 }
            size = data.count
            upload = { try await store.put(data, at: $0) }
        case .file(let url):
            var directory: ObjCBool = false
            FileManager.default.fileExists(atPath: url.path, isDirectory: &directory)
            isDirectory = directory.boolValue
            if !isDirectory {
                ext = url.pathExtension.isEmpty ? nil : "." + url.pathExtension
                size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)??.intValue ?? 0
            }
            upload = { path in
                let (files, bytes) = try await store.upload(url, to: path)
                if isDirectory {
                    itemCount = files
                    size = bytes
                    try await store.put(try Self.manifest(of: url, bytes: bytes), at: path + ".manifest.json")
                }
            }
        case .stored:
            fatalError("handled above")
        }
        let path = context.newObjectPath(fileExtension: ext, spec: spec)
        context.recordNewObject(path, in: store)
        if isDirectory { context.recordNewObject(path + ".manifest.json", in: store) }
        try await upload(path)
        return .json([
            "path": .string(path), "store": .string(spec.name), "size": .int(Int64(size)), "ext": ext.map(JSON.string) ?? .null,
            "is_dir": .bool(isDirectory), "item_count": itemCount.map { .int(Int64($0)) } ?? .null,
            "timestamp": .string(Self.timestamp()),
        ])
    }

    public func decode(_ stored: Value, context: CodecContext) async throws -> Value {
        try Self.reference(stored, context: context, filepath: false)
    }

    /// An ``ObjectRef`` for stored metadata, on the store it names.
    static func reference(_ stored: Value, context: CodecContext, filepath: Bool) throws -> Value {
        let metadata = try StoredMetadata(stored, context: context)
        let resolved = try metadata.objectStore(filepath: filepath)
        return .custom(CustomValue(try ObjectRef(metadata: metadata.object, store: resolved.store, storeName: resolved.spec.name)))
    }

    /// The reference's `{path}.manifest.json` beside a directory object: its files, their sizes, and the total.
    static func manifest(of directory: URL, bytes: Int) throws -> Data {
        let files = try LocalFiles.regularFiles(in: directory).map { relative -> JSON in
            let size = (try? FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent(relative).path)[.size]
                as? NSNumber)??.intValue ?? 0
            return .object(["path": .string(relative), "size": .int(Int64(size))])
        }
        let manifest: JSON = .object([
            "files": .array(files), "total_size": .int(Int64(bytes)), "item_count": .int(Int64(files.count)),
            "created": .string(timestamp()),
        ])
        return Data(manifest.serialized().utf8)
    }

    /// Now, as Python's `datetime.now(timezone.utc).isoformat()` writes it.
    static func timestamp() -> String {
        let now = Date()
        let seconds = floor(now.timeIntervalSince1970)
        let micro = Int((now.timeIntervalSince1970 - seconds) * 1_000_000)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        return formatter.string(from: Date(timeIntervalSince1970: seconds)) + String(format: ".%06d+00:00", micro)
    }
}
