/// Parses query text with Python's grammar and precedence for the operators a query uses: `&` binds loosest, then
/// `+` and `-`, then `*`; all are left-associative; calls, attributes and literals bind tightest.
struct QueryTextParser {
    private let tokens: [QueryTextToken]
    private var position = 0
    /// Nesting depth, bounded so that hostile input cannot exhaust the stack.
    private var depth = 0
    static let maximumDepth = 200

    init(_ text: String) throws {
        tokens = try QueryTextLexer(text).tokens()
    }

    /// Parses the whole text as one expression.
    static func parse(_ text: String) throws -> QueryTextSyntax {
        var parser = try QueryTextParser(text)
        let expression = try parser.expression()
        guard case .end = parser.current.kind else {
            throw QueryTextError("unexpected \(parser.current.description) after the end of the expression", at: parser.current.offset)
        }
        return expression
    }

    private var current: QueryTextToken { tokens[position] }

    private mutating func advance() -> QueryTextToken {
        let token = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return token
    }

    private func isSymbol(_ symbol: String) -> Bool {
        if case .symbol(let s) = current.kind { return s == symbol }
        return false
    }

    private mutating func expect(_ symbol: String, _ context: String) throws {
        guard isSymbol(symbol) else {
            throw QueryTextError("expected `\(symbol)` \(context), found \(current.description)", at: current.offset)
        }
        _ = advance()
    }

    mutating func expression() throws -> QueryTextSyntax {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else { throw QueryTextError("expression nested too deeply", at: current.offset) }
        return try binary(level: 0)
    }

    /// Levels from loosest to tightest.
    private static let levels: [[String]] = [["&"], ["+", "-"], ["*"]]

    private mutating func binary(level: Int) throws -> QueryTextSyntax {
        guard level < Self.levels.count else { return try unary() }
        var left = try binary(level: level + 1)
        while case .symbol(let symbol) = current.kind, Self.levels[level].contains(symbol) {
            let token = advance()
            let right = try binary(level: level + 1)
            left = .binary(symbol, left, right, offset: token.offset)
        }
        return left
    }

    private mutating func unary() throws -> QueryTextSyntax {
        if isSymbol("-") {
            let token = advance()
            let operand = try unary()
            guard case .number = operand else {
                throw QueryTextError("`-` before something that is not a number", at: token.offset)
            }
            return .negative(operand, offset: token.offset)
        }
        return try postfix()
    }

    private mutating func postfix() throws -> QueryTextSyntax {
        var node = try primary()
        while true {
            if isSymbol(".") {
                _ = advance()
                guard case .name(let name) = current.kind else {
                    throw QueryTextError("expected a name after `.`, found \(current.description)", at: current.offset)
                }
                let token = advance()
                node = .attribute(node, name, offset: token.offset)
            } else if isSymbol("(") {
                let open = advance()
                node = .call(node, try arguments(), offset: open.offset)
            } else {
                return node
            }
        }
    }

    private mutating func arguments() throws -> [QueryTextArgument] {
        var arguments: [QueryTextArgument] = []
        while !isSymbol(")") {
            if isSymbol("**") {
                _ = advance()
                arguments.append(QueryTextArgument(keyword: nil, unpacked: true, value: try expression()))
            } else if case .name(let name) = current.kind, case .symbol("=") = tokens[min(position + 1, tokens.count - 1)].kind {
                let keyword = advance()
                _ = advance()
                arguments.append(QueryTextArgument(keyword: name, value: try expression(), keywordOffset: keyword.offset))
            } else {
                arguments.append(QueryTextArgument(keyword: nil, value: try expression()))
            }
            guard isSymbol(",") else { break }
            _ = advance()
        }
        try expect(")", "to close the call")
        return arguments
    }

    private mutating func primary() throws -> QueryTextSyntax {
        let token = current
        switch token.kind {
        case .name(let name):
            _ = advance()
            return .name(name, offset: token.offset)
        case .string(let value):
            _ = advance()
            // Adjacent string literals concatenate, as in Python.
            var text = value
            while case .string(let more) = current.kind {
                text += more
                _ = advance()
            }
            return .string(text, offset: token.offset)
        case .number(let value):
            _ = advance()
            return .number(value, offset: token.offset)
        case .symbol("("):
            _ = advance()
            if isSymbol(")") {
                _ = advance()
                return .list([], offset: token.offset)
            }
            let first = try expression()
            if isSymbol(")") {
                _ = advance()
                return first
            }
            var items = [first]
            while isSymbol(",") {
                _ = advance()
                if isSymbol(")") { break }
                items.append(try expression())
            }
            try expect(")", "to close the parenthesis opened at position \(token.offset + 1)")
            return .list(items, offset: token.offset)
        case .symbol("["):
            _ = advance()
            var items: [QueryTextSyntax] = []
            while !isSymbol("]") {
                items.append(try expression())
                guard isSymbol(",") else { break }
                _ = advance()
            }
            try expect("]", "to close the list opened at position \(token.offset + 1)")
            return .list(items, offset: token.offset)
        case .symbol("{"):
            _ = advance()
            var entries: [(key: QueryTextSyntax, value: QueryTextSyntax)] = []
            while !isSymbol("}") {
                let key = try expression()
                try expect(":", "after a dictionary key")
                entries.append((key, try expression()))
                guard isSymbol(",") else { break }
                _ = advance()
            }
            try expect("}", "to close the dictionary opened at position \(token.offset + 1)")
            return .dictionary(entries, offset: token.offset)
        default:
            throw QueryTextError("expected a table, a value or `(`, found \(token.description)", at: token.offset)
        }
    }
}

extension QueryTextToken {
    var description: String {
        switch kind {
        case .name(let name): "`\(name)`"
        case .string: "a string"
        case .number(let text): "`\(text)`"
        case .symbol(let symbol): "`\(symbol)`"
        case .end: "the end of the text"
        }
    }
}
