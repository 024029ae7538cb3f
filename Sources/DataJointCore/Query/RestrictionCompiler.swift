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
            return .or(Self.groupingEqualities(terms))
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

    /// Alternatives that each fix the same columns to values (rows of keys) as one `IN` list: `a IN (?, ?)` or
    /// `(a, b) IN ((?, ?), (?, ?))`. Long chains of OR exceed SQLite's limit on expression depth (1000).
    static func groupingEqualities(_ terms: [SQLExpression]) -> [SQLExpression] {
        func equality(_ term: SQLExpression) -> (column: String, value: SQLExpression)? {
            if case .binary(.column(let column, table: nil), "=", let value) = term, case .bind = value {
                return (column, value)
            }
            return nil
        }
        func key(_ term: SQLExpression) -> (columns: [String], values: [SQLExpression])? {
            if let single = equality(term) { return ([single.column], [single.value]) }
            guard case .and(let parts) = term, parts.count > 1 else { return nil }
            let pairs = parts.compactMap(equality)
            guard pairs.count == parts.count, Set(pairs.map(\.column)).count == pairs.count else { return nil }
            return (pairs.map(\.column), pairs.map(\.value))
        }
        var groups: [[String]: [[SQLExpression]]] = [:]
        var order: [[String]] = []
        var others: [SQLExpression] = []
        for term in terms {
            guard let key = key(term) else {
                others.append(term)
                continue
            }
            if groups[key.columns] == nil { order.append(key.columns) }
            groups[key.columns, default: []].append(key.values)
        }
        var result = others
        for columns in order {
            let rows = groups[columns]!
            if columns.count == 1 {
                result.append(.inList(.column(columns[0]), rows.map { $0[0] }))
            } else {
                result.append(.inList(.tuple(columns.map { .column($0) }), rows.map { .tuple($0) }))
            }
        }
        return result
    }
}
