import Foundation

/// Ordering and paging of a fetch.
public struct FetchOptions: Sendable {
    /// Attributes to order by, each optionally followed by ` DESC` or ` ASC`; `KEY` means the primary key.
    public var orderBy: [String]
    public var limit: Int?
    public var offset: Int?

    public init(orderBy: [String] = [], limit: Int? = nil, offset: Int? = nil) {
        self.orderBy = orderBy
        self.limit = limit
        self.offset = offset
    }
}

extension QueryConvertible {
    /// All rows as `Row` values with every visible attribute.
    public func toDicts(orderBy: [String] = [], limit: Int? = nil, offset: Int? = nil) async throws -> [Row] {
        try await fetchRows(nil, FetchOptions(orderBy: orderBy, limit: limit, offset: offset))
    }

    /// The values of one attribute, converted to a Swift type.
    public func toArray<T: ValueConvertible>(
        _ attribute: String, as type: T.Type = T.self, orderBy: [String] = [], limit: Int? = nil, offset: Int? = nil
    ) async throws -> [T] {
        let rows = try await fetchRows([attribute], FetchOptions(orderBy: orderBy, limit: limit, offset: offset))
        return try rows.map { try $0.get(attribute, as: T.self) }
    }

    /// The values of several attributes, one array per attribute, in the order given.
    public func toArrays(_ attributes: String..., orderBy: [String] = [], limit: Int? = nil, offset: Int? = nil)
        async throws -> [[Value]]
    {
        let rows = try await fetchRows(attributes, FetchOptions(orderBy: orderBy, limit: limit, offset: offset))
        return attributes.map { name in rows.map { $0[name]! } }
    }

    /// The primary-key values of all rows.
    public func keys(orderBy: [String] = [], limit: Int? = nil, offset: Int? = nil) async throws -> [Row] {
        let query = try await queryExpression()
        return try await fetchRows(query.heading.primaryKey, FetchOptions(orderBy: orderBy, limit: limit, offset: offset))
    }

    /// The one row of the query; an error unless there is exactly one.
    public func fetch1() async throws -> Row {
        let rows = try await fetchRows(nil, FetchOptions(limit: 2))
        guard rows.count == 1 else {
            let query = try await queryExpression()
            throw DataJointError(
                .cardinality,
                "fetch1 expects exactly one row but the query on `\(query.source.table)` returned "
                    + (rows.isEmpty ? "none" : "more than one"))
        }
        return rows[0]
    }

    /// One attribute of the one row of the query.
    public func fetch1<T: ValueConvertible>(_ attribute: String, as type: T.Type = T.self) async throws -> T {
        let query = try await queryExpression()
        try query.checkAttributes([attribute])
        return try await fetch1().get(attribute, as: T.self)
    }

    /// All rows decoded as a `Decodable` type (properties matched to attribute names).
    public func fetch<T: Decodable>(as type: T.Type, orderBy: [String] = [], limit: Int? = nil, offset: Int? = nil)
        async throws -> [T]
    {
        let decoder = RowDecoder()
        return try await toDicts(orderBy: orderBy, limit: limit, offset: offset).map { try decoder.decode(T.self, from: $0) }
    }

    /// The number of rows.
    public func count() async throws -> Int {
        let query = try await queryExpression()
        var select = try await query.select(query.heading.primaryKeyColumns.isEmpty ? nil : query.heading.primaryKeyColumns)
        if query.heading.primaryKeyColumns.isEmpty { select.columns = [] }
        let outer = SQLSelect(columns: [(.function("COUNT", [.star]), nil)], from: .subquery(select, alias: "counted"))
        let rows = try await query.connection.query(query.connection.dialect.render(.select(outer)))
        guard let first = rows.first?.first, case .int(let n) = first else { return 0 }
        return Int(n)
    }

    /// True when the query has no rows.
    public func isEmpty() async throws -> Bool {
        try await fetchRows(nil, FetchOptions(limit: 1)).isEmpty
    }

    /// Streams the rows without holding them all in memory.
    public func rows(orderBy: [String] = [], limit: Int? = nil, offset: Int? = nil) -> AsyncThrowingStream<Row, any Error> {
        let (stream, continuation) = AsyncThrowingStream<Row, any Error>.makeStream()
        let task = Task {
            do {
                let query = try await queryExpression()
                let (statement, attributes) = try await query.fetchStatement(
                    nil, FetchOptions(orderBy: orderBy, limit: limit, offset: offset))
                let names = attributes.map(\.name)
                let dialect = query.connection.dialect
                try await query.connection.withSession { session in
                    for try await raw in session.stream(statement) {
                        try Task.checkCancellation()
                        continuation.yield(try QueryExpression.decode(raw, names: names, attributes: attributes, dialect: dialect))
                    }
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    func fetchRows(_ attributes: [String]?, _ options: FetchOptions) async throws -> [Row] {
        let query = try await queryExpression()
        let (statement, selected) = try await query.fetchStatement(attributes, options)
        let raw = try await query.connection.query(statement)
        let names = selected.map(\.name)
        let dialect = query.connection.dialect
        return try raw.map { try QueryExpression.decode($0, names: names, attributes: selected, dialect: dialect) }
    }
}

extension QueryExpression {
    /// Throws a clear error for attribute names the query does not have.
    func checkAttributes(_ names: [String]) throws {
        for name in names where !heading.contains(name) {
            throw DataJointError(
                .missingAttribute,
                "Attribute `\(name)` not found in `\(source.table)`; it has \(heading.names.joined(separator: ", "))")
        }
    }

    func fetchStatement(_ attributes: [String]?, _ options: FetchOptions) async throws -> (RenderedSQL, [Attribute]) {
        if let attributes { try checkAttributes(attributes) }
        let names = attributes ?? heading.names
        var select = try await select(names)
        for term in options.orderBy {
            let parts = term.split(separator: " ").map(String.init)
            guard let first = parts.first else { continue }
            let descending = parts.count > 1 && parts[1].uppercased() == "DESC"
            if first == "KEY" {
                select.orderBy += heading.primaryKey.map { SQLOrdering(.column($0), descending: descending) }
            } else {
                try checkAttributes([first])
                select.orderBy.append(SQLOrdering(.column(first), descending: descending))
            }
        }
        if let limit = options.limit {
            guard limit >= 0 else { throw DataJointError(.query, "limit must not be negative") }
            select.limit = limit
        }
        if let offset = options.offset {
            guard offset >= 0 else { throw DataJointError(.query, "offset must not be negative") }
            select.offset = offset
            if select.orderBy.isEmpty { select.orderBy = heading.primaryKey.map { SQLOrdering(.column($0)) } }
        }
        return (connection.dialect.render(.select(select)), names.map { heading[$0]! })
    }

    static func decode(_ raw: [Value], names: [String], attributes: [Attribute], dialect: any Dialect) throws -> Row {
        var values: [Value] = []
        values.reserveCapacity(raw.count)
        for (v, a) in zip(raw, attributes) { values.append(try dialect.decode(v, as: a.type)) }
        return Row(names: names, values: values)
    }
}
