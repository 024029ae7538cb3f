/// A query compiled to one SELECT whose output columns are exactly the heading's visible attributes.
struct CompiledQuery {
    var heading: Heading
    var select: SQLSelect
    var connection: Connection
    /// Output columns are unqualified column references named as they are output, and the SELECT has no
    /// DISTINCT, GROUP BY, ORDER BY or LIMIT: conditions and column lists can be changed in place.
    var isPlain: Bool
    /// The FROM clause exposes no column but the heading's (and hidden ones): it can be merged into a join.
    var exposesOnlyHeading: Bool
    /// The ordering and limit applied last, when the SELECT carries one.
    var top: Top?
    /// The base table, when the SELECT reads one table in place (for DELETE and UPDATE).
    var baseTable: SQLTableName?
    /// Attributes computed by SQL, whose values are returned as the database gives them.
    var computed: Set<String> = []
}

/// Hands out subquery aliases (`_s1`, `_s2`, ...) while compiling one query.
final class AliasGenerator {
    private var count = 0
    func next() -> String {
        count += 1
        return "_s\(count)"
    }
}
