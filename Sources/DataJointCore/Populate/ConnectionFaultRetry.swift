/// How populate waits out a lost connection (a server restart, a session ended from the server side): a fault of
/// the infrastructure, not of the `make`, so the work is tried again after a pause instead of being recorded as the
/// key's failure. Waits 0.25, 0.5, 1, 2 and 4 s (about 8 s in all, the time a server takes to restart), then gives up.
struct ConnectionFaultRetry: Sendable {
    static let delays: [Duration] = [.milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(4)]
    private var attempt = 0

    /// Whether `error` is a lost or refused connection.
    static func isConnectionFault(_ error: any Error) -> Bool {
        (error as? DataJointError)?.kind == .connection
    }

    /// The pause before the next try, or nil when the tries are used up.
    mutating func nextDelay() -> Duration? {
        guard attempt < Self.delays.count else { return nil }
        defer { attempt += 1 }
        return Self.delays[attempt]
    }

    /// After work succeeded: the next fault gets every try again.
    mutating func reset() { attempt = 0 }
}
