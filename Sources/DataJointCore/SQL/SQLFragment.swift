import Foundation

/// A SQL fragment written by a user (a restriction string, the expression of a computed attribute), split into
/// tokens so that a dialect can rewrite function calls and identifiers without touching string literals.
///
/// The tokens cover the text exactly: concatenating their `text` gives back the fragment byte for byte. Nothing
/// is validated; text the tokenizer does not recognise becomes `.other` tokens and is kept as written.
///
/// ```swift
/// let translated = SQLFragment.rewrite("IF(a > 1, 'IF(x)', b)") { call in
///     call.uppercasedName == "IF" ? "IIF(" + call.arguments.joined(separator: ",") + ")" : nil
/// }
/// // "IIF(a > 1, 'IF(x)', b)"
/// ```
package struct SQLFragment: Sendable {
    /// The tokens of the fragment, in order.
    package let tokens: [SQLToken]
    /// For each `(` token, the index of its matching `)`; nil for unbalanced parentheses.
    private let matches: [Int: Int]

    /// Splits `text` into tokens.
    ///
    /// - Parameter mysqlSyntax: read the text as MySQL does: `\` escapes a character in quoted text (`'it\'s'`)
    ///   and `#` starts a comment. PostgreSQL (standard-conforming strings) and SQLite keep backslashes literally.
    package init(_ text: String, mysqlSyntax: Bool = false) {
        var tokenizer = SQLTokenizer(text, mysqlSyntax: mysqlSyntax)
        tokens = tokenizer.tokenize()
        var stack: [Int] = []
        var matches: [Int: Int] = [:]
        for (i, token) in tokens.enumerated() {
            if token.kind == .openParen {
                stack.append(i)
            } else if token.kind == .closeParen, let open = stack.popLast() {
                matches[open] = i
            }
        }
        self.matches = matches
    }

    /// The fragment as text (identical to the text it was made from).
    package var text: String { text(0 ..< tokens.count) }

    /// The text of a range of tokens.
    package func text(_ range: Range<Int>) -> String {
        var out = ""
        for i in range { out += tokens[i].text }
        return out
    }

    /// The index of the `)` matching the `(` at `open`, or nil.
    package func matchingParenthesis(_ open: Int) -> Int? { matches[open] }

    /// The index of the first token at or after `index` (before `end`) that is not whitespace or a comment.
    package func nextSignificant(from index: Int, before end: Int? = nil) -> Int? {
        let end = end ?? tokens.count
        var i = index
        while i < end {
            if !tokens[i].isTrivia { return i }
            i += 1
        }
        return nil
    }

    /// The index of the last token before `index` (at or after `start`) that is not whitespace or a comment.
    package func previousSignificant(before index: Int, from start: Int = 0) -> Int? {
        var i = index - 1
        while i >= start {
            if !tokens[i].isTrivia { return i }
            i -= 1
        }
        return nil
    }

    /// The function call whose name is the token at `index`: an unqualified identifier followed (after optional
    /// whitespace) by `(` with a matching `)` before `end`. Keywords such as `IN (...)` are calls by this rule too;
    /// callers decide by name what they rewrite.
    package func call(at index: Int, before end: Int? = nil) -> SQLFunctionCall? {
        let end = end ?? tokens.count
        guard index < end, tokens[index].kind == .identifier,
            !SQLFragment.operatorKeywords.contains(tokens[index].text.uppercased())
        else { return nil }
        // `schema.func(...)` and `x.y` are left alone.
        if let previous = previousSignificant(before: index), tokens[previous].text == "." { return nil }
        guard let open = nextSignificant(from: index + 1, before: end), tokens[open].kind == .openParen,
            let close = matches[open], close < end
        else { return nil }
        return SQLFunctionCall(
            nameIndex: index, openIndex: open, closeIndex: close,
            arguments: splitTopLevel(open + 1 ..< close))
    }

    /// Words that may stand before `(` without being a function name.
    static let operatorKeywords: Set<String> = [
        "AND", "OR", "NOT", "XOR", "IN", "IS", "LIKE", "ILIKE", "REGEXP", "RLIKE", "BETWEEN", "EXISTS", "AS", "ON",
        "CASE", "WHEN", "THEN", "ELSE", "END", "SELECT", "FROM", "WHERE", "VALUES", "ANY", "ALL", "SOME", "DISTINCT",
        "BY", "INTERVAL", "ESCAPE", "DIV", "OVER", "FILTER", "USING", "JOIN", "UNION", "INTERSECT", "EXCEPT",
        "HAVING", "GROUP", "ORDER", "LIMIT", "OFFSET", "WITH", "RETURNING", "SEPARATOR",
    ]

    /// Every function call in the fragment, outermost first, in order of appearance.
    package func functionCalls() -> [SQLFunctionCall] {
        tokens.indices.compactMap { call(at: $0) }
    }

    /// Splits a range of tokens at its top-level commas (commas inside parentheses do not split). The pieces keep
    /// their whitespace; an empty range gives one empty piece.
    package func splitTopLevel(_ range: Range<Int>) -> [Range<Int>] {
        var pieces: [Range<Int>] = []
        var depth = 0
        var start = range.lowerBound
        for i in range {
            switch tokens[i].kind {
            case .openParen: depth += 1
            case .closeParen: depth -= 1
            case .comma where depth == 0:
                pieces.append(start ..< i)
                start = i + 1
            default: break
            }
        }
        pieces.append(start ..< range.upperBound)
        return pieces
    }

    /// The index of the first top-level (outside any parentheses) occurrence within `range` of a sequence of
    /// keywords, such as `["ORDER", "BY"]`, compared case-insensitively and separated by any whitespace.
    package func findTopLevel(_ keywords: [String], in range: Range<Int>) -> Int? {
        guard !keywords.isEmpty else { return nil }
        var depth = 0
        for i in range {
            switch tokens[i].kind {
            case .openParen: depth += 1
            case .closeParen: depth -= 1
            case .identifier where depth == 0 && tokens[i].isKeyword(keywords[0]):
                var j = i
                var matched = true
                for keyword in keywords.dropFirst() {
                    guard let next = nextSignificant(from: j + 1, before: range.upperBound),
                        tokens[next].isKeyword(keyword)
                    else {
                        matched = false
                        break
                    }
                    j = next
                }
                if matched { return i }
            default: break
            }
        }
        return nil
    }

    /// The index just past the keyword sequence starting at `index` (see `findTopLevel`).
    package func end(ofKeywords keywords: [String], at index: Int, before end: Int? = nil) -> Int {
        var j = index
        for _ in keywords.dropFirst() {
            j = nextSignificant(from: j + 1, before: end) ?? j
        }
        return j + 1
    }

    /// True when a range holds only whitespace and comments.
    package func isBlank(_ range: Range<Int>) -> Bool {
        range.allSatisfy { tokens[$0].isTrivia }
    }

    /// The range without its leading and trailing whitespace and comments.
    package func trimmed(_ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, tokens[lower].isTrivia { lower += 1 }
        while upper > lower, tokens[upper - 1].isTrivia { upper -= 1 }
        return lower ..< upper
    }

    // MARK: Rewriting

    /// Rewrites a fragment bottom-up: the arguments of every function call are rewritten first, then `call` may
    /// replace the call (return its new text) or keep it (return nil); every token outside calls' names and
    /// parentheses is offered to `token`, which may replace it. String literals are never offered to `call`, and
    /// text that neither closure replaces is kept byte for byte.
    package static func rewrite(
        _ text: String, mysqlSyntax: Bool = false,
        token: (SQLToken) -> String? = { _ in nil },
        call: (SQLCall) -> String?
    ) -> String {
        let fragment = SQLFragment(text, mysqlSyntax: mysqlSyntax)
        return fragment.rewrite(fragment.tokens.indices, token: token, call: call)
    }

    /// Rewrites a range of tokens (see `rewrite(_:mysqlSyntax:token:call:)`).
    package func rewrite(
        _ range: Range<Int>, token: (SQLToken) -> String? = { _ in nil }, call: (SQLCall) -> String?
    ) -> String {
        var out = ""
        var i = range.lowerBound
        while i < range.upperBound {
            if let found = self.call(at: i, before: range.upperBound) {
                let arguments = found.arguments.map { rewrite($0, token: token, call: call) }
                let rewritten = SQLCall(
                    name: tokens[i].text,
                    gap: text(i + 1 ..< found.openIndex),
                    arguments: arguments)
                out += call(rewritten) ?? rewritten.text
                i = found.closeIndex + 1
            } else {
                out += token(tokens[i]) ?? tokens[i].text
                i += 1
            }
        }
        return out
    }
}
