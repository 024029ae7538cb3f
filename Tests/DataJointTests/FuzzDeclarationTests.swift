import DataJoint
import Foundation
import PropertyBased
import ReliabilitySupport
import Testing

/// The definition and class name of the table a fuzz iteration declares.
private enum FuzzedTable {
    @TaskLocal static var definition = ""
    @TaskLocal static var className = "Fuzzed"
}

private struct FuzzParent: Manual {
    static let definition = """
        parent_id : int32
        ---
        name : varchar(16)
        """
}

private struct Fuzzed: Manual {
    static var definition: String { FuzzedTable.definition }
    static var className: String { FuzzedTable.className }
}

/// Damaged definitions declared on SQLite: each declares a table, or fails with a `DataJointError` and leaves no
/// table behind (the whole path: parser, resolver, codecs, the dialect's DDL, the database).
@Suite("Fuzz: declarations on SQLite")
struct FuzzDeclarationTests {
    static let definitions = [
        "# a table\nitem_id : int32\n---\nname = 'x:#y' : varchar(32)  # the name\nscore = null : float64\n",
        "-> FuzzParent\ntrial : int16\n---\nnote = \"it's\" : varchar(255)\nindex(note)\n",
        "-> [nullable, unique] FuzzParent.proj(other_id='parent_id')\nk : int64\n---\nv = null : <blob>\n",
        "k : uuid\n---\nkind = 'b' : enum('a', 'b', 'it''s')\nwhen = CURRENT_TIMESTAMP : datetime(3)\nflag = true : bool\n",
        "k : char(8)\n---\namount = 1.25 : decimal(5,2)\nday = '2024-01-15' : date\ndoc = null : json\nraw = null : bytes\n",
        "k : int8\n---\nx : int unsigned\ny = 0 : double\nunique index(x, y)\nz = null : longblob",
    ]
    static let tokens = [
        "\n", "---", "->", "FuzzParent", "#", ":", "=", "'", "\"", "''", "(", ")", ",", "[nullable]", "int32", "varchar(",
        "enum(", "decimal(", "<blob>", "<attach>", "<hash@>", "null", "CURRENT_TIMESTAMP", "index(", " ", "é", "\u{0}",
        "99999999999999999999", "`", ";", "DROP TABLE x", "\\",
    ]

    @Test("damaged definitions declare a table or fail with a DataJointError, leaving no table behind")
    func mutatedDeclarations() async throws {
        try await TestBackend.sqlite.withDatabase { db in
            let schema = try await db.schema("fuzz_declare", tables: FuzzParent.self)
            let mutator = FuzzMutator(texts: Self.definitions, tokens: Self.tokens, maximumLength: 2048)
            let inputs = Generator { rng in String(decoding: mutator.mutated(using: &rng), as: UTF8.self) }
            var tally = FuzzTally()
            var iteration = 0
            await propertyCheck(count: ReliabilityLog.iterations(standard: 500), input: inputs) { definition in
                iteration += 1
                let className = "Fuzzed\(iteration)"
                let before = (try? await schema.tableNames()) ?? []
                let declaredBefore = tally.accepted
                await FuzzSQLTranslationTests.run(definition.debugDescription, &tally) {
                    try await FuzzedTable.$definition.withValue(definition) {
                        try await FuzzedTable.$className.withValue(className) {
                            try await schema.declare([Fuzzed.self])
                        }
                    }
                }
                guard tally.accepted == declaredBefore else { return }
                let after = (try? await schema.tableNames()) ?? []
                #expect(after == before, "a failed declaration left tables \(Set(after).subtracting(before)): \(definition.debugDescription)")
            }
            tally.record("declarations on SQLite: mutated definitions (parser, resolver, DDL, database)", accepted: "declared", backend: "sqlite")
        }
    }
}
