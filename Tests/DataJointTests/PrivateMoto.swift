import DataJoint
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A moto S3 server of one test, on a free port of its own, which the test may stop and restart: the fault tests
/// must never do that to the shared server of scripts/start-databases (127.0.0.1:5055).
///
/// It checks no signatures (moto's default): the store faults are the subject, not authentication, which the tests
/// of DataJointS3Tests cover on the shared server. Its buckets live in memory and are gone after a restart.
final class PrivateMoto: Sendable {
    /// Whether the S3 tests run: `DJ_TEST_S3_ENDPOINT` is set (by scripts/test), as for the other S3 tests.
    static let enabled = ProcessInfo.processInfo.environment["DJ_TEST_S3_ENDPOINT"].map { !$0.isEmpty } ?? false

    let port: Int
    /// The running (or last) server process, and how it ended.
    private let current = Mutex<(pid: Int32, exit: ExitState)?>(nil)
    private let log = OutputBuffer()

    /// Starts a server on a free port and waits until it answers.
    init() async throws {
        port = try FreePort.take()
        try await start()
    }

    /// `http://127.0.0.1:PORT`.
    var endpoint: String { "http://127.0.0.1:\(port)" }

    /// The `moto_server` of the Python reference's virtual environment: beside `DJ_TEST_PYTHON`, or in
    /// .build/python-reference (where scripts/start-databases installs it).
    static func executable() throws -> URL {
        var candidates: [String] = []
        if let python = ProcessInfo.processInfo.environment["DJ_TEST_PYTHON"], !python.isEmpty {
            candidates.append(URL(fileURLWithPath: python).deletingLastPathComponent().appendingPathComponent("moto_server").path)
        }
        candidates.append(FileManager.default.currentDirectoryPath + "/.build/python-reference/bin/moto_server")
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw WorkerError("moto_server is not installed at \(candidates.joined(separator: " or ")): run scripts/start-databases")
        }
        return URL(fileURLWithPath: found)
    }

    /// Starts the server (again) on its port and waits until it accepts connections.
    func start() async throws {
        let moto = Process()
        moto.executableURL = try Self.executable()
        moto.arguments = ["-H", "127.0.0.1", "-p", String(port)]
        // Without INITIAL_NO_AUTH_ACTION_COUNT moto checks no signature.
        moto.environment = ProcessInfo.processInfo.environment.filter { $0.key != "INITIAL_NO_AUTH_ACTION_COUNT" }
        let output = Pipe()
        moto.standardOutput = output
        moto.standardError = output
        let exit = ExitState()
        moto.terminationHandler = { finished in exit.record(finished.terminationStatus, finished.terminationReason) }
        try moto.run()
        current.withLock { $0 = (moto.processIdentifier, exit) }
        let log = self.log
        Thread.detachNewThread {
            while case let data = output.fileHandleForReading.availableData, !data.isEmpty { log.append(data) }
        }
        let deadline = ContinuousClock.now + .seconds(90)
        while !TestBackend.portIsOpen(port) {
            if exit.status != nil || ContinuousClock.now > deadline {
                stopNow()
                throw WorkerError("moto_server did not start on port \(port): \(log.text.suffix(2000))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Stops the server as a service manager does: `signal` (SIGKILL: at once; SIGTERM: moto finishes the requests in
    /// progress and waits for its clients' idle connections), then SIGKILL after `grace`. Returns once it has exited.
    func stop(_ signal: Int32 = SIGKILL, grace: Duration = .seconds(1)) async throws {
        guard let (pid, exit) = current.withLock({ $0 }), exit.status == nil else { return }
        kill(pid, signal)
        let killAt = ContinuousClock.now + grace
        let deadline = ContinuousClock.now + .seconds(30)
        while exit.status == nil {
            if ContinuousClock.now > killAt { kill(pid, SIGKILL) }
            if ContinuousClock.now > deadline { throw WorkerError("moto_server \(pid) did not exit after SIGKILL") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Kills the server if it still runs (in a `defer`).
    func stopNow() {
        if let (pid, exit) = current.withLock({ $0 }), exit.status == nil { kill(pid, SIGKILL) }
    }

    /// The `stores` entry of an S3 store on `bucket` of this server (or of a proxy to it on `port`).
    func storeSettings(bucket: String, location: String = "faults", port: Int? = nil) -> JSON {
        [
            "protocol": "s3", "endpoint": .string("http://127.0.0.1:\(port ?? self.port)"), "bucket": .string(bucket),
            "location": .string(location), "access_key": "fault-tests", "secret_key": "not-checked",
        ]
    }

    /// Creates a bucket with a new name and returns the name.
    func makeBucket() async throws -> String {
        let bucket = "dj-fault-\(UUID().uuidString.prefix(13).lowercased().replacingOccurrences(of: "-", with: ""))"
        try await createBucket(bucket)
        return bucket
    }

    /// Creates `bucket` (after a restart, the buckets of before are gone).
    func createBucket(_ bucket: String) async throws {
        try await S3Store(spec: StoreSpec(name: "setup", attributes: storeSettings(bucket: bucket).objectValue!)).createBucket()
    }
}

extension JSON {
    /// The members of an object.
    var objectValue: [String: JSON]? {
        if case .object(let members) = self { return members }
        return nil
    }
}

/// Free TCP ports on 127.0.0.1.
enum FreePort {
    /// A port nothing listens on now: the kernel's choice for a socket bound to port 0.
    static func take() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw WorkerError("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw WorkerError("cannot find a free port: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

extension sockaddr_in {
    /// 127.0.0.1:`port`.
    static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
