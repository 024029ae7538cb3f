import DataJointCore
import PostgresNIO

/// Keeps a COPY clear of a postgres-nio 1.33 precondition that stops the process.
///
/// Once the server ends a session (restart, terminated backend), postgres-nio's connection state machine leaves
/// its query state, but the channel handler stays in the pipeline for a few more event-loop ticks. A COPY writer
/// call (`write`, or the `done`/`failed` that `copyFrom` makes when the caller's closure returns or throws)
/// reaching the handler in that window trips `preconditionFailure("Copy mode is only supported for extended
/// queries")`. After the handler is removed the same calls fail cleanly with `connectionClosed`.
///
/// So the COPY closure runs on the connection's event loop and checks the channel right before each writer call
/// and before it returns or throws: no server message can be handled between the check and the call. When the
/// channel is closed it waits for `closeFuture` (completed only after the handlers are removed) and throws.
enum CopySafety {
    static func ensureOpen(_ connection: PostgresConnection, target: PostgresTarget, _ moment: String) async throws {
        guard connection.isClosed else { return }
        try? await connection.closeFuture.get()
        throw DataJointError(.connection, "lost the connection to PostgreSQL \(target.account) \(moment)")
    }
}
