/// Turns restrictions into SQL conditions for a query with a given heading.
struct RestrictionCompiler {
    let connection: Connection

    func compile(_ restriction: Restriction, heading: Heading, table: String?) async throws -> SQLExpression {
        switch restriction {
        case .truth(let b):
            return .truth(b)
        case .sql(let text):
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return trimmed.isEmpty ? .truth(true) : .raw(trimmed)
        case .row(let row):
            var terms: [SQLExpression] = []
            for (name, value) in zip(row.names, row.values) {
                guard let attribute = heading[name] else { continue }
                let column = SQLExpression.column(name, table: table)
                if value.isNull {
                    terms.append(.isNull(column))
                    continue
                }
                guard let normalized = attribute.type.normalize(value) else {
                    terms.append(.truth(false))
                    continue
                }
                terms.append(.equals(column, .bind(connection.dialect.encode(normalized, as: attribute.type))))
            }
            return terms.count == 1 ? terms[0] : .and(terms)
        case .and(let items):
            var terms: [SQLExpression] = []
            for item in items { terms.append(try await compile(item, heading: heading, table: table)) }
            return .and(terms)
        case .or(let items):
            var terms: [SQLExpression] = []
            for item in items { terms.append(try await compile(item, heading: heading, table: table)) }
            return .or(terms)
        case .not(let inner):
            return .not(try await compile(inner, heading: heading, table: table))
        case .query(let convertible):
            let other = try await convertible.queryExpression()
            let common = heading.names.filter { other.heading.contains($0) }
            let subquery = try await other.select(common.isEmpty ? nil : common, distinct: false)
            if common.isEmpty {
                var exists = subquery
                exists.columns = [(.truth(true), nil)]
                return .exists(exists)
            }
            return .inSelect(common.map { .column($0, table: table) }, subquery)
        }
    }
}
