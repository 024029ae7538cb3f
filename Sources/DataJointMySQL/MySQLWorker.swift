import DataJointCore
import Foundation
import Synchronization

/// A dedicated OS thread that runs the blocking calls of one client connection, one job at a time, in order.
///
/// libmariadb blocks while it waits for the server, so its calls never run on Swift's cooperative thread pool:
/// tasks hand jobs to this thread and suspend until the job is done.
final class MySQLWorker: @unchecked Sendable {
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var jobs: [() -> Void] = []
    private var head = 0
    private var stopping = false
    /// The worker thread's `pthread_self()`, once it runs.
    private let owner = Atomic<UInt>(0)

    init(name: String) {
        let thread = Thread { [self] in loop() }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Queues a job; returns false when the worker has stopped (the job will never run).
    @discardableResult
    func submit(_ job: @escaping () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else { return false }
        jobs.append(job)
        condition.signal()
        return true
    }

    /// True on the worker thread (a task that prefers this worker as its executor runs there).
    var isCurrent: Bool { owner.load(ordering: .relaxed) == UInt(pthread_self()) }

    /// Runs `body` on the worker thread and returns its result to the calling task: directly when the task is
    /// already on that thread, else by handing it over and suspending.
    func run<T>(_ body: @escaping () throws -> T) async throws -> T {
        if isCurrent { return try body() }
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let box = UncheckedBox(continuation)
            let queued = submit {
                do {
                    box.value.resume(returning: try body())
                } catch {
                    box.value.resume(throwing: error)
                }
            }
            if !queued {
                box.value.resume(throwing: DataJointError(.connection, "the MySQL connection is closed"))
            }
        }
    }

    /// Lets the thread finish the queued jobs and exit.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        owner.store(UInt(pthread_self()), ordering: .relaxed)
        while true {
            condition.lock()
            while head == jobs.count && !stopping { condition.wait() }
            if head == jobs.count {
                condition.unlock()
                return
            }
            let job = jobs[head]
            head += 1
            if head > 64, head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job()
        }
    }
}

/// A transaction's task prefers its connection's worker thread: its statements then run there without a thread
/// hand-off each way.
extension MySQLWorker: TaskExecutor {
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        if !submit({ job.runSynchronously(on: executor) }) {
            // The connection was closed: the task goes on on the global executor.
            globalConcurrentExecutor.enqueue(job)
        }
    }
}

/// Carries a value across a thread hop whose ordering makes it safe (the value is used by one thread at a time).
struct UncheckedBox<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}
