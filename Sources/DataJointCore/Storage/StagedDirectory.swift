import Foundation

/// The directory of an `<object@>` value being written by a staged insert (``StagedInsert/store(_:fileExtension:)``):
/// files written here go straight to their final place in the store, under the object's path. Names are paths
/// relative to the directory, with `/` between components (`zarr.json`, `c/0/0`).
///
/// ```swift
/// let frames = try await staged.store("frames", fileExtension: ".zarr")
/// try await frames.write(metadata, to: "zarr.json")
/// let chunk = try await frames.writer(for: "c/0/0")
/// for piece in pieces { try await chunk.write(piece) }
/// try await chunk.finish()   // or left open: the staged insert finishes it when its block returns
/// ```
public struct StagedDirectory: Sendable {
    /// The store-relative path of the directory (the object's path, recorded in the row).
    public let path: String
    let store: any ObjectStore
    let session: StagedInsert

    /// The directory's URL (`file:///...`, `s3://bucket/...`).
    public var url: String { store.url(for: path) }

    /// Writes the file `name` with `data` (replacing it if it was written before).
    public func write(_ data: Data, to name: String) async throws {
        let target = try file(name)
        try session.checkOpen()
        try await store.put(data, at: target)
    }

    /// A writer that streams the file `name` in pieces; it appears whole when finished. Writers still open when the
    /// staged insert's block returns are finished then; when the block throws, they are given up.
    public func writer(for name: String) async throws -> any ObjectWriter {
        let target = try file(name)
        try session.checkOpen()
        return session.track(try await store.writer(at: target))
    }

    /// The bytes of the file `name` written so far (libraries that write a format often read their metadata back).
    public func read(_ name: String) async throws -> Data {
        try await store.get(try file(name))
    }

    /// Whether the file `name` has been written.
    public func exists(_ name: String) async throws -> Bool {
        try await store.exists(try file(name))
    }

    /// Removes the file `name`, if it was written.
    public func remove(_ name: String) async throws {
        let target = try file(name)
        try session.checkOpen()
        try await store.remove(target)
    }

    /// The files written so far, as paths relative to the directory, sorted.
    public func files() async throws -> [String] {
        try await store.list(under: path).map { String($0.path.dropFirst(path.count + 1)) }.sorted()
    }

    /// The store path of the file `name` inside the directory; throws for names that are empty or leave it.
    func file(_ name: String) throws -> String {
        let components = name.split(separator: "/", omittingEmptySubsequences: true)
        guard !components.isEmpty, !components.contains(where: { $0 == "." || $0 == ".." }) else {
            throw DataJointError(
                .invalidValue,
                "\"\(name)\" is not a file name inside the staged directory \(path): give a relative path such as \"c/0/0\", without . or .. components")
        }
        return path + "/" + components.joined(separator: "/")
    }
}
