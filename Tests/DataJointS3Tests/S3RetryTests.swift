import DataJointCore
import Foundation
import Testing

@testable import DataJointS3

/// Throttling and server errors, injected by a proxy in front of moto: retried with backoff, a bounded number of times.
@Suite("S3 retries", .enabled(if: MotoServer.endpoint != nil, "DJ_TEST_S3_ENDPOINT is not set (scripts/test sets it)"))
struct S3RetryTests {
    /// A store on a new bucket through a new proxy, retrying quickly (the waits are not the subject here).
    static func service(fast: Bool = true) async throws -> (store: S3Store, proxy: S3FaultInjectingProxy) {
        let bucket = try await S3Depth.newBucket()
        let proxy = try await S3FaultInjectingProxy(target: MotoServer.endpoint!)
        var store = try await S3Depth.store(bucket: bucket, endpoint: proxy.endpoint, location: "retry")
        if fast { store.retryPolicy.baseDelay = .milliseconds(5) }
        return (store, proxy)
    }

    @Test("transient 503 SlowDown and 500 answers are retried (with the standard backoff) and the operations succeed")
    func transientFaults() async throws {
        let (store, proxy) = try await Self.service(fast: false)
        defer { proxy.stop() }
        proxy.fail(next: 2, status: 503, code: "SlowDown") { $0.method == "PUT" }
        try await store.put(Data("kept".utf8), at: "a.txt")
        proxy.fail(next: 1, status: 500, code: "InternalError") { $0.method == "GET" }
        proxy.fail(next: 1, status: 503, code: "SlowDown") { $0.method == "GET" }
        #expect(try await store.get("a.txt") == Data("kept".utf8))
        proxy.fail(next: 1, status: 504, code: "GatewayTimeout") { $0.method == "HEAD" }
        #expect(try await store.size("a.txt") == 4)
        #expect(proxy.faultsAnswered == 5)
        let requests = proxy.requests
        #expect(requests.filter { $0.method == "PUT" }.count == 3)
        #expect(requests.filter { $0.method == "GET" }.count == 3)
        // Each attempt is signed anew (its own x-amz-date at least as late as the one before).
        let dates = requests.filter { $0.method == "PUT" }.compactMap { $0.headers["x-amz-date"] }
        #expect(dates.count == 3 && dates == dates.sorted())
    }

    @Test("throttling by status or code: 429, ThrottlingException, RequestTimeout are retried")
    func throttlingCodes() async throws {
        let (store, proxy) = try await Self.service()
        defer { proxy.stop() }
        try await store.put(Data("x".utf8), at: "x")
        proxy.fail(next: 1, status: 429, code: "TooManyRequests")
        proxy.fail(next: 1, status: 400, code: "ThrottlingException")
        proxy.fail(next: 1, status: 400, code: "RequestTimeout")
        #expect(try await store.get("x") == Data("x".utf8))
        #expect(proxy.faultsAnswered == 3)
    }

    @Test("persistent 503 SlowDown: a store error naming the operation, key, status and code, after 5 attempts")
    func persistentFaults() async throws {
        let (store, proxy) = try await Self.service()
        defer { proxy.stop() }
        try await store.put(Data("x".utf8), at: "dir/x")
        proxy.fail(status: 503, code: "SlowDown")
        let error = await #expect(throws: DataJointError.self) { try await store.get("dir/x") }
        #expect(error?.kind == .store)
        let message = error?.message ?? ""
        #expect(message.contains("S3 GET of key \"retry/dir/x\" in bucket \"\(store.bucket)\""), "\(message)")
        #expect(message.contains("HTTP 503 SlowDown"), "\(message)")
        #expect(message.contains("retried 4 times, 5 attempts in all"), "\(message)")
        #expect(proxy.requests.filter { $0.method == "GET" }.count == 5)

        let putError = await #expect(throws: DataJointError.self) { try await store.put(Data("y".utf8), at: "dir/y") }
        #expect(putError?.message.contains("S3 PUT of key \"retry/dir/y\"") == true)
        #expect(putError?.message.contains("retried 4 times") == true)
        proxy.clearRules()
        #expect(try await !store.exists("dir/y"))
    }

    @Test("refusals that retrying does not change are not retried: a missing key, a wrong signature")
    func notRetried() async throws {
        let (store, proxy) = try await Self.service()
        defer { proxy.stop() }
        let missing = await #expect(throws: DataJointError.self) { try await store.get("absent") }
        #expect(missing?.kind == .missingObject)
        proxy.fail(next: 1, status: 403, code: "AccessDenied")
        let denied = await #expect(throws: DataJointError.self) { try await store.get("absent") }
        #expect(denied?.message.contains("HTTP 403 AccessDenied") == true)
        #expect(denied?.message.contains("retried") == false)
        #expect(proxy.requests.filter { $0.method == "GET" }.count == 2)
    }

    @Test("creating a bucket is sent again after throttling (not acted on), not after a server error (maybe acted on)")
    func nonIdempotent() async throws {
        let proxy = try await S3FaultInjectingProxy(target: MotoServer.endpoint!)
        defer { proxy.stop() }
        func store() async throws -> S3Store {
            let bucket = "dj-depth-\(UUID().uuidString.prefix(13).lowercased().replacingOccurrences(of: "-", with: ""))"
            var store = try await S3Depth.store(bucket: bucket, endpoint: proxy.endpoint)
            store.retryPolicy.baseDelay = .milliseconds(5)
            return store
        }
        let throttled = try await store()
        proxy.fail(next: 2, status: 503, code: "SlowDown")
        try await throttled.createBucket()
        #expect(proxy.requests.count == 3)

        let failing = try await store()
        proxy.fail(next: 1, status: 500, code: "InternalError")
        let error = await #expect(throws: DataJointError.self) { try await failing.createBucket() }
        #expect(error?.message.contains("HTTP 500 InternalError") == true)
        #expect(proxy.requests.count == 4)  // sent once
    }

    @Test("backoff: doubles from the base, with jitter of up to half, capped")
    func backoff() {
        let policy = S3RetryPolicy(maxAttempts: 5, baseDelay: .milliseconds(500), maxDelay: .seconds(8))
        for _ in 0..<50 {
            let first = policy.delay(afterAttempt: 1)
            #expect(first >= .milliseconds(250) && first <= .milliseconds(500))
            let third = policy.delay(afterAttempt: 3)
            #expect(third >= .milliseconds(1000) && third <= .milliseconds(2000))
            let late = policy.delay(afterAttempt: 30)
            #expect(late >= .seconds(4) && late <= .seconds(8))
        }
        let delays = Set((0..<20).map { _ in policy.delay(afterAttempt: 2) })
        #expect(delays.count > 1)  // jittered
    }

    @Test("which answers are retried, and for which requests")
    func classification() {
        func response(_ status: Int, _ code: String?) -> S3Response {
            let body = code.map { Data("<Error><Code>\($0)</Code><Message>m</Message></Error>".utf8) } ?? Data()
            return S3Response(status: status, headers: [:], body: body)
        }
        let policy = S3RetryPolicy.standard
        for (status, code) in [(503, "SlowDown"), (429, nil), (400, "ThrottlingException"), (400, "RequestTimeout")] {
            #expect(policy.allowsRetry(of: response(status, code), idempotent: true), "\(status) \(code ?? "")")
            #expect(policy.allowsRetry(of: response(status, code), idempotent: false), "\(status) \(code ?? "")")
        }
        for (status, code) in [(500, "InternalError"), (502, nil), (503, nil), (504, nil)] {
            #expect(policy.allowsRetry(of: response(status, code), idempotent: true), "\(status)")
            #expect(!policy.allowsRetry(of: response(status, code), idempotent: false), "\(status)")
        }
        for (status, code) in [(200, nil), (404, "NoSuchKey"), (403, "SignatureDoesNotMatch"), (400, "InvalidRange"), (501, nil)] {
            #expect(!policy.allowsRetry(of: response(status, code), idempotent: true), "\(status) \(code ?? "")")
        }
    }
}
