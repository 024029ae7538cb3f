import Foundation

extension ObjectStore {
    /// Copies the object at `path` to the local file `localURL` (creating its directory, replacing a file there), in
    /// pieces of `chunkSize` bytes (ranged reads), so that no more than one piece is in memory. The file appears
    /// whole or not at all: the pieces go to a temporary file beside it, renamed when complete.
    public func copy(_ path: String, toLocalFile localURL: URL, chunkSize: Int = ObjectRef.defaultChunkSize) async throws {
        guard chunkSize > 0 else { throw DataJointError(.invalidValue, "copy: chunkSize must be at least 1, not \(chunkSize)") }
        let manager = FileManager.default
        let directory = localURL.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(localURL.lastPathComponent).\(UUID().uuidString).download")
        do {
            try manager.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw DataJointError(.invalidValue, "Cannot create \(directory.path): \(FileStore.reason(error))")
        }
        do {
            if let source = localFile(path) {
                guard manager.fileExists(atPath: source.path) else {
                    throw DataJointError(.missingObject, "Missing object \(url(for: path)) in store")
                }
                try manager.copyItem(at: source, to: temporary)
            } else {
                guard manager.createFile(atPath: temporary.path, contents: nil) else {
                    throw DataJointError(.invalidValue, "Cannot create \(temporary.path)")
                }
                let handle = try FileHandle(forWritingTo: temporary)
                defer { try? handle.close() }
                for try await piece in ObjectChunks(store: self, path: path, chunkSize: chunkSize) {
                    try handle.write(contentsOf: piece)
                }
                try handle.close()
            }
            if rename(temporary.path, localURL.path) != 0 { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        } catch {
            try? manager.removeItem(at: temporary)
            if error is DataJointError || error is CancellationError { throw error }
            throw DataJointError(.invalidValue, "Cannot write \(localURL.path): \(FileStore.reason(error))")
        }
    }
}
