import Foundation

/// The bytes of a stored file as pieces of at most `chunkSize` bytes, each read from the store (a ranged read) when
/// the loop asks for it (``ObjectRef/open(_:chunkSize:)``). Every iteration reads the file anew from its start.
public struct ObjectChunks: AsyncSequence, Sendable {
    /// A piece of the file.
    public typealias Element = Data

    let store: any ObjectStore
    let path: String
    /// The most bytes of one piece (at least 1).
    public let chunkSize: Int

    /// An iterator that reads the file from its start.
    public func makeAsyncIterator() -> Iterator {
        Iterator(store: store, path: path, chunkSize: chunkSize)
    }

    /// Reads the pieces one after the other; a piece shorter than `chunkSize` is the last.
    public struct Iterator: AsyncIteratorProtocol {
        let store: any ObjectStore
        let path: String
        let chunkSize: Int
        var offset = 0
        var finished = false

        /// The next piece, or nil after the last. Throws `.missingObject` when the file is not in its store, and
        /// `CancellationError` when the task was cancelled.
        public mutating func next() async throws -> Data? {
            guard !finished else { return nil }
            try Task.checkCancellation()
            let piece = try await store.get(path, range: offset..<(offset + Swift.min(chunkSize, Int.max - offset)))
            offset += piece.count
            if piece.count < chunkSize { finished = true }
            return piece.isEmpty ? nil : piece
        }
    }
}
