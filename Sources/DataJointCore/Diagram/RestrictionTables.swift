/// The tables a restriction reads through the queries it contains (SQL text is not looked into).
extension Restriction {
    func tablesRead() async throws -> Set<SQLTableName> {
        switch self {
        case .row, .sql, .truth:
            return []
        case .and(let items), .or(let items):
            var tables = Set<SQLTableName>()
            for item in items { tables.formUnion(try await item.tablesRead()) }
            return tables
        case .not(let inner):
            return try await inner.tablesRead()
        case .query(let query):
            return try await query.queryNode.tablesRead()
        }
    }
}

extension QueryNode {
    func tablesRead() async throws -> Set<SQLTableName> {
        switch self {
        case .source(let query):
            if let table = query as? Table {
                var tables: Set = [try await table.fullName()]
                for restriction in table.restrictions { tables.formUnion(try await restriction.tablesRead()) }
                return tables
            }
            return try await query.queryExpression().node.tablesRead()
        case .base(let name, _, _):
            return [name]
        case .restrict(let node, let restriction, _):
            return try await node.tablesRead().union(restriction.tablesRead())
        case .project(let node, _), .universal(_, let node), .universalAggregate(_, let node, _), .top(let node, _):
            return try await node.tablesRead()
        case .join(let left, let right, _, _), .aggregate(let left, let right, _, _), .union(let left, let right):
            return try await left.tablesRead().union(right.tablesRead())
        }
    }
}
