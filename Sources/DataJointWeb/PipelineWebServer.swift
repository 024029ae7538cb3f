import DataJoint
import Hummingbird
import Logging
import NIOCore

/// The read-only web view of a pipeline: HTML pages of its schemas, tables, rows and jobs, and the JSON API behind
/// them (see ``WebServerConfiguration`` for who may read it).
///
/// ```swift
/// let server = try PipelineWebServer(connection: db, schemas: [lab])
/// try await server.run { url in print("Serving \(url)") }   // until SIGINT or SIGTERM
/// ```
///
/// Pages: `/`, `/schemas/S`, `/schemas/S/tables/T`, `/schemas/S/jobs`. API: `/api/schemas`, `/api/schemas/S`,
/// `/api/schemas/S/tables/T`, `/api/schemas/S/tables/T/rows?limit=&offset=&order_by=&q=`, `/api/schemas/S/jobs`,
/// `/api/schemas/S/diagram.svg`. Only GET and HEAD are answered (405 otherwise); a missing schema or table is 404,
/// bad query text 400.
///
/// The view only reads, but query text may hold SQL conditions (`'n_trials > 5'`): give it a read-only connection
/// (`Config.readOnly`, as `dj serve` does), so that the database itself refuses any change.
public struct PipelineWebServer: Sendable {
    /// The connection the view reads through.
    public let connection: Connection
    /// The schemas shown; nil: every schema of the connection.
    public let schemas: [Schema]?
    /// Host, port, token and page settings.
    public let configuration: WebServerConfiguration

    /// A web view of `schemas` (nil: every schema of the connection).
    ///
    /// - Throws: `DataJointError` `.configuration` when the configuration is refused (a host other than
    ///   loopback without a token, a port out of range).
    public init(connection: Connection, schemas: [Schema]? = nil, configuration: WebServerConfiguration = .init()) throws {
        try configuration.validate()
        self.connection = connection
        self.schemas = schemas
        self.configuration = configuration
    }

    /// The router of every page and API route, behind the token check (when a token is set), the read-only rule and
    /// the error pages. Tests drive it without a socket (HummingbirdTesting's `.router` setup).
    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: ErrorMiddleware())
        if let token = configuration.requiredToken {
            router.add(middleware: TokenMiddleware(token: token))
        }
        router.add(middleware: ReadOnlyMiddleware())
        let pipeline = WebPipeline(connection: connection, fixed: schemas, configuration: configuration)
        PageRoutes(pipeline: pipeline).add(to: router)
        APIRoutes(pipeline: pipeline).add(to: router)
        return router
    }

    /// The application: the router bound to the configured host and port. `onListening` receives the address of
    /// the view (`http://127.0.0.1:8080/`) once the server accepts connections.
    public func makeApplication(
        onListening: @escaping @Sendable (String) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let host = configuration.host
        var logger = Logger(label: "DataJointWeb")
        logger.logLevel = .warning
        return Application(
            router: makeRouter(),
            configuration: ApplicationConfiguration(
                address: .hostname(host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                await onListening(Self.url(host: host, port: port))
            },
            logger: logger)
    }

    /// Serves until SIGINT or SIGTERM, then stops accepting connections, finishes the requests in progress and
    /// returns.
    public func run(onListening: @escaping @Sendable (String) async -> Void = { _ in }) async throws {
        try await makeApplication(onListening: onListening).runService()
    }

    /// `http://HOST:PORT/`, with an IPv6 host in brackets.
    static func url(host: String, port: Int) -> String {
        let shown = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "http://\(shown):\(port)/"
    }
}
