/// An immutable query: a tree of relational operators over tables. Nothing runs until rows are fetched;
/// then the tree compiles to one SQL statement through the connection's dialect.
///
/// ```swift
/// let q = (lab[Session.self] * lab[Subject.self] & ["species": "mouse"]).proj("session_date")
/// let rows = try await q.toDicts()
/// ```
public struct QueryExpression: Sendable, QueryConvertible {
    let node: QueryNode

    init(_ node: QueryNode) {
        self.node = node
    }

    public func queryExpression() async throws -> QueryExpression { self }

    /// The attributes of the result, with its primary key.
    public func heading() async throws -> Heading {
        try await QueryCompiler.compile(node).heading
    }

    /// The SQL the query compiles to, for inspection.
    public func sql() async throws -> String {
        let compiled = try await QueryCompiler.compile(node)
        return compiled.connection.dialect.render(.select(compiled.select)).sql
    }

    /// The connection the query runs on.
    public func connection() async throws -> Connection {
        try await QueryCompiler.compile(node).connection
    }
}

/// The operators of the algebra, as a tree. Leaves are tables (or anything convertible to a query).
indirect enum QueryNode: Sendable {
    /// Any table or query, resolved when compiled.
    case source(any QueryConvertible)
    /// A base table with its heading.
    case base(SQLTableName, Heading, Connection)
    case restrict(QueryNode, Restriction, semanticCheck: Bool)
    case project(QueryNode, ProjectionSpec)
    case join(QueryNode, QueryNode, left: Bool, semanticCheck: Bool)
    case aggregate(QueryNode, QueryNode, ProjectionSpec, keepAll: Bool)
    case union(QueryNode, QueryNode)
    /// `U(attributes) & query`: the distinct values of the attributes in the query.
    case universal([String], QueryNode)
    /// `U(attributes).aggr(query, ...)`: grouping by arbitrary attributes.
    case universalAggregate([String], QueryNode, ProjectionSpec)
    case top(QueryNode, Top)
}

/// What a projection or aggregation keeps and computes.
struct ProjectionSpec: Sendable {
    /// Attributes named to keep; `...` keeps all, `-name` excludes.
    var attributes: [String]
    /// New attributes: a name and either an existing attribute (a rename) or a SQL expression.
    var named: [(name: String, expression: SQL)]
}

extension QueryConvertible {
    var queryNode: QueryNode {
        if let expression = self as? QueryExpression { return expression.node }
        return .source(self)
    }

    // MARK: restriction

    /// The query restricted by a condition. With `semanticCheck`, a query used as a condition matches only on
    /// attributes of the same lineage.
    @_disfavoredOverload
    public func restrict(_ condition: some RestrictionConvertible, semanticCheck: Bool = true) -> QueryExpression {
        QueryExpression(.restrict(queryNode, condition.restriction, semanticCheck: semanticCheck))
    }

    /// The query restricted by SQL text; interpolated values are bound as parameters.
    public func restrict(_ condition: SQL, semanticCheck: Bool = true) -> QueryExpression {
        QueryExpression(.restrict(queryNode, condition.restriction, semanticCheck: semanticCheck))
    }

    // MARK: join

    /// The join of two queries on their common attributes (`*`). With `left`, rows of this query without a
    /// match are kept (this query must determine the other). `semanticCheck: false` matches all namesakes
    /// regardless of lineage.
    public func join(_ other: some QueryConvertible, left: Bool = false, semanticCheck: Bool = true) -> QueryExpression {
        QueryExpression(.join(queryNode, other.queryNode, left: left, semanticCheck: semanticCheck))
    }

    /// Adds the attributes of `other` to each row, keeping rows without a match (a left join).
    /// This query must determine `other`: every primary-key attribute of `other` must be in this query.
    public func extend(_ other: some QueryConvertible, semanticCheck: Bool = true) -> QueryExpression {
        join(other, left: true, semanticCheck: semanticCheck)
    }

    // MARK: projection

    /// The primary key and the named attributes. `"..."` keeps all attributes and `"-name"` drops one;
    /// `named` adds attributes: `["new": "old"]` renames, `["total": "a + b"]` computes with SQL, whose
    /// interpolated values are bound (`["shifted": "score + \(bonus)"]`).
    public func proj(_ attributes: String..., named: KeyValuePairs<String, SQL> = [:]) -> QueryExpression {
        proj(attributes, named: named)
    }

    /// The primary key and the named attributes (array form).
    public func proj(_ attributes: [String], named: KeyValuePairs<String, SQL> = [:]) -> QueryExpression {
        QueryExpression(.project(queryNode, ProjectionSpec(attributes: attributes, named: named.map { ($0.key, $0.value) })))
    }

    /// The primary key and the named attributes, with new attributes given as SQL text in `String` variables
    /// (sent as written).
    @_disfavoredOverload
    public func proj(_ attributes: String..., named: KeyValuePairs<String, String>) -> QueryExpression {
        proj(attributes, named: named)
    }

    /// The primary key and the named attributes (array form), with new attributes given as `String`s.
    @_disfavoredOverload
    public func proj(_ attributes: [String], named: KeyValuePairs<String, String>) -> QueryExpression {
        QueryExpression(
            .project(queryNode, ProjectionSpec(attributes: attributes, named: named.map { ($0.key, SQL(verbatim: $0.value)) })))
    }

    // MARK: aggregation

    /// For each row of this query, aggregates of the matching rows of `other` (which must contain this query's
    /// primary key): `session.aggr(trial, named: ["n": "count(trial_idx)"])`. Rows without matches are kept
    /// unless `excludeNonmatching`. Values interpolated into the expressions are bound.
    public func aggr(
        _ other: some QueryConvertible, _ attributes: String..., named: KeyValuePairs<String, SQL>,
        excludeNonmatching: Bool = false
    ) -> QueryExpression {
        aggregate(other, attributes, named.map { ($0.key, $0.value) }, excludeNonmatching: excludeNonmatching)
    }

    /// `aggr` with the expressions given as `String`s (sent as written).
    @_disfavoredOverload
    public func aggr(
        _ other: some QueryConvertible, _ attributes: String..., named: KeyValuePairs<String, String>,
        excludeNonmatching: Bool = false
    ) -> QueryExpression {
        aggregate(other, attributes, named.map { ($0.key, SQL(verbatim: $0.value)) }, excludeNonmatching: excludeNonmatching)
    }

    private func aggregate(
        _ other: some QueryConvertible, _ attributes: [String], _ named: [(name: String, expression: SQL)],
        excludeNonmatching: Bool
    ) -> QueryExpression {
        QueryExpression(
            .aggregate(
                queryNode, other.queryNode, ProjectionSpec(attributes: attributes, named: named),
                keepAll: !excludeNonmatching))
    }
}

// MARK: operators

public func * (lhs: some QueryConvertible, rhs: some QueryConvertible) -> QueryExpression { lhs.join(rhs) }
public func + (lhs: some QueryConvertible, rhs: some QueryConvertible) -> QueryExpression {
    QueryExpression(.union(lhs.queryNode, rhs.queryNode))
}

extension QueryExpression: Restrictable {
    /// The query with one more restriction (checked for semantic matching).
    public func applying(_ restriction: Restriction) -> QueryExpression {
        QueryExpression(.restrict(node, restriction, semanticCheck: true))
    }
}

/// Anything that is or becomes a query expression: tables, restricted tables, queries.
public protocol QueryConvertible: Sendable {
    /// The query this value stands for (reading the table's heading if needed).
    func queryExpression() async throws -> QueryExpression
}

extension QueryExpression: RestrictionConvertible {
    public var restriction: Restriction { .query(self) }
}
