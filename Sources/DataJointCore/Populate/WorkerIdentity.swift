import Foundation

/// Who computes a job, as the jobs table records it: database user, host, process id, the database session's id,
/// and the code version (`jobs.version_method`).
struct WorkerIdentity: Sendable {
    var user: String
    var host: String
    var pid: Int
    var connectionID: Int64
    var version: String

    /// Asks the server for the session's user and id.
    static func current(_ connection: Connection) async throws -> WorkerIdentity {
        let dialect = connection.dialect
        var user = ProcessInfo.processInfo.environment["USER"] ?? ""
        var connectionID: Int64 = 0
        if let sql = dialect.currentUserSQL,
            case .string(let name)? = try await connection.query(RenderedSQL("SELECT " + sql)).first?.first
        {
            user = name
        }
        if let sql = dialect.connectionIDSQL, let value = try await connection.query(RenderedSQL("SELECT " + sql)).first?.first {
            switch value {
            case .int(let i): connectionID = i
            case .string(let s): connectionID = Int64(s) ?? 0
            default: break
            }
        }
        return WorkerIdentity(
            user: user, host: hostName(), pid: Int(ProcessInfo.processInfo.processIdentifier),
            connectionID: connectionID, version: codeVersion(connection.settings.jobs.versionMethod))
    }

    /// The host's name as `uname -n` gives it (what DataJoint-Python records).
    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, 255) == 0 else { return ProcessInfo.processInfo.hostName }
        let name = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: name, as: UTF8.self)
    }

    /// The short git commit of the working directory for `version_method = git`, else "".
    static func codeVersion(_ method: JobSettings.VersionMethod?) -> String {
        guard method == .git else { return "" }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "rev-parse", "--short", "HEAD"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return "" }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return "" }
        return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
