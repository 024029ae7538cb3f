/// The rows of a query, read from the database as the loop over them asks for them (see
/// ``QueryConvertible/rows(orderBy:limit:offset:)``).
///
/// ```swift
/// for try await row in lab[Session.Trial.self].rows(orderBy: ["KEY"]) {
///     ...
/// }
/// ```
///
/// The first `next()` compiles the query, takes a session of the connection (inside `transaction { }`, the
/// transaction's) and starts the query; every `next()` then pulls one row from the driver and decodes it, so the
/// driver reads ahead of the loop only as far as its own buffer goes. The session is given back as soon as the
/// last row has been read, the loop is left early, reading or decoding fails (`next()` throws the error), or the
/// looping task is cancelled (`next()` throws `CancellationError`).
///
/// A loop isolated to an actor (the main actor of top-level code, say) hops to the driver's executor and back for
/// every row; for large results, loop in a nonisolated function or task.
public struct RowStream: AsyncSequence, Sendable {
    public typealias Element = Row

    /// What a pass over the query needs: the statement, how to decode its rows, and the connection to run it on.
    struct Source: Sendable {
        let connection: Connection
        let statement: RenderedSQL
        let decoder: RowValueDecoder
    }

    let prepare: @Sendable () async throws -> Source

    public func makeAsyncIterator() -> Iterator { Iterator(prepare: prepare) }

    /// One pass over the rows of the query.
    public struct Iterator: AsyncIteratorProtocol {
        private let prepare: @Sendable () async throws -> Source
        private var cursor: RowCursor?
        private var finished = false

        init(prepare: @escaping @Sendable () async throws -> Source) {
            self.prepare = prepare
        }

        public mutating func next() async throws -> Row? {
            if finished { return nil }
            do {
                try Task.checkCancellation()
                if cursor == nil { cursor = try await RowCursor(try await prepare()) }
                if let row = try await cursor?.next() { return row }
                // A driver's stream also ends when the task is cancelled.
                try Task.checkCancellation()
            } catch {
                finish()
                throw error
            }
            finish()
            return nil
        }

        /// Lets go of the cursor, which gives its session back.
        private mutating func finish() {
            finished = true
            cursor = nil
        }
    }
}

/// One run of a query: the session it holds, the driver's stream of its rows, and how to decode them.
final class RowCursor {
    private let lease: SessionLease
    private var rows: AsyncThrowingStream<[Value], any Error>.Iterator?
    private let decoder: RowValueDecoder

    init(_ source: RowStream.Source) async throws {
        lease = try await SessionLease.take(from: source.connection)
        rows = lease.session.stream(source.statement).makeAsyncIterator()
        decoder = source.decoder
    }

    /// The next row, decoded; nil after the last.
    func next() async throws -> Row? {
        guard let raw = try await rows?.next() else { return nil }
        return try await decoder.decode(raw)
    }

    deinit {
        // The driver's stream goes first (it stops reading), then the session.
        rows = nil
        lease.release()
    }
}
