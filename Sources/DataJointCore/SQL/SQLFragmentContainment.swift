// Whether user-written SQL stays one expression where it is placed.

extension SQLFragment {
    /// What would let the fragment reach beyond the parentheses it is placed in when it is made part of a
    /// statement, or nil when nothing does: a `;` (the end of the statement), a `)` without its `(` or the
    /// reverse, a quote or `/*` comment left open, a line comment running to the end of the text (it would hide
    /// the SQL that follows), a NUL character (where drivers end the statement text), or a parameter placeholder
    /// of the backend (it would stand for one of the values DataJoint binds): `$1` everywhere, `?` and `?1` where
    /// `questionMarkPlaceholders`, `:name`, `@name` and `$name` where `namedPlaceholders` (SQLite).
    package func containmentProblem(questionMarkPlaceholders: Bool, namedPlaceholders: Bool) -> String? {
        var depth = 0
        for (i, token) in tokens.enumerated() {
            if token.text.unicodeScalars.contains("\u{0}") { return "a NUL character" }
            let next = i + 1 < tokens.count ? tokens[i + 1] : nil
            switch token.kind {
            case .other where token.text.hasPrefix("$") && (token.text.count > 1 || (namedPlaceholders && next?.kind == .identifier)),
                .other where token.text.hasPrefix("?") && questionMarkPlaceholders,
                .symbol where namedPlaceholders && (token.text == ":" || token.text == "@") && next?.kind == .identifier:
                let name = next?.kind == .identifier ? token.text + next!.text : token.text
                return "the parameter placeholder \"\(name)\""
            case .symbol where token.text.contains(";"):
                return "a semicolon, which would end the statement"
            case .openParen:
                depth += 1
            case .closeParen:
                depth -= 1
                if depth < 0 { return "a \")\" without its \"(\"" }
            case .comment:
                if token.text.hasPrefix("/*") {
                    if token.text.count < 4 || !token.text.hasSuffix("*/") { return "a /* comment that is not closed" }
                } else if i == tokens.count - 1 {
                    return "a comment running to the end of the text"
                }
            case .other where token.text.contains(where: { $0 == "'" || $0 == "\"" || $0 == "`" }):
                return "a quote that is not closed"
            default:
                break
            }
        }
        return depth > 0 ? "a \"(\" without its \")\"" : nil
    }
}
