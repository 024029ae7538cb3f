import Foundation

/// A session a task holds for a sequence of statements, with no transaction implied. Scoped to the task and its
/// children, never global.
struct PinnedSession: Sendable {
    let connectionID: UUID
    let session: any DatabaseSession
    @TaskLocal static var current: PinnedSession?
}

extension Connection {
    /// The session this task holds on this connection outside a transaction, if any.
    var pinnedSession: (any DatabaseSession)? {
        guard let pinned = PinnedSession.current, pinned.connectionID == id else { return nil }
        return pinned.session
    }

    /// Runs `body` with one session for all its statements (and transactions), on the session's preferred
    /// executor: a sequence of short statements then costs no session hand-outs and no thread hand-offs between
    /// them. Inside a transaction or another pinned scope, `body` simply runs.
    ///
    /// `body` must not run statements from several child tasks at once: they would share the one session.
    func withPinnedSession<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        if inTransaction || pinnedSession != nil { return try await body() }
        let id = self.id
        return try await withOwnSession { session in
            try await PinnedSession.$current.withValue(PinnedSession(connectionID: id, session: session)) {
                try await body()
            }
        }
    }
}
