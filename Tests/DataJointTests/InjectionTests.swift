import DataJoint
import Foundation
import ReliabilitySupport
import Testing

/// Hostile input never changes the SQL that runs: values are bound, identifiers quoted or refused (issue 18). The
/// identifier cases are in InjectionIdentifierTests.swift.
@Suite("Hostile input")
struct InjectionTests {
    typealias P = InjectionPipeline

    /// The test's schema, with the sentinel filled.
    static func schema(_ db: Connection, _ name: String) async throws -> Schema {
        let schema = try await db.schema(name, tables: [P.InjSentinel.self, P.InjValue.self])
        try await schema[P.InjSentinel.self].insert(P.sentinelRows)
        return schema
    }

    @Test("hostile text values are stored and read back byte for byte, select, update and delete exactly their own rows",
          arguments: TestBackend.all)
    func hostileValues(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let schema = try await Self.schema(db, "inj_values")
            let before = try await DatabaseState.of(schema)
            let table = schema[P.InjValue.self]
            // PostgreSQL and SQLite cannot give back text with NUL: those values are refused there (below).
            let holdsNUL = db.dialect.textHoldsNUL
            let values = Hostile.values + (holdsNUL ? Hostile.nulValues : [])
            func row(_ i: Int, _ text: String) -> Row {
                ["value_id": i, "name": text, "doc": JSON.object(["text": .string(text)]), "raw": Data(text.utf8), "packed": text]
            }
            try await table.insert(values.enumerated().map { row($0.offset, $0.element) })

            // Read back whole, in every column.
            func expectStored(_ expected: [String], _ step: String) async throws {
                let rows = try await table.toDicts(orderBy: ["value_id"])
                #expect(rows.count == expected.count, "\(step)")
                for (text, stored) in zip(expected, rows) {
                    #expect(try stored.get("name", as: String.self) == text, "\(step): name \(Hostile.show(text))")
                    #expect(try stored.get("doc", as: JSON.self) == JSON.object(["text": .string(text)]), "\(step): json \(Hostile.show(text))")
                    #expect(try stored.get("raw", as: Data.self) == Data(text.utf8), "\(step): bytes \(Hostile.show(text))")
                    #expect(stored["packed"] == Value.custom(CustomValue(BlobValue.string(text))), "\(step): blob \(Hostile.show(text))")
                }
            }
            try await expectStored(values, "insert")

            // Each value selects its own row, as a row restriction and interpolated into SQL text.
            for (i, text) in values.enumerated() {
                #expect(try await (table & ["name": text]).toArray("value_id", as: Int.self) == [i], "\(Hostile.show(text))")
                #expect(try await (table & "name = \(text)").toArray("value_id", as: Int.self) == [i], "\(Hostile.show(text))")
                #expect(try await (table - ["name": text]).count() == values.count - 1, "\(Hostile.show(text))")
                #expect(try await (table & "name <> \(text) AND value_id = \(i)").count() == 0, "\(Hostile.show(text))")
            }

            // update1 writes hostile values into every column of each row.
            let updated = values.map { $0 + "|\u{2BC}'--" }
            for (i, text) in updated.enumerated() {
                try await table.update1(row(i, text))
            }
            try await expectStored(updated, "update1")

            // Deleting by each value removes exactly one row: by row restriction, then by interpolated text.
            var remaining = values.count
            for (i, text) in updated.enumerated() {
                let deleted: Int
                if i.isMultiple(of: 2) {
                    deleted = try await (table & ["name": text]).delete()
                } else {
                    deleted = try await (table & "name = \(text)").delete()
                }
                remaining -= 1
                #expect(deleted == 1, "\(Hostile.show(text))")
                #expect(try await table.count() == remaining, "\(Hostile.show(text))")
            }
            #expect(try await DatabaseState.of(schema) == before)

            // Where text cannot hold NUL, it is refused with a DataJointError and stores nothing; bytes keep it.
            var refusedNul = 0
            if !holdsNUL {
                for (i, text) in Hostile.nulValues.enumerated() {
                    let error = await expectDataJointError("NUL in text") { try await table.insert1(row(100 + i, text)) }
                    if let error {
                        refusedNul += 1
                        #expect(error.kind == .invalidValue, "\(error)")
                    }
                    #expect(try await table.count() == i)
                    try await table.insert1(["value_id": 200 + i, "name": "nul \(i)", "raw": Data(text.utf8)])
                    #expect(try await (table & ["value_id": 200 + i]).fetch1("raw", as: Data.self) == Data(text.utf8))
                }
            }
            #expect(try await DatabaseState.of(schema).sentinel == before.sentinel)
            ReliabilityLog.append(
                ReliabilityRecord(
                    section: "input", subject: "hostile text values (quotes, comments, placeholders, lookalikes, NUL) in varchar, json, bytes and <blob>",
                    backend: backend.rawValue, tried: values.count * 6 + refusedNul, lost: 0,
                    outcome: "\(values.count) values inserted, read back byte-identical, selected (row and interpolated restrictions), "
                        + "updated and deleted one row each; sentinel intact"
                        + (refusedNul > 0 ? "; \(refusedNul) text values with NUL refused with DataJointError (bytes kept them)" : "")))
        }
    }

    @Test("restriction text stays one expression: values interpolated into it are bound, and text that would end the statement, open a comment or a quote is refused",
          arguments: TestBackend.all)
    func restrictionText(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let schema = try await Self.schema(db, "inj_text")
            let before = try await DatabaseState.of(schema)
            let sentinel = schema[P.InjSentinel.self]
            // Interpolated: every hostile value is bound, so it matches no note and drops nothing.
            for text in Hostile.values + (backend == .postgresql ? [] : Hostile.nulValues) {  // bound NUL works on SQLite
                #expect(try await (sentinel & "note = \(text)").count() == 0, "\(Hostile.show(text))")
                #expect(try await (sentinel & "note = \(text) OR sentinel_id = \(2)").toArray("sentinel_id", as: Int.self) == [2])
                #expect(try await (sentinel & "note = \(text)").delete() == 0)
            }
            // Written into the text itself: refused before anything is sent.
            let escaping = [
                "sentinel_id = 1; DROP TABLE inj_sentinel", "sentinel_id = 1; --", "sentinel_id = 1 --",
                "sentinel_id = 1 /* open", "note = 'open", "note = \"open", "note = `open", "sentinel_id = 1) OR (1 = 1",
                "(sentinel_id = 1", "sentinel_id = 1)", "note = 'x\u{0}'", "sentinel_id = 1 -- trailing\n",
                "note = $1", "note = \(backend == .postgresql ? "$2" : "?")",
            ] + (backend == .mysql ? ["sentinel_id = 1 # comment", "note = 'it\\'s"] : [])
            var tally = CaseTally()
            for text in escaping {
                let error = await expectDataJointError(Hostile.show(text)) { _ = try await (sentinel & text).delete() }
                if let error {
                    tally.refused[error.kind, default: 0] += 1
                    #expect(error.kind == .query, "\(Hostile.show(text)): \(error)")
                    #expect(error.sql == nil, "\(Hostile.show(text)) reached the database: \(error)")
                }
                // (An ordering drops a comment at its end, so that one is fine there.)
                guard !text.hasSuffix("\n") else { continue }
                let ordered = await expectDataJointError("order by \(Hostile.show(text))") {
                    _ = try await sentinel.toDicts(orderBy: [text], limit: 1)
                }
                if let ordered { tally.refused[ordered.kind, default: 0] += 1 }
            }
            // Complete comments and quotes inside the text are fine.
            #expect(try await (sentinel & "sentinel_id = 1 /* the first */ -- one line\n AND note = 'first'").count() == 1)
            #expect(try await (sentinel & "note = 'it''s; -- not a comment'").count() == 0)
            #expect(try await DatabaseState.of(schema) == before)
            ReliabilityLog.append(
                ReliabilityRecord(
                    section: "input", subject: "restriction and order-by text: hostile values interpolated, SQL that escapes its expression",
                    backend: backend.rawValue, tried: (Hostile.values.count * 3) + tally.total, lost: 0,
                    outcome: "interpolated values bound (no match, nothing deleted); escaping text: \(tally.summary()) "
                        + "before reaching the database; sentinel intact"))
        }
    }
}
