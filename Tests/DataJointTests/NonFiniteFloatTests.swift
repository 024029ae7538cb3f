import DataJoint
import Foundation
import Testing

enum NonFinitePipeline {
    struct NfMeasure: Manual {
        static let definition = """
            id : int32
            ---
            value : float64
            """
    }
}

@Suite("Non-finite floats")
struct NonFiniteFloatTests {
    @Test("NaN and infinities are stored where the backend can, and refused clearly where it cannot", arguments: TestBackend.all)
    func nonFinite(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let s = try await db.schema("floats", tables: NonFinitePipeline.NfMeasure.self)
            let table = s[NonFinitePipeline.NfMeasure.self]
            for (id, value) in [(1, Double.nan), (2, Double.infinity), (3, -Double.infinity)] {
                if db.dialect.canStore(value) {
                    try await table.insert1(["id": id, "value": value])
                    let back: Double = try await (table & ["id": id]).fetch1("value")
                    #expect(back.isNaN == value.isNaN)
                    if !value.isNaN { #expect(back == value) }
                } else {
                    let error = await #expect(throws: DataJointError.self) { try await table.insert1(["id": id, "value": value]) }
                    #expect(error?.kind == .invalidValue)
                    #expect(error?.message.contains("value") == true)
                    #expect(try await (table & ["id": id]).isEmpty())
                }
            }
            // PostgreSQL keeps all three; SQLite the infinities; MySQL none.
            switch backend {
            case .postgresql: #expect(try await table.count() == 3)
            case .sqlite: #expect(try await table.count() == 2)
            case .mysql: #expect(try await table.count() == 0)
            }
        }
    }
}
