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
        var counts = [0, 0]
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
                counts[after == before ? 0 : 1] += 1
            }
        }
        ReliabilityLog.append(ReliabilityRecord(
            section: "input", subject: "SQL translation (PostgreSQL, MySQL, SQLite dialects): random and mutated restriction strings",
            backend: "none", tried: counts[0] + counts[1], lost: counts[1],
            outcome: "\(counts[0]) translated with every bound value kept" + (counts[1] > 0 ? ", \(counts[1]) lost or invented a bound value" : "")))
    }

    /// What a query gave: rows, or the kind of the `DataJointError` it threw; an issue for any other error.
    static func outcome(_ input: String, _ body: () async throws -> Void) async -> String {
        do {
            try await body()
            return "ran"
        } catch let error as DataJointError {
            if error.message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                Issue.record("a DataJointError without a message for \(input)")
                return "failed"
            }
            return "DataJointError.\(error.kind.rawValue)"
        } catch {
            Issue.record("\(type(of: error)) escaped instead of a DataJointError: \(error)\ninput: \(input)")
            return "failed"
        }
    }

    static func record(_ subject: String, _ outcomes: [String: Int]) {
        let ran = outcomes["ran", default: 0]
        let refused = outcomes.filter { $0.key.hasPrefix("DataJointError") }.sorted { $0.value > $1.value }
        let failed = outcomes["failed", default: 0]
        ReliabilityLog.append(ReliabilityRecord(
            section: "input", subject: subject, backend: "sqlite", tried: outcomes.values.reduce(0, +), lost: failed,
            outcome: "\(ran) ran, \(refused.map(\.value).reduce(0, +)) refused ("
                + refused.map { "\($0.value) with \($0.key)" }.joined(separator: ", ") + ")"
                + (failed > 0 ? ", \(failed) failed otherwise" : "")))
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
            var outcomes: [String: Int] = [:]
            await propertyCheck(count: ReliabilityLog.iterations(standard: 500), input: Fuzz.textMutations(mutator)) { text in
                let result = await Self.outcome(text.debugDescription) { _ = try await (student & SQL(verbatim: text)).count() }
                outcomes[result, default: 0] += 1
            }
            Self.record("restriction strings run on SQLite: mutated restrictions of the University schema", outcomes)
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
            var outcomes: [String: Int] = [:]
            await propertyCheck(count: ReliabilityLog.iterations(standard: 400), input: Fuzz.textMutations(mutator)) { text in
                let result = await Self.outcome(text.debugDescription) {
                    let query = try await university.query(text)
                    _ = try await query.sql()
                    _ = try await (query & Top(5)).toDicts()
                }
                outcomes[result, default: 0] += 1
            }
            Self.record("query text run on SQLite: mutated DataJoint-Python queries of the University conformance suite", outcomes)
        }
    }
}

/// Mutated text seeds as a generator (the DataJointCoreTests helper, for this target).
private enum Fuzz {
    static func textMutations(_ mutator: FuzzMutator) -> Generator<String, Shrink.None<String>> {
        Generator { rng in String(decoding: mutator.mutated(using: &rng), as: UTF8.self) }
    }
}
