/// Turns restrictions into SQL conditions over a compiled query's output attributes.
struct RestrictionCompiler {
    let compiler: QueryCompiler

    func compile(_ restriction: Restriction, for query: CompiledQuery, semanticCheck: Bool) async throws -> SQLExpression {
        let heading = query.heading
        let dialect = query.connection.dialect
        switch restriction {
        case .truth(let b):
            return .truth(b)
        case .sql(let sql):
            return try QueryCompiler.userSQL(sql, dialect: dialect) ?? .truth(true)
        case .row(let row):
            return Self.rowCondition(row, heading: heading, dialect: dialect, computed: query.computed)
        case .and(let items):
            var terms: [SQLExpression] = []
            for item in items { terms.append(try await compile(item, for: query, semanticCheck: semanticCheck)) }
            return .and(terms)
        case .or(let items):
            var terms: [SQLExpression] = []
            for item in items { terms.append(try await compile(item, for: query, semanticCheck: semanticCheck)) }
            return .or(terms)
        case .not(let inner):
            return .not(try await compile(inner, for: query, semanticCheck: semanticCheck))
        case .query(let convertible):
            let other = try await compiler.compile(convertible.queryNode)
            try compiler.checkSameConnection(query, other)
            let common = try compiler.matchedAttributes(query, other, semanticCheck: semanticCheck, operation: "restrict")
            // The subquery reads a derived table, so it may name the table being deleted from (MySQL error 1093).
            let derived = SQLSource.subquery(other.select, alias: compiler.aliases.next())
            if common.isEmpty {
                return .exists(SQLSelect(columns: [(.raw("1"), nil)], from: derived))
            }
            return .inSelect(
                common.map { .column($0) }, SQLSelect(columns: common.map { (.column($0), nil) }, from: derived))
        }
    }

    /// Equality on the attributes of `row` that `heading` has (others are ignored, as in the reference): values
    /// converted for their columns, NULL as IS NULL, a value the attribute cannot hold matching nothing.
    static func rowCondition(
        _ row: Row, heading: Heading, dialect: any Dialect, computed: Set<String> = []
    ) -> SQLExpression {
        var terms: [SQLExpression] = []
        for (name, value) in zip(row.names, row.values) {
            guard let attribute = heading[name] else { continue }
            let column = SQLExpression.column(name)
            if value.isNull {
                terms.append(.isNull(column))
                continue
            }
            if computed.contains(name) {
                terms.append(.equals(column, .bind(value)))
                continue
            }
            guard let normalized = attribute.type.normalize(value) else {
                terms.append(.truth(false))
                continue
            }
            terms.append(.equals(column, .bind(dialect.encode(normalized, as: attribute.type))))
        }
        if terms.isEmpty { return .truth(true) }
        return terms.count == 1 ? terms[0] : .and(terms)
    }
}
