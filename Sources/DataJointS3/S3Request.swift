import AsyncHTTPClient
import DataJointCore
import Foundation
import NIOCore
import NIOPosix

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
    /// `headers` are sent as well, unsigned (never `x-amz-*` ones). A request that is `idempotent` (sending it
    /// twice does what sending it once does: every GET, HEAD, DELETE and object PUT) is sent again when the
    /// connection breaks before the whole answer came back; see ``sendRetrying(_:idempotent:)``.
    /// - Throws: `.store` when the service cannot be reached; a refusal is returned, not thrown.
    func send(
        _ method: String, key: String?, query: [(String, String)] = [], body: Data = Data(),
        headers extraHeaders: [(String, String)] = [], idempotent: Bool = true
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
            return try await Self.sendRetrying(request, idempotent: idempotent)
        } catch {
            throw DataJointError(
                .store,
                "S3 \(method) of \(describe(key)): cannot reach the service: "
                    + RequestFailure(error).explanation(of: error, idempotent: idempotent))
        }
    }

    /// How often a request is sent again, and the wait before the first retry (doubled before each next one).
    static let retries = 3
    static let firstRetryWait = Duration.milliseconds(500)

    /// Sends `request` and reads the whole answer. When the connection cannot be made (refused or not in time: a busy
    /// or restarting service), or no connection of the client's pool is free in time (many uploads at once on a
    /// loaded machine), tries again a few times, waiting longer each time: no byte of the request reached the
    /// service, so this is safe for every request. When the connection breaks after the request was sent (reset,
    /// closed), tries again only an `idempotent` request: the service may have acted on the first one.
    static func sendRetrying(_ request: HTTPClientRequest, idempotent: Bool) async throws -> S3Response {
        var wait = firstRetryWait
        for attempt in 0...retries {
            do {
                let response = try await httpClient.execute(request, timeout: .seconds(600))  // for the response head
                var headers: [String: String] = [:]
                for header in response.headers { headers[header.name.lowercased()] = header.value }
                let buffer = try await response.body.collect(upTo: maximumResponseSize)
                return S3Response(status: Int(response.status.code), headers: headers, body: Data(buffer.readableBytesView))
            } catch let error where attempt < retries && RequestFailure(error).allowsRetry(idempotent: idempotent) {
                try await Task.sleep(for: wait)
                wait *= 2
            }
        }
        preconditionFailure("the last attempt returns or throws")
    }
}

/// Why a request failed, as far as deciding to send it again goes.
enum RequestFailure {
    /// No connection was made: nothing was sent.
    case notConnected
    /// The connection broke after (part of) the request was sent.
    case connectionLost
    /// Anything else (a read timeout, a cancellation, a response too large, TLS): not retried.
    case other

    init(_ error: any Error) {
        switch error {
        case let error as HTTPClientError:
            if error == .connectTimeout || error == .getConnectionFromPoolTimeout {
                self = .notConnected
            } else if error == .remoteConnectionClosed {
                self = .connectionLost
            } else {
                self = .other
            }
        case is NIOConnectionError:  // every address refused the connection (or was unreachable)
            self = .notConnected
        case let error as IOError:
            switch error.errnoCode {
            case ECONNREFUSED, EHOSTUNREACH, ENETUNREACH: self = .notConnected
            case ECONNRESET, ECONNABORTED, EPIPE: self = .connectionLost
            default: self = .other
            }
        case let error as ChannelError where error == .ioOnClosedChannel || error == .eof:
            self = .connectionLost
        default:
            self = .other
        }
    }

    /// What happened, for the message of the last failure.
    func explanation(of error: any Error, idempotent: Bool) -> String {
        let attempts = "\(S3Store.retries + 1) attempts"
        switch self {
        case .notConnected:
            return "no connection could be made (\(attempts); \(error))"
        case .connectionLost where idempotent:
            return "the connection broke before the whole answer came (\(attempts); \(error))"
        case .connectionLost:
            return "the connection broke before the whole answer came; not sent again, as the service may have "
                + "acted on it (\(error))"
        case .other:
            return String(describing: error)
        }
    }

    /// Whether a request that failed so may be sent again.
    func allowsRetry(idempotent: Bool) -> Bool {
        switch self {
        case .notConnected: true
        case .connectionLost: idempotent
        case .other: false
        }
    }
}
