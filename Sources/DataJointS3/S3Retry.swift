import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix

/// When and how often a request to S3 is sent again: after a connection failure, a throttling answer (`503 SlowDown`,
/// `429`, `ThrottlingException`, `RequestTimeout`) or a server error (500, 502, 503, 504), with exponential backoff and
/// jitter, a bounded number of times.
///
/// A request that is `idempotent` (sending it twice does what sending it once does: GET, HEAD, DELETE, the PUT of a whole
/// object, UploadPart, listing) is sent again after any of these. Any other request (creating a bucket, starting a
/// multipart upload) only when the service certainly did not act on it: no connection was made, or it refused the
/// request for its rate.
struct S3RetryPolicy: Sendable {
    /// How many times a request is sent at most (the first time included).
    var maxAttempts = 5
    /// The wait before the first retry, before jitter; doubled before each next one.
    var baseDelay = Duration.milliseconds(500)
    /// The longest wait between two attempts.
    var maxDelay = Duration.seconds(8)

    /// The policy of every store.
    static let standard = S3RetryPolicy()

    /// The wait before attempt `attempt + 1` (after `attempt` failed ones): `baseDelay × 2^(attempt-1)`, capped at
    /// `maxDelay`, of which a random part (up to half) is left out, so that clients throttled together do not retry
    /// together.
    func delay(afterAttempt attempt: Int) -> Duration {
        let exponential = baseDelay * (1 << min(max(attempt - 1, 0), 20))
        let capped = min(exponential, maxDelay)
        return capped * Double.random(in: 0.5...1.0)
    }

    /// Whether a response is worth sending the request again for.
    func allowsRetry(of response: S3Response, idempotent: Bool) -> Bool {
        switch S3ResponseFailure(response) {
        case .throttled: true
        case .serverError: idempotent
        case nil: false
        }
    }
}

/// A refusal that may go away when the request is sent again later.
enum S3ResponseFailure {
    /// The service refused the request for its rate (`429`, `503 SlowDown`, `ThrottlingException`, ...) or because the
    /// request came too slowly (`RequestTimeout`): it did not act on it.
    case throttled
    /// The service failed (500, 502, 503, 504): it may or may not have acted on the request.
    case serverError

    /// S3 error codes of throttling, whatever the HTTP status.
    static let throttlingCodes: Set<String> = [
        "SlowDown", "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottled",
        "RequestThrottledException", "TooManyRequestsException", "RequestLimitExceeded", "RequestTimeout",
        "ProvisionedThroughputExceededException", "BandwidthLimitExceeded",
    ]

    /// nil for a success and for a refusal that retrying does not change (a missing key, a wrong signature, ...).
    init?(_ response: S3Response) {
        if response.isSuccess { return nil }
        if response.status == 429 || response.errorCode.map(Self.throttlingCodes.contains) == true {
            self = .throttled
        } else if [500, 502, 503, 504].contains(response.status) {
            self = .serverError
        } else {
            return nil
        }
    }
}

/// Why a request failed before an answer came, as far as deciding to send it again goes.
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

    /// What happened, for the message of the last failure after `attempts` attempts.
    func explanation(of error: any Error, idempotent: Bool, attempts: Int) -> String {
        let tries = attempts == 1 ? "1 attempt" : "\(attempts) attempts"
        switch self {
        case .notConnected:
            return "no connection could be made (\(tries); \(error))"
        case .connectionLost where idempotent:
            return "the connection broke before the whole answer came (\(tries); \(error))"
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
