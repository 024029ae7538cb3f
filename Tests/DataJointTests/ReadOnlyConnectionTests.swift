import DataJoint
import Foundation
import Testing

@Suite("Read-only connections")
struct ReadOnlyConnectionTests {
    typealias P = PopulatePipeline

    @Test("a read-only connection reads everything the front-ends show and refuses every change at the database",
          arguments: TestBackend.all)
    func readOnly(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let writer = try await TestDatabase.connect()
            let lab = try await writer.schema("readonly", tables: P.tables)
            try await lab[P.PpSession.self].insert(P.sessions(1...5))
            _ = try await lab[P.PpStats.self].populate(reserveJobs: true)

            let reader = try await TestDatabase.connect(readOnly: true)
            let schema = try await reader.schema("readonly", tables: [], create: false)
            // Everything a viewer shows works.
            #expect(try await schema.overview().tables.count == 5)
            #expect(try await schema.table("PpStats").details().rows == 5)
            #expect(try await schema.table("PpStats").jobsOverview().computed == 5)
            #expect(try await schema.query("PpStats * PpSession & 'n_samples > 1'").page(limit: 10).total > 0)
            #expect(try await Diagram(schema).mermaid().contains("PpStats"))
            // Every change is refused with a clear error, and nothing changes.
            let sessions = schema.table("PpSession")
            let refusals: [(String, @Sendable () async throws -> Void)] = [
                ("insert", { try await sessions.insert1(["session_id": 99, "label": "x"]) }),
                ("delete", { _ = try await (sessions & ["session_id": 1]).delete(confirm: true) }),
                ("update", { try await sessions.update1(["session_id": 2, "label": "changed"]) }),
                ("declare", { _ = try await reader.schema("readonly_new", tables: P.tables) }),
                ("populate", { _ = try await schema.table("PpHeavy").populate() }),
            ]
            for (name, change) in refusals {
                do {
                    try await change()
                    Issue.record("[\(backend.rawValue)] \(name) was not refused")
                } catch let error as DataJointError {
                    #expect(!error.message.isEmpty, "[\(backend.rawValue)] \(name)")
                } catch {
                    Issue.record("[\(backend.rawValue)] \(name): \(error) is not a DataJointError")
                }
            }
            #expect(try await lab[P.PpSession.self].count() == 5)
            #expect(try await (lab[P.PpSession.self] & ["session_id": 2]).fetch1("label", as: String.self) == "ok-2")
            #expect(try await writer.schemaNames().contains("readonly_new") == false)
            // The database-level refusal, for an insert that reaches the server.
            do {
                try await sessions.insert1(["session_id": 98, "label": "y"])
            } catch let error as DataJointError {
                #expect(error.kind == .permissionDenied, "[\(backend.rawValue)] \(error)")
            }
        }
    }
}
