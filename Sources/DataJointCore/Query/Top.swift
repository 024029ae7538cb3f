/// Keeps the first rows of a query in a given order: `query & Top(5, orderBy: ["score DESC"])`.
public struct Top: Sendable, Hashable {
    /// The most rows to keep; nil keeps all (ordering only).
    public var limit: Int?
    /// Attributes to order by (`"name"`, `"name DESC"`, `"KEY"` for the primary key); nil inherits the order
    /// of an earlier `Top`.
    public var orderBy: [String]?
    /// Rows to skip first.
    public var offset: Int

    /// The first `limit` rows (default 1) in `orderBy` order (default: primary key), after skipping `offset`.
    public init(_ limit: Int? = 1, orderBy: [String]? = ["KEY"], offset: Int = 0) {
        self.limit = limit
        self.orderBy = orderBy
        self.offset = offset
    }
}
