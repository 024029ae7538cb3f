import DataJoint
import Foundation
import ReliabilitySupport
import Testing

/// Hostile identifiers: schema, table and attribute names, row keys, names in proj, fetch and order by, and `dj`
/// arguments. Each is refused with a `DataJointError` that names it, changing nothing, or works with the name quoted.
extension InjectionTests {
    @Test("hostile schema and table names are refused with a declaration error that names them, and create nothing",
          arguments: TestBackend.all)
    func schemaAndTableNames(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let schema = try await Self.schema(db, "inj_names")
            let before = try await DatabaseState.of(schema)
            let maxLength = db.dialect.maxTableNameLength
            var tally = CaseTally()
            let schemaNames = Hostile.names + [
                "inj_names\n", "inj_names; DROP SCHEMA inj_names", "inj-names", "1inj", String(repeating: "s", count: maxLength + 1),
            ]
            for name in schemaNames {
                do {
                    // A name that is only unusual (`NAME`) is a schema like any other.
                    let made = try await db.schema(name, tables: [P.InjSentinel.self])
                    #expect(try await db.schemaNames().contains(name), "\(Hostile.show(name))")
                    #expect(try await made.tableNames() == ["inj_sentinel"])
                    try await made.drop(confirm: true)
                    tally.worked += 1
                } catch let error as DataJointError {
                    tally.refused[error.kind, default: 0] += 1
                    #expect(error.kind == .declaration, "\(error)")
                    #expect(error.message.contains("`\(name)`"), "\(error)")
                } catch {
                    Issue.record("schema \(Hostile.show(name)): \(type(of: error)) \(error)")
                }
                #expect(try await DatabaseState.of(schema) == before, "schema \(Hostile.show(name))")
            }
            // The longest name the backend keeps works, and is found again by that name.
            let longest = "s" + String(repeating: "x", count: maxLength - 1)
            let long = try await db.schema(longest, tables: [P.InjSentinel.self])
            #expect(try await db.schemaNames().contains(longest))
            #expect(try await long.tableNames() == ["inj_sentinel"])
            try await long.drop(confirm: true)
            tally.worked += 1

            let classNames = [
                "Evil; DROP TABLE inj_sentinel; --", "Evil\"Name", "Evil`Name", "Evil'Name", "Evil Name", "Evil/*", "Evil--",
                "Evil#", "Evil\u{0}", "Evil\n", "Ev\u{456}l", "evil", "%s", "?", "$1", "", "Evil.Name", "Evil(Name)",
                String(repeating: "E", count: 40), String(repeating: "Ev", count: 1000),
            ]
            for name in classNames {
                let error = await expectDataJointError("class \(Hostile.show(name))") {
                    try await P.InjChosen.$chosenName.withValue(name) {
                        _ = try await db.schema("inj_names", tables: [P.InjChosen.self])
                    }
                }
                if let error {
                    tally.refused[error.kind, default: 0] += 1
                    #expect(error.kind == .declaration, "\(error)")
                    #expect(error.message.contains("`\(name)`") || error.message.contains("exceeds the max length"), "\(error)")
                }
                #expect(try await DatabaseState.of(schema) == before, "class \(Hostile.show(name))")
            }
            #expect(try await DatabaseState.of(schema) == before)
            ReliabilityLog.append(
                ReliabilityRecord(
                    section: "input", subject: "hostile schema names and table class names",
                    backend: backend.rawValue, tried: tally.total, lost: 0,
                    outcome: "\(tally.summary(worked: "(plain names, among them the longest the backend keeps) worked and were found again")); "
                        + "nothing created, sentinel intact"))
        }
    }

    @Test("hostile attribute names and types in definitions are refused with a declaration error; hostile comments and defaults are stored as written",
          arguments: TestBackend.all)
    func definitions(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let schema = try await Self.schema(db, "inj_defs")
            let before = try await DatabaseState.of(schema)
            let maxLength = db.dialect.maxTableNameLength
            var tally = CaseTally()
            let refusedLines = [
                "`evil` : int32", "\"evil\" : int32", "'evil' : int32", "evil; DROP TABLE inj_sentinel; -- : int32",
                "evil\u{0} : int32", "ev\u{456}l : int32", "Evil : int32", "evil/*x*/ : int32", "ev il : int32",
                "evil-- : int32", "$1 : int32", "? : int32", "_evil : int32",
                String(repeating: "a", count: maxLength + 1) + " : int32", String(repeating: "a", count: 10_000) + " : int32",
                "evil : int(1) NOT NULL, sneaky int(1)", "evil : int(11)); DROP TABLE inj_sentinel; --(1)",
                "evil : char(8) CHARACTER SET latin1, sneaky char(8)", "evil : decimal(10,2) DEFAULT 1, sneaky int(2)",
                "evil : varchar(8)) ; DROP TABLE inj_sentinel; --", "evil : int32; DROP TABLE inj_sentinel",
                "evil : longblob, sneaky longblob", "evil = 1); DROP TABLE inj_sentinel; -- : int32",
                "index(chosen_id; DROP TABLE inj_sentinel)", "index(`chosen_id`)", "index(chosen_id, \"x\")",
                "-> InjSentinel.proj(evil='sentinel_id; DROP')", "-> InjSentinel.proj(`evil`=sentinel_id)",
                "-> InjSentinel; DROP TABLE inj_sentinel",
                "-> InjSentinel.proj(" + String(repeating: "r", count: maxLength + 1) + "=sentinel_id)",
            ]
            for line in refusedLines {
                let definition = "chosen_id : int32\n---\n" + line
                let error = await expectDataJointError("definition line \(Hostile.show(line))") {
                    try await P.InjChosen.$chosenDefinition.withValue(definition) {
                        _ = try await db.schema("inj_defs", tables: [P.InjChosen.self])
                    }
                }
                if let error {
                    tally.refused[error.kind, default: 0] += 1
                    #expect(error.kind == .declaration, "\(Hostile.show(line)): \(error)")
                    let named = error.message.contains(line) || line.split(separator: " ").contains { error.message.contains($0) }
                    #expect(named, "\(Hostile.show(line)): \(error)")
                    #expect(!looksLikeSyntaxError(error.message), "\(Hostile.show(line)) reached SQL: \(error)")
                }
                #expect(try await DatabaseState.of(schema) == before, "\(Hostile.show(line))")
            }

            // Comments, defaults and enum values are text the DDL quotes: they are stored exactly as written.
            let comment = "it's \"hostile\" `x` \\ ; DROP TABLE inj_sentinel; -- /* %s ? $1"
            let defaultText = "x'; DROP TABLE inj_sentinel; -- \\ end"
            let accepted = """
                # \(comment)
                chosen_id : int32
                ---
                note = '\(defaultText.replacingOccurrences(of: "'", with: "''"))' : varchar(64)  # \(comment)
                kind = 'a''b' : enum('a''b', 'c\\', 'd"e', '; DROP TABLE inj_sentinel; --')
                longest_\(String(repeating: "n", count: maxLength - 8)) = null : int32
                """
            try await P.InjChosen.$chosenDefinition.withValue(accepted) {
                let chosen = try await db.schema("inj_defs", tables: [P.InjChosen.self])[P.InjChosen.self]
                let heading = try await chosen.heading()
                #expect(heading.names == ["chosen_id", "note", "kind", "longest_" + String(repeating: "n", count: maxLength - 8)])
                #expect(heading["note"]?.comment == comment)
                try await chosen.insert1(["chosen_id": 1])
                try await chosen.insert1(["chosen_id": 2, "kind": "; DROP TABLE inj_sentinel; --"])
                #expect(try await (chosen & ["chosen_id": 1]).fetch1("note", as: String.self) == defaultText)
                #expect(try await chosen.toArray("kind", as: String.self, orderBy: ["chosen_id"]) == ["a'b", "; DROP TABLE inj_sentinel; --"])
                try await chosen.drop(confirm: true)
            }
            tally.worked += 1
            #expect(try await DatabaseState.of(schema) == before)
            ReliabilityLog.append(
                ReliabilityRecord(
                    section: "input", subject: "hostile attribute names, types, indexes and foreign-key renames in definitions",
                    backend: backend.rawValue, tried: tally.total, lost: 0,
                    outcome: "\(tally.summary(worked: "definition with hostile comments, defaults and enum values stored them as written")); "
                        + "no table left behind, sentinel intact"))
        }
    }

    @Test("hostile row keys and attribute names in insert, restrict, update1, proj, aggr, fetch and order by are refused, ignored or quoted, never spliced",
          arguments: TestBackend.all)
    func attributeNames(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let schema = try await Self.schema(db, "inj_keys")
            let table = schema[P.InjValue.self]
            try await table.insert((0..<3).map { ["value_id": $0, "name": "v\($0)"] })
            let before = try await DatabaseState.of(schema)
            var tally = CaseTally()
            var ignored = 0
            var orderBySQL: [String] = []
            func refused(_ what: String, _ name: String, kinds: Set<DataJointError.Kind>, _ body: () async throws -> Void) async {
                let error = await expectDataJointError("\(what) \(Hostile.show(name))", body)
                guard let error else { return }
                tally.refused[error.kind, default: 0] += 1
                #expect(kinds.contains(error.kind), "\(what) \(Hostile.show(name)): \(error)")
                #expect(error.message.contains("`\(name)`"), "\(what) \(Hostile.show(name)): \(error)")
            }
            for name in Hostile.names {
                await refused("insert key", name, kinds: [.missingAttribute]) {
                    try await table.insert1(["value_id": 10, "name": "x", name: 1])
                }
                await refused("update1 key", name, kinds: [.missingAttribute]) {
                    try await table.update1(["value_id": 1, name: "x"])
                }
                await refused("fetch", name, kinds: [.missingAttribute]) { _ = try await table.toArray(name, as: Value.self) }
                await refused("fetch1", name, kinds: [.missingAttribute]) {
                    _ = try await (table & ["value_id": 1]).fetch1(name, as: Value.self)
                }
                await refused("proj", name, kinds: [.missingAttribute]) { _ = try await table.proj(name).count() }
                await refused("proj exclusion", name, kinds: [.missingAttribute]) { _ = try await table.proj("...", "-" + name).count() }
                await refused("proj rename", name, kinds: [.query]) { _ = try await table.proj(named: [name: "name"]).toDicts() }
                await refused("aggr name", name, kinds: [.query]) {
                    _ = try await table.proj().aggr(table, named: [name: "count(*)"]).toDicts()
                }
                // A row restriction ignores the attributes the table lacks, as in DataJoint-Python.
                #expect(try await (table & [name: 1]).count() == 3)
                #expect(try await (table & ["value_id": 1, name: 1]).toArray("value_id", as: Int.self) == [1])
                ignored += 2
                // Extra fields, when asked to be ignored, are.
                try await table.insert1(["value_id": 10, "name": "x", name: 1], ignoreExtraFields: true)
                #expect(try await (table & ["value_id": 10]).delete() == 1)
                tally.worked += 1
                // Order by: a single name must be an attribute; anything longer is SQL, and must stay one expression.
                do {
                    _ = try await table.toDicts(orderBy: [name], limit: 2)
                    tally.worked += 1
                } catch let error as DataJointError {
                    tally.refused[error.kind, default: 0] += 1
                    // Refused by the database: the term was sent as the SQL expression it is by design.
                    if error.sql != nil { orderBySQL.append(Hostile.show(name)) }
                } catch {
                    Issue.record("order by \(Hostile.show(name)): \(type(of: error)) \(error)")
                }
                #expect(try await DatabaseState.of(schema) == before, "\(Hostile.show(name))")
                #expect(try await table.count() == 3)
            }
            ReliabilityLog.append(
                ReliabilityRecord(
                    section: "input",
                    subject: "hostile attribute names as row keys (insert, update1, restrict) and in fetch, proj, aggr and order by",
                    backend: backend.rawValue, tried: tally.total + ignored, lost: 0,
                    outcome: "\(tally.summary(worked: "worked (ignoreExtraFields inserts, order-by terms that are valid SQL)")), "
                        + "\(ignored) row restrictions ignored the unknown key as DataJoint-Python does; order-by terms that are SQL "
                        + "by design and that the database refused: \(orderBySQL.isEmpty ? "none" : orderBySQL.joined(separator: " "));"
                        + " sentinel intact, row counts exact"))
        }
    }

    @Test("hostile dj arguments (table names, --where, --order-by, query values) are refused or bound, and change nothing",
          arguments: TestBackend.all)
    func djArguments(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let db = try await TestDatabase.connect(settings: Settings(safemode: false))
            let schema = try await Self.schema(db, "inj_dj")
            let before = try await DatabaseState.of(schema)
            let directory = try DJTool.workingDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let environment = try DJTool.environment(for: backend)
            let refusedRuns: [[String]] = [
                ["preview", "inj_dj.x; DROP TABLE inj_sentinel; --"],
                ["preview", "inj_dj.InjSentinel\"; DROP TABLE inj_sentinel; --"],
                ["preview", "x'; DROP TABLE inj_sentinel; --.InjSentinel"],
                ["describe", "inj_dj.InjSentinel`; DROP TABLE `inj_sentinel`; --"],
                ["describe", "inj_dj\n.InjSentinel"],
                ["tables", "inj_dj\"; DROP SCHEMA inj_dj CASCADE; --"],
                ["delete", "inj_dj.InjSentinel", "--where", "sentinel_id = 1; DROP TABLE inj_sentinel; --", "--yes"],
                ["delete", "inj_dj.InjSentinel", "--where", "sentinel_id = 1) OR (1 = 1", "--yes"],
                ["delete", "inj_dj.InjSentinel", "--where", "note = 'x' OR 1 = 1 --", "--yes"],
                ["query", "InjSentinel", "--schema", "inj_dj", "--order-by", "note; DROP TABLE inj_sentinel"],
                ["query", "InjSentinel", "--schema", "inj_dj\"; DROP SCHEMA inj_dj; --"],
                ["query", "InjSentinel.proj(evil_name='note; DROP TABLE inj_sentinel; --')", "--schema", "inj_dj"],
            ]
            for arguments in refusedRuns {
                let run = try await DJTool.run(arguments, in: directory, environment: environment)
                #expect(run.status != 0, "\(arguments) succeeded: \(String(decoding: run.output, as: UTF8.self))")
                #expect(!run.errors.isEmpty, "\(arguments)")
                #expect(!looksLikeSyntaxError(run.errors), "\(arguments) reached SQL: \(run.errors)")
                #expect(try await DatabaseState.of(schema) == before, "\(arguments)")
            }
            // Values in a query's dict restriction are bound: they match nothing and run nothing.
            let boundRuns: [[String]] = [
                ["query", "InjSentinel & {'note': \"x'; DROP TABLE inj_sentinel; --\"}", "--schema", "inj_dj", "--count"],
                ["query", "InjSentinel & {'note': '/* x */ -- ? $1'}", "--schema", "inj_dj", "--count"],
                ["query", "InjSentinel - {'note': '\"; --'}", "--schema", "inj_dj", "--count"],
            ]
            var counts: [String] = []
            for arguments in boundRuns {
                let run = try await DJTool.run(arguments, in: directory, environment: environment)
                #expect(run.status == 0, "\(arguments): \(run.errors)")
                counts.append(String(decoding: run.output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            }
            #expect(counts == ["0", "0", "3"])
            #expect(try await DatabaseState.of(schema) == before)
            ReliabilityLog.append(
                ReliabilityRecord(
                    section: "input", subject: "hostile dj arguments: table names, --schema, --where, --order-by, query values",
                    backend: backend.rawValue, tried: refusedRuns.count + boundRuns.count, lost: 0,
                    outcome: "\(refusedRuns.count) runs refused with an error and a non-zero exit, none reached SQL as a syntax "
                        + "error; \(boundRuns.count) query values bound (matched nothing); sentinel intact"))
        }
    }
}
