import DataJointCore
import Foundation
import Testing

@testable import DataJointS3

/// `S3Store` against moto's S3 server, each test on a bucket of its own.
@Suite("S3 store on moto", .enabled(if: MotoServer.endpoint != nil, "DJ_TEST_S3_ENDPOINT is not set (scripts/test sets it)"))
struct S3StoreLiveTests {
    /// Bytes that are not text: every byte value, repeated.
    static func binary(_ count: Int) -> Data {
        Data((0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) })
    }

    @Test("put and get return the same bytes: empty, small binary and 3 MB")
    func roundTrip() async throws {
        let store = try await MotoServer.store(location: "lab")
        for (path, data) in [
            ("_hash/lab/empty", Data()), ("_hash/lab/small", Self.binary(256)), ("_hash/lab/big", Self.binary(3 << 20)),
        ] {
            try await store.put(data, at: path)
            #expect(try await store.get(path) == data)
            #expect(try await store.size(path) == data.count)
        }
        try await store.put(Data("replaced".utf8), at: "_hash/lab/small")
        #expect(try await store.get("_hash/lab/small") == Data("replaced".utf8))
    }

    @Test("an object stored with Content-Encoding: gzip comes back as stored, not decompressed")
    func contentEncodingKept() async throws {
        let store = try await MotoServer.store()
        let gzip = Data([
            0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xff, 0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0x57, 0xc8, 0x40,
            0x27, 0x01, 0xe3, 0x51, 0x3d, 0x8d, 0x17, 0x00, 0x00, 0x00,
        ])  // "hello hello hello hello"
        let put = try await store.send("PUT", key: try store.key("f.gz"), body: gzip, headers: [("Content-Encoding", "gzip")])
        #expect(put.isSuccess)
        #expect(try await store.get("f.gz") == gzip)
        #expect(try await store.size("f.gz") == gzip.count)
    }

    @Test("keys with spaces, unicode, =, + and & are stored under exactly that key")
    func awkwardKeys() async throws {
        let store = try await MotoServer.store(location: "data/set")
        let paths = ["_schema/lab/t/id=1/name=a b+c/ü.bin", "_schema/lab/t/id=2/x&y <z>/日本語 ~%.dat"]
        for (index, path) in paths.enumerated() {
            try await store.put(Data([UInt8(index), 0, 255]), at: path)
            #expect(try await store.get(path) == Data([UInt8(index), 0, 255]))
            #expect(try await store.exists(path))
            #expect(try await store.size(path) == 3)
        }
        #expect(Set(try await store.list(under: "_schema/lab").map(\.path)) == Set(paths))
        #expect(try await store.list(under: "_schema/lab/t/id=1/name=a b+c").map(\.pathAndSize) == [StoredObject(path: paths[0], size: 3)])
        #expect(store.url(for: paths[0]) == "s3://\(store.bucket)/data/set/\(paths[0])")
    }

    @Test("exists is true for an object and a directory prefix, false for anything else")
    func exists() async throws {
        let store = try await MotoServer.store()
        try await store.put(Data("x".utf8), at: "a/b/c.txt")
        #expect(try await store.exists("a/b/c.txt"))
        #expect(try await store.exists("a/b"))
        #expect(try await store.exists("a"))
        #expect(try await !store.exists("a/b/c"))  // a prefix of a name is not a directory
        #expect(try await !store.exists("a/b/c.txt.gz"))
        #expect(try await !store.exists("nothing"))
        #expect(try await store.isDirectory("a/b"))
        #expect(try await !store.isDirectory("a/b/c.txt"))
        #expect(try await !store.isDirectory("a/x"))
    }

    @Test("remove deletes; get and size of what is missing throw missingObject; removing twice is fine")
    func remove() async throws {
        let store = try await MotoServer.store(location: "loc")
        try await store.put(Data("gone soon".utf8), at: "_hash/x")
        try await store.remove("_hash/x")
        try await store.remove("_hash/x")
        #expect(try await !store.exists("_hash/x"))
        let error = await #expect(throws: DataJointError.self) { try await store.get("_hash/x") }
        #expect(error?.kind == .missingObject)
        #expect(error?.message.contains("s3://\(store.bucket)/loc/_hash/x") == true)
        let sizeError = await #expect(throws: DataJointError.self) { try await store.size("_hash/x") }
        #expect(sizeError?.kind == .missingObject)
    }

    @Test("list follows continuation past 1000 objects and returns store-relative paths with sizes")
    func listMany() async throws {
        let store = try await MotoServer.store(location: "deep/root")
        let count = 1_005
        try await withThrowingTaskGroup(of: Void.self) { group in
            for start in stride(from: 0, to: count, by: count / 8 + 1) {
                group.addTask {
                    for i in start..<min(count, start + count / 8 + 1) {
                        try await store.put(Data(repeating: 7, count: i % 5), at: "_hash/many/\(i / 100)/obj\(i)")
                    }
                }
            }
            try await group.waitForAll()
        }
        try await store.put(Data("n".utf8), at: "_hash/other/nested/deeper/leaf")
        try await store.put(Data("n".utf8), at: "_hash/many-not-under/x")  // shares the prefix "_hash/many" only

        let listed = try await store.list(under: "_hash/many")
        #expect(listed.count == count)
        let expected = Set((0..<count).map { StoredObject(path: "_hash/many/\($0 / 100)/obj\($0)", size: $0 % 5) })
        #expect(Set(listed.map(\.pathAndSize)) == expected)
        // Each object says when it was written (S3's LastModified), which garbage collection's minimumAge uses.
        #expect(listed.allSatisfy { abs($0.modified?.timeIntervalSinceNow ?? .infinity) < 600 })
        #expect(try await store.list(under: "_hash/other").map(\.pathAndSize) == [StoredObject(path: "_hash/other/nested/deeper/leaf", size: 1)])
        #expect(try await store.list(under: "/_hash/many/3/").count == 100)
        #expect(try await store.list(under: "").count == count + 2)
        #expect(try await store.list(under: "absent").isEmpty)
    }

    @Test("a wrong secret key is refused with a store error that names the key but not the secret")
    func wrongSecret() async throws {
        let good = try await MotoServer.store()
        try await good.put(Data("secret".utf8), at: "x")
        let bad = try S3Store(
            spec: StoreSpec(
                name: "moto",
                attributes: [
                    "protocol": .string("s3"), "endpoint": .string(MotoServer.endpoint!), "bucket": .string(good.bucket),
                    "location": .string(""), "access_key": .string(try await MotoServer.credentials.value.accessKey),
                    "secret_key": .string("not-the-secret-key-at-all"),
                ]))
        let error = await #expect(throws: DataJointError.self) { try await bad.get("x") }
        #expect(error?.kind == .store)
        #expect(error?.message.contains("SignatureDoesNotMatch") == true)
        #expect(error?.message.contains(good.bucket) == true)
        #expect(error?.message.contains("not-the-secret-key-at-all") == false)
        let putError = await #expect(throws: DataJointError.self) { try await bad.put(Data("y".utf8), at: "y") }
        #expect(putError?.kind == .store)
        #expect(try await !good.exists("y"))
    }

    @Test("a missing bucket is a store error naming the bucket")
    func missingBucket() async throws {
        let store = try await MotoServer.store(createBucket: false)
        for operation in ["get", "put", "list", "exists", "size"] {
            let error = await #expect(throws: DataJointError.self, "\(operation)") {
                switch operation {
                case "get": _ = try await store.get("a/b")
                case "put": try await store.put(Data("z".utf8), at: "a/b")
                case "list": _ = try await store.list(under: "a")
                case "exists": _ = try await store.exists("a/b")
                default: _ = try await store.size("a/b")
                }
            }
            #expect(error?.kind == .store, "\(operation)")
            #expect(error?.message.contains(store.bucket) == true, "\(operation)")
            #expect(error?.message.contains("NoSuchBucket") == true, "\(operation): \(error?.message ?? "")")
        }
    }
}

extension StoredObject {
    /// The object without its modification time, for comparisons with expected listings.
    var pathAndSize: StoredObject { StoredObject(path: path, size: size) }
}
