import DataJoint
import Foundation
import Synchronization
import Testing

enum StreamingPipeline {
    static let schema = "streaming"
    static let size = 10_000

    struct StItem: Manual {
        static let definition = """
            item_id : int32
            ---
            label : varchar(20)
            samples = null : <blob>
            """
    }

    /// A connection whose sessions count the rows they hand out, on `maxSessions` sessions, with `size` items.
    static func connect(maxSessions: Int = 1) async throws -> (Connection, Table, RowCounter) {
        let inner = try await TestDatabase.connect(maxSessions: maxSessions)
        let counter = RowCounter()
        let db = Connection(driver: CountingDriver(base: inner.driver, counter: counter), settings: inner.settings)
        let items = try await db.schema(schema, tables: StItem.self)[StItem.self]
        try await items.insert((0..<size).map { ["item_id": Value.int(Int64($0)), "label": Value.string("item \($0)")] })
        return (db, items, counter)
    }
}

/// Counts the rows that the sessions' streams have handed out.
final class RowCounter: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .sequentiallyConsistent) }
    func add() { count.add(1, ordering: .sequentiallyConsistent) }
}

/// A driver around another whose sessions count the rows their streams hand out.
final class CountingDriver: DatabaseDriver {
    let base: any DatabaseDriver
    let counter: RowCounter

    init(base: any DatabaseDriver, counter: RowCounter) {
        self.base = base
        self.counter = counter
    }

    var dialect: any Dialect { base.dialect }
    var catalog: any Catalog { base.catalog }
    var targetDescription: String { base.targetDescription }

    func withSession<T: Sendable>(_ body: @Sendable (any DatabaseSession) async throws -> T) async throws -> T {
        let counter = self.counter
        return try await base.withSession { try await body(CountingSession(base: $0, counter: counter)) }
    }

    func close() async throws { try await base.close() }
}

struct CountingSession: DatabaseSession {
    let base: any DatabaseSession
    let counter: RowCounter

    func execute(_ statement: RenderedSQL) async throws -> Int { try await base.execute(statement) }
    func query(_ statement: RenderedSQL) async throws -> [[Value]] { try await base.query(statement) }
    var supportsBulkCopy: Bool { base.supportsBulkCopy }
    func copy(into table: SQLTableName, columns: [String], rows: [[Value]]) async throws -> Int {
        try await base.copy(into: table, columns: columns, rows: rows)
    }
    var preferredExecutor: (any TaskExecutor)? { base.preferredExecutor }
    func begin() async throws { try await base.begin() }
    func commit() async throws { try await base.commit() }
    func rollback() async throws { try await base.rollback() }

    func stream(_ statement: RenderedSQL) -> AsyncThrowingStream<[Value], any Error> {
        let rows = IteratorBox(base.stream(statement).makeAsyncIterator())
        let counter = self.counter
        return AsyncThrowingStream(unfolding: {
            let row = try await rows.iterator.next()
            if row != nil { counter.add() }
            return row
        })
    }
}

/// Keeps a stream's iterator between pulls (one puller at a time).
final class IteratorBox: @unchecked Sendable {
    var iterator: AsyncThrowingStream<[Value], any Error>.Iterator
    init(_ iterator: AsyncThrowingStream<[Value], any Error>.Iterator) { self.iterator = iterator }
}

struct TimedOut: Error {}

/// The result of `body`, or `TimedOut` after `seconds`, recorded as an issue at once: a session that is never given
/// back would hang the test (and its clean-up, which closes the connection).
func within<T: Sendable>(
    seconds: Double, sourceLocation: SourceLocation = #_sourceLocation, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        let once = ResumeOnce(continuation)
        Task {
            do { once.resume(with: .success(try await body())) } catch { once.resume(with: .failure(error)) }
        }
        Task {
            try? await Task.sleep(for: .seconds(seconds))
            if once.resume(with: .failure(TimedOut())) {
                Issue.record("timed out after \(seconds) s", sourceLocation: sourceLocation)
            }
        }
    }
}

/// A continuation resumed by the first of several tasks.
final class ResumeOnce<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<T, any Error>?>
    init(_ continuation: CheckedContinuation<T, any Error>) { self.continuation = Mutex(continuation) }
    /// Resumes the continuation unless another task did; true if this call did.
    @discardableResult
    func resume(with result: Result<T, any Error>) -> Bool {
        guard let continuation = continuation.withLock({ $0.take() }) else { return false }
        continuation.resume(with: result)
        return true
    }
}

@Suite("Streaming fetch")
struct StreamingTests {
    typealias P = StreamingPipeline

    @Test("all rows arrive in order, decoded, and the session is given back at the end", arguments: TestBackend.all)
    func allRowsInOrder(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (_, items, counter) = try await P.connect()
            try await items.update1(["item_id": 7, "samples": Value.blob([1.5, 2.5])])
            var expected = 0
            var samples: [Double] = []
            for try await row in items.rows(orderBy: ["item_id"]) {
                #expect(row["item_id"] == .int(Int64(expected)))
                #expect(row["label"] == .string("item \(expected)"))
                if expected == 7 { samples = try row.get("samples", as: NDArray.self).values(as: Double.self) }
                expected += 1
            }
            #expect(expected == P.size)
            #expect(samples == [1.5, 2.5])
            #expect(counter.value == P.size)
            #expect(try await within(seconds: 30) { try await items.count() } == P.size)
        }
    }

    @Test("a loop left early gives its session back: the only session serves the next query", arguments: TestBackend.all)
    func earlyBreak(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (_, items, counter) = try await P.connect(maxSessions: 1)
            for round in 1...20 {
                // A session that is not given back would make the next query wait forever.
                let (taken, counted) = try await within(seconds: 30) {
                    var taken = 0
                    for try await _ in items.rows(orderBy: ["item_id"]) {
                        taken += 1
                        if taken == 3 { break }
                    }
                    return (taken, try await (items & "item_id < 10").count())
                }
                #expect(taken == 3)
                #expect(counted == 10, "round \(round)")
                // Rows are pulled from the session only as the loop asks for them.
                #expect(counter.value == 3 * round)
            }
        }
    }

    @Test("a slow loop makes no row be pulled ahead of it", arguments: TestBackend.all)
    func slowConsumer(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (_, items, counter) = try await P.connect()
            var consumed = 0
            for try await _ in items.rows() {
                consumed += 1
                // Time enough to read all 10,000 rows, were nothing holding the reading back.
                try await Task.sleep(for: .milliseconds(consumed == 1 ? 500 : 20))
                // The row in hand is the last one pulled from the session.
                #expect(counter.value == consumed)
                if consumed == 20 { break }
            }
            #expect(counter.value == 20)
        }
    }

    @Test("a cancelled loop throws CancellationError and gives its session back", arguments: TestBackend.all)
    func cancellation(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (_, items, _) = try await P.connect(maxSessions: 1)
            let started = AsyncStream<Void>.makeStream()
            let loop = Task {
                var seen = 0
                for try await _ in items.rows() {
                    seen += 1
                    if seen == 5 { started.continuation.yield() }
                    try? await Task.sleep(for: .milliseconds(10))
                }
                return seen
            }
            for await _ in started.stream { break }
            loop.cancel()
            let result = await loop.result
            #expect(throws: CancellationError.self) { try result.get() }
            #expect(try await within(seconds: 30) { try await items.count() } == P.size)
        }
    }

    @Test("an error in the middle of the rows is thrown by the loop after the rows before it", arguments: TestBackend.all)
    func errorMidStream(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (db, items, _) = try await P.connect(maxSessions: 1)
            // Bytes that are no DataJoint blob, written past the codec: reading row 500 fails.
            let table = db.dialect.qualifiedName(SQLTableName(schema: P.schema, table: "st_item"))
            try await db.execute(RenderedSQL(
                "UPDATE \(table) SET \(db.dialect.quote("samples")) = \(db.dialect.placeholder(1)) WHERE \(db.dialect.quote("item_id")) = 500",
                [.bytes(Data("not a blob".utf8))]))
            var seen = 0
            let error = await #expect(throws: DataJointError.self) {
                for try await _ in items.rows(orderBy: ["item_id"]) { seen += 1 }
            }
            #expect(error?.kind == .codec)
            #expect(seen == 500)
            #expect(try await within(seconds: 30) { try await items.count() } == P.size)
            // The iterator is finished after the error.
            let (failed, after) = try await within(seconds: 30) {
                var iterator = (items & "item_id >= 500").rows(orderBy: ["item_id"]).makeAsyncIterator()
                let failed: Bool
                do {
                    _ = try await iterator.next()
                    failed = false
                } catch {
                    failed = error is DataJointError
                }
                return (failed, try await iterator.next())
            }
            #expect(failed)
            #expect(after == nil)
        }
    }
}
