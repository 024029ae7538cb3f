import DataJoint
import Foundation
import Synchronization

/// Runs the built `dj` tool (next to the test runner) in a directory of its own, with no `DJ_*` variables but the
/// given ones.
enum DJTool {
    static func executable(_ name: String = "dj") throws -> URL {
        let runner = Bundle.main.executablePath ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: runner).deletingLastPathComponent()
        while directory.path.contains(".xctest") { directory.deleteLastPathComponent() }
        let tool = directory.appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: tool.path) else {
            throw DataJointError(.configuration, "the \(name) executable is missing at \(tool.path): run `swift build --build-tests`")
        }
        return tool
    }

    /// A fresh working directory, with `.git` so that the search for `datajoint.json` stops there.
    static func workingDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dj-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent(".git"), withIntermediateDirectories: true)
        return directory
    }

    /// Runs `dj` (or another program built next to it) and waits for it to end.
    static func run(
        _ arguments: [String], in directory: URL, environment: [String: String] = [:], program: String = "dj"
    ) async throws -> (status: Int32, output: Data, errors: String) {
        try await start(arguments, in: directory, environment: environment, program: program).wait()
    }
}

extension DJTool {
    /// The `DJ_*` variables that point `dj` at the current test's database (see `TestContext`).
    static func environment(for backend: TestBackend) throws -> [String: String] {
        guard let context = TestContext.current else {
            throw DataJointError(.configuration, "DJTool.environment(for:) runs inside backend.run { ... }")
        }
        switch backend {
        case .sqlite:
            return ["DJ_BACKEND": "sqlite", "DJ_SQLITE_PATH": context.sqlitePath]
        case .postgresql, .mysql:
            var environment = [
                "DJ_BACKEND": backend.rawValue, "DJ_HOST": "127.0.0.1", "DJ_PORT": String(backend.port),
                "DJ_USER": "datajoint", "DJ_PASS": "datajoint", "DJ_USE_TLS": "false",
            ]
            if backend == .postgresql { environment["DJ_DATABASE_NAME"] = context.id }
            return environment
        }
    }
}

/// A `dj` process started in the background (see `DJTool.start`).
final class DJProcess: Sendable {
    /// The exit status once known, and who waits for it.
    final class Exit: Sendable {
        let state = Mutex<(status: Int32?, waiting: CheckedContinuation<Int32, Never>?)>((nil, nil))

        func ended(_ status: Int32) {
            let waiting = state.withLock { state -> CheckedContinuation<Int32, Never>? in
                state.status = status
                defer { state.waiting = nil }
                return state.waiting
            }
            waiting?.resume(returning: status)
        }

        func wait() async -> Int32 {
            await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
                let known = state.withLock { state -> Int32? in
                    if let status = state.status { return status }
                    state.waiting = continuation
                    return nil
                }
                if let known { continuation.resume(returning: known) }
            }
        }
    }

    let pid: Int32
    private let exit = Exit()
    private let output: URL
    private let errors: URL

    init(_ process: Process, output: URL, errors: URL) throws {
        self.output = output
        self.errors = errors
        let exit = self.exit
        process.terminationHandler = { exit.ended($0.terminationStatus) }
        try process.run()
        pid = process.processIdentifier
    }

    /// What the process has written to stdout so far.
    func outputSoFar() -> String {
        (try? String(contentsOf: output, encoding: .utf8)) ?? ""
    }

    /// Waits for the process to end; its exit status and what it wrote.
    func wait() async throws -> (status: Int32, output: Data, errors: String) {
        let status = await exit.wait()
        return (status, try Data(contentsOf: output), try String(contentsOf: errors, encoding: .utf8))
    }
}

extension DJTool {
    /// Starts `dj` without waiting for it; stdout and stderr go to files in `directory`.
    static func start(
        _ arguments: [String], in directory: URL, environment: [String: String] = [:], program: String = "dj"
    ) throws -> DJProcess {
        var variables = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("DJ_") }
        variables.merge(environment) { _, new in new }
        let output = directory.appendingPathComponent(".dj-stdout-\(UUID().uuidString)")
        let errors = directory.appendingPathComponent(".dj-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let process = Process()
        process.executableURL = try executable(program)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = variables
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        return try DJProcess(process, output: output, errors: errors)
    }
}

/// A working directory in which `dj demo` made the demo pipeline on the current test's database.
struct DemoDirectory {
    /// The working directory (remove it with `remove()`).
    let directory: URL
    /// The `DJ_*` variables that point `dj` at the test's database.
    let environment: [String: String]
    /// A connection of the test to its database.
    let db: Connection
    /// The schema `demo`, opened by name.
    let schema: Schema

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

extension DJTool {
    /// Runs `dj demo` in a fresh directory on the current test's database (inside `backend.run { ... }`).
    static func demo(for backend: TestBackend) async throws -> DemoDirectory {
        let directory = try workingDirectory()
        do {
            let environment = try environment(for: backend)
            // The test's database exists once connected to.
            let db = try await TestDatabase.connect(settings: Settings(safemode: false))
            let demo = try await run(["demo"], in: directory, environment: environment)
            guard demo.status == 0 else { throw DataJointError(.configuration, "dj demo failed: \(demo.errors)") }
            return DemoDirectory(
                directory: directory, environment: environment, db: db,
                schema: try await db.schema("demo", tables: [], create: false))
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }
}
