import Foundation
import PropertyBased
import ReliabilitySupport
import Testing

@testable import DataJointCore

/// The query text parser against generated expressions (which must parse to the tree they were built from), random
/// token sequences and damaged queries. A syntax error becomes the `.query` error a user sees, with a caret under a
/// position inside the text.
@Suite("Fuzz: query text parser")
struct FuzzQueryTextTests {
    /// Parses `text` as `Connection.query` does, turning a syntax error into the `DataJointError` a user gets, after
    /// checking that its position lies in the text.
    static func parse(_ text: String) throws -> QueryTextSyntax {
        do {
            return try QueryTextParser.parse(text)
        } catch let error as QueryTextError {
            #expect((0...text.count).contains(error.offset), "offset \(error.offset) outside \(text.debugDescription)")
            throw DataJointError(.query, error.described(in: text))
        }
    }

    /// A generated expression as text, and the compact form of the tree it must parse to.
    struct Generated: CustomTestStringConvertible {
        var text: String
        var shape: String
        var testDescription: String { text.debugDescription }
    }

    static func pick<T>(_ items: [T], _ rng: inout any SeededRandomNumberGenerator) -> T {
        items[Int.random(in: 0..<items.count, using: &rng)]
    }

    /// An expression of the query language, nested at most `depth` levels: text with random spacing and redundant
    /// parentheses, and its shape as ``QueryTextParserTests/shape(_:)`` writes it.
    static func expression(_ depth: Int, _ rng: inout any SeededRandomNumberGenerator) -> Generated {
        let space = { (rng: inout any SeededRandomNumberGenerator) in pick(["", " ", "  ", "\n"], &rng) }
        if depth == 0 || Int.random(in: 0...3, using: &rng) == 0 {
            switch Int.random(in: 0...5, using: &rng) {
            case 0:
                let text = pick(["'a = 1'", "\"b > 'x'\"", "'it\\'s'"], &rng)
                let shape = ["'a = 1'": "'a = 1'", "\"b > 'x'\"": "'b > 'x''", "'it\\'s'": "'it's'"][text] ?? ""
                return Generated(text: text, shape: shape)
            case 1:
                let number = pick(["1", "2.5", "3e2", "0"], &rng)
                return Generated(text: number, shape: number)
            case 2:
                let name = pick(["Student", "university.Student", "Session.Trial", "U", "dj.U"], &rng)
                return Generated(text: name, shape: name)
            default:
                let name = pick(["Student", "Enroll", "A", "_x1", "Ünïcode"], &rng)
                return Generated(text: name, shape: name)
            }
        }
        switch Int.random(in: 0...6, using: &rng) {
        case 0, 1, 2:
            let op = pick(["&", "-", "*", "+"], &rng)
            // Parenthesized operands: the tree does not depend on precedence.
            let left = expression(depth - 1, &rng)
            let right = expression(depth - 1, &rng)
            return Generated(
                text: "(" + left.text + ")" + space(&rng) + op + space(&rng) + "(" + right.text + ")",
                shape: "(" + left.shape + " " + op + " " + right.shape + ")")
        case 3:
            let callee = expression(0, &rng)
            let method = pick(["proj", "aggr", "join", "restrict", "extend"], &rng)
            var texts: [String] = []
            var shapes: [String] = []
            for _ in 0..<Int.random(in: 0...3, using: &rng) {
                let argument = expression(depth - 1, &rng)
                if Bool.random(using: &rng) {
                    let keyword = pick(["n", "left", "keep_all_rows", "order_by"], &rng)
                    texts.append(keyword + space(&rng) + "=" + space(&rng) + argument.text)
                    shapes.append(keyword + "=" + argument.shape)
                } else {
                    texts.append(argument.text)
                    shapes.append(argument.shape)
                }
            }
            return Generated(
                text: "(" + callee.text + ")." + method + "(" + texts.joined(separator: "," + space(&rng)) + ")",
                shape: callee.shape + "." + method + "(" + shapes.joined(separator: ", ") + ")")
        case 4:
            let items = (0..<Int.random(in: 0...3, using: &rng)).map { _ in expression(depth - 1, &rng) }
            return Generated(
                text: "[" + items.map(\.text).joined(separator: ", ") + (items.isEmpty ? "" : pick(["", ","], &rng)) + "]",
                shape: "[" + items.map(\.shape).joined(separator: ", ") + "]")
        case 5:
            let entries = (0..<Int.random(in: 0...3, using: &rng)).map { _ in (expression(0, &rng), expression(depth - 1, &rng)) }
            return Generated(
                text: "{" + entries.map { $0.0.text + ":" + space(&rng) + $0.1.text }.joined(separator: ", ") + "}",
                shape: "{" + entries.map { $0.0.shape + ": " + $0.1.shape }.joined(separator: ", ") + "}")
        default:
            let inner = expression(depth - 1, &rng)
            return Generated(text: "(" + space(&rng) + inner.text + space(&rng) + ")", shape: inner.shape)
        }
    }

    @Test("generated expressions parse to the tree they were built from")
    func generatedExpressions() async {
        var tally = FuzzTally()
        await propertyCheck(count: ReliabilityLog.iterations(standard: 1500), input: Generator { rng in Self.expression(4, &rng) }) { generated in
            let tree = tally.feed(generated.text) { try Self.parse(generated.text) }
            guard let tree else {
                Issue.record("a valid expression was refused: \(generated.text.debugDescription)")
                return
            }
            #expect(QueryTextParserTests.shape(tree) == generated.shape, "\(generated.text)")
        }
        #expect(tally.accepted == tally.tried)
        tally.record("query text parser: generated expressions (operators, calls, lists, dicts, strings)", accepted: "parsed to their tree")
    }

    static let tokens = [
        "Student", "Enroll", "university", ".", "proj", "aggr", "join", "U", "Top", "Not", "AndList", "(", ")", "[", "]",
        "{", "}", ",", ":", "=", "&", "-", "*", "+", "**", "...", "'", "\"", "\\", "'a = 1'", "1", "2.5e-3", "e", "1e",
        "99999999999999999999999", " ", "\n", "\t", "_", "é", "\u{301}", "😀", "$", "#", "True", "left", "n",
    ]

    @Test("random token sequences parse or are refused with a query error")
    func tokenText() async {
        var tally = FuzzTally()
        await propertyCheck(count: ReliabilityLog.iterations(standard: 3000), input: Fuzz.tokenStrings(Self.tokens, maxPieces: 50)) { text in
            tally.feed(text.debugDescription, kinds: [.query]) { try Self.parse(text) }
        }
        tally.record("query text parser: random token sequences", accepted: "parsed")
    }

    static let mutator: FuzzMutator = {
        var rng: any SeededRandomNumberGenerator = Xoshiro(seed: (9, 10, 11, 12))
        let handWritten = [
            "Session * Subject & {'subject_id': 1}", "Student.proj('first_name', full=\"concat(first_name, ' ', last_name)\")",
            "Student.aggr(Enroll, n='count(*)', keep_all_rows=True)", "U('home_state') & Student",
            "Student & Top(5, order_by=['dob DESC'], offset=2)", "Student & Not(AndList(['a = 1', {'b': 2}]))",
            "Student.proj(**{'x': 'y'}) - university.Enroll", "(Student & ('a = 1', 'b = 2')) + Student.join(Enroll, left=True)",
            String(repeating: "(", count: 190) + "A" + String(repeating: ")", count: 190),
        ]
        return FuzzMutator(texts: handWritten + (0..<30).map { _ in expression(4, &rng).text }, tokens: tokens, maximumLength: 4096)
    }()

    @Test("damaged queries parse or are refused with a query error")
    func mutatedQueries() async {
        var tally = FuzzTally()
        await propertyCheck(count: ReliabilityLog.iterations(standard: 3000), input: Fuzz.textMutations(Self.mutator)) { text in
            tally.feed(text.debugDescription, kinds: [.query]) { try Self.parse(text) }
        }
        tally.record("query text parser: mutated queries", accepted: "parsed")
    }
}
