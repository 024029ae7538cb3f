import AsyncHTTPClient
import DataJointCore
import Foundation

/// An object store in an S3 bucket (AWS S3, MinIO, Ceph, ...): protocol `s3`.
///
/// ```json
/// "stores": {
///   "lab": {"protocol": "s3", "endpoint": "s3.amazonaws.com", "bucket": "lab-data", "location": "pipeline",
///           "secure": true, "region": "eu-central-1"},
///   "atlas": {"protocol": "s3", "endpoint": "s3.amazonaws.com", "bucket": "open-atlas", "location": "",
///             "anonymous": true}
/// }
/// ```
///
/// The object of store path `p` is the key `location/p` of `bucket` (just `p` when `location` is empty), as in
/// DataJoint-Python. Requests use path-style addressing (`https://endpoint/bucket/key`) and are signed with AWS
/// Signature Version 4. The credentials are the store's `access_key` and `secret_key` (usually in
/// `.secrets/stores.<name>.access_key` and `.secret_key`); without them, those of the environment
/// (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), then those of the AWS profile `AWS_PROFILE`
/// (default `default`) in `~/.aws/credentials` and `~/.aws/config`; they are read when the store is opened. Only a
/// store with `"anonymous": true` (a public bucket; our addition, DataJoint-Python has no such setting) sends
/// unsigned requests. `endpoint` may carry a scheme (`http://127.0.0.1:9000`), which then decides over `secure`
/// (default true: https). `region` is the signing region (without it: `AWS_REGION`, `AWS_DEFAULT_REGION`, the
/// profile's `region` in `~/.aws/config`, else `us-east-1`). `proxy_server` is accepted and
/// ignored.
///
/// Objects up to 8 MiB are written with one PUT; larger ones, and every ``writer(at:)`` whose object grows past
/// 8 MiB, with a multipart upload whose parts go up 4 at a time (so there is no 5 GB limit); an upload that fails or
/// is given up is aborted. ``get(_:range:)`` reads only the bytes asked for. Throttling and server errors are retried
/// with exponential backoff (see ``S3RetryPolicy``). "Directories" are key prefixes.
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
    /// Signs requests; nil for an anonymous store.
    let signer: SigV4Signer?
    /// The session token of temporary credentials, sent with every signed request.
    let sessionToken: String?
    /// Where the credentials came from (nil: anonymous), for messages.
    let credentialSource: String?

    /// When and how often requests are sent again.
    var retryPolicy = S3RetryPolicy.standard
    /// The size of the parts of a multipart upload (at least 5 MiB, as S3 requires of every part but the last), and
    /// the largest object written with one PUT.
    var partSize = 8 << 20
    /// How many parts of one multipart upload are sent at the same time.
    var maxConcurrentParts = 4

    /// The largest response body read.
    static let maximumResponseSize = 8 * 1024 * 1024 * 1024

    /// A store for the `s3` configuration `spec`: `endpoint`, `bucket`, `location`, optionally `access_key` and
    /// `secret_key` (both or neither), `anonymous`, `secure` and `region`. Without keys in `spec`, the credentials
    /// come from `environment` and the AWS files (see the type's documentation), read now.
    /// - Parameters:
    ///   - environment: the environment variables (`AWS_*`) to read; default: the process environment.
    ///   - homeDirectory: the directory `~/.aws` is in; default: the user's home directory.
    /// - Throws: `DataJointError` `.configuration` for a missing or malformed attribute, and when no credentials are
    ///   found for a store that is not anonymous (the message says where they were looked for).
    public init(
        spec: StoreSpec, environment: [String: String] = ProcessInfo.processInfo.environment,
        homeDirectory: URL? = FileManager.default.homeDirectoryForCurrentUser
    ) throws {
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
        region = try S3Region.resolve(spec: spec, environment: environment, homeDirectory: homeDirectory)

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

        let credentials = try S3Credentials.resolve(spec: spec, environment: environment, homeDirectory: homeDirectory)
        signer = credentials.map { [region] in
            SigV4Signer(accessKey: $0.accessKey, secretKey: $0.secretKey, region: region, service: "s3")
        }
        sessionToken = credentials?.sessionToken
        credentialSource = credentials?.source
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

    /// Writes `data` with one PUT, or, when it is larger than one part (8 MiB), with a multipart upload whose parts
    /// go up in parallel.
    public func put(_ data: Data, at path: String) async throws {
        let key = try key(path)
        if data.count > partSize {
            let writer = S3ObjectWriter(store: self, key: key)
            do {
                try await writer.write(data)
                _ = try await writer.finish()
            } catch {
                await writer.abort()
                throw error
            }
            return
        }
        try await putWhole(data, key: key)
    }

    /// Writes `data` at `key` with one PUT.
    func putWhole(_ data: Data, key: String) async throws {
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

    /// Bytes `range` of the object at `path`, read with a ranged GET (`Range: bytes=a-b`): only those bytes travel.
    /// A range reaching past the end gives the bytes up to the end; one starting at or past the end, none.
    /// - Throws: `.missingObject` when there is no object at `path`.
    public func get(_ path: String, range: Range<Int>) async throws -> Data {
        let key = try key(path)
        let lower = max(0, range.lowerBound)
        guard range.upperBound > lower else {
            _ = try await size(path)  // nothing to read, but a missing object is still an error
            return Data()
        }
        let response = try await send("GET", key: key, headers: [("Range", "bytes=\(lower)-\(range.upperBound - 1)")])
        switch response.status {
        case 206:
            return response.body
        case 200:  // a service that ignores Range sends the whole object
            let body = response.body
            let start = min(lower, body.count)
            let end = min(range.upperBound, body.count)
            return body.subdata(in: (body.startIndex + start)..<(body.startIndex + end))
        case 416:  // InvalidRange: the range starts at or past the end (or the object is empty)
            return Data()
        case 404 where response.errorCode != "NoSuchBucket":
            throw DataJointError(.missingObject, "Missing object \(url(forKey: key)) in store \(name)")
        default:
            throw failure("GET (bytes \(lower)-\(range.upperBound - 1))", key: key, response)
        }
    }

    /// A writer that uploads the object in parts while it is written: the first 8 MiB are held in memory, and an
    /// object that grows past them goes up as a multipart upload, up to 4 parts at a time (so memory stays at a few
    /// parts, whatever the object's size). ``ObjectWriter/finish()`` completes the upload (or, for a small object,
    /// sends it with one PUT); ``ObjectWriter/abort()``, a failure or a cancellation aborts it, leaving no object and
    /// no pending upload.
    public func writer(at path: String) async throws -> any ObjectWriter {
        S3ObjectWriter(store: self, key: try key(path))
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
        try await listObjects(prefix: directoryKey(prefix)).compactMap { object in
            guard !object.path.hasSuffix("/") else { return nil }  // "folder" markers made by some tools
            return StoredObject(path: storePath(ofKey: object.path), size: object.size, modified: object.modified)
        }
    }

    /// The key prefix of the objects under the store directory `prefix`: `location/prefix/` ("" for the whole store).
    func directoryKey(_ prefix: String) throws -> String {
        let base = try key(prefix)
        return base.isEmpty ? "" : base + "/"
    }

    /// The store path of `key`: the key without `location/`.
    func storePath(ofKey key: String) -> String {
        String(key.dropFirst(location.isEmpty ? 0 : location.count + 1))
    }

    public func url(for path: String) -> String {
        url(forKey: (try? key(path)) ?? path)
    }

    /// The multipart uploads under `prefix` that were started and never completed nor aborted (a process killed in
    /// the middle of a large write): S3 keeps their parts, unseen by listings, until they are aborted. Each is
    /// reported at the path it would have written, with its upload id and the time it was started.
    public func unfinishedWrites(under prefix: String) async throws -> [StoredObject] {
        try await pendingUploads(prefix: directoryKey(prefix)).map { upload in
            StoredObject(
                path: storePath(ofKey: upload.key), size: 0, modified: upload.initiated, unfinishedWriteID: upload.uploadID)
        }
    }

    /// Aborts the multipart upload `write` names (S3 drops its parts); a write without an upload id is removed.
    public func discardUnfinishedWrite(_ write: StoredObject) async throws {
        guard let uploadID = write.unfinishedWriteID else { return try await remove(write.path) }
        try await abortUpload(key: try key(write.path), uploadID: uploadID)
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
                objects.append(
                    StoredObject(
                        path: key, size: content.text(of: "Size").flatMap { Int($0) } ?? 0,
                        modified: content.text(of: "LastModified").flatMap(Self.lastModified)))
            }
            token = result.text(of: "IsTruncated") == "true" ? result.text(of: "NextContinuationToken") : nil
            if token?.isEmpty == true { token = nil }
        } while token != nil && maxKeys == nil
        return objects
    }

    /// The time of a `LastModified` element (`2026-12-04T19:20:00.000Z`, with or without the fraction).
    static func lastModified(_ text: String) -> Date? {
        (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
            ?? (try? Date(text, strategy: Date.ISO8601FormatStyle()))
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
        if response.attempts > 1 {
            let retries = response.attempts - 1
            reason += " (retried \(retries) time\(retries == 1 ? "" : "s"), \(response.attempts) attempts in all)"
        }
        return DataJointError(.store, "S3 \(operation) of \(describe(key)) failed: \(reason)")
    }
}
