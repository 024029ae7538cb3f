import Testing

@testable import DataJointCore

@Suite("SQL fragments")
struct SQLFragmentTests {
    func kinds(_ text: String, mysql: Bool = false) -> [SQLToken.Kind] {
        SQLFragment(text, mysqlSyntax: mysql).tokens.filter { !$0.isTrivia }.map(\.kind)
    }

    func texts(_ text: String, mysql: Bool = false) -> [String] {
        SQLFragment(text, mysqlSyntax: mysql).tokens.filter { !$0.isTrivia }.map(\.text)
    }

    @Test("tokens cover the text byte for byte")
    func roundTrip() {
        let samples = [
            "YEAR(born) > 1990 AND name = 'O''Brien'",
            "  `first name` || \"x\"\"y\" -- comment (\n/* IF( */ 1.5e-3 <> .5",
            "GROUP_CONCAT(DISTINCT `name` ORDER BY name DESC SEPARATOR '; ')",
            "naïve_größe >= 3 AND ?1 = $2 AND x::text = E'a\\'b'",
            "unterminated 'string",
            "",
        ]
        for sample in samples {
            #expect(SQLFragment(sample).text == sample)
            #expect(SQLFragment(sample, mysqlSyntax: true).text == sample)
        }
    }

    @Test("tokens are classified")
    func classification() {
        #expect(kinds("f(a, 'b''c', 1.5)") == [.identifier, .openParen, .identifier, .comma, .string, .comma, .number, .closeParen])
        #expect(texts("a<=b <> c != d :: e || f") == ["a", "<=", "b", "<>", "c", "!=", "d", "::", "e", "||", "f"])
        #expect(kinds("`a b` \"c\" 'd'") == [.backtickQuoted, .doubleQuoted, .string])
        #expect(texts("1e10 .5 3.25 0x1F 12") == ["1e10", ".5", "3.25", "0x1F", "12"])
        #expect(SQLFragment("x -- IF(a)\n/* y */").tokens.map(\.kind) == [.identifier, .whitespace, .comment, .whitespace, .comment])
        #expect(texts("$$IF(a)$$ || $t$x$$y$t$ || $1") == ["$$IF(a)$$", "||", "$t$x$$y$t$", "||", "$1"])
        #expect(kinds("$$a$$ $tag$b$tag$") == [.string, .string])
        #expect(kinds("x = E'it\\'s' AND y = 1") == [.identifier, .symbol, .string, .identifier, .identifier, .symbol, .number])
    }

    @Test("backslash escapes apply to MySQL only")
    func backslashes() {
        // MySQL: 'a\'b' is one string.
        #expect(texts("'a\\'b' = c", mysql: true) == ["'a\\'b'", "=", "c"])
        // PostgreSQL/SQLite: 'a\' is a complete string.
        #expect(texts("'a\\' = c") == ["'a\\'", "=", "c"])
        #expect(SQLFragment("# note", mysqlSyntax: true).tokens.map(\.kind) == [.comment])
    }

    @Test("unquoting undoes doubled quotes")
    func unquoting() {
        let tokens = SQLFragment("'it''s' \"a\"\"b\" `c``d`").tokens.filter { !$0.isTrivia }
        #expect(tokens.map(\.unquoted) == ["it's", "a\"b", "c`d"])
    }

    @Test("function calls and their top-level arguments are found")
    func calls() {
        let f = SQLFragment("IF(a > 1, CONCAT(b, ','), 'IF(x, y)') + MAX(c)")
        let calls = f.functionCalls()
        #expect(calls.map { f.tokens[$0.nameIndex].text } == ["IF", "CONCAT", "MAX"])
        let arguments = calls[0].arguments.map { f.text(f.trimmed($0)) }
        #expect(arguments == ["a > 1", "CONCAT(b, ',')", "'IF(x, y)'"])
        // Keywords before parentheses and qualified names are not calls.
        #expect(SQLFragment("x IN (1, 2) AND NOT (y)").functionCalls().isEmpty)
        #expect(SQLFragment("s.f(1)").functionCalls().isEmpty)
        // A name separated from its parenthesis by spaces is still a call.
        #expect(SQLFragment("NOW ()").functionCalls().count == 1)
    }

    @Test("keywords are found at the top level only")
    func keywords() {
        let f = SQLFragment("x ORDER  by (a ORDER BY b) SEPARATOR ','")
        let range = f.tokens.indices
        let at = f.findTopLevel(["ORDER", "BY"], in: range)
        #expect(at == 2)
        #expect(f.findTopLevel(["SEPARATOR"], in: range).map { f.tokens[$0].text } == "SEPARATOR")
        #expect(SQLFragment("(a SEPARATOR b)").findTopLevel(["SEPARATOR"], in: 0 ..< 5) == nil)
    }

    @Test("rewriting replaces calls bottom-up and never touches strings")
    func rewriting() {
        let ifToIIF: (SQLCall) -> String? = { $0.uppercasedName == "IF" ? $0.renamed("IIF") : nil }
        #expect(SQLFragment.rewrite("if(a, 'IF(x)', IF(b,c,d))", call: ifToIIF) == "IIF(a, 'IF(x)', IIF(b,c,d))")
        // Unchanged text is kept byte for byte, including spacing and comments.
        let text = "  Max( a ,b )  -- IF(\n + f ( 'x' ) "
        #expect(SQLFragment.rewrite(text, call: ifToIIF) == text)
        // A call inside an argument of another call is rewritten before the outer one sees it.
        let outer = SQLFragment.rewrite("F(G(1))") { call in
            call.uppercasedName == "G" ? "g!" : call.uppercasedName == "F" ? "[" + call.trimmedArguments[0] + "]" : nil
        }
        #expect(outer == "[g!]")
        // Tokens can be replaced.
        let quoted = SQLFragment.rewrite("`a` = 'b`c'", token: { $0.kind == .backtickQuoted ? "\"a\"" : nil }) { _ in nil }
        #expect(quoted == "\"a\" = 'b`c'")
        #expect(SQLCall(name: "NOW", arguments: [" "]).trimmedArguments.isEmpty)
    }

    @Test("GROUP_CONCAT and STRING_AGG arguments are parsed")
    func stringAggregates() throws {
        let simple = try #require(SQLStringAggregate(groupConcat: "name"))
        #expect(simple == SQLStringAggregate(distinct: false, expressions: ["name"], orderBy: [], separator: nil))
        let full = try #require(SQLStringAggregate(groupConcat: " DISTINCT name ORDER BY name DESC, id SEPARATOR '; ' "))
        #expect(full == SQLStringAggregate(distinct: true, expressions: ["name"], orderBy: ["name DESC", "id"], separator: "'; '"))
        let doubleQuoted = try #require(SQLStringAggregate(groupConcat: "a, b SEPARATOR \"|\"", mysqlSyntax: true))
        #expect(doubleQuoted.expressions == ["a", "b"])
        #expect(doubleQuoted.separator == "'|'")
        // A comma inside a string or a call does not split the expression.
        let nested = try #require(SQLStringAggregate(groupConcat: "CONCAT(a, ','), 'x,y'"))
        #expect(nested.expressions == ["CONCAT(a, ',')", "'x,y'"])
        let agg = try #require(SQLStringAggregate(stringAgg: "DISTINCT name::text, ', ' ORDER BY name"))
        #expect(agg == SQLStringAggregate(distinct: true, expressions: ["name"], orderBy: ["name"], separator: "', '"))
        #expect(SQLStringAggregate(stringAgg: "name") == nil)
        #expect(SQLStringAggregate(groupConcat: "name SEPARATOR") == nil)
    }

    @Test("expressions are classified for dialects")
    func helpers() {
        #expect(SQLFragment.isSimpleName("t.x"))
        #expect(SQLFragment.isSimpleName(" `x` "))
        #expect(!SQLFragment.isSimpleName("a + b"))
        #expect(!SQLFragment.isSimpleName("f(x)"))
        #expect(SQLFragment.isStringLiteral(" 'a,b' "))
        #expect(!SQLFragment.isStringLiteral("'a' || 'b'"))
        #expect(SQLFragment.isComparison("sex = 'F'"))
        #expect(SQLFragment.isComparison("name LIKE 'A%'"))
        #expect(!SQLFragment.isComparison("IF(a = 1, 2, 3)"))
        #expect(!SQLFragment.isComparison("'a = b'"))
    }
}
