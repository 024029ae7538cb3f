import Foundation

/// Graphviz's `dot` program, which lays out DOT text and renders it as SVG or PNG.
///
/// ``Diagram/svg(direction:theme:graphviz:)``, ``Diagram/png(direction:theme:graphviz:)`` and
/// `Diagram.save(to:)` run it; DOT and Mermaid output need no Graphviz. The
/// program is `path` when given, else the one the environment variable `DJ_GRAPHVIZ_DOT` names, else `dot` on
/// `PATH` (Debian package `graphviz`, Homebrew formula `graphviz`).
public struct Graphviz: Sendable, Hashable {
    /// The environment variable that names the `dot` program.
    public static let environmentVariable = "DJ_GRAPHVIZ_DOT"

    /// The `dot` program to run; nil to find it through `DJ_GRAPHVIZ_DOT` or `PATH`.
    public var path: String?

    /// Graphviz at `path`, or (nil) found through `DJ_GRAPHVIZ_DOT` or `PATH`.
    public init(path: String? = nil) {
        self.path = path
    }

    /// The `dot` program this value runs. Fails with a message that says how to install Graphviz when it is missing.
    public func executable(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> URL {
        let named = path.map { ($0, "given path") }
            ?? environment[Self.environmentVariable].flatMap { $0.isEmpty ? nil : ($0, Self.environmentVariable) }
        if let named {
            let (path, source) = named
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw Self.missing("was not found at \(path) (\(source))")
            }
            return URL(fileURLWithPath: path)
        }
        let directories = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        for directory in directories where !directory.isEmpty {
            let candidate = URL(fileURLWithPath: directory).appendingPathComponent("dot")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw Self.missing("was not found on PATH")
    }

    /// Renders DOT text in one of `dot`'s output formats (`svg`, `png`, ...), running the program without blocking
    /// the calling thread. Cancelling the task ends the program.
    public func render(_ dot: String, format: String) async throws -> Data {
        let program = try executable()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dj-graphviz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // Input, output and messages go through files: no pipe can fill up and stall the program.
        let input = directory.appendingPathComponent("diagram.dot")
        let output = directory.appendingPathComponent("diagram.\(format)")
        let messages = directory.appendingPathComponent("messages.txt")
        try Data(dot.utf8).write(to: input)
        _ = FileManager.default.createFile(atPath: messages.path, contents: nil)
        let messageHandle = try FileHandle(forWritingTo: messages)
        defer { try? messageHandle.close() }

        let process = Process()
        process.executableURL = program
        process.arguments = ["-T\(format)", "-o", output.path, input.path]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = messageHandle
        let running = RunningProcess(process)
        let status = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, any Error>) in
                process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
                do {
                    try process.run()
                } catch {
                    process.terminationHandler = nil
                    continuation.resume(throwing: DataJointError(
                        .configuration, "Could not run Graphviz's dot program at \(program.path): \(error)", underlying: error))
                }
            }
        } onCancel: {
            running.terminate()
        }
        try Task.checkCancellation()
        guard status == 0 else {
            let text = (try? String(contentsOf: messages, encoding: .utf8)) ?? ""
            throw DataJointError(
                .configuration,
                "Graphviz's dot program (\(program.path)) failed with exit status \(status) rendering \(format): "
                    + text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return try Data(contentsOf: output)
    }

    private static func missing(_ what: String) -> DataJointError {
        DataJointError(
            .configuration,
            "Drawing a diagram as SVG or PNG needs Graphviz's dot program, which \(what): install Graphviz (Debian and "
                + "Ubuntu: the package graphviz, `apt-get install graphviz`; macOS: `brew install graphviz`) or name the "
                + "program in \(environmentVariable). DOT and Mermaid output (diagram.dot(), diagram.mermaid()) need no "
                + "Graphviz.")
    }
}

/// A started process that a cancellation handler may end from another thread.
private final class RunningProcess: @unchecked Sendable {
    // Process is safe to terminate from any thread; it is only not marked Sendable.
    private let process: Process

    init(_ process: Process) { self.process = process }

    func terminate() {
        if process.isRunning { process.terminate() }
    }
}
