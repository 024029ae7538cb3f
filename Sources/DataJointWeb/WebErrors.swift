import DataJoint
import Hummingbird

/// How failures reach the browser or API client: a status that says whose fault it is, and the message.
///
/// A missing schema or table is 404; bad query text, a bad value, an unknown attribute or a semantic mismatch is 400
/// (the request was wrong); anything else is 500. API paths (`/api/...`) answer with JSON
/// `{"error": {"kind": ..., "message": ...}}`, pages with an HTML page that shows the message.
enum WebErrors {
    /// The status for an error.
    static func status(for error: any Error) -> HTTPResponse.Status {
        if let error = error as? DataJointError {
            switch error.kind {
            case .missingTable: return .notFound
            case .query, .invalidValue, .missingAttribute, .semanticMismatch: return .badRequest
            default: return .internalServerError
            }
        }
        if let error = error as? HTTPError { return error.status }
        return .internalServerError
    }

    /// The response to a failed request.
    static func response(for error: any Error, path: String) -> Response {
        let status = status(for: error)
        let (kind, message) = describe(error, status: status)
        return response(status: status, kind: kind, message: message, path: path)
    }

    /// A response that tells `message` with `status`, as JSON for API paths and as a page otherwise.
    static func response(
        status: HTTPResponse.Status, kind: String, message: String, path: String, headers: HTTPFields = [:]
    ) -> Response {
        var response: Response
        if isAPI(path) {
            let body = ErrorBody(error: .init(kind: kind, message: message, status: status.code))
            response = (try? WebResponses.json(body, status: status))
                ?? WebResponses.response(message, contentType: "text/plain; charset=utf-8", status: status)
        } else {
            let page = PageLayout.document(
                title: "\(status.code) \(status.reasonPhrase)", crumbs: [.init(title: "error", link: nil)], apiLink: nil,
                content: """
                    <h1>\(status.code) \(status.reasonPhrase)</h1>
                    \(HTMLFragments.error(message))
                    """)
            response = WebResponses.html(page, status: status)
        }
        for field in headers { response.headers.append(field) }
        return response
    }

    static func isAPI(_ path: String) -> Bool { path == "/api" || path.hasPrefix("/api/") }

    private static func describe(_ error: any Error, status: HTTPResponse.Status) -> (kind: String, message: String) {
        if let error = error as? DataJointError { return (error.kind.rawValue, error.message) }
        if let error = error as? HTTPError {
            let message = error.body ?? (status == .notFound ? "there is no page at this address" : status.reasonPhrase)
            return (status == .notFound ? "notFound" : "http", message)
        }
        return ("internal", "\(error)")
    }

    /// The JSON body of an error.
    struct ErrorBody: Encodable {
        struct Detail: Encodable {
            let kind: String
            let message: String
            let status: Int
        }
        let error: Detail
    }
}
