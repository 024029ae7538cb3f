import DataJoint
import Foundation
import Testing

/// Inputs at the limits: each works, or fails with a `DataJointError` that says what was wrong; never a crash.
@Suite("Limits")
struct LimitsTests {
    struct LmText: Manual {
        static let definition = """
            text_id : int32
            ---
            body : longblob
            """
    }

    @Test("a query 100 levels deep (restrictions, projections) and 20 joins with itself run and give the right rows",
          arguments: TestBackend.all)
    func deepQuery(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let lab = try await db.schema("limits_deep", tables: [LimitsTests.LmText.self])
            let texts = lab[LmText.self]
            try await texts.insert((0..<200).map { ["text_id": $0, "body": Data("t\($0)".utf8)] })
            var restricted = try await texts.queryExpression()
            for level in 0..<100 { restricted = restricted.restrict("text_id >= \(level)") }
            #expect(try await restricted.count() == 101)  // text_id 99...199
            var projected = try await texts.queryExpression()
            for _ in 0..<100 { projected = projected.proj() }
            #expect(try await projected.count() == 200)
            // Joined on the primary key (a blob attribute is not matched in a join).
            var joined = try await texts.queryExpression().proj()
            for _ in 0..<20 { joined = joined * (try await texts.queryExpression().proj()) }
            #expect(try await joined.count() == 200)
        }
    }

    @Test("a 64 MB value is stored and read back whole", arguments: TestBackend.all)
    func largeValue(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let lab = try await db.schema("limits_large", tables: [LimitsTests.LmText.self])
            let texts = lab[LmText.self]
            let big = Data(repeating: 0x61, count: 64 << 20)
            try await texts.insert1(["text_id": 1, "body": big])
            let back: Data = try await (texts & ["text_id": 1]).fetch1("body")
            #expect(back == big)
        }
    }
}
