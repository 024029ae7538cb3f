import Foundation

/// Where the large values of a pipeline live: a file system directory, an S3 bucket, ... .
///
/// Paths are relative to the store's root (its `location`), with `/` between components, exactly as they are
/// recorded in the JSON metadata of in-store attributes (`_hash/lab/4fhu...`). A store only moves bytes: the
/// layout (hash-addressed, schema-addressed, filepath sections) is decided by the codecs.
///
/// Every operation throws a `DataJointError` of kind `.store` when the store cannot be reached, and
/// `get` throws `.missingObject` when nothing is stored at the path.
public protocol ObjectStore: Sendable {
    /// Writes `data` at `path`, replacing what is there. Readers never see a partly written object.
    func put(_ data: Data, at path: String) async throws
    /// The bytes stored at `path`.
    func get(_ path: String) async throws -> Data
    /// Whether an object (or, for stores with directories, a directory) exists at `path`.
    func exists(_ path: String) async throws -> Bool
    /// Whether `path` is a directory (a common prefix of stored objects).
    func isDirectory(_ path: String) async throws -> Bool
    /// The size in bytes of the object at `path`.
    func size(_ path: String) async throws -> Int
    /// Removes the object at `path`; nothing happens if there is none.
    func remove(_ path: String) async throws
    /// Every object stored under the directory `prefix` (recursively), as store-relative paths with their sizes.
    /// An absent directory lists nothing.
    func list(under prefix: String) async throws -> [StoredObject]
    /// A URL naming the object, for messages and for tools outside DataJoint (`file:///...`, `s3://bucket/...`).
    func url(for path: String) -> String
    /// What writes that never finished (a process killed in the middle of ``put(_:at:)`` or of a streaming write)
    /// left under the directory `prefix`: things ``list(under:)`` leaves out (a file store's temporary files, S3's
    /// pending multipart uploads) and garbage collection discards (``discardUnfinishedWrite(_:)``). Stores whose
    /// writes leave nothing behind have none.
    func unfinishedWrites(under prefix: String) async throws -> [StoredObject]
    /// Gives up a write that ``unfinishedWrites(under:)`` found: what it left is removed.
    func discardUnfinishedWrite(_ write: StoredObject) async throws
    /// Bytes `range` of the object at `path`; a range reaching past the end gives the bytes up to the end.
    /// Stores that can read part of an object (files, S3 ranged GETs) read only those bytes.
    func get(_ path: String, range: Range<Int>) async throws -> Data
    /// A writer that streams an object to `path` in pieces (see ``ObjectWriter``). Stores without a streaming write
    /// collect the pieces in memory.
    func writer(at path: String) async throws -> any ObjectWriter
    /// The local file that holds the object at `path`, for stores on the local file system (memory-mapped reads);
    /// nil for other stores.
    func localFile(_ path: String) -> URL?
}

/// One object found by ``ObjectStore/list(under:)``.
public struct StoredObject: Sendable, Hashable {
    /// The store-relative path.
    public var path: String
    /// The size in bytes.
    public var size: Int
    /// When it was last written, where the store tells (files, S3); nil where it does not.
    public var modified: Date?
    /// For an unfinished write (``ObjectStore/unfinishedWrites(under:)``): the store's name for it, where the path
    /// alone does not say which write it is (an S3 multipart upload's id); nil otherwise.
    public var unfinishedWriteID: String?

    public init(path: String, size: Int, modified: Date? = nil, unfinishedWriteID: String? = nil) {
        self.path = path
        self.size = size
        self.modified = modified
        self.unfinishedWriteID = unfinishedWriteID
    }
}

extension ObjectStore {
    /// None: a write either stores the whole object or nothing.
    public func unfinishedWrites(under prefix: String) async throws -> [StoredObject] { [] }

    /// Removes the file (or object) at the write's path.
    public func discardUnfinishedWrite(_ write: StoredObject) async throws { try await remove(write.path) }

    /// Reads the whole object and returns the bytes of `range`.
    public func get(_ path: String, range: Range<Int>) async throws -> Data {
        let data = try await get(path)
        let lower = min(max(0, range.lowerBound), data.count)
        let upper = min(max(lower, range.upperBound), data.count)
        return data.subdata(in: (data.startIndex + lower)..<(data.startIndex + upper))
    }

    /// Collects the pieces in memory and puts them when finished.
    public func writer(at path: String) async throws -> any ObjectWriter {
        BufferedObjectWriter(store: self, path: path)
    }

    /// None: not a local file system.
    public func localFile(_ path: String) -> URL? { nil }

    /// Uploads the file or directory at `localURL` to `path` (a directory becomes the objects under `path`).
    /// Returns the number of files and bytes written.
    @discardableResult
    public func upload(_ localURL: URL, to path: String) async throws -> (files: Int, bytes: Int) {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: localURL.path, isDirectory: &isDirectory) else {
            throw DataJointError(.invalidValue, "No file or directory at \(localURL.path)")
        }
        if !isDirectory.boolValue {
            let data = try Self.read(localURL)
            try await put(data, at: path)
            return (1, data.count)
        }
        var files = 0
        var bytes = 0
        for relative in try LocalFiles.regularFiles(in: localURL) {
            let data = try Self.read(localURL.appendingPathComponent(relative))
            try await put(data, at: path + "/" + relative)
            files += 1
            bytes += data.count
        }
        return (files, bytes)
    }

    /// Downloads the object at `path` to the file `localURL` (creating its directory), or, when `path` is a
    /// directory, every object under it into the directory `localURL`. Files are copied in pieces
    /// (``copy(_:toLocalFile:chunkSize:)``), never held in memory whole.
    public func download(_ path: String, to localURL: URL) async throws {
        if try await isDirectory(path) {
            for object in try await list(under: path) {
                let relative = String(object.path.dropFirst(path.count)).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
                try await copy(object.path, toLocalFile: localURL.appendingPathComponent(relative))
            }
        } else {
            try await copy(path, toLocalFile: localURL)
        }
    }

    static func read(_ url: URL) throws -> Data {
        do {
            return try Data(contentsOf: url)
        } catch {
            throw DataJointError(.invalidValue, "Cannot read \(url.path): \(error.localizedDescription)")
        }
    }
}

/// Files of the local file system.
enum LocalFiles {
    /// The regular files under a local directory, as relative paths, sorted.
    static func regularFiles(in directory: URL) throws -> [String] {
        let base = directory.standardizedFileURL.path
        guard let enumerator = FileManager.default.enumerator(atPath: base) else { return [] }
        var result: [String] = []
        while let relative = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: base + "/" + relative, isDirectory: &isDirectory), !isDirectory.boolValue {
                result.append(relative)
            }
        }
        return result.sorted()
    }
}
