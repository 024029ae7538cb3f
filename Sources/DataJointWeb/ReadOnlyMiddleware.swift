import Hummingbird

/// Answers every method but GET and HEAD with 405 Method Not Allowed: the web view only reads.
struct ReadOnlyMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard request.method == .get || request.method == .head else {
            var headers = HTTPFields()
            headers[.allow] = "GET, HEAD"
            return WebErrors.response(
                status: .methodNotAllowed, kind: "methodNotAllowed",
                message: "the web view is read-only: only GET and HEAD requests are answered (got \(request.method.rawValue))",
                path: request.uri.path, headers: headers)
        }
        return try await next(request, context)
    }
}
