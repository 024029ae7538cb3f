import Crypto
import Foundation

/// AWS Signature Version 4 (`AWS4-HMAC-SHA256`) for requests to S3 and other AWS-compatible services.
///
/// The signer sees a request as its parts: method, the already URI-encoded path, the query parameters (encoded
/// here), the headers to sign (which must include `host`) and the SHA-256 of the payload. It returns the
/// `Authorization` header value; the caller sends exactly the headers it signed.
struct SigV4Signer: Sendable {
    let accessKey: String
    let secretKey: String
    /// The region of the credential scope (`us-east-1`).
    let region: String
    /// The service of the credential scope (`s3`; `iam` for the IAM query API).
    let service: String

    /// The SHA-256 of the empty payload, in hex.
    static let emptyPayloadHash = hexSHA256(Data())

    /// What one signature produced: the header value and the parts it was made from (for tests and debugging).
    struct Signature: Sendable {
        var authorization: String
        var canonicalRequest: String
        var stringToSign: String
        var signature: String
    }

    /// Signs a request.
    /// - Parameters:
    ///   - method: `GET`, `PUT`, ...
    ///   - encodedPath: the path as sent, already encoded with ``uriEncode(_:keepSlash:)`` (`/bucket/my%20key`).
    ///   - query: the query parameters, unencoded; a parameter without a value has the value "".
    ///   - headers: every header to sign, among them `host`, `x-amz-date` and `x-amz-content-sha256`.
    ///   - payloadHash: the hex SHA-256 of the body (the value of `x-amz-content-sha256`).
    ///   - amzDate: the request time as in `x-amz-date` (`20130524T000000Z`).
    func sign(
        method: String, encodedPath: String, query: [(String, String)], headers: [(String, String)],
        payloadHash: String, amzDate: String
    ) -> Signature {
        let canonicalHeaders = Dictionary(
            headers.map { ($0.0.lowercased(), Self.normalizeHeaderValue($0.1)) },
            uniquingKeysWith: { first, second in first + "," + second }
        ).sorted { $0.key < $1.key }
        let signedHeaders = canonicalHeaders.map(\.key).joined(separator: ";")
        let canonicalRequest = [
            method.uppercased(),
            encodedPath.isEmpty ? "/" : encodedPath,
            Self.canonicalQuery(query),
            canonicalHeaders.map { "\($0.key):\($0.value)\n" }.joined(),
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")

        let day = String(amzDate.prefix(8))
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256", amzDate, scope, Self.hexSHA256(Data(canonicalRequest.utf8)),
        ].joined(separator: "\n")

        var key = SymmetricKey(data: Data("AWS4\(secretKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
        return Signature(
            authorization: "AWS4-HMAC-SHA256 Credential=\(accessKey)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)",
            canonicalRequest: canonicalRequest,
            stringToSign: stringToSign,
            signature: signature)
    }

    /// The query string of the canonical request: names and values encoded (`/` too), sorted by name, then value.
    static func canonicalQuery(_ query: [(String, String)]) -> String {
        let encoded: [(name: String, value: String)] = query.map { name, value in
            (uriEncode(name, keepSlash: false), uriEncode(value, keepSlash: false))
        }
        let sorted = encoded.sorted { a, b in a.name == b.name ? a.value < b.value : a.name < b.name }
        return sorted.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }

    /// Encodes as S3 requires: every byte of the UTF-8 form except the unreserved `A-Z a-z 0-9 - _ . ~` (and `/`
    /// when `keepSlash`) becomes `%XY` with upper-case hex. A space is `%20`, never `+`.
    static func uriEncode(_ string: String, keepSlash: Bool) -> String {
        var result = ""
        result.reserveCapacity(string.utf8.count)
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepSlash:
                result.append("/")
            default:
                result.append("%")
                result.append(hexDigits[Int(byte >> 4)])
                result.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return result
    }

    /// The `x-amz-date` form of a time: `yyyyMMdd'T'HHmmss'Z'` in UTC.
    static func amzDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ n: Int?) -> String { n.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return "\(c.year ?? 1970)\(two(c.month))\(two(c.day))T\(two(c.hour))\(two(c.minute))\(two(c.second))Z"
    }

    /// The lower-case hex SHA-256 of `data`.
    static func hexSHA256(_ data: Data) -> String {
        hex(SHA256.hash(data: data))
    }

    private static let hexDigits = Array("0123456789ABCDEF")

    private static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        bytes.map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    /// Header values are trimmed and runs of spaces inside them collapse to one, as the canonical form requires.
    private static func normalizeHeaderValue(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            .trimmingCharacters(in: .whitespaces)
    }
}
