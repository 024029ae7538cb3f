/// An immutable query: a source relation with restrictions. Compiles to SQL through the dialect.
public struct QueryExpression: Sendable, QueryConvertible {
    /// The connection the query runs on.
    public let connection: Connection
    /// The attributes of the result.
    public let heading: Heading
    /// The base table.
    public let source: SQLTableName
    /// Restrictions, all of which apply.
    public var restrictions: [Restriction]

    public init(connection: Connection, heading: Heading, source: SQLTableName, restrictions: [Restriction] = []) {
        self.connection = connection
        self.heading = heading
        self.source = source
        self.restrictions = restrictions
    }

    public func queryExpression() async throws -> QueryExpression { self }

    /// This query restricted further.
    public func restricted(by restriction: Restriction) -> QueryExpression {
        var copy = self
        copy.restrictions.append(restriction)
        return copy
    }

    /// The WHERE condition of this query, or nil when unrestricted.
    func whereClause() async throws -> SQLExpression? {
        var terms: [SQLExpression] = []
        let compiler = RestrictionCompiler(connection: connection)
        for r in restrictions {
            terms.append(try await compiler.compile(r, heading: heading, table: nil))
        }
        return terms.isEmpty ? nil : (terms.count == 1 ? terms[0] : .and(terms))
    }

    /// A SELECT of the given attributes (all visible ones by default).
    public func select(_ attributes: [String]? = nil, distinct: Bool = false) async throws -> SQLSelect {
        let names = attributes ?? heading.names
        var select = SQLSelect(
            columns: names.map { (.column($0), nil) }, from: .table(source), where: try await whereClause())
        select.distinct = distinct
        return select
    }

    /// The SQL of the query, for inspection.
    public func sql() async throws -> String {
        connection.dialect.render(.select(try await select())).sql
    }
}

/// Anything that is or becomes a query expression: tables, restricted tables, queries.
public protocol QueryConvertible: Sendable {
    /// The query this value stands for (reading the table's heading if needed).
    func queryExpression() async throws -> QueryExpression
}
