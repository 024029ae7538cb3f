import Foundation

/// `GROUP_CONCAT([DISTINCT] e1[, e2...] [ORDER BY ...] [SEPARATOR 'sep'])` (MySQL) or
/// `STRING_AGG([DISTINCT] e, sep [ORDER BY ...])` (PostgreSQL, SQLite), parsed from the text between the
/// parentheses so that a dialect can write it back in its own spelling.
package struct SQLStringAggregate: Sendable, Hashable {
    package var distinct: Bool
    /// The concatenated expressions (MySQL allows several; the other forms one), trimmed.
    package var expressions: [String]
    /// The ordering items after `ORDER BY`, trimmed (`name DESC`), or empty.
    package var orderBy: [String]
    /// The separator as a single-quoted SQL string literal, or nil for the default (`,`).
    package var separator: String?

    package init(distinct: Bool, expressions: [String], orderBy: [String], separator: String?) {
        self.distinct = distinct
        self.expressions = expressions
        self.orderBy = orderBy
        self.separator = separator
    }

    /// The separator literal, `','` when none was given.
    package var separatorLiteral: String { separator ?? "','" }

    /// Parses the arguments of MySQL's `GROUP_CONCAT`. Nil when there is nothing to concatenate.
    package init?(groupConcat argumentText: String, mysqlSyntax: Bool = false) {
        let f = SQLFragment(argumentText, mysqlSyntax: mysqlSyntax)
        var range = f.trimmed(f.tokens.indices)
        var separator: String?
        if let at = f.findTopLevel(["SEPARATOR"], in: range) {
            let literal = f.trimmed(at + 1 ..< range.upperBound)
            guard literal.count == 1, let sep = SQLStringAggregate.singleQuoted(f.tokens[literal.lowerBound]) else {
                return nil
            }
            separator = sep
            range = range.lowerBound ..< at
        }
        self.init(fragment: f, range: range, separator: separator)
    }

    /// Parses the arguments of `STRING_AGG(expr, separator [ORDER BY ...])`. A PostgreSQL `::text` cast at the end
    /// of the expression is dropped. Nil when there is not exactly one expression and one separator.
    package init?(stringAgg argumentText: String, mysqlSyntax: Bool = false) {
        let f = SQLFragment(argumentText, mysqlSyntax: mysqlSyntax)
        guard let parsed = SQLStringAggregate(fragment: f, range: f.trimmed(f.tokens.indices), separator: nil),
            parsed.expressions.count == 2
        else { return nil }
        let sep = SQLFragment(parsed.expressions[1], mysqlSyntax: mysqlSyntax)
        let sepRange = sep.trimmed(sep.tokens.indices)
        var separator = parsed.expressions[1]
        if sepRange.count == 1, let literal = SQLStringAggregate.singleQuoted(sep.tokens[sepRange.lowerBound]) {
            separator = literal
        }
        self.init(
            distinct: parsed.distinct, expressions: [SQLStringAggregate.droppingTextCast(parsed.expressions[0])],
            orderBy: parsed.orderBy, separator: separator)
    }

    private init?(fragment f: SQLFragment, range: Range<Int>, separator: String?) {
        var range = range
        var orderBy: [String] = []
        if let at = f.findTopLevel(["ORDER", "BY"], in: range) {
            let after = f.end(ofKeywords: ["ORDER", "BY"], at: at, before: range.upperBound)
            orderBy = f.splitTopLevel(after ..< range.upperBound).map { f.text(f.trimmed($0)) }
            range = range.lowerBound ..< at
        }
        var distinct = false
        if let first = f.nextSignificant(from: range.lowerBound, before: range.upperBound),
            f.tokens[first].isKeyword("DISTINCT")
        {
            distinct = true
            range = first + 1 ..< range.upperBound
        }
        let expressions = f.splitTopLevel(range).map { f.text(f.trimmed($0)) }
        guard !expressions.contains(where: \.isEmpty), !orderBy.contains(where: \.isEmpty) else { return nil }
        self.init(distinct: distinct, expressions: expressions, orderBy: orderBy, separator: separator)
    }

    /// A string token as a single-quoted literal: `'x'` as is, MySQL's `"x"` converted.
    static func singleQuoted(_ token: SQLToken) -> String? {
        switch token.kind {
        case .string: token.text
        case .doubleQuoted: "'" + token.unquoted.replacingAll("'", with: "''") + "'"
        default: nil
        }
    }

    static func droppingTextCast(_ expression: String) -> String {
        let f = SQLFragment(expression)
        let range = f.trimmed(f.tokens.indices)
        guard range.count >= 2,
            f.tokens[range.upperBound - 1].isKeyword("text"),
            let cast = f.previousSignificant(before: range.upperBound - 1, from: range.lowerBound),
            f.tokens[cast].text == "::"
        else { return expression }
        return f.text(f.trimmed(range.lowerBound ..< cast))
    }
}
