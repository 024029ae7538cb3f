/// Keeps the first rows of a query in a given order: `query & Top(5, orderBy: ["score DESC"])`.
public struct Top: Sendable, Hashable {
    /// The most rows to keep; nil keeps all (ordering only).
    public var limit: Int?
    /// What to order by: `"name"`, `"name DESC"`, `"KEY"` for the primary key, or a SQL expression optionally
    /// followed by `DESC` (interpolated values are bound: `"abs(score - \(target))"`); nil inherits the order of
    /// an earlier `Top`.
    public var orderBy: [SQL]?
    /// Rows to skip first.
    public var offset: Int

    /// The first `limit` rows (default 1) in `orderBy` order (default: primary key), after skipping `offset`.
    public init(_ limit: Int? = 1, orderBy: [SQL]? = ["KEY"], offset: Int = 0) {
        self.limit = limit
        self.orderBy = orderBy
        self.offset = offset
    }

    /// The first rows in an order given as `String`s (sent as written).
    @_disfavoredOverload
    public init(_ limit: Int? = 1, orderBy: [String]?, offset: Int = 0) {
        self.init(limit, orderBy: orderBy?.map(SQL.init(verbatim:)), offset: offset)
    }
}
