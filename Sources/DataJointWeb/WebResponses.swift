import DataJoint
import Hummingbird

/// Responses of the web view: HTML pages, JSON documents, SVG images.
enum WebResponses {
    /// An HTML page.
    static func html(_ page: HTML, status: HTTPResponse.Status = .ok) -> Response {
        response(page.markup, contentType: "text/html; charset=utf-8", status: status)
    }

    /// A front-end value (`SchemaOverview`, `QueryPage`, ...) as JSON with sorted keys.
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        response(try frontEndJSON(value, pretty: true) + "\n", contentType: "application/json; charset=utf-8", status: status)
    }

    /// An SVG image.
    static func svg(_ document: String) -> Response {
        response(document, contentType: "image/svg+xml; charset=utf-8", status: .ok)
    }

    static func response(_ text: String, contentType: String, status: HTTPResponse.Status) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.cacheControl] = "no-store"
        headers[.xContentTypeOptions] = "nosniff"
        // Pages hold no scripts; inline styles and the inline SVG diagram only.
        headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
