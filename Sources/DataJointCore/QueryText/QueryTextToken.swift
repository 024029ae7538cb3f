/// A token of a query written as text (Python's operator syntax), with its offset in the text.
struct QueryTextToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case name(String)
        /// A string literal, unescaped.
        case string(String)
        /// A number as written.
        case number(String)
        /// `& - * + ( ) [ ] { } , : . =`, and `**`.
        case symbol(String)
        case end
    }

    var kind: Kind
    /// Offset of the token's first character in the text (in characters, from 0).
    var offset: Int
}

/// Splits query text into tokens.
struct QueryTextLexer {
    let characters: [Character]

    init(_ text: String) {
        characters = Array(text)
    }

    func tokens() throws -> [QueryTextToken] {
        var tokens: [QueryTextToken] = []
        var index = 0
        while index < characters.count {
            let c = characters[index]
            if c.isWhitespace {
                index += 1
                continue
            }
            let start = index
            if c.isLetter || c == "_" {
                while index < characters.count, characters[index].isLetter || characters[index].isNumber || characters[index] == "_" {
                    index += 1
                }
                tokens.append(QueryTextToken(kind: .name(String(characters[start..<index])), offset: start))
            } else if c.isNumber {
                while index < characters.count,
                    characters[index].isNumber || characters[index] == "." || characters[index] == "e"
                        || characters[index] == "E"
                        || ((characters[index] == "-" || characters[index] == "+") && (characters[index - 1] == "e" || characters[index - 1] == "E"))
                {
                    index += 1
                }
                let text = String(characters[start..<index])
                guard Double(text) != nil else { throw QueryTextError("malformed number `\(text)`", at: start) }
                tokens.append(QueryTextToken(kind: .number(text), offset: start))
            } else if c == "'" || c == "\"" {
                index += 1
                var value = ""
                var closed = false
                while index < characters.count {
                    let d = characters[index]
                    if d == "\\", index + 1 < characters.count {
                        let next = characters[index + 1]
                        switch next {
                        case "n": value.append("\n")
                        case "t": value.append("\t")
                        default: value.append(next)
                        }
                        index += 2
                        continue
                    }
                    index += 1
                    if d == c {
                        closed = true
                        break
                    }
                    value.append(d)
                }
                guard closed else { throw QueryTextError("unterminated string", at: start) }
                tokens.append(QueryTextToken(kind: .string(value), offset: start))
            } else if c == "*", index + 1 < characters.count, characters[index + 1] == "*" {
                index += 2
                tokens.append(QueryTextToken(kind: .symbol("**"), offset: start))
            } else if c == ".", index + 2 < characters.count, characters[index + 1] == ".", characters[index + 2] == "." {
                // Python's Ellipsis, as in `proj(...)`: a name of its own.
                index += 3
                tokens.append(QueryTextToken(kind: .name("..."), offset: start))
            } else if "&-*+()[]{},:.=".contains(c) {
                index += 1
                tokens.append(QueryTextToken(kind: .symbol(String(c)), offset: start))
            } else {
                throw QueryTextError("unexpected character `\(c)`", at: start)
            }
        }
        tokens.append(QueryTextToken(kind: .end, offset: characters.count))
        return tokens
    }
}

/// A mistake in query text, at an offset.
struct QueryTextError: Error, Sendable, Equatable {
    let message: String
    let offset: Int

    init(_ message: String, at offset: Int) {
        self.message = message
        self.offset = offset
    }

    /// The message with the text and a caret under the offset.
    func described(in text: String) -> String {
        let line = text.replacingOccurrences(of: "\n", with: " ")
        return "\(message) at position \(offset + 1):\n  \(line)\n  \(String(repeating: " ", count: offset))^"
    }
}
