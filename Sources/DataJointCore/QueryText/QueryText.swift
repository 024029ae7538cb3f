/// Query text: DataJoint query expressions written as DataJoint-Python users write them.
///
/// ```swift
/// let query = try await db.query("Session * Subject & {'subject_id': 1}", in: [lab])
/// let rows = try await query.toDicts()
/// ```
///
/// The text is an expression in Python's operator syntax: table names (`Student`, `university.Student`,
/// `Session.Trial`, or database names such as `session__trial`), `&`, `-`, `*`, `+` with Python's precedence and
/// parentheses, the methods `.proj(...)`, `.aggr(...)`, `.join(..., left=True)`, `.extend(...)` and
/// `.restrict(...)`, and `U(...)`, `Top(limit, order_by=..., offset=...)`, `Not(...)`, `AndList(...)` (also
/// written `dj.U`, ...). Restrictions are queries, dictionaries (`{'subject_id': 1}`), SQL conditions in quotes
/// (`'n_trials > 5'`), lists of these (OR), `True` and `False`.
///
/// The text builds the same ``QueryExpression`` the Swift API builds, with the same checks; it is never turned into
/// SQL by itself. As in DataJoint-Python 2.x, `aggr` keeps the rows without matches unless
/// `exclude_nonmatching=True`. A string condition is SQL, as in the Swift API's string restrictions.
///
/// Every failure is a ``DataJointError`` whose message ends with the text and a caret under the place it concerns:
/// syntax errors and unknown names are of kind `.query`; errors of the algebra keep their kind (for example
/// `.semanticMismatch` or `.missingAttribute`) and point at the operator that caused them.
extension Connection {
    /// Builds the query that `text` describes. Names are looked up in `schemas` in order (the first that has a
    /// table of that name wins); `schema.Class` names a table of any schema of the connection.
    public func query(_ text: String, in schemas: [Schema]) async throws -> QueryExpression {
        let evaluator = QueryTextEvaluator(names: QueryTextNames(connection: self, schemas: schemas))
        do {
            let syntax = try QueryTextParser.parse(text)
            guard case .query(let query) = try await evaluator.evaluate(syntax) else {
                throw QueryTextError("the text is not a query: it must name a table or combine tables", at: syntax.offset)
            }
            try await evaluator.validate(query)
            return query
        } catch let error as QueryTextError {
            throw DataJointError(.query, error.described(in: text))
        } catch let positioned as PositionedDataJointError {
            let marker = QueryTextError(positioned.error.message, at: positioned.offset)
            throw positioned.error.reworded(marker.described(in: text))
        }
    }
}

extension Schema {
    /// Builds the query that `text` describes, with names looked up in this schema (and `schema.Class` in any schema
    /// of the connection). See ``Connection/query(_:in:)``.
    public func query(_ text: String) async throws -> QueryExpression {
        try await connection.query(text, in: [self])
    }
}
