/// A universal set `U(attributes)`: every combination of values of the attributes. Restricting it by a query
/// gives the distinct values present (`U("last_name") & student`); aggregating with it groups by arbitrary
/// attributes (`U("home_state").aggr(student, named: ["n": "count(*)"])`); `U()` aggregates a whole table.
public struct U: Sendable {
    /// The attributes, the primary key of results.
    public let attributes: [String]

    public init(_ attributes: String...) {
        self.attributes = attributes
    }

    /// The distinct values of the attributes in `query`.
    public static func & (u: U, query: some QueryConvertible) -> QueryExpression {
        QueryExpression(.universal(u.attributes, query.queryNode))
    }

    /// Aggregates `query` grouped by the attributes (a single row for `U()`).
    /// Values interpolated into the expressions are bound.
    public func aggr(_ query: some QueryConvertible, named: KeyValuePairs<String, SQL>) -> QueryExpression {
        QueryExpression(.universalAggregate(attributes, query.queryNode, ProjectionSpec(attributes: [], named: named.map { ($0.key, $0.value) })))
    }

    /// `aggr` with the expressions given as `String`s (sent as written).
    @_disfavoredOverload
    public func aggr(_ query: some QueryConvertible, named: KeyValuePairs<String, String>) -> QueryExpression {
        QueryExpression(
            .universalAggregate(
                attributes, query.queryNode,
                ProjectionSpec(attributes: [], named: named.map { ($0.key, SQL(verbatim: $0.value)) })))
    }
}
