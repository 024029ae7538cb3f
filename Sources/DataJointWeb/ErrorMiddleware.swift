import Hummingbird

/// Turns every failure of the routes behind it (and unknown addresses) into an error response.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch {
            return WebErrors.response(for: error, path: request.uri.path)
        }
    }
}
