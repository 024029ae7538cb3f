import Foundation

extension ObjectRef {
    /// One directory of a directory object, as ``walk()`` visits it.
    public struct WalkStep: Sendable, Hashable {
        /// The directory's path relative to the object ("" for the object itself).
        public var path: String
        /// The names of the subdirectories directly in it, sorted.
        public var directories: [String]
        /// The names of the files directly in it, sorted.
        public var files: [String]

        /// A step of a walk (for comparisons in tests).
        public init(path: String, directories: [String], files: [String]) {
            self.path = path
            self.directories = directories
            self.files = files
        }
    }

    /// The names of the files and subdirectories directly in a directory object (or in its subdirectory `subpath`),
    /// sorted.
    ///
    /// - Throws: `DataJointError`: `.notAllowed` for a file object, `.missingObject` when nothing is stored under
    ///   the directory.
    public func listdir(_ subpath: String? = nil) async throws -> [String] {
        let steps = try await walk(subpath)
        return (steps[0].directories + steps[0].files).sorted()
    }

    /// Every directory of a directory object (or of its subdirectory `subpath`), top down, with the names of the
    /// subdirectories and files directly in each, as `os.walk` gives them. The directories' paths are relative to
    /// the object. One listing of the store.
    ///
    /// - Throws: `DataJointError`: `.notAllowed` for a file object, `.missingObject` when nothing is stored under
    ///   the directory.
    public func walk(_ subpath: String? = nil) async throws -> [WalkStep] {
        guard isDirectory else {
            throw DataJointError(.notAllowed, "\(path) is a file, not a directory: read it (read, open) instead of listing it")
        }
        let base = try location(subpath)
        let relativeBase = String(base.dropFirst(path.count)).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        let files = try await store.list(under: base).map { String($0.path.dropFirst(base.count + 1)) }
        guard !files.isEmpty else {
            throw DataJointError(
                .missingObject, relativeBase.isEmpty ? "Missing object \(url): nothing is stored in the directory"
                    : "No directory \"\(relativeBase)\" in \(url)")
        }
        // Every directory, with what is directly in it.
        var directories: [String: (directories: Set<String>, files: [String])] = ["": ([], [])]
        for file in files {
            let components = file.split(separator: "/").map(String.init)
            var parent = ""
            for component in components.dropLast() {
                directories[parent, default: ([], [])].directories.insert(component)
                parent = parent.isEmpty ? component : parent + "/" + component
                if directories[parent] == nil { directories[parent] = ([], []) }
            }
            directories[parent, default: ([], [])].files.append(components.last!)
        }
        // Top down: a directory before its subdirectories, siblings in name order.
        var steps: [WalkStep] = []
        var pending = [""]
        while let directory = pending.popLast() {
            let entry = directories[directory]!
            let subdirectories = entry.directories.sorted()
            let prefix = relativeBase.isEmpty ? directory : (directory.isEmpty ? relativeBase : relativeBase + "/" + directory)
            steps.append(WalkStep(path: prefix, directories: subdirectories, files: entry.files.sorted()))
            pending += subdirectories.reversed().map { directory.isEmpty ? $0 : directory + "/" + $0 }
        }
        return steps
    }
}
