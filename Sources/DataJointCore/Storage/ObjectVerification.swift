import Crypto
import Foundation

extension ObjectRef {
    /// Checks the object in its store against what its row recorded, and throws if they differ.
    ///
    /// A file must exist with the recorded `size`, and, when the metadata records a content `hash` (DataJoint's
    /// base32 MD5), its content must have that hash (read in pieces). A directory must hold the recorded number of
    /// files (`item_count`) of the recorded total `size`, and, when a manifest (`{path}.manifest.json`) lies beside
    /// it, every file it lists with the size it lists.
    ///
    /// - Throws: `DataJointError` of kind `.missingObject` naming every difference found.
    public func verify() async throws {
        let problems = isDirectory ? try await directoryProblems() : try await fileProblems()
        guard problems.isEmpty else {
            throw DataJointError(.missingObject, "\(url) does not match its row's metadata: " + problems.joined(separator: "; "))
        }
    }

    private func fileProblems() async throws -> [String] {
        guard try await store.exists(path), !(try await store.isDirectory(path)) else { return ["the file is missing"] }
        if let size {
            let stored = try await store.size(path)
            if stored != size { return ["it holds \(stored) bytes, not the \(size) recorded"] }
        }
        if case .object(let members) = metadata, case .string(let recorded)? = members["hash"] {
            var hasher = Insecure.MD5()
            for try await chunk in ObjectChunks(store: store, path: path, chunkSize: Self.defaultChunkSize) {
                hasher.update(data: chunk)
            }
            let hash = HashAddress.base32(Array(hasher.finalize()))
            if hash != recorded { return ["its content hash is \(hash), not the \(recorded) recorded"] }
        }
        return []
    }

    private func directoryProblems() async throws -> [String] {
        let stored = try await store.list(under: path)
        guard !stored.isEmpty else { return ["the directory is missing (no file is stored in it)"] }
        var problems: [String] = []
        if let itemCount, stored.count != itemCount {
            problems.append("it holds \(stored.count) files, not the \(itemCount) recorded")
        }
        let total = stored.reduce(0) { $0 + $1.size }
        if let size, total != size { problems.append("its files hold \(total) bytes, not the \(size) recorded") }
        let manifestPath = path + ".manifest.json"
        guard try await store.exists(manifestPath) else { return problems }
        guard case .object(let manifest) = try JSON(parsing: String(decoding: try await store.get(manifestPath), as: UTF8.self)),
            case .array(let listed)? = manifest["files"]
        else { return problems + ["its manifest \(manifestPath) is not readable"] }
        let sizes = Dictionary(stored.map { (String($0.path.dropFirst(path.count + 1)), $0.size) }, uniquingKeysWith: { a, _ in a })
        for entry in listed {
            guard case .object(let file) = entry, case .string(let name)? = file["path"] else { continue }
            guard let actual = sizes[name] else {
                problems.append("\(name) is missing")
                continue
            }
            if case .int(let expected)? = file["size"], Int(expected) != actual {
                problems.append("\(name) holds \(actual) bytes, not the \(expected) of the manifest")
            }
        }
        return problems
    }
}
