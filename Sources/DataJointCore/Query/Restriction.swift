/// A condition that selects rows of a query.
///
/// Restrict with `&` and exclude with `-`:
/// ```swift
/// lab[Subject.self] & ["species": "mouse"]
/// lab[Subject.self] & "date_of_birth > \(cutoff)"    // SQL text; `cutoff` is sent as a bound parameter
/// lab[Session.self] & lab[Subject.self]          // sessions of existing subjects (semijoin)
/// lab[Subject.self] - lab[Session.self]          // subjects without sessions
/// ```
public indirect enum Restriction: Sendable {
    /// Equality on the attributes of the row that the restricted query has (others are ignored).
    case row(Row)
    /// A SQL condition written by the user, with its bound values.
    case sql(SQL)
    /// Rows matching any of the conditions.
    case or([Restriction])
    /// Rows matching all of the conditions.
    case and([Restriction])
    /// Rows not matching the condition.
    case not(Restriction)
    /// Rows matching some row of another query on their common attributes.
    case query(any QueryConvertible)
    /// All rows (`true`) or none (`false`).
    case truth(Bool)
}

/// Anything that can restrict a query.
public protocol RestrictionConvertible: Sendable {
    var restriction: Restriction { get }
}

extension Restriction: RestrictionConvertible {
    public var restriction: Restriction { self }
}
extension Row: RestrictionConvertible {
    public var restriction: Restriction { .row(self) }
}
extension String: RestrictionConvertible {
    /// A string variable is SQL text written by the program, sent as it is. (A string *literal* in a restriction is
    /// an ``SQL`` value, whose interpolated values are bound.)
    public var restriction: Restriction { .sql(SQL(verbatim: self)) }
}
extension SQL: RestrictionConvertible {
    public var restriction: Restriction { .sql(self) }
}
extension Bool: RestrictionConvertible {
    public var restriction: Restriction { .truth(self) }
}
extension Array: RestrictionConvertible where Element: RestrictionConvertible {
    /// A list of conditions restricts to rows matching any of them.
    public var restriction: Restriction { .or(map(\.restriction)) }
}

/// Negates a condition: `table & Not(["species": "mouse"])`.
public struct Not: RestrictionConvertible {
    let inner: Restriction
    @_disfavoredOverload
    public init(_ condition: some RestrictionConvertible) { inner = condition.restriction }
    /// Negates SQL text; interpolated values are bound.
    public init(_ condition: SQL) { inner = condition.restriction }
    /// Negates a list of SQL conditions (rows matching none of them).
    public init(_ conditions: [SQL]) { inner = conditions.restriction }
    /// Negates a row condition: `Not(["species": "mouse"])`.
    public init(_ row: Row) { inner = row.restriction }
    /// Negates a list of row conditions (rows matching none of them).
    public init(_ rows: [Row]) { inner = rows.restriction }
    public var restriction: Restriction { .not(inner) }
}

/// All conditions at once: `table & AndList(["a": 1], "b > 2")`.
public struct AndList: RestrictionConvertible {
    let items: [Restriction]
    /// All of the conditions. A string literal among other kinds of condition is a `String` (sent as written):
    /// write `SQL("a = \(x)")` there to bind interpolated values.
    @_disfavoredOverload
    public init(_ conditions: any RestrictionConvertible...) { items = conditions.map(\.restriction) }
    /// All of the SQL conditions; interpolated values are bound.
    public init(_ conditions: SQL...) { items = conditions.map(\.restriction) }
    public init(_ conditions: [any RestrictionConvertible]) { items = conditions.map(\.restriction) }
    /// All of the row conditions.
    public init(_ rows: [Row]) { items = rows.map(\.restriction) }
    public var restriction: Restriction { .and(items) }
}
