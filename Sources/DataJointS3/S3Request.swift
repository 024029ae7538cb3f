import AsyncHTTPClient
import DataJointCore
import Foundation

/// What S3 answered to one request: status, headers (names lower-cased) and the whole body.
struct S3Response: Sendable {
    var status: Int
    var headers: [String: String]
    var body: Data
    /// How many times the request was sent to get this answer.
    var attempts = 1

    var isSuccess: Bool { (200..<300).contains(status) }

    /// The `<Error>` document of a refusal, if the body is one.
    var error: S3XMLElement? {
        guard !isSuccess, !body.isEmpty, let root = S3XMLElement.parse(body), root.name == "Error" else { return nil }
        return root
    }

    /// S3's error code (`NoSuchKey`, `SignatureDoesNotMatch`, ...), when the body names one.
    var errorCode: String? { error?.text(of: "Code") }
    /// S3's explanation of the error, when the body has one.
    var errorMessage: String? { error?.text(of: "Message") }
}

extension S3Store {
    /// Sends one request for `key` (nil: the bucket itself), signed when the store has credentials (with the session
    /// token, when there is one). `headers` are sent as well, unsigned (never `x-amz-*` ones). Connection failures,
    /// throttling and server errors are retried as ``S3RetryPolicy`` says: a request that is `idempotent` (sending
    /// it twice does what sending it once does: every GET, HEAD, DELETE, object PUT and UploadPart) after any of them,
    /// others only when the service certainly did not act on them. Each attempt is signed anew.
    /// - Parameter operation: the name of the operation in messages (`UploadPart`); default: the method.
    /// - Throws: `.store` when the service cannot be reached; a refusal is returned, not thrown (its `attempts` say
    ///   how often it was sent). `CancellationError` when the task is cancelled.
    func send(
        _ method: String, key: String?, query: [(String, String)] = [], body: Data = Data(),
        headers extraHeaders: [(String, String)] = [], idempotent: Bool = true, operation: String? = nil
    ) async throws -> S3Response {
        let encodedPath = basePath + "/" + SigV4Signer.uriEncode(bucket, keepSlash: false)
            + (key.map { "/" + SigV4Signer.uriEncode($0, keepSlash: true) } ?? "")
        let queryString = query.isEmpty ? "" : "?" + SigV4Signer.canonicalQuery(query)
        let payloadHash = signer == nil ? nil : SigV4Signer.hexSHA256(body)

        /// The request of one attempt, signed at the time of sending.
        func request() -> HTTPClientRequest {
            var request = HTTPClientRequest(url: "\(scheme)://\(hostHeader)\(encodedPath)\(queryString)")
            request.method = .init(rawValue: method)
            request.headers.add(name: "Host", value: hostHeader)
            if let signer, let payloadHash {
                let amzDate = SigV4Signer.amzDate(Date())
                var signed = [("host", hostHeader), ("x-amz-content-sha256", payloadHash), ("x-amz-date", amzDate)]
                if let sessionToken { signed.append(("x-amz-security-token", sessionToken)) }
                let signature = signer.sign(
                    method: method, encodedPath: encodedPath, query: query, headers: signed, payloadHash: payloadHash,
                    amzDate: amzDate)
                for (name, value) in signed where name != "host" { request.headers.add(name: name, value: value) }
                request.headers.add(name: "Authorization", value: signature.authorization)
            }
            for (name, value) in extraHeaders { request.headers.add(name: name, value: value) }
            if method == "PUT" || method == "POST" || !body.isEmpty {
                request.body = .bytes(body)
            }
            return request
        }

        var attempt = 0
        while true {
            attempt += 1
            do {
                var response = try await Self.execute(request())
                response.attempts = attempt
                if attempt < retryPolicy.maxAttempts, retryPolicy.allowsRetry(of: response, idempotent: idempotent) {
                    try await Task.sleep(for: retryPolicy.delay(afterAttempt: attempt))
                    continue
                }
                return response
            } catch let error as CancellationError {
                throw error
            } catch {
                if Task.isCancelled { throw CancellationError() }
                let failure = RequestFailure(error)
                if attempt < retryPolicy.maxAttempts, failure.allowsRetry(idempotent: idempotent) {
                    try await Task.sleep(for: retryPolicy.delay(afterAttempt: attempt))
                    continue
                }
                throw DataJointError(
                    .store,
                    "S3 \(operation ?? method) of \(describe(key)): cannot reach the service: "
                        + failure.explanation(of: error, idempotent: idempotent, attempts: attempt))
            }
        }
    }

    /// Sends `request` once and reads the whole answer.
    static func execute(_ request: HTTPClientRequest) async throws -> S3Response {
        let response = try await httpClient.execute(request, timeout: .seconds(600))  // for the response head
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        let buffer = try await response.body.collect(upTo: maximumResponseSize)
        return S3Response(status: Int(response.status.code), headers: headers, body: Data(buffer.readableBytesView))
    }
}
