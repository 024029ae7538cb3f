import Synchronization

/// Objects written to stores for rows that are not committed yet. When the insert fails, they are removed, so a
/// failed insert leaves the stores as they were. Hash-addressed objects are not recorded: another row may already
/// refer to the same content (deduplication); an unreferenced one is removed by garbage collection.
final class StoreWriteLog: Sendable {
    private let written = Mutex<[(path: String, store: any ObjectStore)]>([])

    func record(_ path: String, in store: any ObjectStore) {
        written.withLock { $0.append((path, store)) }
    }

    /// Takes over what `other` recorded (an insert inside a transaction hands its objects to the transaction).
    func absorb(_ other: StoreWriteLog) {
        let objects = other.written.withLock { $0 }
        written.withLock { $0.append(contentsOf: objects) }
    }

    /// Removes everything recorded (best effort: the insert's own error is what the caller reports).
    func rollBack() async {
        let objects = written.withLock { objects in
            defer { objects.removeAll() }
            return objects
        }
        for (path, store) in objects.reversed() {
            if (try? await store.isDirectory(path)) == true {
                for object in (try? await store.list(under: path)) ?? [] { try? await store.remove(object.path) }
            }
            try? await store.remove(path)
        }
    }
}
