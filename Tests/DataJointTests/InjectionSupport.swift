import DataJoint
import Foundation
import Testing

/// Tables and hostile strings of the injection tests (`InjectionValueTests`, `InjectionIdentifierTests`).
enum InjectionPipeline {
    /// A table no statement of the tests may touch: every hostile string below tries to drop or empty it.
    struct InjSentinel: Manual {
        static let definition = """
            # the table the hostile strings aim at
            sentinel_id : int32
            ---
            note : varchar(64)
            """
    }

    /// Holds hostile values in each kind of column that takes text.
    struct InjValue: Manual {
        static let definition = """
            value_id : int32
            ---
            name : varchar(4000)
            doc = null : json
            raw = null : bytes
            packed = null : <blob>
            """
    }

    /// A table whose class name and definition each test case chooses.
    struct InjChosen: Manual {
        @TaskLocal static var chosenName = "InjChosen"
        @TaskLocal static var chosenDefinition = "chosen_id : int32"
        static var className: String { chosenName }
        static var definition: String { chosenDefinition }
    }

    static let sentinelRows: [Row] = [
        ["sentinel_id": 1, "note": "first"], ["sentinel_id": 2, "note": "second"], ["sentinel_id": 3, "note": "third"],
    ]
}

/// Strings that change a statement when spliced into SQL text, in any dialect.
enum Hostile {
    /// Values: quotes of every dialect, statement ends, comments, placeholders, lookalikes, control characters.
    static let values: [String] = [
        "'", "\"", "`", "O'Brien", "x' OR '1'='1",
        "'; DROP TABLE inj_sentinel; --",
        "\"; DROP TABLE \"inj_sentinel\"; --",
        "`; DROP TABLE `inj_sentinel`; --",
        "back\\slash", "\\'; DELETE FROM inj_sentinel; --", "ends with a backslash\\",
        "/* comment left open", "closing */ comment", "-- line comment", "# hash comment",
        "%s %d %%", "?", "?1", "$1", ":name @var",
        "\u{2BC}; DROP TABLE inj_sentinel; --",  // modifier letter apostrophe
        "\u{FF07}; DROP TABLE inj_sentinel; \u{FF0D}\u{FF0D}",  // fullwidth apostrophe and hyphens
        "line\u{2028}and paragraph\u{2029}separators", "new\nline\r\nand\ttab",
        "\u{E000}0\u{E001} looks like DataJoint's mark of a bound value",
        "🧪 Ωμέγα",
        String(repeating: "';\"`\\--/*", count: 400),
    ]

    /// Values with NUL characters, which PostgreSQL text cannot hold.
    static let nulValues: [String] = ["nul\u{0}byte", "\u{0}'; DROP TABLE inj_sentinel; --"]

    /// Names used where an attribute or other identifier is expected.
    static let names: [String] = [
        "x; DROP TABLE inj_sentinel; --", "name\"", "name`", "name'", "na me", "NAME", "name\u{0}",
        "n\u{430}me",  // Cyrillic a
        "name/*", "name--", "name#", "%s", "?", "$1", "", "name\n", "\"name\"", "`name`", "[name]", "name)",
        String(repeating: "n", count: 10_000),
    ]

    /// A short form of a hostile string for messages.
    static func show(_ text: String) -> String {
        let shown = text.count > 40 ? String(text.prefix(40)) + "…(\(text.count) characters)" : text
        return shown.debugDescription
    }
}

/// What a database looks like from outside: its schemas, the tables of the test's schema and the sentinel's rows.
struct DatabaseState: Equatable, CustomStringConvertible {
    var schemas: [String]
    var tables: [String]
    var sentinel: [Row]

    static func of(_ schema: Schema) async throws -> DatabaseState {
        DatabaseState(
            schemas: try await schema.connection.schemaNames().sorted(),
            tables: try await schema.tableNames(),
            sentinel: try await schema[InjectionPipeline.InjSentinel.self].toDicts(orderBy: ["sentinel_id"]))
    }

    var description: String { "schemas \(schemas), tables \(tables), \(sentinel.count) sentinel rows" }
}

/// How the cases of one test ended, for the reliability record.
struct CaseTally {
    var refused: [DataJointError.Kind: Int] = [:]
    var worked = 0

    var total: Int { refused.values.reduce(0, +) + worked }

    /// "12 refused with DataJointError.declaration, 3 worked (quoted)".
    func summary(worked label: String = "worked with the name quoted") -> String {
        var parts = refused.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.value) refused with DataJointError.\($0.key.rawValue)" }
        if worked > 0 { parts.append("\(worked) \(label)") }
        return parts.joined(separator: ", ")
    }
}

/// Runs `body`, which must fail with a `DataJointError`; records an issue for any other outcome.
func expectDataJointError(
    _ what: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
) async -> DataJointError? {
    do {
        try await body()
        Issue.record("\(what): expected a DataJointError, but it succeeded", sourceLocation: sourceLocation)
    } catch let error as DataJointError {
        return error
    } catch {
        Issue.record("\(what): expected a DataJointError, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// Text of a server's syntax error: a sign that a string reached SQL text unquoted.
func looksLikeSyntaxError(_ text: String) -> Bool {
    let lower = text.lowercased()
    return lower.contains("syntax error") || lower.contains("error in your sql syntax") || lower.contains("unrecognized token")
        || lower.contains("unterminated")
}
