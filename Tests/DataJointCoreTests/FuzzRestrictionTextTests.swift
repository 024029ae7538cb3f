import Foundation
import PropertyBased
import ReliabilitySupport
import Testing

@testable import DataJointCore

/// User-written SQL (restriction strings, computed attributes) against random and damaged text: the tokenizer that
/// dialects translate with covers the text byte for byte in both syntaxes, rewriting nothing gives the text back,
/// and bound values keep their places. The translation by each dialect is fuzzed in DataJointTests
/// (`FuzzSQLTranslationTests`), where the dialects are.
@Suite("Fuzz: restriction text")
struct FuzzRestrictionTextTests {
    static let tokens = [
        "a", "name", "YEAR", "IF", "GROUP_CONCAT", "DISTINCT", "ORDER BY", "SEPARATOR", "(", ")", ",", " ", "\n", "'", "''",
        "\"", "`", "\\", "\\'", "--", "#", "/*", "*/", "$$", "$t$", "$1", "?", "::", "||", "<>", "=", "1", "1.5e-3", ".5",
        "0x1F", "E'", "N'", "X'", "é", "\u{301}", "😀", "\u{0}", "\u{E001}", "AND", "NOT", "LIKE", "%",
    ]

    static let seeds = [
        "YEAR(born) > 1990 AND name = 'O''Brien'", "  `first name` || \"x\"\"y\" -- comment (\n/* IF( */ 1.5e-3 <> .5",
        "GROUP_CONCAT(DISTINCT `name` ORDER BY name DESC SEPARATOR '; ')", "naïve_größe >= 3 AND ?1 = $2 AND x::text = E'a\\'b'",
        "IF(a > 1, 'IF(x)', b)", "$$IF(a)$$ || $t$x$$y$t$ || $1", "TIMESTAMPDIFF(YEAR, dob, CURDATE()) BETWEEN 18 AND 25",
        "CONCAT(first, ' ', last) LIKE 'A%' # mysql comment", "unterminated 'string", "f(g(h(i(j(k())))))",
    ]

    /// Checks the tokenizer and an identity rewrite on `text` in both syntaxes; returns the number of tokens.
    static func tokenize(_ text: String) -> Int {
        var count = 0
        for mysql in [false, true] {
            let fragment = SQLFragment(text, mysqlSyntax: mysql)
            #expect(fragment.text == text, "tokens do not cover \(text.debugDescription) (mysql: \(mysql))")
            #expect(SQLFragment.rewrite(text, mysqlSyntax: mysql) { _ in nil } == text, "identity rewrite of \(text.debugDescription)")
            _ = fragment.functionCalls()
            _ = fragment.splitTopLevel(0..<fragment.tokens.count)
            count += fragment.tokens.count
        }
        return count
    }

    @Test("random SQL-like text is tokenized byte for byte and rewritten to itself")
    func tokenText() async {
        var tally = FuzzTally()
        await propertyCheck(count: ReliabilityLog.iterations(standard: 2000), input: Fuzz.tokenStrings(Self.tokens, maxPieces: 50)) { text in
            tally.feed(text.debugDescription) { Self.tokenize(text) }
        }
        tally.record("restriction text tokenizer: random SQL-like token sequences (both syntaxes)", accepted: "tokenized and rewritten to itself")
    }

    @Test("damaged restriction strings are tokenized byte for byte and rewritten to themselves")
    func mutatedText() async {
        var tally = FuzzTally()
        let mutator = FuzzMutator(texts: Self.seeds, tokens: Self.tokens, maximumLength: 4096)
        await propertyCheck(count: ReliabilityLog.iterations(standard: 2000), input: Fuzz.textMutations(mutator)) { text in
            tally.feed(text.debugDescription) { Self.tokenize(text) }
        }
        tally.record("restriction text tokenizer: mutated restriction strings (both syntaxes)", accepted: "tokenized and rewritten to itself")
    }

    /// An `SQL` value of random text and values, and the pieces its marked text must split into.
    struct Generated: CustomTestStringConvertible {
        var sql: SQL
        var pieces: [SQLParameterMarker.Piece]
        var testDescription: String { sql.segments.description }
    }

    static func interpolation(_ rng: inout any SeededRandomNumberGenerator) -> Generated {
        let texts = ["a = ", " AND b IN ", "", "'", "\u{E001}", "0\u{E001}", "é", ")", "--", "\\"]
        var interpolation = SQL.StringInterpolation(literalCapacity: 0, interpolationCount: 0)
        var pieces: [SQLParameterMarker.Piece] = []
        var index = 0
        for _ in 0..<Int.random(in: 0...6, using: &rng) {
            if Bool.random(using: &rng) {
                let text = texts[Int.random(in: 0..<texts.count, using: &rng)]
                interpolation.appendLiteral(text)
                guard !text.isEmpty else { continue }
                if case .text(let previous)? = pieces.last {
                    pieces[pieces.count - 1] = .text(previous + text)
                } else {
                    pieces.append(.text(text))
                }
            } else {
                interpolation.appendInterpolation(Int.random(in: -5...5, using: &rng))
                pieces.append(.value(index))
                index += 1
            }
        }
        return Generated(sql: SQL(stringInterpolation: interpolation), pieces: pieces)
    }

    @Test("values interpolated into SQL text keep their places through the parameter markers")
    func markers() async {
        var tally = FuzzTally()
        await propertyCheck(count: ReliabilityLog.iterations(standard: 1500), input: Generator { rng in Self.interpolation(&rng) }) { generated in
            let marked = tally.feed(generated.sql.description.debugDescription, kinds: [.query]) { try generated.sql.markedText() }
            guard let marked else { return }
            // Text without values splits into one piece of text, which may be empty.
            let pieces = SQLParameterMarker.split(marked.text).filter { $0 != .text("") }
            #expect(pieces == generated.pieces, "\(generated.sql.segments)")
            #expect(marked.values == generated.sql.values)
        }
        // Text that holds the marker character itself is refused.
        tally.feed("U+E000 in the text", kinds: [.query]) {
            _ = try SQL(verbatim: "a = \u{E000}0\u{E001}").markedText()
            Issue.record("text with the reserved marker character was accepted")
        }
        tally.record("restriction text: SQL with interpolated values, marked and split again", accepted: "kept every value in place")
    }
}
