import Foundation

/// What fetching an `<object@>` or `<filepath@>` attribute gives: a handle on a file or directory in a store.
/// Nothing is read until you ask: whole (``read(_:)``), in part (``read(_:range:)``), streamed in pieces
/// (``open(_:chunkSize:)``), or copied to a local directory (``download(_:to:)``). Directory objects list their
/// contents (``listdir(_:)``, ``walk()``), and ``verify()`` checks an object against its recorded metadata.
///
/// ```swift
/// let recording: ObjectRef = try await (lab[Recording.self] & key).fetch1("raw")
/// let header = try await recording.read(range: 0..<512)
/// for try await chunk in try recording.open() { hasher.update(data: chunk) }
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

    /// The size of the pieces that ``open(_:chunkSize:)`` and downloads read at a time: 8 MiB.
    public static let defaultChunkSize = 8 << 20

    /// The object's bytes (a file; for a directory, name a file inside it).
    public func read(_ subpath: String? = nil) async throws -> Data {
        try await store.get(try file(subpath))
    }

    /// Bytes `range` of the object (a file; for a directory, name a file inside it), read without reading the rest
    /// (a ranged read). A range reaching past the end gives the bytes up to the end.
    ///
    /// - Throws: `DataJointError` (`.invalidValue`) for a range starting before 0.
    public func read(_ subpath: String? = nil, range: Range<Int>) async throws -> Data {
        guard range.lowerBound >= 0 else {
            throw DataJointError(.invalidValue, "read(range: \(range)): a range of bytes of \(path) starts at 0 or later")
        }
        return try await store.get(try file(subpath), range: range)
    }

    /// The object's bytes as a sequence of pieces of `chunkSize` bytes (the last one shorter), each read when the
    /// loop asks for it: a large object is never in memory whole.
    ///
    /// ```swift
    /// for try await chunk in try recording.open(chunkSize: 1 << 20) { try output.write(contentsOf: chunk) }
    /// ```
    ///
    /// - Throws: `DataJointError` (`.invalidValue`) for a directory without `subpath`, a `subpath` of a file object,
    ///   or a `chunkSize` below 1. Reading throws `.missingObject` when the file is not in its store.
    public func open(_ subpath: String? = nil, chunkSize: Int = ObjectRef.defaultChunkSize) throws -> ObjectChunks {
        guard chunkSize > 0 else {
            throw DataJointError(.invalidValue, "open(chunkSize: \(chunkSize)): the chunk size must be at least 1 byte")
        }
        return ObjectChunks(store: store, path: try file(subpath), chunkSize: chunkSize)
    }

    /// The files of a directory object, as paths relative to it.
    public func files() async throws -> [String] {
        try await store.list(under: path).map { String($0.path.dropFirst(path.count + 1)) }
    }

    /// Whether the object (or a file inside a directory object) is in its store.
    public func exists(_ subpath: String? = nil) async throws -> Bool {
        try await store.exists(subpath.map { path + "/" + $0 } ?? path)
    }

    /// Copies the object — or, for a directory object, the file or subdirectory `subpath` inside it — into the local
    /// directory `directory` (created if needed) under its own name, and returns the local path. Files are copied in
    /// pieces, never held in memory whole.
    @discardableResult
    public func download(_ subpath: String? = nil, to directory: URL) async throws -> URL {
        let source = try location(subpath)
        let name = source.split(separator: "/").last.map(String.init) ?? "object"
        let target = directory.appendingPathComponent(name)
        try await store.download(source, to: target)
        return target
    }

    /// The store path of `subpath` inside a directory object, or of the object itself for nil or "".
    ///
    /// - Throws: `.invalidValue` for a `subpath` of a file object, or one that leaves the directory.
    func location(_ subpath: String?) throws -> String {
        let components = (subpath ?? "").split(separator: "/", omittingEmptySubsequences: true)
        guard !components.isEmpty else { return path }
        guard isDirectory else {
            throw DataJointError(.invalidValue, "\(path) is a file, not a directory: it has no \"\(subpath!)\" inside")
        }
        guard !components.contains(where: { $0 == "." || $0 == ".." }) else {
            throw DataJointError(.invalidValue, "\"\(subpath!)\" is not a path inside the directory \(path) (no . or .. components)")
        }
        return path + "/" + components.joined(separator: "/")
    }

    /// The store path of a file: the object, or `subpath` inside a directory object.
    func file(_ subpath: String?) throws -> String {
        let location = try location(subpath)
        if isDirectory, location == path {
            throw DataJointError(
                .notAllowed, "\(path) is a directory: read one of its files (name it as the subpath), list it (listdir) or download it")
        }
        return location
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
