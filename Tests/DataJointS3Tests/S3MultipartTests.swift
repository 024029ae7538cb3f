import Crypto
import DataJointCore
import Foundation
import Testing

@testable import DataJointS3

/// Multipart uploads: `put` of large objects and the streaming `writer(at:)`, on moto (which checks part sizes,
/// ETags and the CompleteMultipartUpload document as S3 does).
@Suite("S3 multipart uploads", .enabled(if: MotoServer.endpoint != nil, "DJ_TEST_S3_ENDPOINT is not set (scripts/test sets it)"))
struct S3MultipartTests {
    static let mebibyte = 1 << 20

    /// A store on a new bucket reached through a new proxy, with 5 MiB parts (S3's smallest).
    static func service() async throws -> (store: S3Store, proxy: S3FaultInjectingProxy) {
        let bucket = try await S3Depth.newBucket()
        let proxy = try await S3FaultInjectingProxy(target: MotoServer.endpoint!)
        var store = try await S3Depth.store(bucket: bucket, endpoint: proxy.endpoint, location: "big")
        store.partSize = 5 * mebibyte
        return (store, proxy)
    }

    /// The ETag of the object at `path` (a HEAD request).
    static func etag(_ store: S3Store, _ path: String) async throws -> String {
        let response = try await store.send("HEAD", key: try store.key(path))
        return response.headers["etag"] ?? ""
    }

    /// The ETag S3 gives an object uploaded in `parts`: the MD5 of the parts' MD5s, and the number of parts.
    static func multipartETag(_ parts: [Data]) -> String {
        let digests = parts.reduce(into: Data()) { $0.append(contentsOf: Insecure.MD5.hash(data: $1)) }
        let hex = Insecure.MD5.hash(data: digests).map { String(format: "%02x", $0) }.joined()
        return "\"\(hex)-\(parts.count)\""
    }

    /// `data` cut in parts of `size` bytes (the last one shorter).
    static func parts(of data: Data, size: Int) -> [Data] {
        stride(from: 0, to: data.count, by: size).map { data.subdata(in: $0..<min($0 + size, data.count)) }
    }

    @Test("put of 3 parts and a bit: a multipart upload of 4 parts sent in parallel, the same bytes back")
    func putMultipart() async throws {
        let (store, proxy) = try await Self.service()
        defer { proxy.stop() }
        let data = S3Depth.data(15 * Self.mebibyte + 1234, seed: 7)
        try await store.put(data, at: "_hash/lab/large")

        #expect(try await store.get("_hash/lab/large") == data)
        #expect(try await store.size("_hash/lab/large") == data.count)
        // S3's ETag of a 4-part upload, made from the MD5 of each part: the parts were stored whole, in order.
        #expect(try await Self.etag(store, "_hash/lab/large") == Self.multipartETag(Self.parts(of: data, size: 5 * Self.mebibyte)))
        let requests = proxy.requests
        #expect(requests.filter { $0.method == "POST" && $0.queryNames.contains("uploads") }.count == 1)
        #expect(requests.filter(\.isUploadPart).map(\.bodySize).sorted() == [1234, 5 * Self.mebibyte, 5 * Self.mebibyte, 5 * Self.mebibyte])
        #expect(requests.filter { $0.method == "POST" && $0.queryNames == ["uploadId"] }.count == 1)  // Complete
        #expect(proxy.maxConcurrentUploadParts >= 2 && proxy.maxConcurrentUploadParts <= store.maxConcurrentParts)
        #expect(try await store.pendingUploads(prefix: "").isEmpty)
    }

    @Test("a put of exactly one part goes with one PUT, and so does a small one")
    func putSingle() async throws {
        let (store, proxy) = try await Self.service()
        defer { proxy.stop() }
        let exact = S3Depth.data(5 * Self.mebibyte, seed: 1)
        try await store.put(exact, at: "exact")
        try await store.put(Data("small".utf8), at: "small")
        #expect(try await store.get("exact") == exact)
        #expect(try await !Self.etag(store, "exact").contains("-"))
        #expect(proxy.requests.filter { $0.method == "POST" }.isEmpty)
    }

    @Test("a writer fed in uneven pieces: parts while it writes, the object whole when it finishes")
    func streamingWriter() async throws {
        let (store, proxy) = try await Self.service()
        defer { proxy.stop() }
        let data = S3Depth.data(12 * Self.mebibyte + 77, seed: 9)
        let writer = try await store.writer(at: "_schema/lab/scan/frames.dat")
        var offset = 0
        var piece = 1
        while offset < data.count {
            let count = min(piece * 300_001 % (3 * Self.mebibyte) + 1, data.count - offset)
            try await writer.write(data.subdata(in: offset..<(offset + count)))
            offset += count
            piece += 1
        }
        // Not visible before finish.
        #expect(try await !store.exists("_schema/lab/scan/frames.dat"))
        #expect(try await writer.finish() == data.count)
        #expect(try await store.get("_schema/lab/scan/frames.dat") == data)
        #expect(try await Self.etag(store, "_schema/lab/scan/frames.dat") == Self.multipartETag(Self.parts(of: data, size: 5 * Self.mebibyte)))
        #expect(proxy.requests.filter(\.isUploadPart).count == 3)
        let error = await #expect(throws: DataJointError.self) { try await writer.write(Data([1])) }
        #expect(error?.kind == .notAllowed)
        #expect(try await store.pendingUploads(prefix: "").isEmpty)
    }

    @Test("a small writer puts once; an empty one stores an empty object")
    func smallWriters() async throws {
        let (store, proxy) = try await Self.service()
        defer { proxy.stop() }
        let small = try await store.writer(at: "small")
        try await small.write(Data("hello ".utf8))
        try await small.write(Data("world".utf8))
        #expect(try await small.finish() == 11)
        #expect(try await store.get("small") == Data("hello world".utf8))
        let empty = try await store.writer(at: "empty")
        #expect(try await empty.finish() == 0)
        #expect(try await store.get("empty") == Data())
        #expect(proxy.requests.filter { $0.method == "POST" }.isEmpty)
    }

    /// Waits until `store` has a pending multipart upload (the writer starts it in the background).
    static func waitForPendingUpload(_ store: S3Store) async throws -> [S3PendingUpload] {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let pending = try await store.pendingUploads(prefix: "")
            if !pending.isEmpty { return pending }
            try await Task.sleep(for: .milliseconds(20))
        }
        return []
    }

    /// Waits until `store` has no pending multipart upload; returns what is still pending after 30 s.
    static func waitForNoPendingUpload(_ store: S3Store) async throws -> [S3PendingUpload] {
        let deadline = ContinuousClock.now + .seconds(30)
        var pending = try await store.pendingUploads(prefix: "")
        while !pending.isEmpty, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            pending = try await store.pendingUploads(prefix: "")
        }
        return pending
    }

    @Test("abort after parts went up: no object and no pending upload")
    func abortLeavesNothing() async throws {
        let (store, proxy) = try await Self.service()
        defer { proxy.stop() }
        let writer = try await store.writer(at: "given-up")
        try await writer.write(S3Depth.data(11 * Self.mebibyte, seed: 2))
        let pending = try await Self.waitForPendingUpload(store)
        #expect(pending.map(\.key) == ["big/given-up"])  // the test can tell an upload is pending
        await writer.abort()
        #expect(try await store.pendingUploads(prefix: "").isEmpty)
        #expect(try await !store.exists("given-up"))
        let error = await #expect(throws: DataJointError.self) { _ = try await writer.finish() }
        #expect(error?.kind == .notAllowed)
        await writer.abort()  // twice is fine
        #expect(proxy.requests.contains { $0.method == "DELETE" && $0.queryNames == ["uploadId"] })
    }

    @Test("a part that keeps failing: a store error naming UploadPart, no object, no pending upload")
    func failedPart() async throws {
        var (store, proxy) = try await Self.service()
        defer { proxy.stop() }
        store.retryPolicy.baseDelay = .milliseconds(5)
        proxy.fail(status: 500, code: "InternalError") { $0.isUploadPart && $0.uri.contains("partNumber=2") }
        let error = await #expect(throws: DataJointError.self) {
            try await store.put(S3Depth.data(12 * Self.mebibyte), at: "broken")
        }
        #expect(error?.kind == .store)
        #expect(error?.message.contains("UploadPart 2") == true, "\(String(describing: error))")
        #expect(error?.message.contains("big/broken") == true)
        #expect(error?.message.contains("HTTP 500 InternalError") == true)
        #expect(error?.message.contains("retried 4 times") == true)
        #expect(try await store.pendingUploads(prefix: "").isEmpty)
        #expect(try await !store.exists("broken"))
    }

    @Test("a put cancelled in the middle of its parts: the upload is aborted")
    func cancelledPut() async throws {
        let (store, proxy) = try await Self.service()
        defer { proxy.stop() }
        proxy.delay(by: .seconds(2)) { $0.isUploadPart }
        let put = Task { try await store.put(S3Depth.data(16 * Self.mebibyte), at: "cancelled") }
        #expect(try await !Self.waitForPendingUpload(store).isEmpty)
        put.cancel()
        let result = await put.result
        #expect(throws: (any Error).self) { try result.get() }
        #expect(try await Self.waitForNoPendingUpload(store).isEmpty)
        #expect(try await !store.exists("cancelled"))
    }

    @Test("a writer released without finish or abort gives its upload up")
    func releasedWriter() async throws {
        let (store, proxy) = try await Self.service()
        defer { proxy.stop() }
        do {
            let writer = try await store.writer(at: "forgotten")
            try await writer.write(S3Depth.data(11 * Self.mebibyte, seed: 4))
            #expect(try await !Self.waitForPendingUpload(store).isEmpty)
        }
        #expect(try await Self.waitForNoPendingUpload(store).isEmpty)
        #expect(try await !store.exists("forgotten"))
    }

    @Test("the CompleteMultipartUpload document lists the parts by number with their ETags, escaped")
    func completeDocument() {
        let xml = S3Store.completeMultipartUploadXML([
            S3UploadedPart(number: 2, etag: "\"b\""), S3UploadedPart(number: 1, etag: "\"a&<\""),
        ])
        #expect(xml.hasPrefix(#"<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">"#))
        #expect(xml.hasSuffix(
            "<Part><PartNumber>1</PartNumber><ETag>&quot;a&amp;&lt;&quot;</ETag></Part>"
                + "<Part><PartNumber>2</PartNumber><ETag>&quot;b&quot;</ETag></Part></CompleteMultipartUpload>"))
        let parsed = S3XMLElement.parse(Data(xml.utf8))
        #expect(parsed?.all("Part").map { $0.text(of: "ETag") } == ["\"a&<\"", "\"b\""])
    }

    @Test("parts grow after every 1000, so that 10000 parts reach past 5 TB; one part is at most 5 GiB")
    func partSizes() throws {
        let store = try S3Store(
            spec: StoreSpec(
                name: "sizes",
                attributes: [
                    "protocol": "s3", "endpoint": "s3.example.org", "bucket": "b", "location": "", "anonymous": true,
                ]))
        #expect(store.partSize(ofPart: 1) == 8 << 20)
        #expect(store.partSize(ofPart: 1000) == 8 << 20)
        #expect(store.partSize(ofPart: 1001) == 16 << 20)
        #expect(store.partSize(ofPart: 10_000) == 4 << 30)
        let total = (1...S3Store.maximumParts).reduce(0) { $0 + store.partSize(ofPart: $1) }
        #expect(total > 5 * (1 << 40))
    }

    @Test("an upload a killed process never finished is an unfinished write: listed under its section, and discarded by aborting it")
    func pendingUploadIsUnfinishedWrite() async throws {
        let (store, proxy) = try await Self.service()
        defer { proxy.stop() }
        // What a process killed in the middle of a large write leaves: an upload started, a part sent, no completion.
        let key = try store.key("_schema/lab/scan/scan_id=1/movie_abc.dat")
        let uploadID = try await store.createMultipartUpload(key: key)
        _ = try await store.uploadPart(S3Depth.data(5 * Self.mebibyte, seed: 3), number: 1, uploadID: uploadID, key: key)
        try await store.put(Data("done".utf8), at: "_schema/lab/scan/scan_id=2/movie_def.dat")

        #expect(try await store.list(under: "_schema/lab").map(\.path) == ["_schema/lab/scan/scan_id=2/movie_def.dat"])
        let unfinished = try await store.unfinishedWrites(under: "_schema/lab")
        #expect(unfinished.map(\.path) == ["_schema/lab/scan/scan_id=1/movie_abc.dat"])
        #expect(unfinished.first?.unfinishedWriteID == uploadID)
        // When it was started (moto answers a fixed date of its own; S3 the real one): minimumAge compares it.
        #expect(unfinished.first?.modified != nil)
        #expect(try await store.unfinishedWrites(under: "_hash").isEmpty)

        try await store.discardUnfinishedWrite(unfinished[0])
        #expect(try await store.pendingUploads(prefix: "").isEmpty)
        #expect(try await store.unfinishedWrites(under: "_schema/lab").isEmpty)
        #expect(try await store.get("_schema/lab/scan/scan_id=2/movie_def.dat") == Data("done".utf8))
    }
}
