import DataJoint
import Foundation
import PropertyBased
import ReliabilitySupport
import Testing

/// User-written SQL and query text against random and damaged input, through the parts that need a dialect or a
/// database: each dialect's translation of restriction strings returns (keeping every bound value), and restrictions
/// and query text run on SQLite return rows or fail with a `DataJointError`.
@Suite("Fuzz: SQL translation and query text on SQLite")
struct FuzzSQLTranslationTests {
    static let dialects: [(String, any Dialect)] = [("PostgreSQL", PostgresDialect()), ("MySQL", MySQLDialect()), ("SQLite", SQLiteDialect())]

    /// A bound value as marked in the text a dialect translates (see `SQLParameterMarker` in DataJointCore).
    static func marker(_ index: Int) -> String { "\u{E000}\(index)\u{E001}" }

    static let tokens = [
        "YEAR(", "MONTH(", "DAY(", "HOUR(", "IF(", "IFNULL(", "CONCAT(", "GROUP_CONCAT(", "STRING_AGG(", "DISTINCT ",
        " ORDER BY ", " SEPARATOR ", "LOG(", "ROUND(", "TRUNCATE(", "MOD(", "GREATEST(", "LEAST(", "DATEDIFF(",
        "TIMESTAMPDIFF(", "CURDATE()", "NOW()", "RAND()", "SUM(", "COUNT(*)", "STD(", "LCASE(", "(", ")", ",", " ", "'",
        "''", "\"", "`", "\\", "--", "#", "/*", "*/", "$$", "::text", "||", "=", "<>", " AND ", " LIKE ", "1", "2.5",
        "born", "name", "x", marker(0), marker(1), "\u{E000}", "\u{E001}", "é", "\u{0}",
    ]

    static let seeds = [
        "GROUP_CONCAT(DISTINCT YEAR(born) ORDER BY YEAR(born) DESC SEPARATOR '|')", "IF(a > 1, 'big', 'small')",
        "TIMESTAMPDIFF(YEAR, a, \(marker(0))) + DATEDIFF(\(marker(1)), b)", "CONCAT(first, ' ', last) LIKE \(marker(0))",
        "GREATEST(a, \(marker(0))) > LEAST(b, 1)", "LOG(2, x) + ROUND(x, 1) + TRUNCATE(x, 2) + MOD(a, 3)",
        "SUM(sex = 'F') / COUNT(*) > \(marker(0))", "STRING_AGG(score, ', ') = 'a'", "name = 'it''s' AND x::text = E'a\\'b'",
        "IFNULL(YEAR(CURDATE()), \(marker(2))) -- comment", "LCASE(a) = UCASE(b) AND RAND() < 0.5",
    ]

    /// The indices of the bound values marked in `text`.
    static func markers(_ text: String) -> Set<Int> {
        var found = Set<Int>()
        var scanner = text.unicodeScalars[...]
        while let start = scanner.firstIndex(of: "\u{E000}") {
            scanner = scanner[scanner.index(after: start)...]
            guard let end = scanner.firstIndex(of: "\u{E001}") else { break }
            if let index = Int(String(scanner[..<end])) { found.insert(index) }
            scanner = scanner[scanner.index(after: end)...]
        }
        return found
    }

    @Test("each dialect translates random and damaged restriction strings, keeping every bound value")
    func translation() async {
        var tally = FuzzTally()
        let mutator = FuzzMutator(texts: Self.seeds, tokens: Self.tokens, maximumLength: 4096)
        let inputs = Generator { rng -> String in
            if Bool.random(using: &rng) { return String(decoding: mutator.mutated(using: &rng), as: UTF8.self) }
            return (0..<Int.random(in: 0...40, using: &rng)).map { _ in Self.tokens[Int.random(in: 0..<Self.tokens.count, using: &rng)] }.joined()
        }
        await propertyCheck(count: ReliabilityLog.iterations(standard: 1500), input: inputs) { text in
            let before = Self.markers(text)
            for (name, dialect) in Self.dialects {
                let translated = dialect.translateUserSQL(text)
                let after = Self.markers(translated)
                #expect(after == before, "\(name) turned bound values \(before.sorted()) into \(after.sorted()): \(text.debugDescription) -> \(translated.debugDescription)")
                if after == before { tally.accept() } else { tally.fail() }
            }
        }
        tally.record(
            "SQL translation (PostgreSQL, MySQL, SQLite dialects): random and mutated restriction strings",
            accepted: "translated with every bound value kept")
    }

    /// Runs one input: counts it as run, or refused with the kind of the `DataJointError` thrown; any other error,
    /// or a `DataJointError` without a message, is an issue that shows the input.
    static func run(_ input: String, _ tally: inout FuzzTally, _ body: () async throws -> Void) async {
        do {
            try await body()
            tally.accept()
        } catch let error as DataJointError {
            guard !error.message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                Issue.record("a DataJointError without a message for \(input)")
                tally.fail()
                return
            }
            tally.refuse(kind: "DataJointError.\(error.kind.rawValue)")
        } catch {
            Issue.record("\(type(of: error)) escaped instead of a DataJointError: \(error)\ninput: \(input)")
            tally.fail()
        }
    }

    @Test("damaged restriction strings on SQLite return rows or fail with a DataJointError")
    func restrictionsOnSQLite() async throws {
        try await TestBackend.sqlite.withDatabase { db in
            let university = try await University.load(into: db)
            let student = university.table("Student")
            let restrictions = [
                "YEAR(dob) > 1990 AND first_name LIKE 'A%'", "IF(sex = 'F', 1, 0) = 1", "CONCAT(first_name, ' ', last_name) <> ''",
                "TIMESTAMPDIFF(YEAR, dob, CURDATE()) BETWEEN 18 AND 99", "home_state IN ('CA', 'NY') OR home_zip LIKE '9%'",
                "GREATEST(student_id, 5) = student_id AND IFNULL(home_city, 'x') <> 'y'", "ROUND(student_id / 3, 1) > 2.5",
            ]
            let mutator = FuzzMutator(texts: restrictions, tokens: Self.tokens.filter { !$0.contains("\u{E000}") }, maximumLength: 1024)
            var tally = FuzzTally()
            await propertyCheck(count: ReliabilityLog.iterations(standard: 500), input: Fuzz.textMutations(mutator)) { text in
                await Self.run(text.debugDescription, &tally) { _ = try await (student & SQL(verbatim: text)).count() }
            }
            tally.record("restriction strings run on SQLite: mutated restrictions of the University schema", accepted: "ran", backend: "sqlite")
        }
    }

    /// The functions of the portable subset with their numbers of arguments (nil: any).
    static let functions: [(String, Int?)] = [
        ("YEAR", 1), ("MONTH", 1), ("DAY", 1), ("QUARTER", 1), ("DAYOFWEEK", 1), ("DAYOFYEAR", 1), ("HOUR", 1),
        ("MINUTE", 1), ("SECOND", 1), ("DATEDIFF", 2), ("DATE", 1), ("LOG", 1), ("LOG", 2), ("LOG10", 1), ("LOG2", 1),
        ("LN", 1), ("EXP", 1), ("SQRT", 1), ("POW", 2), ("FLOOR", 1), ("CEIL", 1), ("ROUND", 1), ("ROUND", 2),
        ("TRUNCATE", 2), ("MOD", 2), ("ABS", 1), ("SIGN", 1), ("SIN", 1), ("COT", 1), ("ATAN", 2), ("DEGREES", 1),
        ("GREATEST", nil), ("LEAST", nil), ("CONCAT", nil), ("CONCAT_WS", nil), ("IF", 3), ("IFNULL", 2), ("LEFT", 2),
        ("RIGHT", 2), ("SUBSTRING", 3), ("LOCATE", 2), ("INSTR", 2), ("CHAR_LENGTH", 1), ("REPLACE", 3), ("TRIM", 1),
        ("LCASE", 1), ("UCASE", 1),
    ]
    static let arguments = [
        "NULL", "0", "-1", "1", "2.5", "-0.5", "1e300", "-1e300", "9.3e18", "-9223372036854775808", "9223372036854775807",
        "'9223372036854775808'", "'1e999'", "''", "'abc'", "'é😀'", "X'00ff'", "'2024-02-29'", "'9999-12-31 23:59:59.999999'",
        "'0000-00-00'", "'2024-13-45'", "'999:59:59'", "'0001-01-01T00:00'", "'24:00'", "'12:30:15.1234567890'",
        "'2024-01-01 10:00:00.123456789012345678901234567890'",
    ]

    /// A call of a portable function, with arguments that are extreme values or calls themselves.
    static func call(_ depth: Int, _ rng: inout any SeededRandomNumberGenerator) -> String {
        if depth == 0 || Int.random(in: 0...2, using: &rng) == 0 {
            return arguments[Int.random(in: 0..<arguments.count, using: &rng)]
        }
        if Int.random(in: 0...6, using: &rng) == 0 {
            let unit = ["YEAR", "MONTH", "DAY", "MICROSECOND", "SQL_TSI_WEEK", "'x'"][Int.random(in: 0...5, using: &rng)]
            return "TIMESTAMPDIFF(\(unit), \(call(depth - 1, &rng)), \(call(depth - 1, &rng)))"
        }
        let (name, arity) = functions[Int.random(in: 0..<functions.count, using: &rng)]
        let count = arity ?? Int.random(in: 1...4, using: &rng)
        return name + "(" + (0..<count).map { _ in call(depth - 1, &rng) }.joined(separator: ", ") + ")"
    }

    @Test("portable functions with extreme arguments on SQLite give a value or fail with a DataJointError")
    func functionsOnSQLite() async throws {
        try await TestBackend.sqlite.withDatabase { db in
            var tally = FuzzTally()
            await propertyCheck(count: ReliabilityLog.iterations(standard: 1500), input: Generator { rng in Self.call(3, &rng) }) { expression in
                await Self.run(expression, &tally) {
                    _ = try await db.query(RenderedSQL("SELECT " + db.dialect.translateUserSQL(expression)))
                }
            }
            tally.record(
                "portable SQL functions on SQLite: generated calls with extreme arguments (numbers, dates, text)",
                accepted: "gave a value", backend: "sqlite")
        }
    }

    // Found by the fuzzing in CI: the digits after the microseconds of a time were read into an Int, which overflowed.
    @Test("on SQLite, a time with more fraction digits than an Int holds gives its parts, not a crash")
    func longFractionOnSQLite() async throws {
        try await TestBackend.sqlite.withDatabase { db in
            let fraction = String(repeating: "9", count: 40)
            for (function, expected) in [("HOUR", 10), ("MINUTE", 20), ("YEAR", 2024)] {
                let sql = db.dialect.translateUserSQL("\(function)('2024-01-02 10:20:30.\(fraction)')")
                let value = try await db.query(RenderedSQL("SELECT " + sql)).first?.first
                #expect(value == .int(Int64(expected)), "\(function): \(String(describing: value))")
            }
        }
    }

    @Test("damaged query text on SQLite builds and runs a query or fails with a DataJointError")
    func queryTextOnSQLite() async throws {
        let texts = try UniversityConformance.expected().values.map(\.python).sorted()
        try await TestBackend.sqlite.withDatabase { db in
            let university = try await University.load(into: db)
            let mutator = FuzzMutator(
                texts: texts,
                tokens: ["Student", "Enroll", ".proj(", ".aggr(", "U(", "Top(", "(", ")", "&", "-", "*", "+", ",", "'", "=", "{", "}", "..."],
                maximumLength: 2048)
            var tally = FuzzTally()
            await propertyCheck(count: ReliabilityLog.iterations(standard: 400), input: Fuzz.textMutations(mutator)) { text in
                await Self.run(text.debugDescription, &tally) {
                    let query = try await university.query(text)
                    _ = try await query.sql()
                    _ = try await (query & Top(5)).toDicts()
                }
            }
            tally.record(
                "query text run on SQLite: mutated DataJoint-Python queries of the University conformance suite",
                accepted: "ran", backend: "sqlite")
        }
    }
}

/// Mutated text seeds as a generator (the DataJointCoreTests helper, for this target).
private enum Fuzz {
    static func textMutations(_ mutator: FuzzMutator) -> Generator<String, Shrink.None<String>> {
        Generator { rng in String(decoding: mutator.mutated(using: &rng), as: UTF8.self) }
    }
}
