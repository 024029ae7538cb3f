import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP proxy on 127.0.0.1 between a client and a server, which makes network faults on demand: slow responses,
/// slow uploads, a connection reset in the middle of a request, refused connections. One thread per connection,
/// plain sockets.
final class FaultProxy: Sendable {
    /// The port clients connect to.
    let port: Int
    /// The server's port.
    let targetPort: Int

    private struct State {
        var listener: Int32 = -1
        var stopped = false
        /// How long the first bytes of each response are held back.
        var responseDelay: Duration = .zero
        /// Bytes per second forwarded from the client to the server; nil: as fast as they come.
        var uploadRate: Int?
        /// For each of the next connections: reset it once the client has sent this many bytes.
        var resets: [Int] = []
        var connections = 0
        var connectionsReset = 0
        var uploaded = 0
        /// Once clients have sent this many bytes in all, nothing more is forwarded until `releaseUploads`.
        var holdAfter: Int?
        /// The next client message containing these bytes is forwarded; once the server has answered it, the
        /// client's connection is reset without the answer.
        var dropAnswerTo: [UInt8]?
        var answersDropped = 0
    }
    private let state = Mutex(State())

    /// A proxy to the server on `targetPort`, accepting connections.
    init(to targetPort: Int) throws {
        self.targetPort = targetPort
        port = try FreePort.take()
        try acceptConnections()
    }

    /// Delays the first bytes of every response by `delay`.
    func delayResponses(by delay: Duration) { state.withLock { $0.responseDelay = delay } }
    /// Forwards what clients send at most at `bytesPerSecond` (nil: at full speed).
    func limitUploads(to bytesPerSecond: Int?) { state.withLock { $0.uploadRate = bytesPerSecond } }
    /// Stops forwarding what clients send once they have sent `bytes` bytes in all (from now), until
    /// ``releaseUploads()``: an upload is then certain to be in the middle when the test acts.
    func holdUploads(after bytes: Int) { state.withLock { $0.holdAfter = $0.uploaded + bytes } }
    /// Forwards what clients send again.
    func releaseUploads() { state.withLock { $0.holdAfter = nil } }
    /// Resets the next connection (both sides, with RST) once its client has sent `bytes` bytes.
    func resetNextConnection(afterClientBytes bytes: Int) { state.withLock { $0.resets.append(bytes) } }

    /// Forwards the next client message that contains `text` (such as `COMMIT`), waits for the server's answer, and
    /// resets the client's connection instead of passing the answer on: the server did what was asked, and the client
    /// cannot know.
    func dropAnswer(toMessageContaining text: String) { state.withLock { $0.dropAnswerTo = Array(text.utf8) } }
    /// Answers dropped by ``dropAnswer(toMessageContaining:)`` so far.
    var answersDropped: Int { state.withLock { $0.answersDropped } }

    /// Connections accepted so far.
    var connections: Int { state.withLock { $0.connections } }
    /// Connections reset by ``resetNextConnection(afterClientBytes:)`` so far.
    var connectionsReset: Int { state.withLock { $0.connectionsReset } }
    /// Bytes forwarded from clients to the server so far.
    var uploadedBytes: Int { state.withLock { $0.uploaded } }

    /// Stops listening: new connections are refused (ECONNREFUSED), as by a server that is down.
    func refuseConnections() {
        let listener = state.withLock { state in
            defer { state.listener = -1 }
            return state.listener
        }
        guard listener >= 0 else { return }
        shutdown(listener, Int32(SHUT_RDWR))  // wakes the accepting thread
        close(listener)
    }

    /// Listens (again) on ``port``.
    func acceptConnections() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw WorkerError("socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in.loopback(port: port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 64) == 0 else {
            let reason = String(cString: strerror(errno))
            close(listener)
            throw WorkerError("the proxy cannot listen on port \(port): \(reason)")
        }
        state.withLock { $0.listener = listener }
        Thread.detachNewThread { [self] in
            while true {
                let client = accept(listener, nil, nil)
                if client < 0 {
                    if errno == EINTR { continue }
                    return
                }
                Thread.detachNewThread { [self] in forward(client) }
            }
        }
    }

    /// Stops everything: the listener, and every connection at its next poll.
    func stop() {
        state.withLock { $0.stopped = true }
        refuseConnections()
    }

    /// Moves bytes between `client` and a new connection to the server until one side closes, applying the faults.
    private func forward(_ client: Int32) {
        let reset = state.withLock { state -> Int? in
            state.connections += 1
            return state.resets.isEmpty ? nil : state.resets.removeFirst()
        }
        let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in.loopback(port: targetPort)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard server >= 0, connected == 0 else {
            // The server is down: the client's connection is reset, as by a server that died.
            Self.abort(client)
            if server >= 0 { close(server) }
            return
        }
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var sent = 0
        var awaitingResponse = false
        var descriptors = [pollfd(fd: client, events: Int16(POLLIN), revents: 0), pollfd(fd: server, events: Int16(POLLIN), revents: 0)]
        while true {
            let (stopped, delay, rate) = state.withLock { ($0.stopped, $0.responseDelay, $0.uploadRate) }
            if stopped { break }
            guard poll(&descriptors, 2, 100) >= 0 || errno == EINTR else { break }
            if state.withLock({ state in state.holdAfter.map { state.uploaded >= $0 } ?? false }) {
                usleep(5_000)
                continue
            }
            if descriptors[0].revents != 0 {
                let count = read(client, &buffer, buffer.count)
                guard count > 0, Self.send(buffer, count, to: server) else { break }  // the client is done
                let dropAnswer = state.withLock { state -> Bool in
                    guard let pattern = state.dropAnswerTo, Self.contains(buffer[..<count], pattern) else { return false }
                    state.dropAnswerTo = nil
                    return true
                }
                if dropAnswer {
                    var answer = pollfd(fd: server, events: Int16(POLLIN), revents: 0)
                    _ = poll(&answer, 1, 10_000)
                    state.withLock { $0.answersDropped += 1 }
                    Self.abort(client)
                    close(server)
                    return
                }
                sent += count
                awaitingResponse = true
                state.withLock { $0.uploaded += count }
                if let reset, sent >= reset {
                    state.withLock { $0.connectionsReset += 1 }
                    Self.abort(client)
                    Self.abort(server)
                    return
                }
                if let rate { usleep(UInt32(min(Double(count) / Double(rate), 1) * 1_000_000)) }
            }
            if descriptors[1].revents != 0 {
                let count = read(server, &buffer, buffer.count)
                guard count > 0 else {
                    // The server closed the connection (FIN): so does the proxy, after what it forwarded. The server
                    // reset it (it died with bytes unread): the proxy resets the client's.
                    if count < 0 { Self.abort(client) } else { close(client) }
                    close(server)
                    return
                }
                if awaitingResponse, delay > .zero {
                    Thread.sleep(forTimeInterval: Double(delay.components.seconds) + Double(delay.components.attoseconds) * 1e-18)
                }
                awaitingResponse = false
                guard Self.send(buffer, count, to: client) else { break }
            }
        }
        close(client)
        close(server)
    }

    private static func contains(_ bytes: ArraySlice<UInt8>, _ pattern: [UInt8]) -> Bool {
        guard !pattern.isEmpty, bytes.count >= pattern.count else { return false }
        let start = bytes.startIndex
        return (start...(bytes.endIndex - pattern.count)).contains { bytes[$0..<($0 + pattern.count)].elementsEqual(pattern) }
    }

    /// Writes `count` bytes of `buffer` to `socket`; false when the peer is gone (never SIGPIPE).
    private static func send(_ buffer: [UInt8], _ count: Int, to socket: Int32) -> Bool {
        var offset = 0
        while offset < count {
            let written = buffer.withUnsafeBytes { Glibc.send(socket, $0.baseAddress! + offset, count - offset, Int32(MSG_NOSIGNAL)) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    /// Closes `socket` with a reset (RST), so that its peer sees ECONNRESET rather than an orderly end.
    private static func abort(_ socket: Int32) {
        var noLinger = linger(l_onoff: 1, l_linger: 0)
        setsockopt(socket, SOL_SOCKET, SO_LINGER, &noLinger, socklen_t(MemoryLayout<linger>.size))
        close(socket)
    }
}
