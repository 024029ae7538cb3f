// A program run by dj-reliability (the server script, soak workers), without Foundation's Process.
import DataJoint
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A child process started with `posix_spawn`, its output (stdout and stderr) going to a file, waited for on a
/// thread of its own (never on the cooperative pool). Output goes to a file rather than a pipe: a server the child
/// starts may hold on to whatever its parent's output was, and a pipe would never see its end.
struct ChildProcess: Sendable {
    let pid: pid_t
    let outputPath: String

    /// Starts `arguments[0]` (a path) with the rest as its arguments.
    static func start(_ arguments: [String], output outputPath: String) throws -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, arguments[0], &actions, nil, &argv, environ)
        guard rc == 0 else {
            throw DataJointError(.configuration, "could not run \(arguments[0]): \(String(cString: strerror(rc)))")
        }
        return ChildProcess(pid: pid, outputPath: outputPath)
    }

    /// Waits for the process to end; returns its exit status (128 + the signal if a signal ended it).
    func wait() async -> Int32 {
        let pid = self.pid
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                // WIFEXITED / WEXITSTATUS, spelled out (the C macros are not imported).
                continuation.resume(returning: (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f))
            }
        }
    }

    /// What the process wrote.
    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    /// The process's resident memory in kB (Linux `/proc`), or nil once it is gone.
    var residentKilobytes: Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return nil }
        return Int(line.split(separator: " ").dropFirst().first ?? "")
    }

    /// Runs a program to its end; returns its status and output.
    static func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("dj-rel-\(UUID().uuidString).txt").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let child = try start(arguments, output: path)
        let status = await child.wait()
        return (status, child.output.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
