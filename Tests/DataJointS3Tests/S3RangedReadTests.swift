import DataJointCore
import Foundation
import Testing

@testable import DataJointS3

/// `get(_:range:)` on moto: ranged GETs that move only the bytes asked for.
@Suite("S3 ranged reads", .enabled(if: MotoServer.endpoint != nil, "DJ_TEST_S3_ENDPOINT is not set (scripts/test sets it)"))
struct S3RangedReadTests {
    @Test("a range gives its bytes; past the end, the bytes up to the end; at or after the end, none")
    func ranges() async throws {
        let bucket = try await S3Depth.newBucket()
        let proxy = try await S3FaultInjectingProxy(target: MotoServer.endpoint!)
        defer { proxy.stop() }
        let store = try await S3Depth.store(bucket: bucket, endpoint: proxy.endpoint, location: "ranges")
        let data = S3Depth.data(1000)
        try await store.put(data, at: "obj.bin")

        #expect(try await store.get("obj.bin", range: 0..<10) == data[0..<10])
        #expect(try await store.get("obj.bin", range: 500..<600) == data[500..<600])
        #expect(try await store.get("obj.bin", range: 990..<2000) == data[990..<1000])  // reaches past the end
        #expect(try await store.get("obj.bin", range: 0..<1000) == data)
        #expect(try await store.get("obj.bin", range: 999..<1000) == data[999..<1000])
        #expect(try await store.get("obj.bin", range: 1000..<1010).isEmpty)  // starts at the end: 416 from S3
        #expect(try await store.get("obj.bin", range: 5000..<6000).isEmpty)
        #expect(try await store.get("obj.bin", range: 7..<7).isEmpty)

        // They were ranged GETs: the Range header went out, and only the bytes of the range came back.
        let gets = proxy.requests.filter { $0.method == "GET" && $0.uri.contains("obj.bin") }
        #expect(gets.map { $0.headers["range"] } == [
            "bytes=0-9", "bytes=500-599", "bytes=990-1999", "bytes=0-999", "bytes=999-999", "bytes=1000-1009",
            "bytes=5000-5999",
        ])
    }

    @Test("a range of an empty object is empty; a range of a missing object is missingObject")
    func emptyAndMissing() async throws {
        let store = try await MotoServer.store(location: "ranges")
        try await store.put(Data(), at: "empty")
        #expect(try await store.get("empty", range: 0..<10).isEmpty)
        #expect(try await store.get("empty", range: 0..<0).isEmpty)
        for range in [0..<10, 3..<3] {
            let error = await #expect(throws: DataJointError.self, "\(range)") { try await store.get("absent", range: range) }
            #expect(error?.kind == .missingObject)
            #expect(error?.message.contains("s3://\(store.bucket)/ranges/absent") == true)
        }
    }

    @Test("a range of an object written in parts crosses the part boundaries")
    func acrossParts() async throws {
        var store = try await MotoServer.store()
        store.partSize = 5 << 20
        let data = S3Depth.data(11 << 20, seed: 3)
        try await store.put(data, at: "parts.bin")
        let boundary = 5 << 20
        #expect(try await store.get("parts.bin", range: (boundary - 100)..<(boundary + 100)) == data[(boundary - 100)..<(boundary + 100)])
        #expect(try await store.get("parts.bin", range: (2 * boundary - 1)..<(11 << 20)) == data[(2 * boundary - 1)...])
    }
}
