import Foundation
import Hummingbird

/// Lets a request through only when it carries the server's token: as `Authorization: Bearer TOKEN`, as the
/// `dj_token` cookie, or as `?token=TOKEN` (a browser's login: the response then sets the cookie, so that the
/// following pages need no token in their address). Tokens are compared in constant time.
struct TokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        if let bearer = Self.bearer(request.headers[.authorization]), Self.same(bearer, token) {
            return try await next(request, context)
        }
        if let cookie = Self.cookie(WebServerConfiguration.tokenCookie, in: request.headers[values: .cookie]),
            Self.same(cookie, token)
        {
            return try await next(request, context)
        }
        if let given = QueryParameters(request.uri.query)["token"], Self.same(given, token) {
            var response = try await next(request, context)
            response.headers[.setCookie] =
                "\(WebServerConfiguration.tokenCookie)=\(QueryParameters.component(token)); Path=/; HttpOnly; SameSite=Strict"
            return response
        }
        var headers = HTTPFields()
        headers[.wwwAuthenticate] = "Bearer realm=\"DataJoint\""
        return WebErrors.response(
            status: .unauthorized, kind: "unauthorized",
            message: "this web view needs its token: send the header `Authorization: Bearer TOKEN`, or open a page once "
                + "with `?token=TOKEN` added to its address (a cookie keeps you signed in)",
            path: request.uri.path, headers: headers)
    }

    /// The token of an `Authorization: Bearer TOKEN` header.
    static func bearer(_ header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return parts[1].trimmingCharacters(in: .whitespaces)
    }

    /// The value of cookie `name` in `Cookie` headers, percent-decoded.
    static func cookie(_ name: String, in headers: [String]) -> String? {
        for header in headers {
            for item in header.split(separator: ";") {
                let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces) == name else { continue }
                let value = pair[1].trimmingCharacters(in: .whitespaces)
                return value.removingPercentEncoding ?? value
            }
        }
        return nil
    }

    /// True when the two texts are equal, taking as long for any texts of the same length as `expected`: every byte
    /// is compared, whatever the first difference.
    static func same(_ given: String, _ expected: String) -> Bool {
        let a = Array(given.utf8)
        let b = Array(expected.utf8)
        var difference = UInt(bitPattern: a.count ^ b.count)
        for index in 0..<b.count {
            let byte = index < a.count ? a[index] : ~b[index]
            difference |= UInt(byte ^ b[index])
        }
        return difference == 0
    }
}
