import Synchronization

/// What `make` works with: the key being computed, the tables it reads, and the inserts of its results.
///
/// Everything done through the context (and through any table of the same connection) during `make` is part of
/// that key's transaction.
public struct MakeContext: Sendable {
    /// The key being computed.
    public let key: Row
    /// The schema of the table being populated.
    public let schema: Schema
    /// The table being populated (unrestricted).
    public let target: Table
    let targetInfo: TableInfo
    let inserted: InsertTally
    let graph: DependencyGraph
    private let upstreamTrace = UpstreamTrace()

    init(key: Row, target: Table, targetInfo: TableInfo, graph: DependencyGraph) {
        self.key = key
        self.schema = target.schema
        self.target = target
        self.targetInfo = targetInfo
        self.graph = graph
        inserted = InsertTally()
    }

    /// The tables `make` reads its inputs from, each restricted to the rows upstream of `key`: the trace of the key
    /// (``Diagram/trace(_:)``). This is the recommended way to read inputs, since it keeps every read within the
    /// table's declared dependencies:
    ///
    /// ```swift
    /// let date: CalendarDate = try await ctx.upstream[Session.self].fetch1("session_date")
    /// let responses: [Double] = try await ctx.upstream[Session.Trial.self].toArray("response")
    /// ```
    ///
    /// Asking for a table that is not upstream of the table being populated throws. The trace is built on first use.
    public var upstream: Diagram {
        upstreamTrace.value.withLock { trace in
            if let trace { return trace }
            let built = Diagram.trace(
                targetInfo, restrictions: [.row(key)], connection: target.connection, graph: graph, key: key)
            trace = built
            return built
        }
    }

    /// A table of the target's schema, to read inputs from: `ctx[Session.Trial.self] & key`.
    public subscript<T: UserTable>(_ type: T.Type) -> Table { schema[T.self] }

    /// A table of the target's schema by name (`"session__trial"`, `"Session.Trial"`).
    public func table(_ name: String) -> Table { schema.table(name) }

    /// Inserts the result row of `key` into the table being populated.
    public func insert1(_ row: Row) async throws {
        try await insert([row])
    }

    /// Inserts result rows into the table being populated. Every row must carry the values of `key`.
    public func insert(_ rows: [Row]) async throws {
        try check(rows, against: targetInfo)
        try await target.insert(rows, options: InsertOptions(allowDirectInsert: true))
        inserted.add(rows.count)
    }

    /// Inserts rows into a part table of the table being populated (or any table whose rows belong to `key`).
    /// Every row must carry the values of `key`.
    public func insert(_ rows: [Row], into part: any UserTable.Type) async throws {
        let table = schema[part]
        try check(rows, against: try await table.info())
        try await table.insert(rows, options: InsertOptions(allowDirectInsert: true))
    }

    /// Inserts one row into a part table of the table being populated.
    public func insert1(_ row: Row, into part: any UserTable.Type) async throws {
        try await insert([row], into: part)
    }

    /// A row that does not belong to the key being computed would break the one-key-per-make rule.
    func check(_ rows: [Row], against info: TableInfo) throws {
        for row in rows {
            for (name, value) in zip(key.names, key.values) {
                guard let attribute = info.heading[name] else { continue }
                let given = row[name].flatMap { attribute.type.normalize($0) }
                let expected = attribute.type.normalize(value) ?? value
                guard given == expected else {
                    throw DataJointError(
                        .invalidValue,
                        "make of `\(targetInfo.name.table)` for key \(key) inserted a row into `\(info.name.table)` with "
                            + "\(name) = \(row[name].map { "\($0)" } ?? "(missing)"); make must insert the rows of its own key only")
                }
            }
        }
    }
}

/// How many rows a `make` inserted into its table.
final class InsertTally: Sendable {
    private let count = Mutex(0)
    func add(_ n: Int) { count.withLock { $0 += n } }
    var total: Int { count.withLock { $0 } }
}

/// The trace of a make's key, built once on first use.
final class UpstreamTrace: Sendable {
    let value = Mutex<Diagram?>(nil)
}
