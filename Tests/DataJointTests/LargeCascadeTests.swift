import DataJoint
import Foundation
import Testing

/// A parent with a child and a review of some of its rows.
enum LargeCascadePipeline {
    struct LcItem: Manual {
        static let definition = """
            item_id : int32
            """
    }

    struct LcDetail: Manual {
        static let definition = """
            -> LcItem
            ---
            note : varchar(8)
            """
    }

    struct LcReview: Manual {
        static let definition = """
            -> LcItem
            """
    }
}

@Suite("Cascade with many keys")
struct LargeCascadeTests {
    typealias P = LargeCascadePipeline

    @Test("preview and delete of a restriction that reads a table the delete empties, over more keys than one statement may bind", arguments: TestBackend.all)
    func manyMaterializedKeys(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let lab = try await db.schema("lc", tables: P.LcItem.self, P.LcDetail.self, P.LcReview.self)
            let n = 36_000
            try await lab[P.LcItem.self].insert((0..<n).map { ["item_id": $0] })
            try await lab[P.LcDetail.self].insert((0..<n).map { ["item_id": $0, "note": "n"] })
            // Reviewed: every item but the last 100.
            try await lab[P.LcReview.self].insert((0..<(n - 100)).map { ["item_id": $0] })
            let preview = try await (lab[P.LcItem.self] & lab[P.LcReview.self]).deletePreview()
            #expect(preview == [
                SQLTableName(schema: "lc", table: "lc_item"): n - 100, SQLTableName(schema: "lc", table: "lc_detail"): n - 100,
                SQLTableName(schema: "lc", table: "lc_review"): n - 100,
            ])
            let deleted = try await (lab[P.LcItem.self] & lab[P.LcReview.self]).delete()
            #expect(deleted == n - 100)
            #expect(try await lab[P.LcItem.self].count() == 100)
            #expect(try await lab[P.LcDetail.self].count() == 100)
            #expect(try await lab[P.LcReview.self].count() == 0)
            #expect(try await lab[P.LcItem.self].toArray("item_id", as: Int.self, orderBy: ["item_id"]).first == n - 100)
        }
    }
}
