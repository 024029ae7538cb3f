import DataJointCore
import Foundation
import Testing

@testable import DataJointS3

@Suite("S3 store configuration and unreachable endpoints")
struct S3StoreConfigurationTests {
    /// An anonymous store's settings (no credentials needed), with `attributes` added or replaced.
    func spec(_ attributes: [String: JSON], anonymous: Bool = true) throws -> StoreSpec {
        var all: [String: JSON] = [
            "protocol": .string("s3"), "endpoint": .string("s3.example.org"), "bucket": .string("lab"),
            "location": .string("pipeline"),
        ]
        if anonymous { all["anonymous"] = .bool(true) }
        all.merge(attributes) { $1 }
        return try StoreSpec(name: "cold", attributes: all)
    }

    @Test("secure decides the scheme when the endpoint has none; a scheme in the endpoint wins")
    func endpointScheme() throws {
        #expect(try S3Store(spec: spec([:])).endpoint == "https://s3.example.org")
        #expect(try S3Store(spec: spec(["secure": .bool(false)])).endpoint == "http://s3.example.org")
        #expect(try S3Store(spec: spec(["endpoint": .string("minio:9000"), "secure": .bool(false)])).endpoint == "http://minio:9000")
        let local = try S3Store(spec: spec(["endpoint": .string("http://127.0.0.1:5000"), "secure": .bool(true)]))
        #expect(local.endpoint == "http://127.0.0.1:5000")
        #expect(local.hostHeader == "127.0.0.1:5000")
        #expect(try S3Store(spec: spec(["endpoint": .string("https://s3.example.org:443/")])).hostHeader == "s3.example.org")
    }

    @Test("keys are location/path, and url(for:) names bucket and key")
    func keys() throws {
        let store = try S3Store(spec: spec(["location": .string("/pipeline/raw/")]))
        #expect(try store.key("_hash/lab/abc") == "pipeline/raw/_hash/lab/abc")
        #expect(store.url(for: "_hash/lab/abc") == "s3://lab/pipeline/raw/_hash/lab/abc")
        let bare = try S3Store(spec: spec(["location": .string("")]))
        #expect(try bare.key("/_hash//x") == "_hash/x")
        #expect(throws: DataJointError.self) { try bare.key("a/../b") }
    }

    @Test("region defaults to us-east-1 and is an allowed attribute")
    func region() throws {
        #expect(try S3Store(spec: spec([:])).region == "us-east-1")
        #expect(try S3Store(spec: spec(["region": .string("eu-central-1")])).region == "eu-central-1")
    }

    @Test("credentials come as a pair or not at all; only an anonymous store signs nothing")
    func credentials() throws {
        #expect(try S3Store(spec: spec([:])).signer == nil)
        let keys: [String: JSON] = ["access_key": .string("a"), "secret_key": .string("s")]
        #expect(try S3Store(spec: spec(keys, anonymous: false)).signer != nil)
        for lone in ["access_key", "secret_key"] {
            let error = #expect(throws: DataJointError.self) {
                try S3Store(spec: spec([lone: .string("x")], anonymous: false), environment: [:], homeDirectory: nil)
            }
            #expect(error?.kind == .configuration)
            #expect(error?.message.contains(lone) == true)
        }
    }

    @Test("an unreachable endpoint is a store error")
    func unreachable() async throws {
        let store = try S3Store(
            spec: StoreSpec(
                name: "nowhere",
                attributes: [
                    "protocol": .string("s3"), "endpoint": .string("http://127.0.0.1:1"), "bucket": .string("b"),
                    "location": .string(""), "anonymous": .bool(true),
                ]))
        let error = await #expect(throws: DataJointError.self) { try await store.get("x") }
        #expect(error?.kind == .store)
    }
}
