/// A query value that keeps its type when restricted: a restricted `Table` is still a `Table` (it can be deleted
/// from, updated, populated), a restricted `QueryExpression` a `QueryExpression`.
///
/// The restriction operators are written once, here, for every such type:
/// ```swift
/// lab[Subject.self] & ["species": "mouse"]               // a row: equality on its attributes
/// lab[Subject.self] & "date_of_birth > \(cutoff)"        // SQL text; the interpolated value is bound
/// lab[Subject.self] & ["subject_id < 3", "species = 'rat'"]  // any of several conditions
/// lab[Session.self] & lab[Subject.self]                  // a query: rows matching it (semijoin)
/// lab[Subject.self] - lab[Session.self]                  // rows matching none of it (antijoin)
/// ```
public protocol Restrictable: QueryConvertible {
    /// This value with one more restriction.
    func applying(_ restriction: Restriction) -> Self
}

extension Restrictable {
    /// Restricted by SQL text; interpolated values are bound as parameters.
    public func restricted(by condition: SQL) -> Self { applying(condition.restriction) }
    /// Restricted by a condition.
    @_disfavoredOverload
    public func restricted(by condition: some RestrictionConvertible) -> Self { applying(condition.restriction) }

    /// Without the rows matching SQL text; interpolated values are bound as parameters.
    public func excluding(_ condition: SQL) -> Self { applying(.not(condition.restriction)) }
    /// Without the rows matching a condition.
    @_disfavoredOverload
    public func excluding(_ condition: some RestrictionConvertible) -> Self { applying(.not(condition.restriction)) }

    public static func & (query: Self, condition: SQL) -> Self { query.restricted(by: condition) }
    public static func & (query: Self, conditions: [SQL]) -> Self { query.restricted(by: conditions) }
    public static func & (query: Self, row: Row) -> Self { query.restricted(by: row) }
    public static func & (query: Self, rows: [Row]) -> Self { query.restricted(by: rows) }
    @_disfavoredOverload
    public static func & (query: Self, condition: some RestrictionConvertible) -> Self { query.restricted(by: condition) }
    /// The first rows in an order (see ``Top``).
    public static func & (query: Self, top: Top) -> QueryExpression { QueryExpression(.top(query.queryNode, top)) }

    public static func - (query: Self, condition: SQL) -> Self { query.excluding(condition) }
    public static func - (query: Self, conditions: [SQL]) -> Self { query.excluding(conditions) }
    public static func - (query: Self, row: Row) -> Self { query.excluding(row) }
    public static func - (query: Self, rows: [Row]) -> Self { query.excluding(rows) }
    @_disfavoredOverload
    public static func - (query: Self, condition: some RestrictionConvertible) -> Self { query.excluding(condition) }
}
