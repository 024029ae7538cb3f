import DataJoint
import Foundation
import Testing

enum BlobPipeline {
    struct BlRecording: Manual {
        static let definition = """
            rec_id : int32
            ---
            trace : <blob>        # samples
            meta = null : <blob>
            """
    }
}

@Suite("<blob> codec")
struct BlobCodecTests {
    @Test("arrays and nested values round-trip through <blob> in the reference's format", arguments: TestBackend.all)
    func roundTrip(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let s = try await db.schema("blobs", tables: BlobPipeline.BlRecording.self)
            let table = s[BlobPipeline.BlRecording.self]
            let samples = (0..<125_000).map { Double($0) * 0.001 }  // 1 MB of float64
            let matrix = NDArray([1, 2, 3, 4, 5, 6] as [Int32], shape: [2, 3])
            let meta: BlobValue = .dict([(key: "rate", value: .float(30_000)), (key: "channels", value: .list([.int(1), .int(2)])),
                                         (key: "name", value: .string("probe α"))])
            try await table.insert([
                ["rec_id": 1, "trace": Value.blob(samples), "meta": meta.dataJointValue],
                ["rec_id": 2, "trace": matrix.dataJointValue],
            ])
            let first = try await (table & ["rec_id": 1]).fetch1()
            let trace = try first.get("trace", as: NDArray.self)
            #expect(trace.shape == [125_000])
            #expect(trace.values(as: Double.self) == samples)
            #expect(try first.get("meta", as: BlobValue.self) == meta)
            let second = try await (table & ["rec_id": 2]).fetch1("trace", as: NDArray.self)
            #expect(second.shape == [2, 3])
            #expect(second[1, 2] == 6)
            #expect(try await (table & ["rec_id": 2]).fetch1("meta", as: Value.self) == .null)
            // The stored bytes are the DataJoint blob of the value (compressed when large).
            let raw = try await db.query(RenderedSQL(
                "SELECT \(db.dialect.quote("trace")) FROM \(db.dialect.qualifiedName(SQLTableName(schema: "blobs", table: "bl_recording"))) WHERE \(db.dialect.quote("rec_id")) = 2"))
            if case .bytes(let bytes)? = raw.first?.first {
                #expect(bytes == (try Blob.pack(BlobValue.array(matrix))))
            } else {
                Issue.record("expected bytes")
            }
        }
    }
}
