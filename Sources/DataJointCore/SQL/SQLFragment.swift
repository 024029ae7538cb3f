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

/// One token of a SQL fragment.
package struct SQLToken: Sendable, Hashable {
    package enum Kind: Sendable, Hashable {
        /// Spaces, tabs, line breaks.
        case whitespace
        /// `-- ...` to the end of the line, `# ...` (MySQL), or `/* ... */`.
        case comment
        /// A bare word: a name, a keyword or a function name.
        case identifier
        /// `` `name` `` (MySQL, SQLite).
        case backtickQuoted
        /// `"text"`: an identifier on PostgreSQL and SQLite, a string on MySQL.
        case doubleQuoted
        /// `'text'` with `''` (and on MySQL `\'`) escapes; also `E'...'`, `N'...'`, `X'...'` and PostgreSQL's
        /// `$$...$$`.
        case string
        /// `12`, `1.5`, `.5`, `1e-3`.
        case number
        /// `=`, `<>`, `::`, `||`, `+`, `.`, ...
        case symbol
        case openParen
        case closeParen
        case comma
        /// A value interpolated into an `SQL` literal, bound when the statement is sent.
        case parameter
        /// Anything else (placeholders such as `?`, `$1`; an unterminated quote).
        case other
    }

    package var kind: Kind
    /// The token exactly as written.
    package var text: String

    package init(_ kind: Kind, _ text: String) {
        self.kind = kind
        self.text = text
    }

    /// Whitespace or a comment.
    package var isTrivia: Bool { kind == .whitespace || kind == .comment }

    /// True for an identifier token equal to `keyword` ignoring case.
    package func isKeyword(_ keyword: String) -> Bool {
        kind == .identifier && text.caseInsensitiveEquals(keyword)
    }

    /// The content of a quoted token with its quotes removed and doubled quotes undone (`'it''s'` -> `it's`).
    package var unquoted: String {
        switch kind {
        case .string:
            return String(text.dropFirst().dropLast()).replacingAll("''", with: "'")
        case .doubleQuoted:
            return String(text.dropFirst().dropLast()).replacingAll("\"\"", with: "\"")
        case .backtickQuoted:
            return String(text.dropFirst().dropLast()).replacingAll("``", with: "`")
        default:
            return text
        }
    }
}

/// A function call found in a `SQLFragment`: token indices of its name, its parentheses and its arguments.
package struct SQLFunctionCall: Sendable, Hashable {
    package var nameIndex: Int
    package var openIndex: Int
    package var closeIndex: Int
    /// The token ranges of the arguments, split at top-level commas, with their whitespace. `f()` has one empty
    /// argument range.
    package var arguments: [Range<Int>]
}

/// A function call handed to a rewriting closure, its arguments already rewritten.
package struct SQLCall: Sendable, Hashable {
    /// The function name as written.
    package var name: String
    /// What was written between the name and `(` (usually nothing).
    package var gap: String
    /// The argument texts as written between the commas, whitespace included. `f()` has one empty argument.
    package var arguments: [String]

    package init(name: String, gap: String = "", arguments: [String]) {
        self.name = name
        self.gap = gap
        self.arguments = arguments
    }

    /// The function name in upper case, for case-insensitive matching.
    package var uppercasedName: String { name.uppercased() }
    /// The arguments without surrounding whitespace; empty for a call without arguments (`NOW()`).
    package var trimmedArguments: [String] {
        if arguments.count == 1, arguments[0].trimmedSQL.isEmpty { return [] }
        return arguments.map(\.trimmedSQL)
    }
    /// The text of the argument list between the parentheses.
    package var argumentText: String { arguments.joined(separator: ",") }
    /// The call as written (with its arguments rewritten).
    package var text: String { name + gap + "(" + argumentText + ")" }

    /// The call with another name and the same arguments, spaced as written.
    package func renamed(_ newName: String) -> String { newName + gap + "(" + argumentText + ")" }
}

// MARK: Aggregate string concatenation

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

// MARK: Helpers for dialects

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

// MARK: Tokenizer

/// Splits SQL text into tokens, working on UTF-8 bytes: every delimiter is ASCII, so token boundaries never split
/// a multi-byte character, and bytes of non-ASCII characters are parts of identifiers.
private struct SQLTokenizer {
    let bytes: [UInt8]
    let mysqlSyntax: Bool
    var position = 0

    init(_ text: String, mysqlSyntax: Bool) {
        bytes = Array(text.utf8)
        self.mysqlSyntax = mysqlSyntax
    }

    static let multiCharacterSymbols: [[UInt8]] = ["<=>", "::", "<=", ">=", "<>", "!=", "||", "&&", "<<", ">>", "->>", "->"]
        .map { Array($0.utf8) }.sorted { $0.count > $1.count }

    mutating func tokenize() -> [SQLToken] {
        var tokens: [SQLToken] = []
        while position < bytes.count {
            let start = position
            let kind = scan()
            tokens.append(SQLToken(kind, String(decoding: bytes[start ..< position], as: UTF8.self)))
        }
        return tokens
    }

    func byte(_ offset: Int = 0) -> UInt8? {
        position + offset < bytes.count ? bytes[position + offset] : nil
    }

    static func isIdentifierStart(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b >= 0x80
    }

    static func isIdentifierPart(_ b: UInt8) -> Bool {
        isIdentifierStart(b) || isDigit(b) || b == 0x24  // $
    }

    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    static func isWhitespace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0C }

    mutating func scan() -> SQLToken.Kind {
        let start = position
        let b = bytes[position]
        if SQLTokenizer.isWhitespace(b) {
            while let c = byte(), SQLTokenizer.isWhitespace(c) { position += 1 }
            return .whitespace
        }
        switch b {
        case UInt8(ascii: "'"): return quoted(UInt8(ascii: "'"), escapes: mysqlSyntax, kind: .string)
        case UInt8(ascii: "\""): return quoted(UInt8(ascii: "\""), escapes: mysqlSyntax, kind: .doubleQuoted)
        case UInt8(ascii: "`"): return quoted(UInt8(ascii: "`"), escapes: false, kind: .backtickQuoted)
        case UInt8(ascii: "("): position += 1; return .openParen
        case UInt8(ascii: ")"): position += 1; return .closeParen
        case UInt8(ascii: ","): position += 1; return .comma
        case UInt8(ascii: "-") where byte(1) == UInt8(ascii: "-"),
            UInt8(ascii: "#") where mysqlSyntax:
            while let c = byte(), c != 0x0A { position += 1 }
            return .comment
        case UInt8(ascii: "/") where byte(1) == UInt8(ascii: "*"):
            position += 2
            while position < bytes.count, !(byte() == UInt8(ascii: "*") && byte(1) == UInt8(ascii: "/")) {
                position += 1
            }
            position = min(position + 2, bytes.count)
            return .comment
        default: break
        }
        if SQLTokenizer.isDigit(b) || (b == UInt8(ascii: ".") && byte(1).map(SQLTokenizer.isDigit) == true) {
            return number()
        }
        if atParameterMarker() {
            parameterMarker()
            return .parameter
        }
        if SQLTokenizer.isIdentifierStart(b) {
            while let c = byte(), SQLTokenizer.isIdentifierPart(c), !atParameterMarker() { position += 1 }
            // A prefixed string literal: E'...' (PostgreSQL, with backslash escapes), N'...', X'...', B'...'.
            if position == start + 1, byte() == UInt8(ascii: "'"), "EeNnXxBb".utf8.contains(b) {
                return quoted(UInt8(ascii: "'"), escapes: mysqlSyntax || b == UInt8(ascii: "E") || b == UInt8(ascii: "e"), kind: .string)
            }
            return .identifier
        }
        if b == UInt8(ascii: "$"), !mysqlSyntax, let kind = dollarQuoted() {
            return kind
        }
        if b == UInt8(ascii: "?") || b == UInt8(ascii: "$") {
            position += 1
            while let c = byte(), SQLTokenizer.isDigit(c) { position += 1 }
            return .other
        }
        if b < 0x80, "=<>!+-*/%|&^~.:;@".utf8.contains(b) {
            for symbol in SQLTokenizer.multiCharacterSymbols where bytes[position...].starts(with: symbol) {
                position += symbol.count
                return .symbol
            }
            position += 1
            return .symbol
        }
        position += 1
        return .other
    }

    static let markerStart = Array(String(Character(SQLParameterMarker.start)).utf8)
    static let markerEnd = Array(String(Character(SQLParameterMarker.end)).utf8)

    /// True at the start of a bound value's marker.
    func atParameterMarker() -> Bool {
        bytes[position...].starts(with: SQLTokenizer.markerStart)
    }

    /// Consumes a bound value's marker: start, index digits, end (or the rest of the text if it is unterminated).
    mutating func parameterMarker() {
        position += SQLTokenizer.markerStart.count
        while position < bytes.count, !bytes[position...].starts(with: SQLTokenizer.markerEnd) { position += 1 }
        position = min(position + SQLTokenizer.markerEnd.count, bytes.count)
    }

    /// PostgreSQL's dollar-quoted string `$$text$$` or `$tag$text$tag$`; nil (nothing consumed) if this `$` starts
    /// no such string.
    mutating func dollarQuoted() -> SQLToken.Kind? {
        var end = position + 1
        while end < bytes.count, bytes[end] != UInt8(ascii: "$") {
            guard SQLTokenizer.isIdentifierStart(bytes[end]) || (end > position + 1 && SQLTokenizer.isDigit(bytes[end]))
            else { return nil }
            end += 1
        }
        guard end < bytes.count else { return nil }
        let delimiter = Array(bytes[position ... end])
        var i = end + 1
        while i + delimiter.count <= bytes.count {
            if bytes[i] == UInt8(ascii: "$"), bytes[i ..< i + delimiter.count].elementsEqual(delimiter) {
                position = i + delimiter.count
                return .string
            }
            i += 1
        }
        return nil
    }

    /// A quoted token; a doubled quote inside is an escaped quote. Unterminated: the rest of the text, `.other`.
    mutating func quoted(_ quote: UInt8, escapes: Bool, kind: SQLToken.Kind) -> SQLToken.Kind {
        position += 1
        while position < bytes.count {
            let c = bytes[position]
            if escapes && c == UInt8(ascii: "\\") {
                position += 2
                continue
            }
            if c == quote {
                if byte(1) == quote {
                    position += 2
                    continue
                }
                position += 1
                return kind
            }
            position += 1
        }
        position = bytes.count
        return .other
    }

    mutating func number() -> SQLToken.Kind {
        // Hexadecimal 0x1F.
        if byte() == UInt8(ascii: "0"), byte(1) == UInt8(ascii: "x") || byte(1) == UInt8(ascii: "X") {
            position += 2
            while let c = byte(), SQLTokenizer.isIdentifierPart(c), !atParameterMarker() { position += 1 }
            return .number
        }
        while let c = byte(), SQLTokenizer.isDigit(c) { position += 1 }
        if byte() == UInt8(ascii: "."), !(byte(1) == UInt8(ascii: ".")) {
            position += 1
            while let c = byte(), SQLTokenizer.isDigit(c) { position += 1 }
        }
        if let e = byte(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            var offset = 1
            if let sign = byte(1), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { offset = 2 }
            if let d = byte(offset), SQLTokenizer.isDigit(d) {
                position += offset
                while let c = byte(), SQLTokenizer.isDigit(c) { position += 1 }
            }
        }
        return .number
    }
}
