import Logging

/// How populate waits out a lost connection (a server restart, a session ended from the server side) or a transaction
/// the server rolled back to break a deadlock or a lock wait (workers reserving and completing jobs at once): faults
/// of the infrastructure, not of the `make`, so the work is tried again after a pause instead of being recorded as
/// the key's failure. Waits about 0.25, 0.5, 1, 2 and 4 s (±25%, so that workers that collided do not collide
/// again; about 8 s in all, the time a server takes to restart), then gives up.
struct ConnectionFaultRetry: Sendable {
    static let delays: [Duration] = [.milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(4)]
    private var attempt = 0

    /// Whether `error` is a lost or refused connection, or a deadlock or lock wait the server ended by rolling back.
    static func isTransient(_ error: any Error) -> Bool {
        guard let error = error as? DataJointError else { return false }
        return error.kind == .connection || error.isRetryable
    }

    /// The pause before the next try, or nil when the tries are used up.
    mutating func nextDelay() -> Duration? {
        guard attempt < Self.delays.count else { return nil }
        defer { attempt += 1 }
        return Self.delays[attempt] * Double.random(in: 0.75...1.25)
    }

    /// After work succeeded: the next fault gets every try again.
    mutating func reset() { attempt = 0 }

    /// Runs `body`, and again after each pause while it fails with a lost connection or a deadlock; `what` names the work in the
    /// log. For work that can simply be done again (reading, refreshing the jobs queue).
    static func retrying<T>(_ what: String, logger: Logger, _ body: () async throws -> T) async throws -> T {
        var retry = ConnectionFaultRetry()
        while true {
            do {
                return try await body()
            } catch where isTransient(error) {
                guard let delay = retry.nextDelay() else { throw error }
                logger.warning("\(what): \(error); trying again in \(delay)")
                try await Task.sleep(for: delay)
            }
        }
    }
}
