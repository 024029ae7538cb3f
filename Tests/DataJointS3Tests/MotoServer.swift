import AsyncHTTPClient
import DataJointCore
import Foundation

@testable import DataJointS3

/// The S3 server of the live tests: moto (`scripts/start-databases` starts it on 127.0.0.1:5055 and `scripts/test`
/// sets `DJ_TEST_S3_ENDPOINT`). Without the variable the live tests are skipped with a note; with it, an
/// unreachable server fails them.
enum MotoServer {
    /// `DJ_TEST_S3_ENDPOINT` (`http://127.0.0.1:5055`), or nil after printing that the live tests are skipped.
    static let endpoint: String? = {
        if let endpoint = ProcessInfo.processInfo.environment["DJ_TEST_S3_ENDPOINT"], !endpoint.isEmpty {
            return endpoint
        }
        FileHandle.standardError.write(Data(
            "NOTE: DJ_TEST_S3_ENDPOINT is not set; the live S3 tests are SKIPPED. Run scripts/test (moto on 127.0.0.1:5055).\n".utf8))
        return nil
    }()

    struct Credentials: Sendable {
        var accessKey: String
        var secretKey: String
    }

    /// An IAM user allowed everything, made once per test process; moto checks signatures from then on.
    static let credentials = Task<Credentials, any Error> { try await makeCredentials() }

    /// moto verifies signatures against the keys of IAM users, which must be made first. Its `reset-auth`
    /// lets the next 3 requests through unchecked (moto started with `INITIAL_NO_AUTH_ACTION_COUNT=0` checks
    /// all others): they create the user, its allow-all policy and its access key. Every live test waits for
    /// this before sending anything, so no request of theirs can take one of the 3.
    static func makeCredentials() async throws -> Credentials {
        guard let endpoint else { throw DataJointError(.configuration, "DJ_TEST_S3_ENDPOINT is not set") }
        var reset = HTTPClientRequest(url: "\(endpoint)/moto-api/reset-auth")
        reset.method = .POST
        reset.body = .bytes(Data("3".utf8))
        let answer = try await HTTPClient.shared.execute(reset, timeout: .seconds(30))
        guard answer.status.code == 200 else {
            throw DataJointError(.store, "moto at \(endpoint) refused reset-auth: HTTP \(answer.status.code)")
        }
        let user = "dj-test-\(UUID().uuidString.prefix(8).lowercased())"
        let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#
        _ = try await iam(endpoint, ["Action": "CreateUser", "UserName": user])
        _ = try await iam(
            endpoint, ["Action": "PutUserPolicy", "UserName": user, "PolicyName": "all", "PolicyDocument": policy])
        let created = try await iam(endpoint, ["Action": "CreateAccessKey", "UserName": user])
        guard let key = find("AccessKey", in: created), let id = key.text(of: "AccessKeyId"),
            let secret = key.text(of: "SecretAccessKey")
        else { throw DataJointError(.store, "moto's CreateAccessKey answer has no access key") }
        return Credentials(accessKey: id, secretKey: secret)
    }

    /// One request of the IAM query API. moto tells services apart by the credential scope of the signature.
    static func iam(_ endpoint: String, _ parameters: [String: String]) async throws -> S3XMLElement {
        try await query(
            endpoint, service: "iam", version: "2010-05-08", parameters,
            signedWith: Credentials(accessKey: "setup", secretKey: "setup"))
    }

    /// One request of an AWS query API (IAM, STS) at `endpoint`, signed with `credentials`.
    static func query(
        _ endpoint: String, service: String, version: String, _ parameters: [String: String],
        signedWith credentials: Credentials
    ) async throws -> S3XMLElement {
        let body = Data(SigV4Signer.canonicalQuery(parameters.map { ($0, $1) } + [("Version", version)]).utf8)
        let url = URL(string: endpoint)!
        let host = url.host! + (url.port.map { ":\($0)" } ?? "")
        let signer = SigV4Signer(
            accessKey: credentials.accessKey, secretKey: credentials.secretKey, region: "us-east-1", service: service)
        let amzDate = SigV4Signer.amzDate(Date())
        let payloadHash = SigV4Signer.hexSHA256(body)
        let headers = [
            ("host", host), ("content-type", "application/x-www-form-urlencoded; charset=utf-8"),
            ("x-amz-date", amzDate),
        ]
        var request = HTTPClientRequest(url: endpoint + "/")
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.headers.add(
            name: "Authorization",
            value: signer.sign(
                method: "POST", encodedPath: "/", query: [], headers: headers, payloadHash: payloadHash,
                amzDate: amzDate
            ).authorization)
        request.body = .bytes(body)
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let data = Data(try await response.body.collect(upTo: 1 << 20).readableBytesView)
        guard response.status.code == 200, let document = S3XMLElement.parse(data) else {
            throw DataJointError(
                .store,
                "moto refused \(service) \(parameters["Action"]!): HTTP \(response.status.code) \(String(decoding: data, as: UTF8.self))")
        }
        return document
    }

    static func find(_ name: String, in element: S3XMLElement) -> S3XMLElement? {
        if element.name == name { return element }
        for child in element.children {
            if let found = find(name, in: child) { return found }
        }
        return nil
    }

    /// A store on a new bucket of its own, signed with the test user's keys (or with `secretKey` instead).
    static func store(location: String = "", secretKey: String? = nil, createBucket: Bool = true) async throws -> S3Store {
        let credentials = try await credentials.value
        let bucket = "dj-test-\(UUID().uuidString.prefix(13).lowercased().replacingOccurrences(of: "-", with: ""))"
        let store = try S3Store(
            spec: StoreSpec(
                name: "moto",
                attributes: [
                    "protocol": .string("s3"), "endpoint": .string(endpoint!), "bucket": .string(bucket),
                    "location": .string(location), "access_key": .string(credentials.accessKey),
                    "secret_key": .string(secretKey ?? credentials.secretKey),
                ]))
        if createBucket { try await store.createBucket() }
        return store
    }
}
