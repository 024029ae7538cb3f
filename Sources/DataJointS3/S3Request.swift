import AsyncHTTPClient
import DataJointCore
import Foundation

/// What S3 answered to one request: status, headers (names lower-cased) and the whole body.
struct S3Response: Sendable {
    var status: Int
    var headers: [String: String]
    var body: Data

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
    /// Sends one request for `key` (nil: the bucket itself), signed when the store has credentials.
    /// `headers` are sent as well, unsigned (never `x-amz-*` ones).
    /// - Throws: `.store` when the service cannot be reached; a refusal is returned, not thrown.
    func send(
        _ method: String, key: String?, query: [(String, String)] = [], body: Data = Data(),
        headers extraHeaders: [(String, String)] = []
    ) async throws -> S3Response {
        let encodedPath = basePath + "/" + SigV4Signer.uriEncode(bucket, keepSlash: false)
            + (key.map { "/" + SigV4Signer.uriEncode($0, keepSlash: true) } ?? "")
        let queryString = query.isEmpty ? "" : "?" + SigV4Signer.canonicalQuery(query)

        var request = HTTPClientRequest(url: "\(scheme)://\(hostHeader)\(encodedPath)\(queryString)")
        request.method = .init(rawValue: method)
        request.headers.add(name: "Host", value: hostHeader)
        if let signer {
            let payloadHash = SigV4Signer.hexSHA256(body)
            let amzDate = SigV4Signer.amzDate(Date())
            let signed = [("host", hostHeader), ("x-amz-content-sha256", payloadHash), ("x-amz-date", amzDate)]
            let signature = signer.sign(
                method: method, encodedPath: encodedPath, query: query, headers: signed, payloadHash: payloadHash,
                amzDate: amzDate)
            request.headers.add(name: "x-amz-content-sha256", value: payloadHash)
            request.headers.add(name: "x-amz-date", value: amzDate)
            request.headers.add(name: "Authorization", value: signature.authorization)
        }
        for (name, value) in extraHeaders { request.headers.add(name: name, value: value) }
        if method == "PUT" || !body.isEmpty {
            request.body = .bytes(body)
        }

        do {
            let response = try await Self.sendRetryingConnect(request)
            var headers: [String: String] = [:]
            for header in response.headers { headers[header.name.lowercased()] = header.value }
            let buffer = try await response.body.collect(upTo: Self.maximumResponseSize)
            return S3Response(status: Int(response.status.code), headers: headers, body: Data(buffer.readableBytesView))
        } catch {
            throw DataJointError(.store, "S3 \(method) of \(describe(key)): cannot reach the service: \(error)")
        }
    }

    /// Sends `request`; when the connection cannot be made in time (a busy or restarting service), or no connection of
    /// the client's pool is free in time (many uploads at once on a loaded machine), tries again a few times, waiting
    /// longer each time. Safe for every method: no byte of a request reached the service before it
    /// connected.
    static func sendRetryingConnect(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        var wait = Duration.milliseconds(500)
        for _ in 0..<3 {
            do {
                return try await httpClient.execute(request, timeout: .seconds(600))  // for the response head
            } catch let error as HTTPClientError where error == .connectTimeout || error == .getConnectionFromPoolTimeout {
                try await Task.sleep(for: wait)
                wait *= 2
            }
        }
        return try await httpClient.execute(request, timeout: .seconds(600))
    }
}
