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
        do {
            try manager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            let temporary = target.deletingLastPathComponent()
                .appendingPathComponent(".\(target.lastPathComponent).\(UUID().uuidString).tmp")
            try data.write(to: temporary)
            if rename(temporary.path, target.path) != 0 {
                let code = errno
                try? manager.removeItem(at: temporary)
                throw DataJointError(.store, "cannot move into place: \(String(cString: strerror(code)))")
            }
        } catch let error as DataJointError {
            throw DataJointError(.store, "Cannot write \(target.path): \(error.message)")
        } catch {
            throw DataJointError(.store, "Cannot write \(target.path): \(error.localizedDescription)")
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
            throw DataJointError(.store, "Cannot read \(url.path): \(error.localizedDescription)")
        }
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
            throw DataJointError(.store, "Cannot remove \(url.path): \(error.localizedDescription)")
        }
        // Empty directories left behind are pruned, up to the store's root.
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
            guard !(name.hasPrefix(".") && name.hasSuffix(".tmp")) else { return nil }  // a write in progress
            let attributes = try? FileManager.default.attributesOfItem(atPath: directory.path + "/" + relative)
            return StoredObject(
                path: base.isEmpty ? relative : base + "/" + relative,
                size: (attributes?[.size] as? NSNumber)?.intValue ?? 0)
        }
    }

    public func url(for path: String) -> String {
        ((try? fileURL(path)) ?? root).absoluteString
    }
}
