import Foundation
import Synchronization

/// A write of one object in pieces (``ObjectStore/writer(at:)``): the object appears at its path, whole, when
/// ``finish()`` returns, and never partly; ``abort()`` (or a failed ``write(_:)``) leaves nothing behind.
///
/// ```swift
/// let writer = try await store.writer(at: "_schema/lab/scan/frames.dat")
/// for frame in frames { try await writer.write(frame) }
/// let size = try await writer.finish()
/// ```
public protocol ObjectWriter: Sendable {
    /// Appends `data` to the object.
    func write(_ data: Data) async throws
    /// Makes the object visible at its path, and returns its size in bytes. Writing after this throws.
    @discardableResult
    func finish() async throws -> Int
    /// Gives the write up: nothing is left at the path (or in the store's temporary space). Safe to call at any time,
    /// also after ``finish()`` (then it does nothing).
    func abort() async
}

/// The writer of stores without a streaming write of their own: collects the pieces in memory and stores them with
/// one ``ObjectStore/put(_:at:)`` when finished.
final class BufferedObjectWriter: ObjectWriter {
    private enum State {
        case open(Data)
        case finished
        case aborted
    }

    private let store: any ObjectStore
    private let path: String
    private let state = Mutex(State.open(Data()))

    init(store: any ObjectStore, path: String) {
        self.store = store
        self.path = path
    }

    func write(_ data: Data) async throws {
        try state.withLock { state in
            guard case .open(var buffer) = state else { throw Self.closed(path) }
            state = .aborted  // releases the buffer's reference so the append does not copy it
            buffer.append(data)
            state = .open(buffer)
        }
    }

    func finish() async throws -> Int {
        let data = try state.withLock { state -> Data in
            guard case .open(let buffer) = state else { throw Self.closed(path) }
            state = .finished
            return buffer
        }
        try await store.put(data, at: path)
        return data.count
    }

    func abort() async {
        state.withLock { state in
            if case .open = state { state = .aborted }
        }
    }

    static func closed(_ path: String) -> DataJointError {
        DataJointError(.notAllowed, "The write of \(path) is finished or was given up: nothing more can be written")
    }
}
