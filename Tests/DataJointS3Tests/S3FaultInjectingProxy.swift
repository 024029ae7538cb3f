import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

@testable import DataJointS3

/// An HTTP proxy on 127.0.0.1 in front of an S3 server (moto): it forwards each request unchanged (the `Host` header
/// too, so signatures stay valid), records what came, and on demand answers requests itself with an S3 error
/// (`503 SlowDown`, `500 InternalError`, ...) instead of forwarding them, or holds them back a while.
final class S3FaultInjectingProxy: Sendable {
    /// A request as the proxy received it.
    struct Request: Sendable {
        var method: String
        /// Path and query, as sent.
        var uri: String
        /// Header names lower-cased.
        var headers: [String: String]
        var bodySize: Int

        /// The query parameter names of the request (`uploads`, `partNumber`, ...).
        var queryNames: Set<String> {
            guard let query = uri.split(separator: "?", maxSplits: 1).dropFirst().first else { return [] }
            return Set(query.split(separator: "&").map { String($0.split(separator: "=", maxSplits: 1)[0]) })
        }
        /// Whether it is an UploadPart request.
        var isUploadPart: Bool { method == "PUT" && queryNames.contains("partNumber") }
    }

    /// What to do with the next `count` requests that `matches` accepts.
    struct Rule: Sendable {
        var count: Int
        var matches: @Sendable (Request) -> Bool
        /// The error answered instead of forwarding; nil: forward (after `delay`).
        var status: Int?
        var code: String
        var delay: Duration
    }

    private struct State {
        var rules: [Rule] = []
        var requests: [Request] = []
        var faultsAnswered = 0
        var maxInFlight: [String: Int] = [:]
        var inFlightByKind: [String: Int] = [:]
    }

    /// The port clients connect to.
    let port: Int
    /// `http://127.0.0.1:PORT`.
    var endpoint: String { "http://127.0.0.1:\(port)" }
    private let target: String
    /// The state the proxy and its connections share.
    private final class Shared: Sendable {
        let state = Mutex(State())
    }
    private let shared = Shared()
    private let channel: any Channel
    private let server: Task<Void, Never>

    /// A proxy to the server at `target` (`http://127.0.0.1:5055`), listening on a free port.
    init(target: String) async throws {
        self.target = target.hasSuffix("/") ? String(target.dropLast()) : target
        let serverChannel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(
                        wrappingChannelSynchronously: channel)
                }
            }
        port = serverChannel.channel.localAddress?.port ?? 0
        channel = serverChannel.channel
        let handler = Handler(target: self.target, shared: shared)
        server = Task {
            try? await serverChannel.executeThenClose { connections in
                await withDiscardingTaskGroup { group in
                    do {
                        for try await connection in connections {
                            group.addTask { await handler.serve(connection) }
                        }
                    } catch {}
                    group.cancelAll()
                }
            }
        }
    }

    /// Answers the next `count` requests accepted by `matching` with HTTP `status` and S3 error `code`.
    func fail(
        next count: Int = Int.max, status: Int = 503, code: String = "SlowDown",
        matching: @escaping @Sendable (Request) -> Bool = { _ in true }
    ) {
        shared.state.withLock { $0.rules.append(Rule(count: count, matches: matching, status: status, code: code, delay: .zero)) }
    }

    /// Holds the next `count` requests accepted by `matching` back for `delay` before forwarding them.
    func delay(
        next count: Int = Int.max, by delay: Duration, matching: @escaping @Sendable (Request) -> Bool = { _ in true }
    ) {
        shared.state.withLock { $0.rules.append(Rule(count: count, matches: matching, status: nil, code: "", delay: delay)) }
    }

    /// Drops every rule: requests are forwarded as they come.
    func clearRules() { shared.state.withLock { $0.rules = [] } }

    /// Every request received so far.
    var requests: [Request] { shared.state.withLock { $0.requests } }
    /// How many requests were answered with an error by the proxy.
    var faultsAnswered: Int { shared.state.withLock { $0.faultsAnswered } }
    /// The most UploadPart requests that were under way at the same time.
    var maxConcurrentUploadParts: Int { shared.state.withLock { $0.maxInFlight["UploadPart"] ?? 0 } }

    /// Stops listening and closes the connections.
    func stop() {
        server.cancel()
        channel.close(promise: nil)
    }

    /// Serves the connections (an object of its own, so that the tasks need not capture the proxy).
    private struct Handler: Sendable {
        let target: String
        let shared: Shared

        func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
            try? await connection.executeThenClose { inbound, outbound in
                var head: HTTPRequestHead?
                var body = ByteBuffer()
                for try await part in inbound {
                    switch part {
                    case .head(let received):
                        head = received
                        body = ByteBuffer()
                    case .body(var chunk):
                        body.writeBuffer(&chunk)
                    case .end:
                        guard let head else { continue }
                        let (status, headers, responseBody) = await answer(head, body)
                        try await outbound.write(
                            .head(HTTPResponseHead(version: head.version, status: .init(statusCode: status), headers: headers)))
                        if head.method != .HEAD, responseBody.readableBytes > 0 {
                            try await outbound.write(.body(.byteBuffer(responseBody)))
                        }
                        try await outbound.write(.end(nil))
                    }
                }
            }
        }

        /// The answer to one request: a fault, or the server's answer.
        func answer(_ head: HTTPRequestHead, _ body: ByteBuffer) async -> (Int, HTTPHeaders, ByteBuffer) {
            var headers: [String: String] = [:]
            for header in head.headers { headers[header.name.lowercased()] = header.value }
            let request = Request(method: head.method.rawValue, uri: head.uri, headers: headers, bodySize: body.readableBytes)
            let kind = request.isUploadPart ? "UploadPart" : request.method
            let rule = shared.state.withLock { state -> Rule? in
                state.requests.append(request)
                state.inFlightByKind[kind, default: 0] += 1
                state.maxInFlight[kind] = max(state.maxInFlight[kind] ?? 0, state.inFlightByKind[kind]!)
                guard let index = state.rules.firstIndex(where: { $0.count > 0 && $0.matches(request) }) else { return nil }
                state.rules[index].count -= 1
                if state.rules[index].status != nil { state.faultsAnswered += 1 }
                return state.rules[index]
            }
            defer { shared.state.withLock { $0.inFlightByKind[kind, default: 1] -= 1 } }
            if let rule, let status = rule.status {
                let xml = #"<?xml version="1.0" encoding="UTF-8"?><Error><Code>\#(rule.code)</Code>"#
                    + "<Message>injected by the test proxy</Message><RequestId>fault</RequestId></Error>"
                var buffer = ByteBuffer()
                buffer.writeString(xml)
                var responseHeaders = HTTPHeaders()
                responseHeaders.add(name: "Content-Type", value: "application/xml")
                responseHeaders.add(name: "Content-Length", value: String(buffer.readableBytes))
                return (status, responseHeaders, buffer)
            }
            if let rule, rule.delay > .zero { try? await Task.sleep(for: rule.delay) }
            return await forward(head, body)
        }

        /// Sends the request on to the server, with the same headers (the `Host` header included).
        func forward(_ head: HTTPRequestHead, _ body: ByteBuffer) async -> (Int, HTTPHeaders, ByteBuffer) {
            var request = HTTPClientRequest(url: target + head.uri)
            request.method = head.method
            let skipped: Set<String> = ["content-length", "transfer-encoding", "connection", "expect"]
            for header in head.headers where !skipped.contains(header.name.lowercased()) {
                request.headers.add(name: header.name, value: header.value)
            }
            if head.method == .PUT || head.method == .POST || body.readableBytes > 0 {
                request.body = .bytes(body)
            }
            do {
                let response = try await S3Store.httpClient.execute(request, timeout: .seconds(120))
                let responseBody = try await response.body.collect(upTo: 1 << 30)
                var headers = HTTPHeaders()
                for header in response.headers where !["transfer-encoding", "connection"].contains(header.name.lowercased()) {
                    headers.add(name: header.name, value: header.value)
                }
                if head.method != .HEAD {
                    headers.replaceOrAdd(name: "Content-Length", value: String(responseBody.readableBytes))
                }
                return (Int(response.status.code), headers, responseBody)
            } catch {
                var buffer = ByteBuffer()
                buffer.writeString("proxy: \(error)")
                var headers = HTTPHeaders()
                headers.add(name: "Content-Length", value: String(buffer.readableBytes))
                return (502, headers, buffer)
            }
        }
    }
}
