/// The attributes a table's restriction in a diagram is written in terms of. A restriction made only of row values
/// and SQL text over attributes that a foreign key carries unchanged can be copied across that key as it is; others
/// cross it as a subquery.
struct RestrictionScope: Sendable {
    var attributes: Set<String> = []
    /// False once any part of the restriction is a query or cannot be read (never copied then).
    var copyable = true

    mutating func formUnion(_ other: RestrictionScope) {
        attributes.formUnion(other.attributes)
        copyable = copyable && other.copyable
    }

    /// The attributes of `heading` that a restriction names.
    static func of(_ restriction: Restriction, heading: Heading) -> RestrictionScope {
        switch restriction {
        case .row(let row):
            return RestrictionScope(attributes: Set(row.names.filter { heading[$0] != nil }))
        case .sql(let sql):
            var names = Set<String>()
            for case .text(let text) in sql.segments {
                for token in SQLFragment(text).tokens {
                    let name: String
                    switch token.kind {
                    case .identifier: name = token.text
                    case .backtickQuoted, .doubleQuoted: name = String(token.text.dropFirst().dropLast())
                    default: continue
                    }
                    if heading[name] != nil { names.insert(name) }
                }
            }
            return RestrictionScope(attributes: names)
        case .and(let items), .or(let items):
            var scope = RestrictionScope()
            for item in items { scope.formUnion(of(item, heading: heading)) }
            return scope
        case .not(let inner):
            return of(inner, heading: heading)
        case .truth:
            return RestrictionScope()
        case .query:
            return RestrictionScope(attributes: [], copyable: false)
        }
    }
}

extension Restriction {
    /// The restriction with its row conditions limited to the attributes of `heading`. A row condition ignores the
    /// attributes its table lacks; limited, it keeps that meaning when it is copied to a table that has them (a
    /// seed `Session & ["session": 1, "trial": 2]` deletes every trial of the session, not trial 2 only).
    func limited(to heading: Heading) -> Restriction {
        switch self {
        case .row(let row):
            return .row(row.project(row.names.filter { heading[$0] != nil }))
        case .and(let items):
            return .and(items.map { $0.limited(to: heading) })
        case .or(let items):
            return .or(items.map { $0.limited(to: heading) })
        case .not(let inner):
            return .not(inner.limited(to: heading))
        case .sql, .query, .truth:
            return self
        }
    }
}
