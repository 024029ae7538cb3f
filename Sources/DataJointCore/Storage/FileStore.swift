import Foundation

/// An object store in a directory of the local (or a mounted network) file system: protocol `file`.
///
/// Objects are files under `location`; writes go to a temporary file that is renamed into place, so a reader
/// never sees a partly written object.
public struct FileStore: ObjectStore {
    /// The directory everything is stored under.
    public let root: URL

    /// A store for `spec.location`, which must be an existing directory.
    public init(spec: StoreSpec) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: spec.location, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DataJointError(
                .configuration, "stores.\(spec.name): location \(spec.location) is not an existing directory")
        }
        root = URL(fileURLWithPath: spec.location, isDirectory: true).standardizedFileURL
    }

    func fileURL(_ path: String) throws -> URL {
        let components = path.split(separator: "/", omittingEmptySubsequences: true)
        guard !components.contains(where: { $0 == ".." }) else {
            throw DataJointError(.store, "Store path \(path) leaves the store (contains ..)")
        }
        return components.reduce(root) { $0.appendingPathComponent(String($1)) }
    }

    public func put(_ data: Data, at path: String) async throws {
        let target = try fileURL(path)
        let manager = FileManager.default
        let temporary = Self.temporaryFile(for: target)
        do {
            try manager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: temporary)
            if rename(temporary.path, target.path) != 0 {
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
        } catch {
            // What a failed write wrote (a full disk stops it part way) goes: it would hold the space, unseen.
            try? manager.removeItem(at: temporary)
            throw DataJointError(.store, "Cannot write \(target.path): \(Self.reason(error))")
        }
    }

    /// Why a file operation failed, in the system's words (`No space left on device`), and what that means for a
    /// store.
    static func reason(_ error: any Error) -> String {
        var code: Int32?
        if let error = error as? POSIXError {
            code = error.code.rawValue
        } else if let error = error as? CocoaError {
            switch error.code {  // Foundation's codes for the errors of writing a file
            case .fileWriteOutOfSpace: code = ENOSPC
            case .fileWriteVolumeReadOnly: code = EROFS
            case .fileWriteNoPermission, .fileReadNoPermission: code = EACCES
            default: break
            }
        }
        guard let code else { return error.localizedDescription }
        let reason = String(cString: strerror(code))
        switch code {
        case ENOSPC, EDQUOT: return reason + ": the file system holding the store is full"
        case EROFS: return reason + ": the store's file system is mounted read-only"
        default: return reason
        }
    }

    public func get(_ path: String) async throws -> Data {
        let url = try fileURL(path)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw DataJointError(.missingObject, "Missing object \(url.path) in store")
        }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw DataJointError(.store, "Cannot read \(url.path): \(Self.reason(error))")
        }
    }

    /// Reads only the bytes of `range` (a seek and one read), never the whole file.
    public func get(_ path: String, range: Range<Int>) async throws -> Data {
        let url = try fileURL(path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw DataJointError(.missingObject, "Missing object \(url.path) in store")
        }
        guard !isDirectory.boolValue else {
            throw DataJointError(.store, "Cannot read \(url.path): it is a directory")
        }
        let lower = max(0, range.lowerBound)
        let count = range.upperBound - lower
        guard count > 0 else { return Data() }
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            try handle.seek(toOffset: UInt64(lower))
            return try handle.read(upToCount: count) ?? Data()
        } catch {
            throw DataJointError(.store, "Cannot read \(url.path): \(Self.reason(error))")
        }
    }

    /// A writer that streams to a temporary file beside the object (the same `.{name}.{uuid}.tmp` as ``put(_:at:)``,
    /// so garbage collection finds the ones a killed process left), renamed into place by ``ObjectWriter/finish()``.
    public func writer(at path: String) async throws -> any ObjectWriter {
        try FileObjectWriter(store: self, target: try fileURL(path))
    }

    /// The file under ``root`` that holds (or would hold) the object at `path`; nil for a path that leaves the store.
    public func localFile(_ path: String) -> URL? {
        try? fileURL(path)
    }

    public func exists(_ path: String) async throws -> Bool {
        FileManager.default.fileExists(atPath: try fileURL(path).path)
    }

    public func isDirectory(_ path: String) async throws -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: try fileURL(path).path, isDirectory: &isDirectory)
            && isDirectory.boolValue
    }

    public func size(_ path: String) async throws -> Int {
        let url = try fileURL(path)
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
            return (attributes[.size] as? NSNumber)?.intValue ?? 0
        } catch {
            throw DataJointError(.missingObject, "Missing object \(url.path) in store")
        }
    }

    public func remove(_ path: String) async throws {
        let url = try fileURL(path)
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        do {
            try FileManager.default.removeItem(at: url)
        } catch {
            throw DataJointError(.store, "Cannot remove \(url.path): \(Self.reason(error))")
        }
        pruneEmptyDirectories(above: url)
    }

    /// Removes the empty directories that removing `url` left behind, up to the store's root.
    func pruneEmptyDirectories(above url: URL) {
        var parent = url.deletingLastPathComponent().standardizedFileURL
        while parent.path.count > root.path.count, parent.path.hasPrefix(root.path),
            (try? FileManager.default.contentsOfDirectory(atPath: parent.path))?.isEmpty == true
        {
            try? FileManager.default.removeItem(at: parent)
            parent = parent.deletingLastPathComponent().standardizedFileURL
        }
    }

    public func list(under prefix: String) async throws -> [StoredObject] {
        let directory = try fileURL(prefix)
        guard try await isDirectory(prefix) else { return [] }
        let base = prefix.split(separator: "/").joined(separator: "/")
        return try LocalFiles.regularFiles(in: directory).compactMap { relative in
            let name = relative.split(separator: "/").last!
            guard !Self.isTemporary(name) else { return nil }  // a write in progress
            let attributes = try? FileManager.default.attributesOfItem(atPath: directory.path + "/" + relative)
            return StoredObject(
                path: base.isEmpty ? relative : base + "/" + relative,
                size: (attributes?[.size] as? NSNumber)?.intValue ?? 0, modified: attributes?[.modificationDate] as? Date)
        }
    }

    /// The temporary files of `put` under `prefix`: writes in progress, or never finished when the writing process
    /// was killed.
    public func unfinishedWrites(under prefix: String) async throws -> [StoredObject] {
        let directory = try fileURL(prefix)
        guard try await isDirectory(prefix) else { return [] }
        let base = prefix.split(separator: "/").joined(separator: "/")
        return try LocalFiles.regularFiles(in: directory).compactMap { relative in
            guard Self.isTemporary(relative.split(separator: "/").last!) else { return nil }
            let attributes = try? FileManager.default.attributesOfItem(atPath: directory.path + "/" + relative)
            return StoredObject(
                path: base.isEmpty ? relative : base + "/" + relative,
                size: (attributes?[.size] as? NSNumber)?.intValue ?? 0, modified: attributes?[.modificationDate] as? Date)
        }
    }

    /// A new temporary file beside `target` (`.{name}.{uuid}.tmp`), where a write goes until it is renamed into place.
    static func temporaryFile(for target: URL) -> URL {
        target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).\(UUID().uuidString).tmp")
    }

    /// Whether a file name is that of a temporary file of `put` (`.{name}.{uuid}.tmp`).
    static func isTemporary(_ name: Substring) -> Bool {
        name.hasPrefix(".") && name.hasSuffix(".tmp")
    }

    public func url(for path: String) -> String {
        ((try? fileURL(path)) ?? root).absoluteString
    }
}
