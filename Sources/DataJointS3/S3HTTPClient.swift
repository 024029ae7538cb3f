import AsyncHTTPClient

extension S3Store {
    /// The HTTP client of every S3 store in the process. Like `HTTPClient.shared` it is made once and never shut
    /// down; unlike that browser-like client it returns bodies exactly as stored (it does not decompress objects
    /// saved with `Content-Encoding: gzip`), follows no redirects (a redirected request would need a new
    /// signature), and fails at once when the endpoint refuses connections instead of retrying for 90 seconds.
    static let httpClient: HTTPClient = {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(10), read: .seconds(300)),
            decompression: .disabled)
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()
}
