import Foundation

extension SQLFragment {
    /// True when `expression` is a single name (`x`, `t.x`, `` `x` ``, `"x"`), which needs no parentheses
    /// before a postfix operator such as `::text`.
    package static func isSimpleName(_ expression: String) -> Bool {
        let f = SQLFragment(expression)
        let range = f.trimmed(f.tokens.indices)
        guard !range.isEmpty else { return false }
        var expectName = true
        for i in range {
            let t = f.tokens[i]
            if expectName {
                guard t.kind == .identifier || t.kind == .backtickQuoted || t.kind == .doubleQuoted else { return false }
            } else {
                guard t.kind == .symbol, t.text == "." else { return false }
            }
            expectName.toggle()
        }
        return !expectName
    }

    /// True when `expression` is one single-quoted string literal.
    package static func isStringLiteral(_ expression: String) -> Bool {
        let f = SQLFragment(expression)
        let range = f.trimmed(f.tokens.indices)
        return range.count == 1 && f.tokens[range.lowerBound].kind == .string
    }

    /// True when `expression` has a comparison (`=`, `<`, `>`, `<=`, `>=`, `<>`, `!=`, `LIKE`, `IN`, `IS`,
    /// `BETWEEN`) outside parentheses and `CASE ... END`: its value is a truth value.
    package static func isComparison(_ expression: String) -> Bool {
        let f = SQLFragment(expression)
        var depth = 0
        for t in f.tokens {
            switch t.kind {
            case .openParen: depth += 1
            case .closeParen: depth -= 1
            case .identifier where t.isKeyword("CASE"): depth += 1
            case .identifier where t.isKeyword("END"): depth -= 1
            case .symbol where depth == 0:
                if ["=", "<", ">", "<=", ">=", "<>", "!=", "<=>"].contains(t.text) { return true }
            case .identifier where depth == 0:
                if ["LIKE", "IN", "IS", "BETWEEN", "REGEXP", "RLIKE"].contains(t.text.uppercased()) { return true }
            default: break
            }
        }
        return false
    }
}

extension String {
    /// The text without leading and trailing whitespace.
    var trimmedSQL: String { trimmingCharacters(in: .whitespacesAndNewlines) }

    func caseInsensitiveEquals(_ other: String) -> Bool {
        utf8.count == other.utf8.count && lowercased() == other.lowercased()
    }

    func replacingAll(_ target: String, with replacement: String) -> String {
        replacingOccurrences(of: target, with: replacement)
    }
}
