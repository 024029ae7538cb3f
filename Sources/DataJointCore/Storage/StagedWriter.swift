import Foundation
import Synchronization

/// A writer handed out by a staged insert (``StagedInsert/open(_:fileExtension:)``,
/// ``StagedDirectory/writer(for:)``): passes everything to the store's writer and remembers how it ended, so that
/// the staged insert can finish the writers left open when its block returns, and give them all up when it fails.
final class StagedWriter: ObjectWriter {
    enum Outcome: Sendable, Equatable {
        case open
        case finished(size: Int)
        case aborted
    }

    private let writer: any ObjectWriter
    private let outcome = Mutex(Outcome.open)
    /// Refuses writes once the staged insert is over (a handle kept beyond its block).
    private let session: StagedInsert

    init(_ writer: any ObjectWriter, session: StagedInsert) {
        self.writer = writer
        self.session = session
    }

    /// How the write has ended so far.
    var state: Outcome { outcome.withLock { $0 } }

    func write(_ data: Data) async throws {
        try session.checkOpen()
        do {
            try await writer.write(data)
        } catch {
            outcome.withLock { $0 = .aborted }  // a failed write leaves nothing behind
            throw error
        }
    }

    func finish() async throws -> Int {
        do {
            let size = try await writer.finish()
            outcome.withLock { $0 = .finished(size: size) }
            return size
        } catch {
            if outcome.withLock({ $0 }) == .open {
                await writer.abort()
                outcome.withLock { $0 = .aborted }
            }
            throw error
        }
    }

    func abort() async {
        await writer.abort()
        outcome.withLock { if $0 == .open { $0 = .aborted } }
    }
}
