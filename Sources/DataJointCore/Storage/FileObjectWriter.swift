import Foundation
import Synchronization

/// The streaming writer of a ``FileStore``: the pieces are appended to a temporary file in the target's directory,
/// which ``finish()`` renames into place, so the object appears whole or not at all. A failed write or ``abort()``
/// removes the temporary file (and the directories made for it that stay empty); one left by a killed process is
/// what ``FileStore/unfinishedWrites(under:)`` reports.
final class FileObjectWriter: ObjectWriter {
    private enum State {
        case open(FileHandle, written: Int)
        case finished
        case aborted
    }

    private let store: FileStore
    private let target: URL
    private let temporary: URL
    private let state: Mutex<State>

    /// Creates the target's directory and the temporary file.
    init(store: FileStore, target: URL) throws {
        self.store = store
        self.target = target
        let temporary = FileStore.temporaryFile(for: target)
        self.temporary = temporary
        let manager = FileManager.default
        var attempts = 0
        while true {
            attempts += 1
            do {
                try manager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            } catch {
                throw DataJointError(.store, "Cannot write \(target.path): \(FileStore.reason(error))")
            }
            let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL, 0o666)
            if descriptor >= 0 {
                state = Mutex(.open(FileHandle(fileDescriptor: descriptor, closeOnDealloc: true), written: 0))
                return
            }
            let code = errno
            // The directory was just pruned by the removal of another object of it: make it again.
            if code == ENOENT, attempts < 5 { continue }
            throw DataJointError(
                .store, "Cannot write \(target.path): \(FileStore.reason(POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)))")
        }
    }

    func write(_ data: Data) async throws {
        try state.withLock { state in
            guard case .open(let handle, let written) = state else { throw BufferedObjectWriter.closed(target.path) }
            do {
                try handle.write(contentsOf: data)
                state = .open(handle, written: written + data.count)
            } catch {
                // Nothing of a failed write stays behind (a full disk stops it part way).
                discard(handle)
                state = .aborted
                throw DataJointError(.store, "Cannot write \(target.path): \(FileStore.reason(error))")
            }
        }
    }

    func finish() async throws -> Int {
        try state.withLock { state in
            guard case .open(let handle, let written) = state else { throw BufferedObjectWriter.closed(target.path) }
            do {
                try handle.close()
                if rename(temporary.path, target.path) != 0 {
                    throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
                }
            } catch {
                discard(nil)
                state = .aborted
                throw DataJointError(.store, "Cannot write \(target.path): \(FileStore.reason(error))")
            }
            state = .finished
            return written
        }
    }

    func abort() async {
        state.withLock { state in
            guard case .open(let handle, _) = state else { return }
            discard(handle)
            state = .aborted
        }
    }

    /// Closes the temporary file and removes it, with the directories that are left empty.
    private func discard(_ handle: FileHandle?) {
        try? handle?.close()
        try? FileManager.default.removeItem(at: temporary)
        store.pruneEmptyDirectories(above: temporary)
    }
}
