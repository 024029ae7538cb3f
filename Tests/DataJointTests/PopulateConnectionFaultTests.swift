import DataJoint
import Foundation
import Synchronization
import Testing

/// Ends the database session of a `make` from the server side, as a server restart or an administrator would.
final class SessionEnder: Sendable {
    @TaskLocal static var current: SessionEnder?
    /// A second connection, which ends the make's session.
    let ender: Connection
    let ownID: String
    let end: String
    /// Keys whose make loses its session the first time it runs.
    let once: Set<Int64>
    /// Keys whose make loses its session every time it runs.
    let always: Set<Int64>
    private let ended = Mutex<[Int64: Int]>([:])

    init(ender: Connection, backend: TestBackend, once: Set<Int64> = [], always: Set<Int64> = []) {
        self.ender = ender
        (ownID, end, _) = DatabaseErrorPipeline.sessionControl(backend)
        self.once = once
        self.always = always
    }

    /// Whether the make of `id` is to lose its session now (and counts it).
    func shouldEnd(_ id: Int64) -> Bool {
        ended.withLock { ended in
            guard always.contains(id) || (once.contains(id) && ended[id, default: 0] == 0) else { return false }
            ended[id, default: 0] += 1
            return true
        }
    }

    func times(_ id: Int64) -> Int { ended.withLock { $0[id, default: 0] } }
}

/// A computed table whose `make` inserts its row and then, for the keys the `SessionEnder` names, has its own session
/// ended and goes on with a statement that finds the connection gone.
struct CfResult: Computed {
    static let definition = """
        -> PpSession
        ---
        doubled : int32
        """

    static func make(_ key: Row, _ ctx: MakeContext) async throws {
        guard case .int(let id)? = key["session_id"] else { throw MakeProblem(id: -1) }
        try await ctx.insert1(key + ["doubled": id * 2])
        if let ender = SessionEnder.current, ender.shouldEnd(id) {
            let db = ctx.target.connection
            let own = try await db.query(RenderedSQL(ender.ownID))[0][0]
            _ = try await ender.ender.query(RenderedSQL(ender.end, [own]))
            try await Task.sleep(for: .milliseconds(50))
            _ = try await (ctx[PopulatePipeline.PpSession.self] & key).count()
        }
    }
}

@Suite("Populate through a lost connection")
struct PopulateConnectionFaultTests {
    typealias P = PopulatePipeline

    /// A schema of sessions 1...`last` and their `CfResult`s, and a second connection to end sessions from.
    static func setUp(_ db: Connection, schema: String, last: Int) async throws -> (results: Table, ender: Connection) {
        let lab = try await db.schema(schema, tables: [P.PpSession.self, CfResult.self])
        try await lab[P.PpSession.self].insert(P.sessions(1...last))
        return (lab[CfResult.self], try await TestDatabase.connect())
    }

    static func counts(_ jobs: Jobs) async throws -> [String: Int] {
        let p = try await jobs.progress()
        return ["pending": p.pending, "reserved": p.reserved, "error": p.error]
    }

    @Test("a make whose session the server ends is made again after reconnecting: no key fails, none is a job error",
          arguments: TestBackend.all.filter { $0 != .sqlite })
    func endedOnce(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let (results, ender) = try await Self.setUp(db, schema: "populate_fault_once", last: 12)
            for (reserveJobs, commitEachKey) in [(false, true), (true, true), (false, false), (true, false)] {
                let probe = SessionEnder(ender: ender, backend: backend, once: [2, 7])
                let report = try await SessionEnder.$current.withValue(probe) {
                    try await results.populate(
                        suppressErrors: true, reserveJobs: reserveJobs, display: .none, commitEachKey: commitEachKey)
                }
                let mode = "reserveJobs: \(reserveJobs), commitEachKey: \(commitEachKey)"
                #expect(probe.times(2) == 1 && probe.times(7) == 1, "\(mode)")
                #expect(report.error == 0, "\(mode): \(report.errors.map(\.message))")
                #expect(report.success == 12, "\(mode): \(report)")
                #expect(try await results.count() == 12, "\(mode)")
                let doubled: [Int] = try await results.toArray("doubled", orderBy: ["session_id"])
                #expect(doubled == (1...12).map { $0 * 2 }, "\(mode)")
                if reserveJobs {
                    #expect(try await Self.counts(try await results.jobs()) == ["pending": 0, "reserved": 0, "error": 0], "\(mode)")
                }
                try await results.deleteQuick()
            }
        }
    }

    @Test("a key whose connection is lost every time: reported as failed, its job pending again (not an error), the rest computed; the next populate computes it",
          arguments: TestBackend.all.filter { $0 != .sqlite })
    func endedEveryTime(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let (results, ender) = try await Self.setUp(db, schema: "populate_fault_always", last: 6)
            let probe = SessionEnder(ender: ender, backend: backend, always: [3])
            let report = try await SessionEnder.$current.withValue(probe) {
                try await results.populate(suppressErrors: true, reserveJobs: true, display: .none, commitEachKey: true)
            }
            #expect(report.success == 5 && report.error == 1, "\(report)")
            let failure = try #require(report.errors.first)
            #expect(failure.key["session_id"] == .int(3))
            #expect((failure.error as? DataJointError)?.kind == .connection, "\(failure.error)")
            #expect(probe.times(3) > 1)
            let jobs = try await results.jobs()
            #expect(try await Self.counts(jobs) == ["pending": 1, "reserved": 0, "error": 0])
            #expect(try await (results & ["session_id": 3]).count() == 0)

            let again = try await results.populate(reserveJobs: true, display: .none)
            #expect(again.success == 1 && again.error == 0, "\(again)")
            #expect(try await results.count() == 6)
            #expect(try await Self.counts(jobs) == ["pending": 0, "reserved": 0, "error": 0])
        }
    }
}

/// Records the database sessions that `make`s ran on, so that a test can end them all at once.
final class SessionLog: Sendable {
    @TaskLocal static var current: SessionLog?
    let ownID: String
    private let ids = Mutex<Set<Value>>([])
    private let calls = Mutex(0)

    init(backend: TestBackend) {
        ownID = DatabaseErrorPipeline.sessionControl(backend).ownID
    }

    func record(_ id: Value) {
        ids.withLock { _ = $0.insert(id) }
        calls.withLock { $0 += 1 }
    }

    var sessions: Set<Value> { ids.withLock { $0 } }
    var count: Int { calls.withLock { $0 } }
}

/// A master with five part rows per key, whose `make` logs the session it runs on.
struct CfMaster: Computed {
    static let definition = """
        -> PpSession
        ---
        n_parts : int32
        """
    struct Piece: Part {
        static let definition = """
            -> master
            piece_idx : int16
            """
    }
    static var parts: [any Part.Type] { [Piece.self] }

    static func make(_ key: Row, _ ctx: MakeContext) async throws {
        if let log = SessionLog.current {
            log.record(try await ctx.target.connection.query(RenderedSQL(log.ownID))[0][0])
        }
        try await ctx.insert1(key + ["n_parts": 5])
        try await Task.sleep(for: .milliseconds(2))
        try await ctx.insert((0..<5).map { key + ["piece_idx": $0] }, into: Piece.self)
    }
}

extension PopulateConnectionFaultTests {
    @Test("every session of a populate with 2 workers ended at once: it goes on after reconnecting and finishes, every key with all its parts, no job error",
          arguments: TestBackend.all.filter { $0 != .sqlite })
    func allSessionsEnded(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let ender = try await TestDatabase.connect()
            let lab = try await db.schema("populate_fault_all", tables: [P.PpSession.self, CfMaster.self])
            try await lab[P.PpSession.self].insert(P.sessions(1...200))
            let masters = lab[CfMaster.self]
            let log = SessionLog(backend: backend)
            let end = DatabaseErrorPipeline.sessionControl(backend).kill
            let killing = Task {
                while log.count < 40 { try await Task.sleep(for: .milliseconds(5)) }
                for id in log.sessions { _ = try? await ender.query(RenderedSQL(end, [id])) }
                return log.sessions.count
            }
            let report = try await SessionLog.$current.withValue(log) {
                try await masters.populate(suppressErrors: true, reserveJobs: true, workers: 2, display: .none)
            }
            let ended = try await killing.value
            #expect(ended >= 1)
            #expect(report.error == 0, "\(report.errors.map(\.message))")
            #expect(try await masters.count() == 200)
            #expect(try await lab[CfMaster.Piece.self].count() == 1000)
            // No master without all of its parts.
            let partCounts = try await masters.queryExpression()
                .aggr(lab[CfMaster.Piece.self], named: ["n": "count(piece_idx)"]).toArray("n", as: Int.self)
            #expect(partCounts.allSatisfy { $0 == 5 } && partCounts.count == 200)
            #expect(try await Self.counts(try await masters.jobs()) == ["pending": 0, "reserved": 0, "error": 0])
            #expect(try await masters.populate(reserveJobs: true, display: .none).success == 0)
        }
    }
}

/// Keys whose make meets a deadlock the first time it runs (the server rolled its transaction back).
final class DeadlockOnce: Sendable {
    @TaskLocal static var current: DeadlockOnce?
    let keys: Set<Int64>
    private let met = Mutex<Set<Int64>>([])

    init(_ keys: Set<Int64>) { self.keys = keys }

    /// Whether the make of `id` is to meet its deadlock now.
    func strikes(_ id: Int64) -> Bool {
        met.withLock { met in keys.contains(id) && met.insert(id).inserted }
    }
}

/// A computed table whose make inserts its row and then, for the keys `DeadlockOnce` names, fails as a statement the
/// server chose as a deadlock's victim does.
struct CfDeadlockResult: Computed {
    static let definition = """
        -> PpSession
        ---
        tripled : int32
        """

    static func make(_ key: Row, _ ctx: MakeContext) async throws {
        guard case .int(let id)? = key["session_id"] else { throw MakeProblem(id: -1) }
        try await ctx.insert1(key + ["tripled": id * 3])
        if let deadlock = DeadlockOnce.current, deadlock.strikes(id) {
            throw DataJointError(.deadlock, "Deadlock found when trying to get lock; try restarting transaction")
        }
    }
}

extension PopulateConnectionFaultTests {
    @Test("a make whose transaction the server rolls back to end a deadlock is made again: no key fails, none is a job error",
          arguments: TestBackend.all)
    func deadlockOnce(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let lab = try await db.schema("populate_fault_deadlock", tables: [P.PpSession.self, CfDeadlockResult.self])
            try await lab[P.PpSession.self].insert(P.sessions(1...8))
            let results = lab[CfDeadlockResult.self]
            for (reserveJobs, commitEachKey) in [(false, true), (true, true), (false, false), (true, false)] {
                let mode = "reserveJobs: \(reserveJobs), commitEachKey: \(commitEachKey)"
                let report = try await DeadlockOnce.$current.withValue(DeadlockOnce([3, 6])) {
                    try await results.populate(
                        suppressErrors: true, reserveJobs: reserveJobs, display: .none, commitEachKey: commitEachKey)
                }
                #expect(report.error == 0 && report.success == 8, "\(mode): \(report)")
                let tripled: [Int] = try await results.toArray("tripled", orderBy: ["session_id"])
                #expect(tripled == (1...8).map { $0 * 3 }, "\(mode)")
                if reserveJobs {
                    #expect(try await Self.counts(try await results.jobs()) == ["pending": 0, "reserved": 0, "error": 0], "\(mode)")
                }
                try await results.deleteQuick()
            }
        }
    }
}
