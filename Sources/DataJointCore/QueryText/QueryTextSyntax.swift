/// The syntax tree of a query written as text: Python expressions, before they are given meaning as a query.
indirect enum QueryTextSyntax: Sendable, Equatable {
    /// A bare name: `Student`, `U`, `True`.
    case name(String, offset: Int)
    /// `base.name`: `university.Student`, `Session.Trial`, the method name of a call.
    case attribute(QueryTextSyntax, String, offset: Int)
    /// `callee(arguments)`.
    case call(QueryTextSyntax, [QueryTextArgument], offset: Int)
    case string(String, offset: Int)
    case number(String, offset: Int)
    /// `{key: value, ...}`.
    case dictionary([(key: QueryTextSyntax, value: QueryTextSyntax)], offset: Int)
    /// `[a, b]` or `(a, b)`.
    case list([QueryTextSyntax], offset: Int)
    /// `lhs op rhs` for `&`, `-`, `*`, `+`.
    case binary(String, QueryTextSyntax, QueryTextSyntax, offset: Int)
    /// `-x` for a number.
    case negative(QueryTextSyntax, offset: Int)

    /// Where the node starts in the text.
    var offset: Int {
        switch self {
        case .name(_, let offset), .attribute(_, _, let offset), .call(_, _, let offset), .string(_, let offset),
            .number(_, let offset), .dictionary(_, let offset), .list(_, let offset), .binary(_, _, _, let offset),
            .negative(_, let offset):
            offset
        }
    }

    static func == (lhs: QueryTextSyntax, rhs: QueryTextSyntax) -> Bool {
        switch (lhs, rhs) {
        case (.name(let a, let x), .name(let b, let y)): a == b && x == y
        case (.attribute(let a, let n, let x), .attribute(let b, let m, let y)): a == b && n == m && x == y
        case (.call(let a, let p, let x), .call(let b, let q, let y)): a == b && p == q && x == y
        case (.string(let a, let x), .string(let b, let y)): a == b && x == y
        case (.number(let a, let x), .number(let b, let y)): a == b && x == y
        case (.dictionary(let a, let x), .dictionary(let b, let y)):
            x == y && a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case (.list(let a, let x), .list(let b, let y)): a == b && x == y
        case (.binary(let o, let a, let c, let x), .binary(let p, let b, let d, let y)): o == p && a == b && c == d && x == y
        case (.negative(let a, let x), .negative(let b, let y)): a == b && x == y
        default: false
        }
    }
}

/// An argument of a call: positional, `name=value`, or `**mapping`.
struct QueryTextArgument: Sendable, Equatable {
    /// The keyword, for `name=value`.
    var keyword: String?
    /// True for `**mapping`.
    var unpacked = false
    var value: QueryTextSyntax
    /// Where the keyword of `name=value` starts.
    var keywordOffset: Int?
}
