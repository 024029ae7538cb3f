import Synchronization

/// A session of a connection held across several calls (a row stream between the `next()` calls of its loop):
/// a task of its own keeps the connection's `withSession` scope open until ``release()``, or until the lease is
/// let go of.
///
/// Whoever holds the lease is the session's one user; it must stop using the session before releasing it.
final class SessionLease: Sendable {
    let session: any DatabaseSession
    private let holder: Mutex<CheckedContinuation<Void, Never>?>

    private init(session: any DatabaseSession, holder: CheckedContinuation<Void, Never>) {
        self.session = session
        self.holder = Mutex(holder)
    }

    /// Gives the session back (a second call does nothing).
    func release() {
        holder.withLock { $0.take() }?.resume()
    }

    deinit {
        release()
    }

    /// Takes a session of `connection` (the session of the enclosing transaction or pinned scope, if any, as
    /// `withSession` does), waiting for a free one.
    static func take(from connection: Connection) async throws -> SessionLease {
        try await withCheckedThrowingContinuation { (leased: CheckedContinuation<SessionLease, any Error>) in
            let answered = Atomic<Bool>(false)
            // Inherits the task-local transaction or pinned session of the caller.
            Task {
                do {
                    try await connection.withSession { session in
                        await withCheckedContinuation { (holder: CheckedContinuation<Void, Never>) in
                            answered.store(true, ordering: .sequentiallyConsistent)
                            leased.resume(returning: SessionLease(session: session, holder: holder))
                        }
                    }
                } catch {
                    // No session was handed out (a body that never throws cannot fail after it).
                    if !answered.load(ordering: .sequentiallyConsistent) { leased.resume(throwing: error) }
                }
            }
        }
    }
}
