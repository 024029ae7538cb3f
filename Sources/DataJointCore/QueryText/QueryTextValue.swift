/// What a piece of query text means once evaluated: a query, or one of the values that operators and calls take.
enum QueryTextValue: Sendable {
    case query(QueryExpression)
    /// `U(attributes)`.
    case universal([String])
    /// `Top(...)`.
    case top(Top)
    /// `Not(...)`, `AndList(...)`.
    case restriction(Restriction)
    /// A string literal: SQL text when used as a restriction, an attribute name or expression in `proj`.
    case string(String)
    /// A number, `True`, `False` or `None`.
    case literal(Value)
    /// `[a, b]` or `(a, b)`: OR of restrictions, or arguments.
    case list([QueryTextValue])
    /// `{'name': value}`: a key, or named arguments after `**`.
    case dictionary([(name: String, value: QueryTextValue)])
    /// `...`, all attributes in `proj`.
    case ellipsis
    /// `U`, `Top`, `Not`, `AndList`: the names of the calls that make the values above.
    case function(String)

    /// How the value is named in an error message.
    var kindDescription: String {
        switch self {
        case .query: "a query"
        case .universal: "U(...)"
        case .top: "Top(...)"
        case .restriction: "a restriction"
        case .string: "a string"
        case .literal(let value): value.isNull ? "None" : "a \(value.kindName)"
        case .list: "a list"
        case .dictionary: "a dictionary"
        case .ellipsis: "`...`"
        case .function(let name): "`\(name)`"
        }
    }
}
