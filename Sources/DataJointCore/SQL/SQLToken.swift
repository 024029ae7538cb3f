import Foundation


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

// MARK: Tokenizer

/// Splits SQL text into tokens, working on UTF-8 bytes: every delimiter is ASCII, so token boundaries never split
/// a multi-byte character, and bytes of non-ASCII characters are parts of identifiers.
struct SQLTokenizer {
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
