/// How a value of query text restricts a query.
enum QueryTextRestriction {
    /// The value as a restriction: a query (semijoin), a dictionary (a key), a string (SQL condition), a list (OR),
    /// `Not(...)`, `AndList(...)`, `True` or `False`.
    static func restriction(_ value: QueryTextValue, at offset: Int) throws -> Restriction {
        switch value {
        case .query(let q): return .query(q)
        case .restriction(let r): return r
        case .string(let text): return .sql(SQL(verbatim: text))
        case .literal(.bool(let b)): return .truth(b)
        case .dictionary(let pairs):
            var row = Row()
            for pair in pairs {
                guard case .literal(let value) = pair.value else {
                    if case .string(let text) = pair.value {
                        row[pair.name] = .string(text)
                        continue
                    }
                    throw QueryTextError(
                        "the value of `\(pair.name)` in a restriction must be a string, number, True, False or None, not \(pair.value.kindDescription)",
                        at: offset)
                }
                row[pair.name] = value
            }
            return .row(row)
        case .list(let items): return .or(try items.map { try restriction($0, at: offset) })
        case .top: throw QueryTextError("`Top(...)` restricts only with `&`", at: offset)
        default: throw QueryTextError("\(value.kindDescription) cannot restrict a query", at: offset)
        }
    }
}
