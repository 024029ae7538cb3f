import DataJoint
import Foundation
import Synchronization

/// A small MCP client for tests: starts `dj mcp ...` and speaks newline-delimited JSON-RPC over its standard input and
/// output, as MCP's stdio transport does. Standard error goes to a file. Used from one task at a time.
final class MCPStdioClient {
    /// The lines the process writes to standard output, one JSON-RPC message each, handed out one at a time.
    private final class OutputLines: Sendable {
        enum Next {
            case line(Data)
            case ended
            case timedOut
        }

        private struct State {
            var pending = Data()
            var lines: [Data] = []
            var ended = false
            var waiter: (id: UUID, continuation: CheckedContinuation<Next, Never>)?
        }

        private let state = Mutex(State())

        /// Takes bytes read from the pipe; an empty read is the end of the output.
        func received(_ data: Data) {
            let wakeUp = state.withLock { state -> (CheckedContinuation<Next, Never>, Next)? in
                if data.isEmpty {
                    state.ended = true
                } else {
                    state.pending.append(data)
                    while let newline = state.pending.firstIndex(of: UInt8(ascii: "\n")) {
                        let line = Data(state.pending[state.pending.startIndex..<newline])
                        state.pending.removeSubrange(state.pending.startIndex...newline)
                        if !line.isEmpty { state.lines.append(line) }
                    }
                }
                guard let waiter = state.waiter, let next = Self.take(&state) else { return nil }
                state.waiter = nil
                return (waiter.continuation, next)
            }
            if let (continuation, next) = wakeUp { continuation.resume(returning: next) }
        }

        /// The next line, the end of the output, or `.timedOut` when neither comes within `timeout`.
        func next(within timeout: Duration) async -> Next {
            let id = UUID()
            return await withCheckedContinuation { continuation in
                let now = state.withLock { state -> Next? in
                    if let next = Self.take(&state) { return next }
                    state.waiter = (id, continuation)
                    return nil
                }
                if let now {
                    continuation.resume(returning: now)
                    return
                }
                Task {
                    try? await Task.sleep(for: timeout)
                    let late = self.state.withLock { state -> CheckedContinuation<Next, Never>? in
                        guard let waiter = state.waiter, waiter.id == id else { return nil }
                        state.waiter = nil
                        return waiter.continuation
                    }
                    late?.resume(returning: .timedOut)
                }
            }
        }

        private static func take(_ state: inout State) -> Next? {
            if !state.lines.isEmpty { return .line(state.lines.removeFirst()) }
            return state.ended ? .ended : nil
        }
    }

    /// A JSON-RPC error.
    struct RemoteError: Error, Decodable, CustomStringConvertible {
        let code: Int
        let message: String
        var description: String { "JSON-RPC error \(code): \(message)" }
    }

    /// The result of `tools/call`: its text and whether the tool reported an error.
    struct ToolText {
        let text: String
        let isError: Bool

        /// The text as JSON of type `T`.
        func decoded<T: Decodable>(as type: T.Type = T.self) throws -> T {
            try JSONDecoder().decode(T.self, from: Data(text.utf8))
        }
    }

    private struct Envelope: Decodable {
        let id: JSON?
        let result: JSON?
        let error: RemoteError?
    }

    private struct CallResult: Decodable {
        struct Content: Decodable {
            let type: String
            let text: String?
        }
        let content: [Content]
        let isError: Bool?
    }

    private struct ListedTools: Decodable {
        struct Listed: Decodable {
            let name: String
        }
        let tools: [Listed]
    }

    private let exit = DJProcess.Exit()
    private let input: FileHandle
    private let output: FileHandle
    private let errorsFile: URL
    private let lines = OutputLines()
    /// How long an answer may take.
    private let answerTimeout: Duration = .seconds(60)
    private var nextID = 1
    private let watchdog: Task<Void, Never>
    let pid: Int32

    /// Starts `dj` (or another pipeline program built next to it) with `arguments` (e.g. `["mcp", "--schema", "demo"]`)
    /// in `directory`; the process is killed if it still runs after `timeout`.
    init(
        _ arguments: [String], in directory: URL, environment: [String: String], program: String = "dj",
        timeout: Duration = .seconds(300)
    ) throws {
        // A write to the standard input of a server that has ended must fail, not end the test runner.
        signal(SIGPIPE, SIG_IGN)
        var variables = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("DJ_") }
        variables.merge(environment) { _, new in new }
        errorsFile = directory.appendingPathComponent(".dj-mcp-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errorsFile.path, contents: nil)
        let stdin = Pipe()
        let stdout = Pipe()
        let process = Process()
        process.executableURL = try DJTool.executable(program)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = variables
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: errorsFile)
        let received = lines
        stdout.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil }
            received.received(data)
        }
        let exit = self.exit
        process.terminationHandler = { exit.ended($0.terminationStatus) }
        try process.run()
        pid = process.processIdentifier
        input = stdin.fileHandleForWriting
        output = stdout.fileHandleForReading
        let pid = self.pid
        watchdog = Task {
            try? await Task.sleep(for: timeout)
            if !Task.isCancelled { kill(pid, SIGKILL) }
        }
    }

    deinit {
        watchdog.cancel()
    }

    /// Sends a request and returns its result; a JSON-RPC error is thrown.
    func request(_ method: String, _ params: JSON = [:]) async throws -> JSON {
        let id = nextID
        nextID += 1
        try send(["jsonrpc": "2.0", "id": .int(Int64(id)), "method": .string(method), "params": params])
        while let line = try await nextLine(answering: method) {
            let envelope: Envelope
            do {
                envelope = try JSONDecoder().decode(Envelope.self, from: line)
            } catch {
                throw DataJointError(.invalidValue, "dj mcp wrote a line that is not JSON-RPC: \(String(decoding: line, as: UTF8.self))")
            }
            guard envelope.id == .int(Int64(id)) else { continue }  // notifications, or answers to other requests
            if let error = envelope.error { throw error }
            return envelope.result ?? .null
        }
        throw DataJointError(.connection, "dj mcp ended before answering \(method): \(try errors())")
    }

    /// Sends a notification (no answer).
    func notify(_ method: String, _ params: JSON = [:]) throws {
        try send(["jsonrpc": "2.0", "method": .string(method), "params": params])
    }

    /// The MCP handshake: `initialize`, then `notifications/initialized`. Returns the server's answer.
    func initialize() async throws -> JSON {
        let result = try await request(
            "initialize",
            [
                "protocolVersion": "2025-06-18", "capabilities": [:],
                "clientInfo": ["name": "datajoint-tests", "version": "1.0"],
            ])
        try notify("notifications/initialized")
        return result
    }

    /// The names of the listed tools.
    func toolNames() async throws -> [String] {
        let result = try await request("tools/list")
        return try JSONDecoder().decode(ListedTools.self, from: Data(result.serialized().utf8)).tools.map(\.name)
    }

    /// Calls a tool; its text content and error flag.
    func callTool(_ name: String, _ arguments: JSON = [:]) async throws -> ToolText {
        let result = try await request("tools/call", ["name": .string(name), "arguments": arguments])
        let call = try JSONDecoder().decode(CallResult.self, from: Data(result.serialized().utf8))
        let text = call.content.compactMap(\.text).joined(separator: "\n")
        return ToolText(text: text, isError: call.isError ?? false)
    }

    /// Sends requests without waiting for their answers, closes standard input, and returns the results the server
    /// writes before it exits, by request id, and its exit status.
    func requestsThenClose(_ requests: [(method: String, params: JSON)]) async throws -> (results: [Int: JSON], status: Int32) {
        for (method, params) in requests {
            try send(["jsonrpc": "2.0", "id": .int(Int64(nextID)), "method": .string(method), "params": params])
            nextID += 1
        }
        try input.close()
        var results: [Int: JSON] = [:]
        while let line = try await nextLine(answering: "the last requests") {
            let envelope = try JSONDecoder().decode(Envelope.self, from: line)
            if case .int(let id)? = envelope.id { results[Int(id)] = envelope.result ?? .null }
        }
        let status = try await exitStatus()
        watchdog.cancel()
        return (results, status)
    }

    /// Closes standard input (the end of the session for the server) and waits for the process to exit.
    func close() async throws -> (status: Int32, errors: String) {
        try input.close()
        let status = try await exitStatus()
        watchdog.cancel()
        output.readabilityHandler = nil
        return (status, try errors())
    }

    /// What the process wrote to standard error so far.
    func errors() throws -> String {
        try String(contentsOf: errorsFile, encoding: .utf8)
    }

    /// The exit status once the process ends (after its input closed); an error when it does not end in time.
    private func exitStatus() async throws -> Int32 {
        /// Resumes the waiting caller once: with the status, or with nil at the timeout.
        final class FirstOutcome: Sendable {
            let waiting = Mutex<CheckedContinuation<Int32?, Never>?>(nil)
            func resume(_ status: Int32?) { waiting.withLock { $0.take() }?.resume(returning: status) }
        }
        let exit = exit
        let timeout = answerTimeout
        let outcome = FirstOutcome()
        let status = await withCheckedContinuation { continuation in
            outcome.waiting.withLock { $0 = continuation }
            Task { outcome.resume(await exit.wait()) }
            Task {
                try? await Task.sleep(for: timeout)
                outcome.resume(nil)
            }
        }
        guard let status else {
            throw DataJointError(.connection, "dj mcp did not exit within \(timeout) of its input closing: \(try errors())")
        }
        return status
    }

    /// The next line of output, nil at its end; an error when none comes in time.
    private func nextLine(answering request: String) async throws -> Data? {
        switch await lines.next(within: answerTimeout) {
        case .line(let line): return line
        case .ended: return nil
        case .timedOut:
            throw DataJointError(
                .connection, "dj mcp did not answer \(request) within \(answerTimeout); its errors: \(try errors())")
        }
    }

    private func send(_ message: JSON) throws {
        try input.write(contentsOf: Data((message.serialized() + "\n").utf8))
    }
}
