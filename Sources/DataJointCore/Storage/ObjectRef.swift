import Foundation

/// What fetching an `<object@>` or `<filepath@>` attribute gives: a handle on a file or directory in a store.
/// Nothing is read until you ask (``read(_:)``, ``download(to:)``).
///
/// ```swift
/// let recording: ObjectRef = try await (lab[Recording.self] & key).fetch1("raw")
/// let bytes = try await recording.read()
/// ```
public struct ObjectRef: Sendable, Hashable, CustomStringConvertible {
    /// The store-relative path, as recorded in the row's metadata.
    public let path: String
    /// The store's name.
    public let storeName: String?
    /// Size in bytes (of all files, for a directory), when recorded.
    public let size: Int?
    /// The file extension the object was stored with (`.zarr`, `.dat`), if any.
    public let fileExtension: String?
    /// Whether the object is a directory of files.
    public let isDirectory: Bool
    /// For a directory: how many files it holds, when recorded.
    public let itemCount: Int?
    /// When it was stored (ISO 8601, UTC), when recorded.
    public let timestamp: String?
    /// The metadata as stored in the row.
    public let metadata: JSON
    let store: any ObjectStore

    init(metadata: [String: JSON], store: any ObjectStore, storeName: String?) throws {
        guard case .string(let path)? = metadata["path"] else {
            throw DataJointError(.codec, "stored object metadata has no path")
        }
        self.path = path
        self.storeName = storeName
        func int(_ key: String) -> Int? {
            switch metadata[key] {
            case .int(let i)?: Int(i)
            case .double(let d)?: Int(exactly: d.rounded(.towardZero))
            default: nil
            }
        }
        func string(_ key: String) -> String? {
            if case .string(let s)? = metadata[key] { return s }
            return nil
        }
        size = int("size")
        fileExtension = string("ext")
        if case .bool(let b)? = metadata["is_dir"] { isDirectory = b } else { isDirectory = false }
        itemCount = int("item_count")
        timestamp = string("timestamp")
        self.metadata = .object(metadata)
        self.store = store
    }

    /// The object's URL (`file:///...`, `s3://bucket/...`).
    public var url: String { store.url(for: path) }

    /// The object's bytes (a file; for a directory, name a file inside it).
    public func read(_ subpath: String? = nil) async throws -> Data {
        if isDirectory, subpath == nil {
            throw DataJointError(.notAllowed, "\(path) is a directory: read one of its files (read(\"name\")) or download it")
        }
        return try await store.get(subpath.map { path + "/" + $0 } ?? path)
    }

    /// The files of a directory object, as paths relative to it.
    public func files() async throws -> [String] {
        try await store.list(under: path).map { String($0.path.dropFirst(path.count + 1)) }
    }

    /// Whether the object (or a file inside a directory object) is in its store.
    public func exists(_ subpath: String? = nil) async throws -> Bool {
        try await store.exists(subpath.map { path + "/" + $0 } ?? path)
    }

    /// Copies the object into the local directory `directory` (created if needed), under its own file name, and
    /// returns the local path.
    @discardableResult
    public func download(to directory: URL) async throws -> URL {
        let name = path.split(separator: "/").last.map(String.init) ?? "object"
        let target = directory.appendingPathComponent(name)
        try await store.download(path, to: target)
        return target
    }

    public var description: String {
        "ObjectRef(\(isDirectory ? "directory" : "file"): \(path)\(size.map { ", size=\($0)" } ?? ""))"
    }

    public static func == (a: ObjectRef, b: ObjectRef) -> Bool {
        a.metadata == b.metadata && a.storeName == b.storeName
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(path)
        hasher.combine(storeName)
    }
}

extension ObjectRef: CustomValueConvertible {}

/// Content to store in an `<object@>` attribute together with the file extension it should be stored under
/// (`ObjectData(data, fileExtension: ".dat")`); plain `Data` is stored without an extension, and a local file or
/// directory path (`String` or `URL`) is uploaded with its own extension.
public struct ObjectData: Sendable, Hashable {
    public var data: Data
    public var fileExtension: String?

    public init(_ data: Data, fileExtension: String? = nil) {
        self.data = data
        self.fileExtension = fileExtension
    }
}

extension ObjectData: CustomValueConvertible {}
