import DataJoint
import Foundation
import ReliabilitySupport
import Testing

/// The largest inputs: a heading of 10,000 attributes, a 64 MB string, a blob of 256 MB (1 GB with
/// `DJ_RELIABILITY_FULL=1`). Each works, or fails with a `DataJointError` that says what was too large and leaves
/// nothing behind.
extension LimitsTests {
    struct LmWide: Manual {
        @TaskLocal static var columns = 10_000
        static var definition: String {
            "wide_id : int32\n---\n" + (0..<columns).map { "a\($0) : int32" }.joined(separator: "\n")
        }
    }

    struct LmLongText: Manual {
        static let definition = """
            text_id : int32
            ---
            body : longtext
            """
    }

    struct LmHugeBlob: Manual {
        static let definition = """
            blob_id : int32
            ---
            payload : bytes
            """
    }

    @Test("a heading of 10,000 attributes is refused with a declaration error saying the table has too many columns; the widest the backend allows works",
          arguments: TestBackend.all)
    func wideHeading(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let lab = try await db.schema("limits_wide", tables: [])
            let error = await expectDataJointError("10,000 columns") {
                _ = try await db.schema("limits_wide", tables: [LimitsTests.LmWide.self])
            }
            #expect(error?.kind == .declaration, "\(String(describing: error))")
            #expect(error?.message.contains("too many columns") == true, "\(String(describing: error))")
            #expect(error?.message.contains("lm_wide") == true, "\(String(describing: error))")
            #expect(try await lab.tableNames() == [])
            // The widest table the backend takes: its limit less the primary key.
            let widest = db.dialect.maxColumnsPerTable - 1
            try await LimitsTests.LmWide.$columns.withValue(widest) {
                let wide = try await db.schema("limits_wide", tables: [LimitsTests.LmWide.self])[LimitsTests.LmWide.self]
                var row: Row = ["wide_id": 1]
                for i in 0..<widest { row["a\(i)"] = .int(Int64(i)) }
                try await wide.insert1(row)
                #expect(try await wide.fetch1() == row)
            }
            ReliabilityLog.append(
                ReliabilityRecord(
                    section: "limits", subject: "a heading of 10,000 attributes", backend: backend.rawValue, tried: 2, lost: 0,
                    outcome: "refused with DataJointError.declaration (too many columns, at most \(db.dialect.maxColumnsPerTable)) "
                        + "before any SQL, no table left; \(widest) attributes declared, inserted and read back"))
        }
    }

    @Test("a 64 MB string is stored and read back whole", arguments: TestBackend.all)
    func longString(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let lab = try await db.schema("limits_text", tables: [LimitsTests.LmLongText.self])
            let texts = lab[LmLongText.self]
            let unit = "DataJoint Ωμέγα 🧪 '\";--\n"
            var big = String(repeating: unit, count: (64 << 20) / unit.utf8.count)
            big += "end"
            try await texts.insert1(["text_id": 1, "body": big])
            let back: String = try await (texts & ["text_id": 1]).fetch1("body")
            #expect(back.utf8.count == big.utf8.count)
            #expect(back == big)
            ReliabilityLog.append(
                ReliabilityRecord(
                    section: "limits", subject: "a 64 MB string (longtext)", backend: backend.rawValue, tried: 1, lost: 0,
                    outcome: "stored and read back whole (\(big.utf8.count) bytes of UTF-8)"))
        }
    }

    /// 1 GiB with `DJ_RELIABILITY_FULL=1`; else 256 MiB, which runs the same code in the normal suite.
    static var hugeBlobSize: Int {
        ProcessInfo.processInfo.environment["DJ_RELIABILITY_FULL"] == "1" ? 1 << 30 : 256 << 20
    }

    @Test("a 256 MB blob (1 GB with DJ_RELIABILITY_FULL=1) is stored and read back whole, or refused with a DataJointError and no row",
          arguments: TestBackend.all)
    func hugeBlob(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let lab = try await db.schema("limits_blob", tables: [LimitsTests.LmHugeBlob.self])
            let blobs = lab[LmHugeBlob.self]
            let size = Self.hugeBlobSize
            var payload = Data(count: size)
            payload.withUnsafeMutableBytes { (bytes: UnsafeMutableRawBufferPointer) in
                for i in stride(from: 0, to: size, by: 4096) { bytes[i] = UInt8(truncatingIfNeeded: i >> 12) }
                bytes[size - 1] = 0xFF
            }
            var outcome: String
            do {
                try await blobs.insert1(["blob_id": 1, "payload": payload])
                outcome = "stored"
            } catch let error as DataJointError {
                #expect(try await blobs.count() == 0, "a refused insert left a row")
                outcome = "refused with DataJointError.\(error.kind.rawValue) (\(error.message.prefix(160))), no row"
            }
            if outcome == "stored" {
                // What is stored is read back whole.
                let back: Data = try await (blobs & ["blob_id": 1]).fetch1("payload")
                #expect(back.count == size)
                #expect(back == payload)
                outcome = "stored and read back whole (\(size >> 20) MiB)"
            }
            #expect(try await blobs.count() <= 1)
            ReliabilityLog.append(
                ReliabilityRecord(
                    section: "limits", subject: "a \(size >> 20) MiB blob (bytes)", backend: backend.rawValue, tried: 1, lost: 0,
                    outcome: outcome))
        }
    }
}
