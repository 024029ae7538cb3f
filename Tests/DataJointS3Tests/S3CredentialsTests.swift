import DataJointCore
import Foundation
import Testing

@testable import DataJointS3

/// Where an S3 store finds its credentials when its settings have none: the environment, then the AWS profile files.
/// The environment and the home directory are passed in: nothing here reads or changes the process's own.
@Suite("S3 credentials chain")
struct S3CredentialsTests {
    static func spec(_ extra: [String: JSON] = [:], endpoint: String = "s3.example.org", bucket: String = "lab") throws -> StoreSpec {
        var attributes: [String: JSON] = [
            "protocol": "s3", "endpoint": .string(endpoint), "bucket": .string(bucket), "location": "",
        ]
        attributes.merge(extra) { $1 }
        return try StoreSpec(name: "lake", attributes: attributes)
    }

    static func resolve(
        _ extra: [String: JSON] = [:], environment: [String: String] = [:], home: URL? = nil
    ) throws -> S3Credentials? {
        try S3Credentials.resolve(spec: spec(extra), environment: environment, homeDirectory: home)
    }

    @Test("the store's keys come first, then the environment, then the credentials file, then the config file")
    func order() throws {
        let home = try S3Depth.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        try S3Depth.write("[default]\naws_access_key_id = FILE\naws_secret_access_key = file-secret\n", to: ".aws/credentials", in: home)
        try S3Depth.write("[default]\naws_access_key_id = CONFIG\naws_secret_access_key = config-secret\n", to: ".aws/config", in: home)
        let environment = ["AWS_ACCESS_KEY_ID": "ENV", "AWS_SECRET_ACCESS_KEY": "env-secret", "AWS_SESSION_TOKEN": "env-token"]
        let keys: [String: JSON] = ["access_key": "STORE", "secret_key": "store-secret"]

        let fromStore = try Self.resolve(keys, environment: environment, home: home)
        #expect(fromStore?.accessKey == "STORE" && fromStore?.sessionToken == nil)
        let fromEnvironment = try Self.resolve(environment: environment, home: home)
        #expect(fromEnvironment == S3Credentials(
            accessKey: "ENV", secretKey: "env-secret", sessionToken: "env-token",
            source: "the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)"))
        let fromFile = try Self.resolve(home: home)
        #expect(fromFile?.accessKey == "FILE" && fromFile?.secretKey == "file-secret")
        #expect(fromFile?.source == "profile \"default\" of \(home.path)/.aws/credentials")
        try FileManager.default.removeItem(at: home.appendingPathComponent(".aws/credentials"))
        let fromConfig = try Self.resolve(home: home)
        #expect(fromConfig?.accessKey == "CONFIG" && fromConfig?.secretKey == "config-secret")
    }

    @Test("AWS_PROFILE picks the profile: [name] in the credentials file, [profile name] in the config file")
    func profiles() throws {
        let home = try S3Depth.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        try S3Depth.write(
            """
            # shared credentials
            [default]
            aws_access_key_id = DEFAULT
            aws_secret_access_key = default-secret

            [lab]
            aws_access_key_id=LAB
            aws_secret_access_key=lab/secret+key==
            aws_session_token = lab-token
            """, to: ".aws/credentials", in: home)
        try S3Depth.write(
            """
            [default]
            region = eu-central-1
            [profile scope]
            s3 =
              max_concurrent_requests = 20
            aws_access_key_id = SCOPE
            ; comment
            aws_secret_access_key = scope-secret
            [sso-session corp]
            aws_access_key_id = NOT-A-PROFILE
            """, to: ".aws/config", in: home)
        let lab = try Self.resolve(environment: ["AWS_PROFILE": "lab"], home: home)
        #expect(lab?.accessKey == "LAB" && lab?.secretKey == "lab/secret+key==" && lab?.sessionToken == "lab-token")
        let scope = try Self.resolve(environment: ["AWS_PROFILE": "scope"], home: home)
        #expect(scope?.accessKey == "SCOPE" && scope?.secretKey == "scope-secret")
        #expect(scope?.source == "profile \"scope\" of \(home.path)/.aws/config")
        let error = #expect(throws: DataJointError.self) { try Self.resolve(environment: ["AWS_PROFILE": "corp"], home: home) }
        #expect(error?.kind == .configuration)
        #expect(error?.message.contains("the AWS profile \"corp\" (AWS_PROFILE) is not in") == true, "\(String(describing: error))")
        #expect(error?.message.contains("\(home.path)/.aws/credentials") == true)
    }

    @Test("AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE move the files (~ is the home directory given)")
    func fileLocations() throws {
        let home = try S3Depth.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        try S3Depth.write("[team]\naws_access_key_id = MOVED\naws_secret_access_key = moved\n", to: "elsewhere/creds", in: home)
        try S3Depth.write("[profile other]\naws_access_key_id = CONF\naws_secret_access_key = conf\n", to: "elsewhere/conf", in: home)
        let moved = try Self.resolve(
            environment: ["AWS_SHARED_CREDENTIALS_FILE": "~/elsewhere/creds", "AWS_PROFILE": "team"], home: home)
        #expect(moved?.accessKey == "MOVED")
        let conf = try Self.resolve(
            environment: ["AWS_CONFIG_FILE": home.path + "/elsewhere/conf", "AWS_PROFILE": "other"], home: home)
        #expect(conf?.accessKey == "CONF")
    }

    @Test("the signing region: the store's, then AWS_REGION, AWS_DEFAULT_REGION, the profile's in the config file, else us-east-1")
    func region() throws {
        let home = try S3Depth.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        try S3Depth.write("[default]\nregion = eu-central-1\n[profile lab]\nregion = ap-south-1\n", to: ".aws/config", in: home)
        func region(_ extra: [String: JSON] = [:], _ environment: [String: String] = [:], home: URL? = home) throws -> String {
            try S3Region.resolve(spec: Self.spec(extra), environment: environment, homeDirectory: home)
        }
        #expect(try region(["region": "us-west-2"], ["AWS_REGION": "eu-west-1"]) == "us-west-2")
        #expect(try region([:], ["AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-north-1"]) == "eu-west-1")
        #expect(try region([:], ["AWS_DEFAULT_REGION": "eu-north-1"]) == "eu-north-1")
        #expect(try region() == "eu-central-1")
        #expect(try region([:], ["AWS_PROFILE": "lab"]) == "ap-south-1")
        #expect(try region([:], ["AWS_PROFILE": "none"]) == "us-east-1")
        #expect(try region(home: nil) == "us-east-1")
        // The store signs for the region it found.
        let store = try S3Store(
            spec: Self.spec(["access_key": "A", "secret_key": "S"]), environment: ["AWS_PROFILE": "lab"], homeDirectory: home)
        #expect(store.region == "ap-south-1")
    }

    @Test("no credentials anywhere: a configuration error naming every place looked at")
    func noCredentials() throws {
        let home = try S3Depth.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let error = #expect(throws: DataJointError.self) {
            try S3Store(spec: Self.spec(), environment: ["HOME": home.path], homeDirectory: home)
        }
        #expect(error?.kind == .configuration)
        let message = error?.message ?? ""
        for part in [
            "stores.lake: no S3 credentials found", ".secrets/stores.lake.access_key", "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY", "profile \"default\" (AWS_PROFILE is not set)", "\(home.path)/.aws/credentials",
            "\(home.path)/.aws/config", "\"anonymous\": true",
        ] {
            #expect(message.contains(part), "\(part) in \(message)")
        }
        // No home directory: the environment alone.
        let bare = #expect(throws: DataJointError.self) { try Self.resolve() }
        #expect(bare?.message.contains("no S3 credentials found") == true)
    }

    @Test("half a pair, a profile of a kind we cannot use, anonymous with keys: configuration errors")
    func mistakes() throws {
        let home = try S3Depth.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let half = #expect(throws: DataJointError.self) { try Self.resolve(environment: ["AWS_ACCESS_KEY_ID": "A"]) }
        #expect(half?.message.contains("AWS_SECRET_ACCESS_KEY is not") == true)
        try S3Depth.write("[profile sso]\nsso_session = corp\n[profile halfway]\naws_access_key_id = X\n", to: ".aws/config", in: home)
        let sso = #expect(throws: DataJointError.self) { try Self.resolve(environment: ["AWS_PROFILE": "sso"], home: home) }
        #expect(sso?.message.contains("sso_session, which DataJoint does not support") == true, "\(String(describing: sso))")
        let halfway = #expect(throws: DataJointError.self) { try Self.resolve(environment: ["AWS_PROFILE": "halfway"], home: home) }
        #expect(halfway?.message.contains("has aws_access_key_id but no aws_secret_access_key") == true)
        let both = #expect(throws: DataJointError.self) {
            try Self.resolve(["anonymous": true, "access_key": "A", "secret_key": "S"])
        }
        #expect(both?.message.contains("anonymous is true but access_key or secret_key is set") == true)
        // Empty values count as unset.
        #expect(try Self.resolve(["access_key": "", "secret_key": ""], environment: ["AWS_ACCESS_KEY_ID": "E", "AWS_SECRET_ACCESS_KEY": "e"])?.accessKey == "E")
    }

    @Test("anonymous is an allowed store attribute and makes a store that signs nothing, whatever the environment")
    func anonymous() throws {
        let store = try S3Store(
            spec: Self.spec(["anonymous": true]), environment: ["AWS_ACCESS_KEY_ID": "E", "AWS_SECRET_ACCESS_KEY": "e"],
            homeDirectory: nil)
        #expect(store.signer == nil && store.credentialSource == nil)
        #expect(try Self.resolve(["anonymous": false], environment: ["AWS_ACCESS_KEY_ID": "E", "AWS_SECRET_ACCESS_KEY": "e"]) != nil)
    }
}

/// The credentials chain against moto's S3 server, which checks signatures and session tokens.
@Suite("S3 credentials on moto", .enabled(if: MotoServer.endpoint != nil, "DJ_TEST_S3_ENDPOINT is not set (scripts/test sets it)"))
struct S3CredentialsLiveTests {
    /// Writes and reads one object with `store`; returns the error, if any.
    static func roundTrip(_ store: S3Store) async -> DataJointError? {
        do {
            try await store.put(Data("signed".utf8), at: "probe")
            guard try await store.get("probe") == Data("signed".utf8) else {
                return DataJointError(.store, "read back other bytes")
            }
            return nil
        } catch {
            return error as? DataJointError ?? DataJointError(.store, "\(error)")
        }
    }

    @Test("keys from the environment sign requests moto accepts; a wrong secret there is refused")
    func environmentKeys() async throws {
        let bucket = try await S3Depth.newBucket()
        let user = try await MotoServer.credentials.value
        let spec = try await S3Depth.settings(bucket: bucket, keys: false)
        let good = try S3Store(
            spec: spec, environment: ["AWS_ACCESS_KEY_ID": user.accessKey, "AWS_SECRET_ACCESS_KEY": user.secretKey],
            homeDirectory: nil)
        #expect(await Self.roundTrip(good) == nil)
        let bad = try S3Store(
            spec: spec, environment: ["AWS_ACCESS_KEY_ID": user.accessKey, "AWS_SECRET_ACCESS_KEY": "wrong"],
            homeDirectory: nil)
        #expect(await Self.roundTrip(bad)?.message.contains("SignatureDoesNotMatch") == true)
    }

    @Test("keys of a profile in a credentials file, and of a [profile name] section of a config file")
    func profileKeys() async throws {
        let bucket = try await S3Depth.newBucket()
        let user = try await MotoServer.credentials.value
        let home = try S3Depth.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        try S3Depth.write(
            """
            [default]
            aws_access_key_id = \(user.accessKey)
            aws_secret_access_key = not-the-secret
            [lab]
            aws_access_key_id = \(user.accessKey)
            aws_secret_access_key = \(user.secretKey)
            """, to: "creds.ini", in: home)
        try S3Depth.write(
            "[profile analysis]\naws_access_key_id = \(user.accessKey)\naws_secret_access_key = \(user.secretKey)\n",
            to: ".aws/config", in: home)
        let spec = try await S3Depth.settings(bucket: bucket, keys: false)
        let file = home.appendingPathComponent("creds.ini").path
        let lab = try S3Store(spec: spec, environment: ["AWS_SHARED_CREDENTIALS_FILE": file, "AWS_PROFILE": "lab"], homeDirectory: home)
        #expect(await Self.roundTrip(lab) == nil)
        // The default profile of that file has a wrong secret: the choice of profile is what made the difference.
        let fallback = try S3Store(spec: spec, environment: ["AWS_SHARED_CREDENTIALS_FILE": file], homeDirectory: home)
        #expect(await Self.roundTrip(fallback)?.message.contains("SignatureDoesNotMatch") == true)
        let analysis = try S3Store(spec: spec, environment: ["AWS_PROFILE": "analysis"], homeDirectory: home)
        #expect(analysis.credentialSource == "profile \"analysis\" of \(home.path)/.aws/config")
        #expect(await Self.roundTrip(analysis) == nil)
    }

    @Test("temporary credentials: the session token is sent as X-Amz-Security-Token, signed, and checked by moto")
    func sessionToken() async throws {
        let bucket = try await S3Depth.newBucket()
        let session = try await S3Depth.sessionCredentials.value
        let proxy = try await S3FaultInjectingProxy(target: MotoServer.endpoint!)
        defer { proxy.stop() }
        let spec = try await S3Depth.settings(bucket: bucket, endpoint: proxy.endpoint, keys: false)
        func store(token: String?, secret: String? = nil) throws -> S3Store {
            var environment = ["AWS_ACCESS_KEY_ID": session.accessKey, "AWS_SECRET_ACCESS_KEY": secret ?? session.secretKey]
            environment["AWS_SESSION_TOKEN"] = token
            return try S3Store(spec: spec, environment: environment, homeDirectory: nil)
        }
        #expect(await Self.roundTrip(try store(token: session.sessionToken)) == nil)
        let sent = proxy.requests.first { $0.method == "PUT" }
        #expect(sent?.headers["x-amz-security-token"] == session.sessionToken)
        #expect(sent?.headers["authorization"]?.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,") == true)

        // moto refuses a wrong token, none at all, and a wrong signature: the test above could fail.
        #expect(await Self.roundTrip(try store(token: "not-the-token"))?.message.contains("InvalidToken") == true)
        #expect(await Self.roundTrip(try store(token: nil)) != nil)
        #expect(await Self.roundTrip(try store(token: session.sessionToken, secret: "wrong"))?.message.contains("SignatureDoesNotMatch") == true)
    }

    @Test("an anonymous store sends unsigned requests, which a service that allows them serves")
    func anonymousStore() async throws {
        let moto = try await AnonymousMoto()
        defer { moto.stop() }
        let bucket = "dj-public-\(UUID().uuidString.prefix(8).lowercased())"
        let owner = try S3Store(
            spec: S3CredentialsTests.spec(["access_key": "owner", "secret_key": "owner"], endpoint: moto.endpoint, bucket: bucket),
            environment: [:], homeDirectory: nil)
        try await owner.createBucket()
        try await owner.put(Data("open data".utf8), at: "atlas/v1.bin")
        let proxy = try await S3FaultInjectingProxy(target: moto.endpoint)
        defer { proxy.stop() }
        let reader = try S3Store(
            spec: S3CredentialsTests.spec(["anonymous": true], endpoint: proxy.endpoint, bucket: bucket),
            environment: ["AWS_ACCESS_KEY_ID": "ignored", "AWS_SECRET_ACCESS_KEY": "ignored"], homeDirectory: nil)
        // A private bucket refuses unsigned requests...
        let refused = await #expect(throws: DataJointError.self) { try await reader.get("atlas/v1.bin") }
        #expect(refused?.message.contains("HTTP 403") == true)
        // ... a public one lets anyone read its objects.
        let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::\#(bucket)","arn:aws:s3:::\#(bucket)/*"]}]}"#
        let made = try await owner.send("PUT", key: nil, query: [("policy", "")], body: Data(policy.utf8))
        #expect(made.isSuccess)
        #expect(try await reader.get("atlas/v1.bin") == Data("open data".utf8))
        #expect(try await reader.get("atlas/v1.bin", range: 5..<9) == Data("data".utf8))
        #expect(try await reader.list(under: "atlas").map(\.path) == ["atlas/v1.bin"])
        #expect(!proxy.requests.isEmpty)
        #expect(proxy.requests.allSatisfy { $0.headers["authorization"] == nil && $0.headers["x-amz-date"] == nil })
    }
}
