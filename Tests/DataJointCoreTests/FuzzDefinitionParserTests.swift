import Foundation
import PropertyBased
import ReliabilitySupport
import Testing

@testable import DataJointCore

/// The definition parser against generated valid definitions (which must parse to exactly what was written), random
/// text in the definition language, and damaged definitions: anything it does not accept is refused with a
/// `.declaration` error.
@Suite("Fuzz: definition parser")
struct FuzzDefinitionParserTests {
    /// A valid definition, written with random spacing, and the syntax tree it must parse to.
    struct Generated: CustomTestStringConvertible {
        var text = ""
        var expected = TableDefinition()
        var testDescription: String { text.debugDescription }
    }

    /// Types as written, with what they parse to.
    static let types: [(String, AttributeType)] = [
        ("int8", .int8), ("int16", .int16), ("int32", .int32), ("INT64", .int64), ("float32", .float32),
        ("float64", .float64), ("bool", .bool), ("date", .date), ("datetime", .datetime(fractionalDigits: nil)),
        ("datetime(3)", .datetime(fractionalDigits: 3)), ("varchar(255)", .varchar(255)), ("char(1)", .char(1)),
        ("decimal(8, 3)", .decimal(precision: 8, scale: 3)), ("enum('a', 'b c', 'it''s')", .enumeration(["a", "b c", "it's"])),
        ("uuid", .uuid), ("json", .json), ("bytes", .bytes), ("<blob>", .codec(name: "blob", store: nil)),
        ("<blob@>", .codec(name: "blob", store: "")), ("<attach@raw>", .codec(name: "attach", store: "raw")),
        ("int unsigned", .native("int unsigned", .integer)), ("double", .native("double", .float)),
        ("longblob", .native("longblob", .blob)), ("timestamp(6)", .native("timestamp(6)", .temporal)),
    ]

    static let commentAlphabet = Array("abc XYZ019:#,()'\"->é漢😀\t")
    static let stringAlphabet = Array("abc XYZ019:#,()-é漢😀")

    static func pick<T>(_ items: [T], _ rng: inout any SeededRandomNumberGenerator) -> T {
        items[Int.random(in: 0..<items.count, using: &rng)]
    }

    static func text(_ alphabet: [Character], _ range: ClosedRange<Int>, _ rng: inout any SeededRandomNumberGenerator) -> String {
        String((0..<Int.random(in: range, using: &rng)).map { _ in pick(alphabet, &rng) })
    }

    /// Spaces or tabs, often none.
    static func space(_ rng: inout any SeededRandomNumberGenerator) -> String {
        pick(["", "", " ", " ", "  ", "\t"], &rng)
    }

    /// A comment that is kept as written (trimmed, not starting with a colon).
    static func comment(_ rng: inout any SeededRandomNumberGenerator) -> String {
        var text = self.text(commentAlphabet, 0...20, &rng).trimmingCharacters(in: .whitespaces)
        while text.hasPrefix(":") { text = text.dropFirst().trimmingCharacters(in: .whitespaces) }
        return text
    }

    static func generate(_ rng: inout any SeededRandomNumberGenerator) -> Generated {
        var result = Generated()
        var lines: [String] = []
        if Bool.random(using: &rng) {
            let comment = comment(&rng)
            lines.append(space(&rng) + "#" + space(&rng) + comment)
            result.expected.comment = comment
        }
        var names = Set<String>()
        for section in [true, false] {
            if !section { lines.append(pick(["---", "----------", "--- # secondary"], &rng)) }
            for _ in 0..<Int.random(in: section ? 1...3 : 0...5, using: &rng) {
                let (line, declaration) = self.line(inKey: section, names: &names, &rng)
                let padded = space(&rng) + line + space(&rng)
                lines.append(padded)
                if let declaration { result.expected.lines.append(declaration(padded.trimmingCharacters(in: .whitespaces))) }
                if Int.random(in: 0...5, using: &rng) == 0 { lines.append(pick(["", "# a comment line", "  "], &rng)) }
            }
        }
        result.text = lines.joined(separator: "\n") + pick(["", "\n"], &rng)
        return result
    }

    /// One line, and the parsed form of it given its trimmed text.
    static func line(
        inKey: Bool, names: inout Set<String>, _ rng: inout any SeededRandomNumberGenerator
    ) -> (String, ((String) -> DefinitionLine)?) {
        switch Int.random(in: 0...9, using: &rng) {
        case 0, 1:
            var options: [String] = []
            if !inKey, Bool.random(using: &rng) { options.append("nullable") }
            if Bool.random(using: &rng) { options.append("unique") }
            let reference = pick(["Subject", "lab.Subject", "Session.Trial", "master"], &rng)
            var renames: [ForeignKeyDeclaration.Rename] = []
            var text = "->" + space(&rng)
            if !options.isEmpty || Bool.random(using: &rng) {
                text += "[" + options.map { space(&rng) + pick([$0, $0.uppercased()], &rng) + space(&rng) }.joined(separator: ",") + "]" + space(&rng)
            }
            text += reference
            if Bool.random(using: &rng) {
                for _ in 0..<Int.random(in: 1...2, using: &rng) {
                    renames.append(.init(newName: name(&rng), originalName: name(&rng)))
                }
                text += ".proj(" + renames.map { "\($0.newName)=\(space(&rng))'\($0.originalName)'" }.joined(separator: ", ") + ")"
            }
            if Bool.random(using: &rng) { text += space(&rng) + "# " + comment(&rng) }
            let nullable = options.contains("nullable")
            let unique = options.contains("unique")
            return (text, { line in
                .foreignKey(ForeignKeyDeclaration(
                    reference: reference, nullable: nullable, unique: unique, renames: renames, inPrimaryKey: inKey, line: line))
            })
        case 2 where !inKey:
            let columns = (0..<Int.random(in: 1...3, using: &rng)).map { _ in name(&rng) }
            let unique = Bool.random(using: &rng)
            let text = (unique ? "unique index" : "index") + space(&rng) + "(" + columns.joined(separator: "," + space(&rng)) + ")"
            return (text, { line in .index(IndexDeclaration(unique: unique, columns: columns, line: line)) })
        default:
            var name = name(&rng)
            while names.contains(name) { name += "_" }
            names.insert(name)
            let (typeText, type) = pick(types, &rng)
            let defaultValue = inKey ? nil : defaultValue(for: type, &rng)
            var text = name + space(&rng)
            if let (written, _) = defaultValue { text += "=" + space(&rng) + written + space(&rng) }
            text += ":" + space(&rng) + typeText
            var comment = ""
            if Bool.random(using: &rng) {
                comment = self.comment(&rng)
                text += space(&rng) + "#" + space(&rng) + comment
            }
            return (text, { [comment] line in
                .attribute(AttributeDeclaration(
                    name: name, type: type, typeText: typeText, defaultValue: defaultValue?.1, comment: comment,
                    inPrimaryKey: inKey, line: line))
            })
        }
    }

    static func name(_ rng: inout any SeededRandomNumberGenerator) -> String {
        String(pick(Array("abcdefxyz"), &rng)) + text(Array("abcxyz019_"), 0...8, &rng)
    }

    /// A default as written and as parsed, valid for `type`; sometimes none.
    static func defaultValue(for type: AttributeType, _ rng: inout any SeededRandomNumberGenerator) -> (String, DefaultValue)? {
        switch Int.random(in: 0...3, using: &rng) {
        case 0: return nil
        case 1: return (pick(["null", "NULL", "Null"], &rng), .null)
        default: break
        }
        switch type {
        case .bytes, .json, .codec, .native(_, .blob): return ("null", .null)
        case .bool: return pick([("true", .bool(true)), ("FALSE", .bool(false)), ("1", .literal("1"))], &rng)
        case .enumeration(let members):
            let member = pick(members, &rng)
            return ("'" + member.replacingOccurrences(of: "'", with: "''") + "'", .string(member))
        case .datetime: return pick([("CURRENT_TIMESTAMP", .currentTimestamp), ("current_timestamp(3)", .currentTimestampPrecision(3))], &rng)
        case .native(_, .temporal): return ("CURRENT_TIMESTAMP", .currentTimestamp)
        default:
            if type.isNumeric {
                let number = pick(["0", "-1", "+2.5", "1e3", ".5", "-7.25E-2", "123456789012345678901234567890"], &rng)
                return (number, .literal(number))
            }
            let value = text(stringAlphabet, 0...10, &rng)
            let quote = pick(["'", "\""], &rng)
            return (quote + value + quote, .string(value))
        }
    }

    @Test("generated valid definitions parse to exactly what they say")
    func validDefinitions() async {
        var tally = FuzzTally()
        await propertyCheck(count: ReliabilityLog.iterations(standard: 1500), input: Generator { rng in Self.generate(&rng) }) { generated in
            let parsed = tally.feed(generated.text.debugDescription) { try DefinitionParser().parse(generated.text) }
            guard let parsed else {
                Issue.record("a valid definition was refused: \(generated.text.debugDescription)")
                return
            }
            #expect(parsed == generated.expected, "\(generated.text.debugDescription)")
        }
        #expect(tally.accepted == tally.tried)
        tally.record("definition parser: generated valid definitions (all line kinds, defaults, spacing)", accepted: "parsed as written")
    }

    static let tokens = [
        "a", "b_1", "Subject", "lab", ".", " ", "\t", "\n", "#", ":", "=", "->", "---", "[", "]", "(", ")", ",", "'", "\"",
        "''", "\\", "nullable", "unique", "index", "proj(", "int32", "varchar(", "decimal(", "enum(", "datetime(", "<", ">",
        "@", "blob", "null", "CURRENT_TIMESTAMP(", "true", "1", "-2.5e3", "99999999999999999999", "_", "é", "\u{301}", "😀",
    ]

    @Test("random text in the definition language parses or is refused with a declaration error")
    func tokenText() async {
        var tally = FuzzTally()
        await propertyCheck(count: ReliabilityLog.iterations(standard: 3000), input: Fuzz.tokenStrings(Self.tokens, maxPieces: 60)) { text in
            tally.feed(text.debugDescription, kinds: [.declaration]) { try DefinitionParser().parse(text) }
        }
        tally.record("definition parser: random token sequences of the definition language", accepted: "parsed")
    }

    static let mutator: FuzzMutator = {
        var rng: any SeededRandomNumberGenerator = Xoshiro(seed: (5, 6, 7, 8))
        let handWritten = [
            "# Experimental session: with timing info\nsession_id : int32\n---\nsession_date : date\n",
            "-> Subject\n-> [nullable, unique] lab.Rig\nsession : int16\n---\nnote = '' : varchar(255) # free text\nindex(note)",
            "-> Session.proj(parent_id='session_id')\n---\nvalue = null : <blob@store>\nunique index(value, (lower(x)))",
            "a = 'x:#y' : enum('x:#y', 'it''s') # c\n",
            "ts = CURRENT_TIMESTAMP(6) : datetime(6)\nd = 3.25 : decimal(5,2)\nflag = true : bool\n",
        ]
        let generated = (0..<30).map { _ in generate(&rng).text }
        return FuzzMutator(texts: handWritten + generated, tokens: tokens, maximumLength: 4096)
    }()

    @Test("damaged definitions parse or are refused with a declaration error")
    func mutatedDefinitions() async {
        var tally = FuzzTally()
        await propertyCheck(count: ReliabilityLog.iterations(standard: 3000), input: Fuzz.textMutations(Self.mutator)) { text in
            tally.feed(text.debugDescription, kinds: [.declaration]) { try DefinitionParser().parse(text) }
        }
        tally.record("definition parser: mutated definitions", accepted: "parsed")
    }
}
