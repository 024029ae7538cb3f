import DataJoint
import Foundation
import Testing

/// Fetched handles on S3 read only what is asked for: ranged GETs, seen by a proxy in front of moto.
@Suite("Lazy reads of S3 objects", .enabled(if: MotoServer.endpoint != nil, "DJ_TEST_S3_ENDPOINT is not set (scripts/test sets it)"))
struct S3LazyReadTests {
    struct S3Trace: Manual {
        static let definition = """
            trace_id : int32
            ---
            trace : <npy@>
            raw = null : <object@>
            """
    }

    /// The bytes a GET asked for: the length of its `Range`, or nil for a whole-object GET.
    static func rangeLength(_ request: S3FaultInjectingProxy.Request) -> Int? {
        guard let range = request.headers["range"], range.hasPrefix("bytes=") else { return nil }
        let bounds = range.dropFirst("bytes=".count).split(separator: "-").compactMap { Int($0) }
        return bounds.count == 2 ? bounds[1] - bounds[0] + 1 : nil
    }

    @Test("NpyRef rows and ObjectRef ranges and streams read with ranged GETs, never the whole object")
    func rangedOnly() async throws {
        let bucket = try await S3Depth.newBucket()
        let proxy = try await S3FaultInjectingProxy(target: MotoServer.endpoint!)
        defer { proxy.stop() }
        var settings = Settings(safemode: false)
        settings.stores = ["default": "lake", "lake": .object(try await S3Depth.settings(bucket: bucket, endpoint: proxy.endpoint).attributes)]
        let db = try await DataJoint.connect(path: ":memory:", settings: settings)
        let table = try await db.schema("lazy", tables: S3Trace.self)[S3Trace.self]
        let array = NDArray((0..<(400 * 1000)).map { Double($0) }, shape: [400, 1000])  // 3.2 MB
        let raw = Data((0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 * 31) })
        try await table.insert1(["trace_id": 1, "trace": array.dataJointValue, "raw": ObjectData(raw, fileExtension: ".dat")])
        let row = try await table.fetch1()
        let npy = try #require(NpyRef(dataJointValue: row["trace"]!))
        let object = try #require(ObjectRef(dataJointValue: row["raw"]!))

        func gets(after start: Int) -> [S3FaultInjectingProxy.Request] {
            proxy.requests.dropFirst(start).filter { $0.method == "GET" && !$0.queryNames.contains("list-type") }
        }

        var start = proxy.requests.count
        let rows = try await npy.rows(100..<110)
        #expect(rows == NDArray(Array(array.doubles[100_000..<110_000]), shape: [10, 1000]))
        var sent = gets(after: start)
        #expect(!sent.isEmpty && sent.allSatisfy { Self.rangeLength($0) != nil }, "\(sent.map(\.headers))")
        #expect(sent.compactMap(Self.rangeLength).reduce(0, +) < 100_000)  // 80 kB of rows and the header

        start = proxy.requests.count
        #expect(try await object.read(range: 1_000_000..<1_000_100) == raw.subdata(in: 1_000_000..<1_000_100))
        sent = gets(after: start)
        #expect(sent.count == 1 && sent.first.flatMap(Self.rangeLength) == 100)

        start = proxy.requests.count
        var streamed = Data()
        for try await piece in try object.open(chunkSize: 1 << 20) { streamed.append(piece) }
        #expect(streamed == raw)
        sent = gets(after: start)
        #expect(sent.count == 3 && sent.allSatisfy { (Self.rangeLength($0) ?? .max) <= 1 << 20 })
        try await db.close()
    }
}
