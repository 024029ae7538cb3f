import DataJoint

/// Where the web view listens and who may read it.
///
/// The view binds to the loopback address by default, so that only programs on the same machine reach it. Binding any
/// other host needs a `token`: every request must then carry it (`Authorization: Bearer TOKEN`, the `dj_token` cookie,
/// or `?token=TOKEN` once, which sets the cookie).
public struct WebServerConfiguration: Sendable {
    /// The loopback address, the default host.
    public static let loopback = "127.0.0.1"
    /// The cookie that carries the token after a `?token=` login.
    public static let tokenCookie = "dj_token"

    /// The address to bind (`127.0.0.1`, `::1`, `localhost`, or another interface with a token).
    public var host: String
    /// The TCP port; 0 lets the system choose a free one.
    public var port: Int
    /// The secret every request must present; nil or empty: none (allowed on loopback hosts only).
    public var token: String?
    /// Rows per page of a table preview unless the request asks for another number.
    public var pageSize: Int
    /// The most rows one page may ask for.
    public var maximumPageSize: Int
    /// The most failed jobs listed per table on a jobs page.
    public var errorLimit: Int
    /// Seconds between reloads of an open jobs page.
    public var jobsRefreshSeconds: Int
    /// The Graphviz program that draws schema diagrams.
    public var graphviz: Graphviz

    public init(
        host: String = WebServerConfiguration.loopback, port: Int = 8080, token: String? = nil, pageSize: Int = 25,
        maximumPageSize: Int = 1000, errorLimit: Int = 50, jobsRefreshSeconds: Int = 5, graphviz: Graphviz = Graphviz()
    ) {
        self.host = host
        self.port = port
        self.token = token
        self.pageSize = pageSize
        self.maximumPageSize = maximumPageSize
        self.errorLimit = errorLimit
        self.jobsRefreshSeconds = jobsRefreshSeconds
        self.graphviz = graphviz
    }

    /// The token, when one is set (an empty token counts as none).
    var requiredToken: String? {
        guard let token, !token.isEmpty else { return nil }
        return token
    }

    /// True for hosts that only this machine reaches: `localhost`, `::1` and `127.0.0.0/8`.
    public var isLoopback: Bool {
        let host = self.host.lowercased()
        if host == "localhost" || host == "::1" || host == "[::1]" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// Checks the settings before the server starts.
    ///
    /// - Throws: `DataJointError` of kind `.configuration` for a host other than loopback without a token, and for
    ///   a port or page size out of range.
    public func validate() throws {
        guard (0...65535).contains(port) else {
            throw DataJointError(.configuration, "the web view's port must be between 0 and 65535 (got \(port))")
        }
        guard pageSize >= 1, maximumPageSize >= pageSize else {
            throw DataJointError(
                .configuration,
                "the page size must be at least 1 and at most the maximum page size (got \(pageSize) and \(maximumPageSize))")
        }
        if !isLoopback, requiredToken == nil {
            throw DataJointError(
                .configuration,
                "refusing to serve on `\(host)` without a token: anyone who reaches that address could read the "
                    + "pipeline. Pass --token TOKEN or set DJ_SERVE_TOKEN, or bind \(Self.loopback) (the default)")
        }
    }
}
