import AsyncHTTPClient
import DataJointCore
import Foundation

@testable import DataJointS3

#if canImport(Glibc)
    import Glibc
#endif

/// Helpers of the tests of ranged reads, multipart uploads, retries and credentials.
enum S3Depth {
    /// Bytes that are not text and differ from part to part.
    static func data(_ count: Int, seed: UInt64 = 1) -> Data {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        var bytes = [UInt8](repeating: 0, count: count)
        for index in bytes.indices {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            bytes[index] = UInt8(truncatingIfNeeded: state)
        }
        return Data(bytes)
    }

    /// A new bucket on the shared moto server (made with the test user's keys).
    static func newBucket() async throws -> String {
        try await MotoServer.store().bucket
    }

    /// The settings of a store on `bucket` at `endpoint` (default: the shared moto server), with the test user's keys
    /// unless `keys` is false.
    static func settings(
        bucket: String, endpoint: String? = nil, location: String = "", keys: Bool = true, extra: [String: JSON] = [:]
    ) async throws -> StoreSpec {
        var attributes: [String: JSON] = [
            "protocol": .string("s3"), "endpoint": .string(endpoint ?? MotoServer.endpoint!), "bucket": .string(bucket),
            "location": .string(location),
        ]
        if keys {
            let credentials = try await MotoServer.credentials.value
            attributes["access_key"] = .string(credentials.accessKey)
            attributes["secret_key"] = .string(credentials.secretKey)
        }
        attributes.merge(extra) { $1 }
        return try StoreSpec(name: "depth", attributes: attributes)
    }

    /// A store on `bucket` at `endpoint`, with the test user's keys, reading no environment.
    static func store(bucket: String, endpoint: String? = nil, location: String = "") async throws -> S3Store {
        try S3Store(spec: try await settings(bucket: bucket, endpoint: endpoint, location: location), environment: [:], homeDirectory: nil)
    }

    // MARK: - Temporary credentials (STS)

    struct SessionCredentials: Sendable {
        var accessKey: String
        var secretKey: String
        var sessionToken: String
    }

    /// Temporary credentials with a session token: a role allowed everything, assumed with STS by the test user.
    static let sessionCredentials = Task<SessionCredentials, any Error> { try await assumeRole() }

    static func assumeRole() async throws -> SessionCredentials {
        let user = try await MotoServer.credentials.value
        let role = "dj-depth-\(UUID().uuidString.prefix(8).lowercased())"
        let trust = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#
        let allowAll = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#
        let created = try await query(
            service: "iam", version: "2010-05-08",
            ["Action": "CreateRole", "RoleName": role, "AssumeRolePolicyDocument": trust], signedWith: user)
        guard let arn = MotoServer.find("Role", in: created)?.text(of: "Arn") else {
            throw DataJointError(.store, "moto's CreateRole answer has no role ARN")
        }
        _ = try await query(
            service: "iam", version: "2010-05-08",
            ["Action": "PutRolePolicy", "RoleName": role, "PolicyName": "all", "PolicyDocument": allowAll], signedWith: user)
        let assumed = try await query(
            service: "sts", version: "2011-06-15",
            ["Action": "AssumeRole", "RoleArn": arn, "RoleSessionName": "dj-depth"], signedWith: user)
        guard let credentials = MotoServer.find("Credentials", in: assumed),
            let id = credentials.text(of: "AccessKeyId"), let secret = credentials.text(of: "SecretAccessKey"),
            let token = credentials.text(of: "SessionToken")
        else { throw DataJointError(.store, "moto's AssumeRole answer has no credentials") }
        return SessionCredentials(accessKey: id, secretKey: secret, sessionToken: token)
    }

    /// One request of an AWS query API (IAM, STS) on the shared moto server, signed with `credentials`.
    static func query(
        service: String, version: String, _ parameters: [String: String], signedWith credentials: MotoServer.Credentials
    ) async throws -> S3XMLElement {
        try await MotoServer.query(MotoServer.endpoint!, service: service, version: version, parameters, signedWith: credentials)
    }

    // MARK: - Files

    /// A new empty directory, standing for a home directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("dj-s3depth-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `text` to `name` under `directory` (creating folders).
    @discardableResult
    static func write(_ text: String, to name: String, in directory: URL) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        return url
    }
}

/// A moto S3 server of one test on a free port, checking no signatures (moto's default): a service that serves
/// anonymous requests, as a public bucket does. The shared server checks signatures and refuses them.
final class AnonymousMoto: Sendable {
    let port: Int
    /// The server's process id.
    private let pid: Int32

    var endpoint: String { "http://127.0.0.1:\(port)" }

    init() async throws {
        var candidates: [String] = []
        if let python = ProcessInfo.processInfo.environment["DJ_TEST_PYTHON"], !python.isEmpty {
            candidates.append(URL(fileURLWithPath: python).deletingLastPathComponent().appendingPathComponent("moto_server").path)
        }
        candidates.append(FileManager.default.currentDirectoryPath + "/.build/python-reference/bin/moto_server")
        guard let executable = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw DataJointError(.configuration, "moto_server is not installed at \(candidates.joined(separator: " or "))")
        }
        port = try Self.freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-H", "127.0.0.1", "-p", String(port)]
        process.environment = ProcessInfo.processInfo.environment.filter { $0.key != "INITIAL_NO_AUTH_ACTION_COUNT" }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        pid = process.processIdentifier
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            var probe = HTTPClientRequest(url: "http://127.0.0.1:\(port)/moto-api/")
            probe.method = .GET
            if (try? await HTTPClient.shared.execute(probe, timeout: .seconds(2))) != nil { break }
            guard process.isRunning, ContinuousClock.now < deadline else {
                stop()
                throw DataJointError(.store, "moto_server did not start on port \(port)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Ends the server (the process this test started).
    func stop() {
        kill(pid, SIGKILL)
    }

    /// A port nothing listens on now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw DataJointError(.store, "socket failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw DataJointError(.store, "cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
