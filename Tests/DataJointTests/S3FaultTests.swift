import DataJoint
import Foundation
import ReliabilitySupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// S3 stores whose service fails: stopped in the middle of an upload, slow, dropping or refusing connections. Each
/// test runs a moto server of its own, reached through a ``FaultProxy`` that makes the network faults.
@Suite("S3 store faults", .enabled(if: PrivateMoto.enabled, "DJ_TEST_S3_ENDPOINT is not set (scripts/test sets it)"))
struct S3FaultTests {
    struct S3FaultItem: Manual {
        static let definition = """
            # values on an S3 store whose service fails
            item_id : int32
            ---
            content : <object@>
            payload = null : <blob@>
            """
    }

    /// A moto server, a proxy to it, and a bucket: started before the test takes its turn on the database.
    struct Service {
        let moto: PrivateMoto
        let proxy: FaultProxy
        let bucket: String

        init() async throws {
            moto = try await PrivateMoto()
            proxy = try FaultProxy(to: moto.port)
            bucket = try await moto.makeBucket()
        }

        /// A connection to the test's database whose default store is the bucket, reached through the proxy, and
        /// the table `S3FaultItem` in `schema`.
        func connect(schema: String) async throws -> (Connection, Table) {
            var settings = Settings(safemode: false)
            settings.stores = ["default": "lake", "lake": moto.storeSettings(bucket: bucket, port: proxy.port)]
            let db = try await TestDatabase.connect(settings: settings)
            db.stores.register(S3StorageAdapter())
            return (db, try await db.schema(schema, tables: S3FaultItem.self)[S3FaultItem.self])
        }

        /// The objects in the bucket, listed directly on moto.
        func storedObjects() async throws -> [String] {
            let spec = try StoreSpec(name: "lake", attributes: moto.storeSettings(bucket: bucket).objectValue!)
            return try await S3Store(spec: spec).list(under: "").map(\.path)
        }

        func cleanUp() {
            proxy.stop()
            moto.stopNow()
        }
    }

    /// What follows the request's description in an S3 store error (`cannot reach the service: ...`).
    static func reason(_ message: String) -> String {
        message.range(of: "cannot reach the service").map { String(message[$0.lowerBound...]) } ?? message
    }

    static func content(_ id: Int, megabytes: Int) -> Data {
        StoreFaultPipeline.random(seed: UInt64(100 + id), count: megabytes << 20)
    }

    /// Inserts a row with `megabytes` of content and a small blob, and checks that it reads back.
    static func insertAndRead(_ items: Table, id: Int, megabytes: Int) async throws {
        let payload = NDArray([Double](repeating: Double(id), count: 64))
        try await items.insert1([
            "item_id": Value.int(Int64(id)), "content": Value.bytes(content(id, megabytes: megabytes)),
            "payload": payload.dataJointValue,
        ])
        let row = try await (items & ["item_id": Value.int(Int64(id))]).fetch1()
        #expect(try await ObjectRef(dataJointValue: row["content"]!)?.read() == content(id, megabytes: megabytes))
        #expect(NDArray(dataJointValue: row["payload"]!) == payload)
    }

    @Test("the S3 service stopped in the middle of a large upload: a store error and no row; once it is back, the next insert works",
          arguments: TestBackend.all)
    func serviceStoppedDuringUpload(backend: TestBackend) async throws {
        let service = try await Service()
        defer { service.cleanUp() }
        try await backend.run { () async throws in
            let (_, items) = try await service.connect(schema: "fault_s3_stopped")
            // A 24 MB upload takes at least 1.5 s: a stop after 3 MB (SIGTERM with 1 s of grace, or SIGKILL) comes
            // in the middle of it.
            service.proxy.limitUploads(to: 16 << 20)
            var messages: [String] = []
            // SIGKILL, or SIGTERM then SIGKILL after 1 s, in turn (SIGTERM first on PostgreSQL).
            let signals: [(name: String, signal: Int32)] = [("SIGKILL", SIGKILL), ("SIGTERM and SIGKILL 1 s later", SIGTERM)]
            let stops = (0..<ReliabilityLog.trials(standard: 1, full: 4)).map { signals[($0 + (backend == .postgresql ? 1 : 0)) % 2] }
            for (round, stop) in stops.enumerated() {
                let uploadedBefore = service.proxy.uploadedBytes
                service.proxy.holdUploads(after: 3 << 20)
                let insert = Task {
                    try await items.insert1(["item_id": Value.int(Int64(round)), "content": Value.bytes(Self.content(round, megabytes: 24))])
                }
                // Stopped once a few megabytes of the object went through: the proxy holds the rest back meanwhile,
                // however slowly this test's task gets to run.
                let deadline = ContinuousClock.now + .seconds(60)
                while service.proxy.uploadedBytes - uploadedBefore < 3 << 20, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(5))
                }
                try await service.moto.stop(stop.signal)
                service.proxy.releaseUploads()

                let result = await insert.result
                #expect(throws: DataJointError.self, "\(stop.name)") { try result.get() }
                if case .failure(let error as DataJointError) = result {
                    #expect(error.kind == .store, "\(stop.name): \(error)")
                    #expect(error.message.contains("cannot reach the service"), "\(stop.name): \(error)")
                    #expect(error.message.contains(service.bucket), "\(stop.name): \(error)")
                    messages.append(error.message)
                }
                #expect(try await items.count() == 0, "\(stop.name)")

                // The service comes back (empty, as moto keeps nothing): the next insert works.
                try await service.moto.start()
                try await service.moto.createBucket(service.bucket)
                try await Self.insertAndRead(items, id: 100 + round, megabytes: 1)
                try await items.deleteQuick()
            }
            ReliabilityLog.append(ReliabilityRecord(
                section: "faults", subject: "S3 service (moto) stopped (\(Set(stops.map(\.name)).sorted().joined(separator: ", "))) in the middle of a 24 MB upload",
                backend: "\(backend.rawValue)+s3", tried: stops.count, lost: 0,
                outcome: "the insert failed with DataJointError(store) \"S3 PUT of …: \(messages.first.map(Self.reason) ?? "")\"; "
                    + "no row; after the restart the next insert worked"))
        }
    }

    @Test("a connection reset in the middle of an upload is retried: the insert succeeds and stores each object once",
          arguments: TestBackend.all)
    func resetDuringUpload(backend: TestBackend) async throws {
        let service = try await Service()
        defer { service.cleanUp() }
        try await backend.run { () async throws in
            let (_, items) = try await service.connect(schema: "fault_s3_reset")
            service.proxy.resetNextConnection(afterClientBytes: 1 << 20)
            try await Self.insertAndRead(items, id: 1, megabytes: 4)
            #expect(service.proxy.connectionsReset == 1)
            #expect(try await service.storedObjects().count == 2)  // the content and the blob
            ReliabilityLog.append(ReliabilityRecord(
                section: "faults", subject: "S3 connection reset after 1 MB of a 4 MB upload",
                backend: "\(backend.rawValue)+s3", tried: 1, lost: 0,
                outcome: "the PUT was sent again on a new connection; the insert succeeded and the row reads back"))
        }
    }

    @Test("a refused connection is retried until the S3 service accepts again: the insert succeeds",
          arguments: TestBackend.all)
    func refusedWhileRestarting(backend: TestBackend) async throws {
        let service = try await Service()
        defer { service.cleanUp() }
        try await backend.run { () async throws in
            let (_, items) = try await service.connect(schema: "fault_s3_refused")
            service.proxy.refuseConnections()
            let insert = Task { try await Self.insertAndRead(items, id: 1, megabytes: 1) }
            try await Task.sleep(for: .milliseconds(800))
            try service.proxy.acceptConnections()
            try await insert.value
            #expect(try await items.count() == 1)
            ReliabilityLog.append(ReliabilityRecord(
                section: "faults", subject: "S3 service refusing connections for 0.8 s during an insert",
                backend: "\(backend.rawValue)+s3", tried: 1, lost: 0,
                outcome: "the requests were sent again after 0.5 and 1 s; the insert succeeded"))
        }
    }

    @Test("slow S3 responses (each held back 400 ms): inserts and fetches still succeed", arguments: TestBackend.all)
    func slowResponses(backend: TestBackend) async throws {
        let service = try await Service()
        defer { service.cleanUp() }
        try await backend.run { () async throws in
            let (_, items) = try await service.connect(schema: "fault_s3_slow")
            service.proxy.delayResponses(by: .milliseconds(400))
            let started = ContinuousClock.now
            for id in 1...2 { try await Self.insertAndRead(items, id: id, megabytes: 2) }
            let elapsed = ContinuousClock.now - started
            #expect(elapsed > .milliseconds(400))  // the delay was in effect
            #expect(try await items.count() == 2)
            ReliabilityLog.append(ReliabilityRecord(
                section: "faults", subject: "S3 responses held back 400 ms each",
                backend: "\(backend.rawValue)+s3", tried: 2, lost: 0,
                outcome: "both inserts and fetches succeeded (in \(elapsed.components.seconds) s)"
                    + "; there is no store timeout setting: a response slower than 300 s fails with a store error"))
        }
    }

    @Test("after a connection reset, only idempotent S3 requests are sent again: a read is, creating a bucket is not")
    func onlyIdempotentRequestsRetried() async throws {
        let moto = try await PrivateMoto()
        defer { moto.stopNow() }
        let bucket = try await moto.makeBucket()
        try await S3Store(spec: StoreSpec(name: "lake", attributes: moto.storeSettings(bucket: bucket).objectValue!))
            .put(Data("kept".utf8), at: "a/b.txt")

        // A GET whose connection is reset is sent again, and answers.
        let readProxy = try FaultProxy(to: moto.port)
        defer { readProxy.stop() }
        readProxy.resetNextConnection(afterClientBytes: 1)
        let reader = try S3Store(spec: StoreSpec(name: "lake", attributes: moto.storeSettings(bucket: bucket, port: readProxy.port).objectValue!))
        #expect(try await reader.get("a/b.txt") == Data("kept".utf8))
        #expect(readProxy.connectionsReset == 1 && readProxy.connections == 2)

        // Creating a bucket is not: sent twice, a create that succeeded the first time would fail.
        let createProxy = try FaultProxy(to: moto.port)
        defer { createProxy.stop() }
        createProxy.resetNextConnection(afterClientBytes: 1)
        let creator = try S3Store(spec: StoreSpec(name: "lake", attributes: moto.storeSettings(bucket: bucket + "x", port: createProxy.port).objectValue!))
        let error = await #expect(throws: DataJointError.self) { try await creator.createBucket() }
        #expect(error?.kind == .store)
        #expect(error?.message.contains("not sent again") == true, "\(String(describing: error))")
        #expect(createProxy.connections == 1)
        ReliabilityLog.append(ReliabilityRecord(
            section: "faults", subject: "S3 connection reset after the request was sent: GET and PUT bucket",
            backend: "s3", tried: 2, lost: 0,
            outcome: "the GET was sent again and answered; the bucket creation was not sent again and failed with "
                + "DataJointError(store) \"S3 PUT of bucket …: \(error.map { Self.reason($0.message) } ?? "")\""))
    }
}
