import DataJoint
import Foundation
import Testing

@testable import DataJointS3

/// In-store codecs end to end on an S3 store (moto), through a connection made by `DataJoint.connect`.
@Suite("In-store codecs on S3", .enabled(if: MotoServer.endpoint != nil, "DJ_TEST_S3_ENDPOINT is not set (scripts/test sets it)"))
struct S3CodecTests {
    struct S3Recording: Manual {
        static let definition = """
            rec_id : int32
            ---
            signal : <blob@>
            trace = null : <npy@>
            raw = null : <object@>
            """
    }

    @Test("<blob@>, <npy@> and <object@> on an S3 store: paths, round trips, rollback and garbage collection")
    func roundTrip() async throws {
        let credentials = try await MotoServer.credentials.value
        let bucketStore = try await MotoServer.store(location: "")
        let bucket = String(bucketStore.url(for: "x").dropFirst("s3://".count).prefix { $0 != "/" })
        var settings = Settings(safemode: false)
        settings.stores = [
            "default": "lake",
            "lake": [
                "protocol": "s3", "endpoint": .string(MotoServer.endpoint!), "bucket": .string(bucket),
                "location": "lab/project", "access_key": .string(credentials.accessKey),
                "secret_key": .string(credentials.secretKey),
            ],
        ]
        let db = try await DataJoint.connect(path: ":memory:", settings: settings)
        let lab = try await db.schema("lab", tables: S3Recording.self)
        let table = lab[S3Recording.self]
        let signal = NDArray((0..<4096).map { Double($0).squareRoot() }, shape: [64, 64])
        try await table.insert1([
            "rec_id": 1, "signal": signal.dataJointValue, "trace": NDArray([Float](arrayLiteral: 1, 2, 3)).dataJointValue,
            "raw": Value.bytes(Data("raw bytes".utf8)),
        ])
        let row = try await table.fetch1()
        #expect(NDArray(dataJointValue: row["signal"]!) == signal)
        #expect(try await NpyRef(dataJointValue: row["trace"]!)?.load() == NDArray([Float](arrayLiteral: 1, 2, 3)))
        let raw = try #require(ObjectRef(dataJointValue: row["raw"]!))
        #expect(try await raw.read() == Data("raw bytes".utf8))
        #expect(raw.url.hasPrefix("s3://\(bucket)/lab/project/_schema/lab/s3_recording/rec_id=1/raw_"))
        // Keys under the location: the reference's layout inside the bucket.
        let keys = try await bucketStore.list(under: "lab/project").map(\.path)
        #expect(keys.count == 3)
        #expect(keys.contains { $0.hasPrefix("lab/project/_hash/lab/") })

        // A failed insert removes the schema-addressed objects it wrote.
        await #expect(throws: DataJointError.self) {
            try await table.insert1(["rec_id": 1, "signal": Value.blob(0), "raw": Value.bytes(Data("dup".utf8))])
        }
        #expect(try await bucketStore.list(under: "lab/project").count == 4)  // + the deduplicated-away blob of 0

        // A large write a killed process left in the schema's section: a multipart upload never completed.
        let lake = try #require(db.stores.resolve("lake").store as? S3Store)
        let pendingKey = try lake.key("_schema/lab/s3_recording/rec_id=9/raw_killed.dat")
        _ = try await lake.createMultipartUpload(key: pendingKey)
        #expect(try await lab.collectGarbage().unfinishedWritePaths == ["_schema/lab/s3_recording/rec_id=9/raw_killed.dat"])

        try await table.deleteQuick()
        let report = try await lab.collectGarbage(dryRun: false)
        #expect(report.unfinishedWritePaths == ["_schema/lab/s3_recording/rec_id=9/raw_killed.dat"])
        #expect(report.deleted == 5)
        #expect(try await bucketStore.list(under: "lab/project").isEmpty)
        #expect(try await lake.pendingUploads(prefix: "").isEmpty)
    }
}
