import DataJointCore
import Foundation

/// The rows of one streamed SQLite query, between the thread that steps the statement and the task that reads
/// them: the thread waits while the buffer is full (about 1,000 rows or 4 MB), the task while it is empty.
///
/// sqlite-nio hands a query's rows to a callback on its thread pool, one after the other, and has no way to pause
/// the statement but to block that callback; so the reading runs ahead of the consumer only by the buffer, and
/// stops when the consumer does. A consumer that leaves early (``stop()``) makes the thread skip the remaining
/// rows without converting them.
final class SQLiteRowBuffer: @unchecked Sendable {
    static let maxRows = 1_024
    static let maxBytes = 4 << 20

    // All guarded by `condition`.
    private let condition = NSCondition()
    private var rows: [[Value]] = []
    private var head = 0
    private var bytes = 0
    private var end: Result<Void, any Error>?
    private var stopped = false
    private var reader: CheckedContinuation<[Value]?, any Error>?

    // MARK: the thread that steps the statement

    /// True once the consumer has stopped: the remaining rows need not be converted.
    var isStopped: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopped
    }

    /// Adds a row, waiting while the buffer is full.
    func append(_ row: [Value]) {
        condition.lock()
        while !stopped, rows.count - head >= SQLiteRowBuffer.maxRows || bytes >= SQLiteRowBuffer.maxBytes {
            condition.wait()
        }
        if stopped {
            condition.unlock()
            return
        }
        if let reader {
            self.reader = nil
            condition.unlock()
            reader.resume(returning: row)
            return
        }
        rows.append(row)
        bytes += SQLiteRowBuffer.size(of: row)
        condition.unlock()
    }

    /// Records the end of the query: all rows added, or the error that ended it.
    func finish(_ result: Result<Void, any Error>) {
        condition.lock()
        end = result
        let reader = self.reader
        self.reader = nil
        condition.unlock()
        reader?.resume(with: result.map { nil })
    }

    // MARK: the reading task

    /// The next row; nil after the last. Rows read before an error are delivered before it.
    func next() async throws -> [Value]? {
        if let row = takeBufferedRow() { return row }
        return try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            if let row = takeRow() {
                condition.unlock()
                continuation.resume(returning: row)
            } else if let end {
                condition.unlock()
                continuation.resume(with: end.map { nil })
            } else {
                reader = continuation
                condition.unlock()
            }
        }
    }

    /// The consumer is gone: the thread stops waiting and skips the remaining rows.
    func stop() {
        condition.lock()
        stopped = true
        rows = []
        head = 0
        bytes = 0
        condition.broadcast()
        condition.unlock()
    }

    /// The first buffered row, if any, taken under the lock.
    private func takeBufferedRow() -> [Value]? {
        condition.lock()
        defer { condition.unlock() }
        return takeRow()
    }

    /// Removes the first buffered row, waking the thread if it waits for room. Called with the lock held.
    private func takeRow() -> [Value]? {
        guard head < rows.count else { return nil }
        let row = rows[head]
        rows[head] = []
        head += 1
        bytes -= SQLiteRowBuffer.size(of: row)
        if head == rows.count {
            rows.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= SQLiteRowBuffer.maxRows {
            rows.removeFirst(head)
            head = 0
        }
        condition.signal()
        return row
    }

    private static func size(of row: [Value]) -> Int {
        row.reduce(0) { $0 + $1.approximateByteCount }
    }
}

/// Stops a stream's buffer when the stream's consumer lets go of it.
final class SQLiteStreamReader: Sendable {
    let buffer: SQLiteRowBuffer

    init(_ buffer: SQLiteRowBuffer) {
        self.buffer = buffer
    }

    func next() async throws -> [Value]? {
        try await buffer.next()
    }

    deinit {
        buffer.stop()
    }
}
