import Testing

@testable import DataJointCore

@Suite("Query text: tokens and syntax")
struct QueryTextParserTests {
    typealias S = QueryTextSyntax

    /// The tree as compact text, for readable expectations.
    static func shape(_ node: S) -> String {
        switch node {
        case .name(let name, _): name
        case .attribute(let base, let name, _): shape(base) + "." + name
        case .call(let callee, let arguments, _):
            shape(callee) + "(" + arguments.map { argument in
                (argument.unpacked ? "**" : "") + (argument.keyword.map { $0 + "=" } ?? "") + shape(argument.value)
            }.joined(separator: ", ") + ")"
        case .string(let text, _): "'" + text + "'"
        case .number(let text, _): text
        case .dictionary(let entries, _): "{" + entries.map { shape($0.key) + ": " + shape($0.value) }.joined(separator: ", ") + "}"
        case .list(let items, _): "[" + items.map(shape).joined(separator: ", ") + "]"
        case .binary(let op, let lhs, let rhs, _): "(" + shape(lhs) + " " + op + " " + shape(rhs) + ")"
        case .negative(let inner, _): "-" + shape(inner)
        }
    }

    static func parsed(_ text: String) throws -> String { shape(try QueryTextParser.parse(text)) }

    @Test("Python's precedence: & loosest, then + and -, then *; left to right")
    func precedence() throws {
        #expect(try Self.parsed("A & B - C") == "(A & (B - C))")
        #expect(try Self.parsed("A * B & C") == "((A * B) & C)")
        #expect(try Self.parsed("A + B * C") == "(A + (B * C))")
        #expect(try Self.parsed("A - B + C - D") == "(((A - B) + C) - D)")
        #expect(try Self.parsed("(A & B) * C") == "((A & B) * C)")
        #expect(try Self.parsed("A & B & C") == "((A & B) & C)")
    }

    @Test("names, methods with keyword arguments, literals, dicts, lists, tuples")
    func forms() throws {
        #expect(try Self.parsed("university.Student") == "university.Student")
        #expect(try Self.parsed("Session.Trial & {'subject_id': 1, \"x\": -2.5e3}") == "(Session.Trial & {'subject_id': 1, 'x': -2.5e3})")
        #expect(try Self.parsed("Student.proj('first_name', full=\"concat(first_name, ' ', last_name)\")")
            == "Student.proj('first_name', full='concat(first_name, ' ', last_name)')")
        #expect(try Self.parsed("Student.aggr(Enroll, n='count(*)', keep_all_rows=True)")
            == "Student.aggr(Enroll, n='count(*)', keep_all_rows=True)")
        #expect(try Self.parsed("Student.join(Enroll, left=True)") == "Student.join(Enroll, left=True)")
        #expect(try Self.parsed("U('home_state') & Student") == "(U('home_state') & Student)")
        #expect(try Self.parsed("Student & Top(5, order_by=['dob DESC'])") == "(Student & Top(5, order_by=['dob DESC']))")
        #expect(try Self.parsed("Student & [{'a': 1}, 'b > 2', ]") == "(Student & [{'a': 1}, 'b > 2'])")
        #expect(try Self.parsed("Student & Not(AndList(['a = 1', {'b': 2}]))") == "(Student & Not(AndList(['a = 1', {'b': 2}])))")
        #expect(try Self.parsed("Student.proj(**{'x': 'y'})") == "Student.proj(**{'x': 'y'})")
        #expect(try Self.parsed("Student & ('a = 1', 'b = 2')") == "(Student & ['a = 1', 'b = 2'])")
        #expect(try Self.parsed("Student & 'name = \"O\\'Brien\"'") == "(Student & 'name = \"O'Brien\"')")
        #expect(try Self.parsed("A & 'x' 'y'") == "(A & 'xy')")
    }

    @Test("mistakes get a message with the position, never a crash")
    func errors() throws {
        let cases: [(text: String, offset: Int, words: String)] = [
            ("Student &", 9, "expected a table"),
            ("Student & & Enroll", 10, "expected a table"),
            ("Student.proj(", 13, "found the end of the text"),
            ("Student.proj(a=1", 16, "to close the call"),
            ("(Student & Enroll", 17, "to close the parenthesis"),
            ("Student & 'abc", 10, "unterminated string"),
            ("Student $ Enroll", 8, "unexpected character"),
            ("Student Enroll", 8, "after the end"),
            ("Student & {'a' 1}", 15, "after a dictionary key"),
            ("Student.", 8, "expected a name after"),
            ("- Student", 0, "not a number"),
            ("1.2.3", 0, "malformed number"),
        ]
        for (text, offset, words) in cases {
            let error = #expect(throws: QueryTextError.self, "\(text)") { try QueryTextParser.parse(text) }
            #expect(error?.offset == offset, "\(text): \(error?.message ?? "")")
            #expect(error?.message.contains(words) == true, "\(text): \(error?.message ?? "")")
            #expect(error?.described(in: text).contains("^") == true)
        }
        let deep = String(repeating: "(", count: 10_000) + "A" + String(repeating: ")", count: 10_000)
        let tooDeep = #expect(throws: QueryTextError.self) { try QueryTextParser.parse(deep) }
        #expect(tooDeep?.message.contains("nested too deeply") == true)
    }

    @Test("random text never crashes the parser")
    func fuzz() {
        let alphabet = Array("Student.proj(a=1)&-*+[]{},:'\"\\ 12.5e-3_xyzU**Top")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            let length = Int.random(in: 0...40, using: &generator)
            let text = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
            do {
                _ = try QueryTextParser.parse(text)
            } catch let error as QueryTextError {
                #expect(error.offset >= 0 && error.offset <= text.count, "\(text)")
            } catch {
                Issue.record("unexpected error \(error) for \(text)")
            }
        }
    }
}
