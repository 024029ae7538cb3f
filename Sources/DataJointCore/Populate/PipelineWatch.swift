import Synchronization

/// A request to stop a watching worker, shared by the worker and whoever stops it (a signal handler, a test, a
/// server shutting down). The make in progress finishes; no new key is started.
public final class StopRequest: Sendable {
    private let requested = Mutex(false)

    public init() {}

    /// Asks the worker to stop.
    public func stop() { requested.withLock { $0 = true } }

    /// True once ``stop()`` was called.
    public var isRequested: Bool { requested.withLock { $0 } }

    /// Returns after `duration`, or soon after a stop is requested or the task is cancelled.
    func wait(upTo duration: Duration) async {
        let clock = ContinuousClock()
        let deadline = clock.now + duration
        while !isRequested, !Task.isCancelled, clock.now < deadline {
            try? await Task.sleep(for: min(.milliseconds(50), deadline - clock.now))
        }
    }
}

extension Connection {
    /// Keeps a pipeline up to date until stopped: populates every Imported and Computed table of the schemas in
    /// dependency order, waits `interval`, and starts again, so that rows inserted upstream flow through the pipeline
    /// without another call. With `reserveJobs` (the default) each round refreshes the jobs queues, and any number of
    /// workers, in this process, on other machines, or in DataJoint-Python, share the work, each key computed once.
    ///
    /// `stop.stop()` (or cancelling the task) ends the loop: the makes in progress finish and commit, no new key
    /// starts, and the accumulated report is returned. Failed keys are recorded (in the jobs queue with
    /// `reserveJobs`) and the worker goes on.
    @discardableResult
    public func watch(
        schemas: [Schema], interval: Duration = .seconds(5), reserveJobs: Bool = true, workers: Int = 1,
        maxCalls: Int? = nil, priority: Int? = nil, display: PopulateDisplay = .none, stop: StopRequest,
        onRound: (@Sendable (PipelineReport) -> Void)? = nil
    ) async throws -> PipelineReport {
        let options = PopulateOptions(
            restrictions: [], suppressErrors: true, reserveJobs: reserveJobs, maxCalls: maxCalls, order: .original,
            workers: workers, priority: priority, refresh: reserveJobs ? true : nil, display: display, stopOnError: false,
            shouldStop: { stop.isRequested || Task.isCancelled })
        var total = PipelineReport()
        while !stop.isRequested, !Task.isCancelled {
            let round = try await populate(schemas: schemas, options: options)
            total.add(round)
            onRound?(round)
            await stop.wait(upTo: interval)
        }
        return total
    }
}

extension Schema {
    /// Keeps the schema up to date until stopped (see ``Connection/watch(schemas:interval:reserveJobs:workers:maxCalls:priority:display:stop:onRound:)``).
    @discardableResult
    public func watch(
        interval: Duration = .seconds(5), reserveJobs: Bool = true, workers: Int = 1, stop: StopRequest,
        onRound: (@Sendable (PipelineReport) -> Void)? = nil
    ) async throws -> PipelineReport {
        try await connection.watch(
            schemas: [self], interval: interval, reserveJobs: reserveJobs, workers: workers, stop: stop, onRound: onRound)
    }
}
