import AsyncHTTPClient
import DataJointCore
import Foundation

/// An object store in an S3 bucket (AWS S3, MinIO, Ceph, ...): protocol `s3`.
///
/// ```json
/// "stores": {
///   "lab": {"protocol": "s3", "endpoint": "s3.amazonaws.com", "bucket": "lab-data", "location": "pipeline",
///           "access_key": "AKIA...", "secret_key": "...", "secure": true, "region": "eu-central-1"}
/// }
/// ```
///
/// The object of store path `p` is the key `location/p` of `bucket` (just `p` when `location` is empty), as in
/// DataJoint-Python. Requests use path-style addressing (`https://endpoint/bucket/key`) and are signed with AWS
/// Signature Version 4 when `access_key` and `secret_key` are given; without both they are sent unsigned.
/// `endpoint` may carry a scheme (`http://127.0.0.1:9000`), which then decides over `secure` (default true:
/// https). `region` (default `us-east-1`) is the signing region. `proxy_server` is accepted and ignored.
///
/// Objects are written with one PUT (at most 5 GB each); "directories" are key prefixes.
public struct S3Store: ObjectStore {
    /// The store's name in the settings, for messages.
    public let name: String
    /// The bucket everything is stored in.
    public let bucket: String
    /// The key prefix inside the bucket, without leading or trailing `/` ("" for the whole bucket).
    public let location: String
    /// The region requests are signed for.
    public let region: String
    /// `scheme://host[:port][/path]` of the service, without a trailing `/`.
    public let endpoint: String

    let scheme: String
    /// `host[:port]` as sent in the `Host` header (the port only when it is not the scheme's default).
    let hostHeader: String
    /// A path before the bucket, when the endpoint has one (usually "").
    let basePath: String
    let signer: SigV4Signer?

    /// The largest object one PUT may write.
    static let maximumPutSize = 5 * 1024 * 1024 * 1024
    /// The largest response body read.
    static let maximumResponseSize = 8 * 1024 * 1024 * 1024

    /// A store for the `s3` configuration `spec`: `endpoint`, `bucket`, `location`, optionally `access_key` and
    /// `secret_key` (both or neither), `secure` and `region`.
    /// - Throws: `DataJointError` `.configuration` for a missing or malformed attribute.
    public init(spec: StoreSpec) throws {
        func fail(_ message: String) -> DataJointError {
            DataJointError(.configuration, "stores.\(spec.name): \(message)")
        }
        name = spec.name
        guard let endpointSetting = spec.string("endpoint")?.trimmingCharacters(in: .whitespaces),
            !endpointSetting.isEmpty
        else {
            throw fail("endpoint must be a host name such as s3.amazonaws.com or a URL such as http://127.0.0.1:9000")
        }
        guard let bucket = spec.string("bucket"), !bucket.isEmpty, !bucket.contains("/") else {
            throw fail("bucket must be a bucket name")
        }
        self.bucket = bucket
        location = spec.location.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/")
        region = spec.string("region").flatMap { $0.isEmpty ? nil : $0 } ?? "us-east-1"

        let hasScheme = endpointSetting.contains("://")
        let defaultScheme = (spec.bool("secure") ?? true) ? "https" : "http"
        guard let components = URLComponents(string: hasScheme ? endpointSetting : "\(defaultScheme)://\(endpointSetting)"),
            let scheme = components.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = components.host, !host.isEmpty,
            components.query == nil, components.fragment == nil
        else {
            throw fail("endpoint \(endpointSetting) is not a host[:port] or an http(s) URL")
        }
        self.scheme = scheme
        let bracketedHost = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        let defaultPort = scheme == "https" ? 443 : 80
        hostHeader = components.port.map { $0 == defaultPort ? bracketedHost : "\(bracketedHost):\($0)" } ?? bracketedHost
        basePath = components.percentEncodedPath.split(separator: "/").map { "/\($0)" }.joined()
        endpoint = "\(scheme)://\(hostHeader)\(basePath)"

        switch (spec.string("access_key").flatMap { $0.isEmpty ? nil : $0 }, spec.string("secret_key").flatMap { $0.isEmpty ? nil : $0 }) {
        case let (accessKey?, secretKey?):
            signer = SigV4Signer(accessKey: accessKey, secretKey: secretKey, region: region, service: "s3")
        case (nil, nil):
            signer = nil
        case (_?, nil):
            throw fail("access_key is set but secret_key is not; give both (or neither, for a public bucket)")
        case (nil, _?):
            throw fail("secret_key is set but access_key is not; give both (or neither, for a public bucket)")
        }
    }

    /// The key of store path `path`: `location/path`, with empty components dropped.
    /// - Throws: `.store` for a path with a `..` component.
    func key(_ path: String) throws -> String {
        let components = path.split(separator: "/", omittingEmptySubsequences: true)
        guard !components.contains(where: { $0 == ".." }) else {
            throw DataJointError(.store, "Store path \(path) leaves the store (contains ..)")
        }
        return ((location.isEmpty ? [] : [location]) + components.map(String.init)).joined(separator: "/")
    }

    public func put(_ data: Data, at path: String) async throws {
        let key = try key(path)
        guard data.count <= Self.maximumPutSize else {
            throw DataJointError(
                .store, "S3 PUT of \(describe(key)): \(data.count) bytes exceed the 5 GB that one PUT may write")
        }
        let response = try await send("PUT", key: key, body: data)
        guard response.isSuccess else { throw failure("PUT", key: key, response) }
    }

    public func get(_ path: String) async throws -> Data {
        let key = try key(path)
        let response = try await send("GET", key: key)
        if response.status == 404, response.errorCode != "NoSuchBucket" {
            throw DataJointError(.missingObject, "Missing object \(url(forKey: key)) in store \(name)")
        }
        guard response.isSuccess else { throw failure("GET", key: key, response) }
        return response.body
    }

    public func exists(_ path: String) async throws -> Bool {
        let key = try key(path)
        let response = try await send("HEAD", key: key)
        if response.isSuccess { return true }
        guard response.status == 404 else { throw failure("HEAD", key: key, response) }
        return try await hasObjects(under: key)
    }

    public func isDirectory(_ path: String) async throws -> Bool {
        try await hasObjects(under: try key(path))
    }

    public func size(_ path: String) async throws -> Int {
        let key = try key(path)
        let response = try await send("HEAD", key: key)
        if response.status == 404 {
            try await checkBucket(operation: "HEAD", key: key)
            throw DataJointError(.missingObject, "Missing object \(url(forKey: key)) in store \(name)")
        }
        guard response.isSuccess else { throw failure("HEAD", key: key, response) }
        guard let length = response.headers["content-length"].flatMap({ Int($0) }) else {
            throw DataJointError(.store, "S3 HEAD of \(describe(key)): the response has no Content-Length")
        }
        return length
    }

    public func remove(_ path: String) async throws {
        let key = try key(path)
        let response = try await send("DELETE", key: key)
        if response.isSuccess || (response.status == 404 && response.errorCode != "NoSuchBucket") { return }
        throw failure("DELETE", key: key, response)
    }

    public func list(under prefix: String) async throws -> [StoredObject] {
        let base = try key(prefix)
        let keyPrefix = base.isEmpty ? "" : base + "/"
        let strip = location.isEmpty ? 0 : location.count + 1
        return try await listObjects(prefix: keyPrefix).compactMap { object in
            guard !object.path.hasSuffix("/") else { return nil }  // "folder" markers made by some tools
            return StoredObject(path: String(object.path.dropFirst(strip)), size: object.size)
        }
    }

    public func url(for path: String) -> String {
        url(forKey: (try? key(path)) ?? path)
    }

    /// Creates the bucket (for tests and first-time setup).
    /// - Throws: `.store` when the service refuses, for example because the bucket exists.
    public func createBucket() async throws {
        // Not sent again when the connection breaks: a retry of a create that succeeded fails (the bucket exists).
        let response = try await send("PUT", key: nil, idempotent: false)
        guard response.isSuccess else { throw failure("PUT bucket", key: nil, response) }
    }

    // MARK: - Helpers of the operations

    func url(forKey key: String) -> String {
        "s3://\(bucket)/\(key)"
    }

    /// Whether some object's key starts with `key/` (one ListObjectsV2 request for at most one key).
    func hasObjects(under key: String) async throws -> Bool {
        !(try await listObjects(prefix: key.isEmpty ? "" : key + "/", maxKeys: 1)).isEmpty
    }

    /// Every object whose key starts with `prefix` (with full keys), following continuation tokens; with
    /// `maxKeys`, only the first page of at most that many.
    func listObjects(prefix: String, maxKeys: Int? = nil) async throws -> [StoredObject] {
        var objects: [StoredObject] = []
        var token: String?
        repeat {
            var query = [("list-type", "2"), ("prefix", prefix)]
            if let maxKeys { query.append(("max-keys", String(maxKeys))) }
            if let token { query.append(("continuation-token", token)) }
            let response = try await send("GET", key: nil, query: query)
            guard response.isSuccess else { throw failure("ListObjectsV2", key: prefix, response) }
            guard let result = S3XMLElement.parse(response.body), result.name == "ListBucketResult" else {
                throw DataJointError(
                    .store, "S3 ListObjectsV2 of \(describe(prefix)): the response is not a ListBucketResult")
            }
            for content in result.all("Contents") {
                guard let key = content.text(of: "Key") else { continue }
                objects.append(StoredObject(path: key, size: content.text(of: "Size").flatMap { Int($0) } ?? 0))
            }
            token = result.text(of: "IsTruncated") == "true" ? result.text(of: "NextContinuationToken") : nil
            if token?.isEmpty == true { token = nil }
        } while token != nil && maxKeys == nil
        return objects
    }

    /// After a 404 without a body (HEAD): throws `.store` when it is the bucket that is missing.
    func checkBucket(operation: String, key: String) async throws {
        let response = try await send("HEAD", key: nil)
        if response.status == 404 {
            throw DataJointError(
                .store, "S3 \(operation) of \(describe(key)): HTTP 404 NoSuchBucket: bucket \"\(bucket)\" does not exist")
        }
    }

    /// `key "k" in bucket "b" at endpoint`, for messages.
    func describe(_ key: String?) -> String {
        let target = key.map { "key \"\($0)\" in bucket \"\(bucket)\"" } ?? "bucket \"\(bucket)\""
        return "\(target) at \(endpoint) (store \(name))"
    }

    /// The error for a refused request: operation, bucket, key, HTTP status and S3's code and message.
    func failure(_ operation: String, key: String?, _ response: S3Response) -> DataJointError {
        var reason = "HTTP \(response.status)"
        if let code = response.errorCode { reason += " \(code)" }
        if let message = response.errorMessage, !message.isEmpty { reason += ": \(message)" }
        return DataJointError(.store, "S3 \(operation) of \(describe(key)) failed: \(reason)")
    }
}
