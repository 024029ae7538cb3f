import NIOCore

/// Runs tasks on one NIO event loop: the loop of a PostgreSQL connection.
///
/// A transaction's task that prefers this executor writes its statements and takes their results on the thread
/// that does the connection's I/O, so a statement costs no thread hand-offs in this process (otherwise two per
/// statement: to the event loop and back to the cooperative pool).
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
