import DataJoint
import Foundation
import Testing

enum LostCommitPipeline {
    struct LcItem: Manual {
        static let definition = """
            item_id : int32
            ---
            payload : <object@>
            """
    }

    struct LcPart: Manual {
        static let definition = """
            -> LcItem
            part_idx : int32
            """
    }
}

/// The connection lost at COMMIT, after the server committed: the caller must hear what really happened.
@Suite("A connection lost at COMMIT")
struct LostCommitTests {
    static let serverBackends = TestBackend.all.filter { $0 != .sqlite }

    /// Runs `body` on `backend` with the pipeline declared in schema `schema` over a connection through a fault proxy,
    /// with the file stores of a new `StoreFixture`.
    static func throughProxy(
        _ backend: TestBackend, schema: String,
        _ body: @Sendable (Schema, FaultProxy, StoreFixture) async throws -> Void
    ) async throws {
        try await backend.run { () async throws in
            let stores = try StoreFixture()
            defer { stores.remove() }
            let proxy = try FaultProxy(to: backend.port)
            defer { proxy.stop() }
            let db = try await TestDatabase.connect(settings: stores.settings) { $0.port = proxy.port }
            let s = try await db.schema(schema, tables: LostCommitPipeline.LcItem.self, LostCommitPipeline.LcPart.self)
            try await body(s, proxy, stores)
        }
    }

    @Test("an insert whose commit answer is lost returns normally, and its rows and stored objects stay", arguments: serverBackends)
    func insertCommitted(backend: TestBackend) async throws {
        try await Self.throughProxy(backend, schema: "lost_commit") { (s: Schema, proxy: FaultProxy, stores: StoreFixture) async throws in
            let items = s[LostCommitPipeline.LcItem.self]
            proxy.dropAnswer(toMessageContaining: "COMMIT")
            try await items.insert((1...3).map { ["item_id": $0, "payload": ObjectData(Data("object \($0)".utf8), fileExtension: ".txt")] })
            #expect(proxy.answersDropped == 1)
            #expect(try await items.count() == 3)
            let payload: ObjectRef = try await (items & ["item_id": 2]).fetch1("payload")
            #expect(try await payload.read() == Data("object 2".utf8))
            #expect(stores.files("main").filter { $0.hasSuffix(".txt") }.count == 3)
        }
    }

    @Test("a delete whose commit answer is lost returns its count, and the rows are gone", arguments: serverBackends)
    func deleteCommitted(backend: TestBackend) async throws {
        try await Self.throughProxy(backend, schema: "lost_commit_delete") { (s: Schema, proxy: FaultProxy, stores: StoreFixture) async throws in
            let items = s[LostCommitPipeline.LcItem.self], parts = s[LostCommitPipeline.LcPart.self]
            try await items.insert((1...4).map { ["item_id": $0, "payload": ObjectData(Data([UInt8($0)]))] })
            try await parts.insert((1...4).flatMap { i in (0..<3).map { ["item_id": i, "part_idx": $0] as Row } })
            proxy.dropAnswer(toMessageContaining: "COMMIT")
            let deleted = try await (items & "item_id <= 2").delete()
            #expect(proxy.answersDropped == 1)
            #expect(deleted == 2)
            #expect(try await items.count() == 2)
            #expect(try await parts.count() == 6)
        }
    }

    @Test("an insert that loses its connection before COMMIT fails, with no rows and no objects left", arguments: serverBackends)
    func insertLostBeforeCommit(backend: TestBackend) async throws {
        try await Self.throughProxy(backend, schema: "lost_insert") { (s: Schema, proxy: FaultProxy, stores: StoreFixture) async throws in
            let items = s[LostCommitPipeline.LcItem.self]
            // The INSERT statement is forwarded and the server's answer dropped: the transaction never commits.
            proxy.dropAnswer(toMessageContaining: "INSERT")
            let error = await #expect(throws: DataJointError.self) {
                try await items.insert([["item_id": 1, "payload": ObjectData(Data("x".utf8), fileExtension: ".txt")]])
            }
            #expect(error?.kind == .connection)
            #expect(proxy.answersDropped == 1)
            #expect(try await items.count() == 0)
            #expect(stores.files("main").filter { $0.hasSuffix(".txt") }.isEmpty)
        }
    }

    @Test("a staged insert whose commit answer is lost returns normally, and keeps its row and objects", arguments: serverBackends)
    func stagedInsertCommitted(backend: TestBackend) async throws {
        try await Self.throughProxy(backend, schema: "lost_staged") { (s: Schema, proxy: FaultProxy, stores: StoreFixture) async throws in
            let items = s[LostCommitPipeline.LcItem.self]
            proxy.dropAnswer(toMessageContaining: "COMMIT")
            try await items.stagedInsert1 { staged in
                staged.rec["item_id"] = 7
                let directory = try await staged.store("payload", fileExtension: ".d")
                for index in 0..<3 { try await directory.write(Data("piece \(index)".utf8), to: "p\(index).txt") }
            }
            #expect(proxy.answersDropped == 1)
            let payload: ObjectRef = try await (items & ["item_id": 7]).fetch1("payload")
            #expect(try await payload.read("p2.txt") == Data("piece 2".utf8))
            try await payload.verify()
        }
    }
}
