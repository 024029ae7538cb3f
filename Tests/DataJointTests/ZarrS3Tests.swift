import DataJoint
import DataJointZarr
import Foundation
import Testing

/// `<zarr@>` on an S3 store: a moto server of the test's own (see `PrivateMoto`).
@Suite("<zarr@> on S3", .enabled(if: PrivateMoto.enabled, "DJ_TEST_S3_ENDPOINT is not set (scripts/test sets it)"))
struct ZarrS3Tests {
    @Test("Arrays round trip through an S3 store: chunk objects, slices, a failed insert and garbage collection", arguments: TestBackend.all)
    func roundTrip(backend: TestBackend) async throws {
        let moto = try await PrivateMoto()
        defer { moto.stopNow() }
        let bucket = try await moto.makeBucket()
        let lake = moto.storeSettings(bucket: bucket, location: "lab/zarr")
        try await backend.run { () async throws in
            var settings = Settings(safemode: false)
            settings.stores = ["default": "lake", "lake": lake]
            let db = try await TestDatabase.connect(settings: settings)
            db.stores.register(S3StorageAdapter())
            db.register(ZarrCodec(chunkBytes: 4096))
            let lab = try await db.schema("zarr_s3", tables: ZarrPipeline.ZrArray.self)
            let table = lab[ZarrPipeline.ZrArray.self]
            let bucketStore = try S3Store(spec: StoreSpec(name: "bucket", attributes: moto.storeSettings(bucket: bucket, location: "").objectValue!))

            // 100 x 30 float64: 24,000 bytes in chunks of 17 rows (4,080 bytes), 6 chunks, the last of 15 rows.
            let array = NDArray((0..<3000).map { sin(Double($0)) * 1000 }, shape: [100, 30])
            try await table.insert1(["array_id": 1, "arr": array.dataJointValue])
            let ref: ZarrArrayRef = try await table.fetch1("arr")
            #expect(ref.url.hasPrefix("s3://\(bucket)/lab/zarr/_schema/zarr_s3/zr_array/array_id=1/arr_") && ref.url.hasSuffix(".zarr"))
            #expect(try await ref.chunks == [17, 30])
            #expect(try await ref.read() == array)
            #expect(try await ref.read(rows: 40..<60) == NDArray(Array(array.doubles[1200..<1800]), shape: [20, 30]))
            #expect(try await ref.chunk(at: [5, 0]) == NDArray(Array(array.doubles[2550...]), shape: [15, 30]))
            let keys = try await bucketStore.list(under: "lab/zarr").map(\.path).sorted()
            let names: [String] = ["zarr.json"] + (0..<6).map { (i: Int) -> String in "c/\(i)/0" }
            #expect(keys == names.map { "lab/zarr/" + ref.path + "/" + $0 }.sorted())

            // A failed insert (the key exists) removes the chunks it wrote.
            await #expect(throws: DataJointError.self) {
                try await table.insert1(["array_id": 1, "arr": array.dataJointValue])
            }
            #expect(try await bucketStore.list(under: "lab/zarr").map(\.path).sorted() == keys)

            try await table.deleteQuick()
            let report = try await lab.collectGarbage(dryRun: false)
            #expect(report.deleted == 7)
            #expect(try await bucketStore.list(under: "lab/zarr").isEmpty)
        }
    }
}
