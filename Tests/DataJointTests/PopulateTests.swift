import DataJoint
import Foundation
import Synchronization
import Testing

/// What the test `make`s read from their test: keys to fail on, a count of calls. Task-local, so parallel tests
/// never share it.
final class MakeProbe: Sendable {
    @TaskLocal static var current: MakeProbe?
    let failOn: Set<Int64>
    let wrongKeyOn: Set<Int64>
    let calls = Mutex<[Int64]>([])
    let fetchDrift = Mutex(0)

    init(failOn: Set<Int64> = [], wrongKeyOn: Set<Int64> = []) {
        self.failOn = failOn
        self.wrongKeyOn = wrongKeyOn
    }

    func called(_ id: Int64) { calls.withLock { $0.append(id) } }
    var callCount: Int { calls.withLock { $0.count } }
}

struct MakeProblem: Error, CustomStringConvertible {
    let id: Int64
    var description: String { "no good data for session \(id)" }
}

enum PopulatePipeline {
    struct PpSession: Manual {
        static let definition = """
            session_id : int32
            ---
            label : varchar(16)
            """
    }

    struct PpStats: Computed {
        static let definition = """
            -> PpSession
            ---
            n_samples : int32
            total : float64
            """
        struct Sample: Part {
            static let definition = """
                -> master
                sample_idx : int16
                ---
                value : float64
                """
        }
        static var parts: [any Part.Type] { [Sample.self] }

        static func make(_ key: Row, _ ctx: MakeContext) async throws {
            guard case .int(let id)? = key["session_id"] else { throw MakeProblem(id: -1) }
            let probe = MakeProbe.current
            probe?.called(id)
            let label: String = try await (ctx[PpSession.self] & key).fetch1("label")
            let values = (0..<Int(id % 4 + 1)).map { Double($0) + Double(label.count) }
            try await ctx.insert1(key + ["n_samples": values.count, "total": values.reduce(0, +)])
            // The part rows go in before the failure, so a rollback must remove them too.
            try await ctx.insert(
                values.enumerated().map { key + ["sample_idx": $0.offset, "value": $0.element] }, into: Sample.self)
            if probe?.failOn.contains(id) == true { throw MakeProblem(id: id) }
            if probe?.wrongKeyOn.contains(id) == true {
                try await ctx.insert1(["session_id": Value.int(id + 1000), "n_samples": 0, "total": 0])
            }
        }
    }

    /// A key source narrower than the parents: only sessions labelled "good".
    struct PpGoodOnly: Computed {
        static let definition = """
            -> PpSession
            ---
            doubled : int32
            """
        static func keySource(_ schema: Schema) async throws -> QueryExpression? {
            try await (schema[PpSession.self] & ["label": "good"]).queryExpression().proj()
        }
        static func make(_ key: Row, _ ctx: MakeContext) async throws {
            guard case .int(let id)? = key["session_id"] else { return }
            try await ctx.insert1(key + ["doubled": Value.int(id * 2)])
        }
    }

    /// Three phases; makeFetch drifts when the probe asks it to.
    struct PpHeavy: TripartiteMake, Computed {
        static let definition = """
            -> PpSession
            ---
            label_length : int32
            """
        static func makeFetch(_ key: Row, _ ctx: MakeContext) async throws -> String {
            let label: String = try await (ctx[PpSession.self] & key).fetch1("label")
            let drift = MakeProbe.current?.fetchDrift.withLock { n -> Int in
                n += 1
                return n
            } ?? 0
            return MakeProbe.current?.failOn.isEmpty == false ? label + String(drift) : label
        }
        static func makeCompute(_ key: Row, _ fetched: String) async throws -> Int { fetched.count }
        static func makeInsert(_ key: Row, _ result: Int, _ ctx: MakeContext) async throws {
            try await ctx.insert1(key + ["label_length": result])
        }
    }

    static let tables: [any UserTable.Type] = [PpSession.self, PpStats.self, PpGoodOnly.self, PpHeavy.self]

    static func sessions(_ ids: ClosedRange<Int>) -> [Row] {
        ids.map { ["session_id": $0, "label": $0 % 3 == 0 ? "good" : "ok-\($0)"] }
    }
}

@Suite("Populate")
struct PopulateTests {
    typealias P = PopulatePipeline

    @Test("populate computes each missing key once, with its part rows, and reports progress", arguments: TestBackend.all)
    func direct(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let lab = try await db.schema("populate", tables: P.tables)
            try await lab[P.PpSession.self].insert(P.sessions(1...6))
            let stats = lab[P.PpStats.self]
            #expect(try await stats.progress() == (remaining: 6, total: 6))
            let probe = MakeProbe()
            // Several restrictions all apply: no key has both id 1 and id 2.
            let none = try await MakeProbe.$current.withValue(probe) {
                try await stats.populate(["session_id": 1] as Row, ["session_id": 2] as Row)
            }
            #expect(none.success == 0 && probe.callCount == 0)
            let first = try await MakeProbe.$current.withValue(probe) {
                try await stats.populate(["session_id": 1] as Row, "label LIKE 'ok%'")
            }
            #expect(first.success == 1 && first.error == 0)
            #expect(try await stats.progress() == (remaining: 5, total: 6))
            let rest = try await MakeProbe.$current.withValue(probe) { try await stats.populate(maxCalls: 2, order: .reverse) }
            #expect(rest.success == 2)
            #expect(probe.calls.withLock { $0 } == [1, 6, 5])
            let all = try await MakeProbe.$current.withValue(probe) { try await stats.populate() }
            #expect(all.success == 3 && probe.callCount == 6)
            #expect(try await stats.progress() == (remaining: 0, total: 6))
            #expect(try await stats.populate().success == 0)
            // Session 6: label "good" (4 letters), 6 % 4 + 1 = 3 samples: 4 + 5 + 6.
            #expect(try await (stats & ["session_id": 6]).fetch1("total", as: Double.self) == 15)
            #expect(try await (lab[P.PpStats.Sample.self] & ["session_id": 6]).count() == 3)
            #expect(try await lab[P.PpStats.Sample.self].count() == 2 + 3 + 4 + 1 + 2 + 3)
            // Direct inserts into a computed table are refused.
            let direct = await #expect(throws: DataJointError.self) {
                try await stats.insert1(["session_id": 1, "n_samples": 0, "total": 0])
            }
            #expect(direct?.kind == .notAllowed)
        }
    }

    @Test("a failing make leaves nothing of its key; errors are thrown or collected", arguments: TestBackend.all)
    func failures(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let lab = try await db.schema("populate", tables: P.tables)
            try await lab[P.PpSession.self].insert(P.sessions(1...5))
            let stats = lab[P.PpStats.self]
            let probe = MakeProbe(failOn: [2, 4])
            await #expect(throws: MakeProblem.self) {
                try await MakeProbe.$current.withValue(probe) { try await stats.populate() }
            }
            #expect(try await stats.keys() == [["session_id": 1]])
            let report = try await MakeProbe.$current.withValue(probe) { try await stats.populate(suppressErrors: true) }
            #expect(report.success == 2 && report.error == 2)
            #expect(report.errors.map(\.key) == [["session_id": 2], ["session_id": 4]])
            #expect(report.errors[0].message == "MakeProblem: no good data for session 2")
            #expect(try await stats.count() == 3)
            #expect(try await (lab[P.PpStats.Sample.self] & ["session_id": 2]).count() == 0)
            #expect(try await (lab[P.PpStats.Sample.self] & ["session_id": 4]).count() == 0)

            // make must insert the rows of its own key only.
            try await lab[P.PpSession.self].insert1(["session_id": 7, "label": "x"])
            let wrong = await #expect(throws: DataJointError.self) {
                try await MakeProbe.$current.withValue(MakeProbe(wrongKeyOn: [7])) { try await stats.populate(["session_id": 7] as Row) }
            }
            #expect(wrong?.kind == .invalidValue)
            #expect(try await (stats & ["session_id": 7]).count() == 0)
            // populate on a restricted table or without the Swift type is refused (a schema value that declared the
            // type knows it also by the table's name).
            await #expect(throws: DataJointError.self) { try await (stats & ["session_id": 1]).populate() }
            let untyped = try await db.schema("populate", tables: [], create: false)
            await #expect(throws: DataJointError.self) { try await untyped.table("__pp_stats").populate() }
            #expect(lab.table("__pp_stats").userType != nil)
        }
    }

    @Test("key sources: the default join of the parents and a table's own", arguments: TestBackend.all)
    func keySources(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let lab = try await db.schema("populate", tables: P.tables)
            try await lab[P.PpSession.self].insert(P.sessions(1...7))
            #expect(try await lab[P.PpStats.self].keySource().count() == 7)
            let good = lab[P.PpGoodOnly.self]
            #expect(try await good.keySource().keys() == [["session_id": 3], ["session_id": 6]])
            #expect(try await good.populate().success == 2)
            #expect(try await good.toArray("doubled") as [Int] == [6, 12])
        }
    }

    @Test("tripartite make: computes outside the transaction and refuses inputs that changed", arguments: TestBackend.all)
    func tripartite(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let lab = try await db.schema("populate", tables: P.tables)
            try await lab[P.PpSession.self].insert(P.sessions(1...3))
            let heavy = lab[P.PpHeavy.self]
            #expect(try await heavy.populate().success == 3)
            #expect(try await heavy.toArray("label_length", orderBy: ["session_id"]) as [Int] == [4, 4, 4])
            try await heavy.deleteQuick()
            let drifted = try await MakeProbe.$current.withValue(MakeProbe(failOn: [0])) {
                try await heavy.populate(suppressErrors: true)
            }
            #expect(drifted.error == 3 && drifted.success == 0)
            #expect(drifted.errors.first?.message.contains("changed while it was computed") == true)
            #expect(try await heavy.count() == 0)
        }
    }

    @Test("workers compute keys concurrently, each key once", arguments: TestBackend.all)
    func workers(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let lab = try await db.schema("populate", tables: P.tables)
            try await lab[P.PpSession.self].insert(P.sessions(1...40))
            let probe = MakeProbe()
            let report = try await MakeProbe.$current.withValue(probe) {
                try await lab[P.PpStats.self].populate(workers: 4)
            }
            #expect(report.success == 40)
            #expect(probe.calls.withLock { $0.sorted() } == Array(1...40))
            #expect(try await lab[P.PpStats.self].count() == 40)
        }
    }
}
