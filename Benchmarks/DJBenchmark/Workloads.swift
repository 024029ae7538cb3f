import DataJoint
import Foundation
import Synchronization

/// The tables of the benchmark (DataJoint-Python's `Benchmarks/python/bench.py` declares the same ones).
enum BenchPipeline {
    struct Item: Manual {
        static let definition = """
            item_id : int32
            ---
            value : float64
            label : varchar(32)
            """
    }

    struct Detail: Manual {
        static let definition = """
            -> Item
            ---
            note : varchar(32)
            """
    }

    struct Signal: Manual {
        static let definition = """
            signal_id : int32
            ---
            samples : <blob>
            """
    }

    struct Number: Manual {
        static let definition = """
            number_id : int32
            ---
            x : float64
            """
    }

    struct Square: Computed {
        static let definition = """
            -> Number
            ---
            x2 : float64
            """
        static func make(_ key: Row, _ ctx: MakeContext) async throws {
            let x: Double = try await (ctx[Number.self] & key).fetch1("x")
            try await ctx.insert1(key + ["x2": x * x])
        }
    }

    /// A make that computes for 10 ms (a busy wait, so the time is spent, not slept): what populate adds to it is
    /// its overhead.
    struct Slow: Computed {
        static let definition = """
            -> Number
            ---
            y : float64
            """
        static let computeSeconds = 0.010
        /// Where the makes of the current populate add up their time (set by the workload around the call).
        @TaskLocal static var clock: MakeClock?

        static func make(_ key: Row, _ ctx: MakeContext) async throws {
            let start = ContinuousClock.now
            let x: Double = try await (ctx[Number.self] & key).fetch1("x")
            let deadline = ContinuousClock.now + .milliseconds(10)
            var y = x
            while ContinuousClock.now < deadline { y = (y * 1.000001).truncatingRemainder(dividingBy: 1e9) }
            try await ctx.insert1(key + ["y": y])
            clock?.add(ContinuousClock.now - start)
        }
    }

    /// The time spent inside `make` (its own reads and inserts included), summed over the keys of a populate.
    final class MakeClock: Sendable {
        private let total = Mutex(Duration.zero)
        func add(_ duration: Duration) { total.withLock { $0 += duration } }
        var seconds: Double { Workloads.seconds(total.withLock { $0 }) }
    }

    static let tables: [any UserTable.Type] = [Item.self, Detail.self, Signal.self, Number.self, Square.self, Slow.self]
}

/// The workloads, each timed once on a fresh schema; `repetitions` runs and a warm-up give the medians.
struct Workloads {
    let connect: @Sendable () async throws -> Connection
    let rows: Int
    let blobs: Int
    let populateKeys: Int

    static let schemaName = "dj_bench"

    /// Seconds of one call of `body`.
    static func time(_ body: () async throws -> Void) async throws -> Double {
        let start = ContinuousClock.now
        try await body()
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// One repetition of every database workload, in order, on a fresh schema. Returns name → seconds.
    func runOnce() async throws -> [(String, Double)] {
        let db = try await connect()
        if try await db.schemaNames().contains(Self.schemaName) {
            try await db.schema(Self.schemaName, tables: [], create: false).drop(confirm: true)
        }
        let lab = try await db.schema(Self.schemaName, tables: BenchPipeline.tables)
        let item = lab[BenchPipeline.Item.self]
        let detail = lab[BenchPipeline.Detail.self]
        var results: [(String, Double)] = []

        let items: [Row] = (0..<rows).map { i in
            ["item_id": Value.int(Int64(i)), "value": Value.double(Double(i) * 0.5), "label": Value.string("label \(i % 997)")]
        }
        results.append(("insert \(rows / 1000)k rows", try await Self.time { try await item.insert(items) }))
        var fetched = 0
        results.append(("fetch \(rows / 1000)k rows as dicts", try await Self.time { fetched = try await item.toDicts().count }))
        precondition(fetched == rows)
        try await detail.insert((0..<rows).map { i in ["item_id": Value.int(Int64(i)), "note": Value.string("n\(i)")] })
        var joined = 0
        results.append(("restricted join", try await Self.time { joined = try await ((item & "value < 1000") * detail).toDicts().count }))
        precondition(joined == min(rows, 2000))

        let signal = lab[BenchPipeline.Signal.self]
        let arrays = (0..<blobs).map { s in NDArray((0..<131_072).map { Double($0 + s) * 0.001 }) }  // 1 MB each
        let signals: [Row] = arrays.enumerated().map { ["signal_id": Value.int(Int64($0.offset)), "samples": $0.element.dataJointValue] }
        results.append(("insert \(blobs) x 1 MB blobs", try await Self.time { try await signal.insert(signals) }))
        var decoded = 0
        results.append(("fetch \(blobs) x 1 MB blobs", try await Self.time {
            decoded = try await signal.toDicts().filter { NDArray(dataJointValue: $0["samples"]!)?.count == 131_072 }.count
        }))
        precondition(decoded == blobs)

        let number = lab[BenchPipeline.Number.self]
        let square = lab[BenchPipeline.Square.self]
        try await number.insert((0..<populateKeys).map { ["number_id": Value.int(Int64($0)), "x": Value.double(Double($0))] })
        results.append(("populate \(populateKeys) keys", try await Self.time {
            let report = try await square.populate(display: .none)
            precondition(report.success == populateKeys)
        }))
        try await square.deleteQuick()
        results.append(("populate \(populateKeys) keys, a commit per key", try await Self.time {
            let report = try await square.populate(display: .none, commitEachKey: true)
            precondition(report.success == populateKeys)
        }))
        try await square.deleteQuick()
        results.append(("populate \(populateKeys) keys, reserveJobs", try await Self.time {
            let report = try await square.populate(reserveJobs: true, display: .none)
            precondition(report.success == populateKeys)
        }))

        try await square.deleteQuick()
        results.append(("populate \(populateKeys) keys, 2 workers", try await Self.time {
            let report = try await square.populate(workers: 2, display: .none)
            precondition(report.success == populateKeys)
        }))
        try await square.deleteQuick()
        results.append(("populate \(populateKeys) keys, reserveJobs, 2 workers", try await Self.time {
            let report = try await square.populate(reserveJobs: true, workers: 2, display: .none)
            precondition(report.success == populateKeys)
        }))
        let slowKeys = min(100, populateKeys)
        let clock = BenchPipeline.MakeClock()
        results.append(("populate \(slowKeys) keys, 10 ms make", try await Self.time {
            let report = try await BenchPipeline.Slow.$clock.withValue(clock) {
                try await lab[BenchPipeline.Slow.self].populate("number_id < \(slowKeys)", display: .none)
            }
            precondition(report.success == slowKeys)
        }))
        // Not timed by the benchmark: what of the time above was spent inside the makes.
        results.append(("populate \(slowKeys) keys, 10 ms make: time inside make", clock.seconds))
        // What any populate call costs whatever its keys: reading the key source, the heading and the graph.
        results.append(("populate, nothing to do", try await Self.time {
            let report = try await lab[BenchPipeline.Slow.self].populate("number_id < \(slowKeys)", display: .none)
            precondition(report.success == 0)
        }))

        results.append(("cascade delete \(rows / 1000)k rows", try await Self.time {
            _ = try await item.delete(confirm: true)
        }))
        let left = try await detail.count()
        precondition(left == 0)
        try await lab.drop(confirm: true)
        try await db.close()
        return results
    }

    /// Blob encode and decode of a 1 MB float64 array, in MB/s (no database).
    static func blobSpeed(repetitions: Int) throws -> [(String, Double)] {
        let array = NDArray((0..<131_072).map { Double($0) * 0.25 })
        let value = BlobValue.array(array)
        var encodeTimes: [Double] = []
        var decodeTimes: [Double] = []
        var packed = Data()
        for _ in 0..<repetitions {
            let start = ContinuousClock.now
            for _ in 0..<20 { packed = try Blob.pack(value, compress: false) }
            encodeTimes.append(seconds(ContinuousClock.now - start) / 20)
            let decodeStart = ContinuousClock.now
            var unpacked = BlobValue.none
            for _ in 0..<20 { unpacked = try Blob.unpack(packed) }
            decodeTimes.append(seconds(ContinuousClock.now - decodeStart) / 20)
            precondition(unpacked == value)
        }
        let megabytes = Double(array.count * 8) / 1_000_000
        return [
            ("blob encode 1 MB float64 (MB/s)", megabytes / median(encodeTimes)),
            ("blob decode 1 MB float64 (MB/s)", megabytes / median(decodeTimes)),
        ]
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }
}
