import DataJoint
import Foundation
import Logging
import MCP

/// A transport that forwards to another and keeps track of the requests not yet answered, so that the server answers
/// every request it received before it stops at the end of the input (`echo '...' | dj mcp` gets its answers).
actor AnsweringTransport: Transport {
    private let base: any Transport
    nonisolated let logger: Logger
    /// The ids of the requests received and not yet answered (nor cancelled by the client), as JSON text.
    private var unanswered: Set<String> = []
    private var waiting: [Int: CheckedContinuation<Bool, Never>] = [:]
    private var nextWaiter = 0

    init(_ base: any Transport) {
        self.base = base
        // The SDK's messages (errors only, at the default level) go to standard error.
        self.logger = Logger(label: "datajoint.mcp")
    }

    func connect() async throws {
        try await base.connect()
    }

    func disconnect() async {
        await base.disconnect()
    }

    func send(_ data: Data) async throws {
        defer { settle(MessageShape.parse(data).filter(\.isResponse).compactMap(\.id)) }
        try await base.send(data)
    }

    func receive() -> AsyncThrowingStream<Data, any Error> {
        let (stream, continuation) = AsyncThrowingStream<Data, any Error>.makeStream()
        let base = base
        let forwarding = Task {
            do {
                for try await data in await base.receive() {
                    // Noted before the server sees the request, so that its answer is never sent first.
                    self.note(MessageShape.parse(data))
                    continuation.yield(data)
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in forwarding.cancel() }
        return stream
    }

    /// Waits until every request received so far is answered or cancelled, for at most `limit`. Returns the ids of
    /// the requests still unanswered then (none when all were answered).
    func unansweredAfter(waiting limit: Duration) async -> [String] {
        guard !unanswered.isEmpty else { return [] }
        let waiter = nextWaiter
        nextWaiter += 1
        let timer = Task { [weak self] in
            try? await Task.sleep(for: limit)
            await self?.stopWaiting(waiter)
        }
        _ = await withCheckedContinuation { waiting[waiter] = $0 }
        timer.cancel()
        return unanswered.sorted()
    }

    private func stopWaiting(_ waiter: Int) {
        waiting.removeValue(forKey: waiter)?.resume(returning: false)
    }

    private func note(_ messages: [MessageShape]) {
        for message in messages {
            if message.method == "notifications/cancelled", let id = message.cancelledID {
                settle([id])
            } else if message.method != nil, let id = message.id {
                unanswered.insert(id)
            }
        }
    }

    private func settle(_ ids: [String]) {
        unanswered.subtract(ids)
        guard unanswered.isEmpty else { return }
        let resumed = waiting.values
        waiting = [:]
        for continuation in resumed { continuation.resume(returning: true) }
    }
}

/// What the transport needs to know of a JSON-RPC message: its id, method, whether it answers a request, and the id
/// a cancellation names. A batch is several messages; text that is not JSON-RPC is none.
private struct MessageShape: Decodable {
    let id: String?
    let method: String?
    let isResponse: Bool
    let cancelledID: String?

    private enum Keys: String, CodingKey {
        case id, method, result, error, params
    }

    private enum ParamsKeys: String, CodingKey {
        case requestId
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        id = try container.decodeIfPresent(JSON.self, forKey: .id).map { $0.serialized() }
        method = try container.decodeIfPresent(String.self, forKey: .method)
        isResponse = method == nil && (container.contains(.result) || container.contains(.error))
        if method == "notifications/cancelled", let params = try? container.nestedContainer(keyedBy: ParamsKeys.self, forKey: .params) {
            cancelledID = try params.decodeIfPresent(JSON.self, forKey: .requestId).map { $0.serialized() }
        } else {
            cancelledID = nil
        }
    }

    static func parse(_ data: Data) -> [MessageShape] {
        let decoder = JSONDecoder()
        if let one = try? decoder.decode(MessageShape.self, from: data) { return [one] }
        return (try? decoder.decode([MessageShape].self, from: data)) ?? []
    }
}
