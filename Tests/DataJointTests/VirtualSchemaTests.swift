import DataJoint
import Foundation
import Testing

@Suite("Virtual schemas: an existing schema's tables by class name, tiers, parts, order and jobs")
struct VirtualSchemaTests {
    @Test("every table by class name and by database name, in dependency order, with tiers, parts and masters",
          arguments: TestBackend.all)
    func tablesByClassName(backend: TestBackend) async throws {
        try await backend.run {
            let db = try await TestDatabase.connect()
            let declared = try await db.schema("vs_pipeline", tables: InteropPipeline.tables)
            try await declared[InteropPipeline.Device.self].insert1(["device": "D1"])

            let lab = try await db.virtualSchema("vs_pipeline")
            #expect(lab.name == "vs_pipeline")
            #expect(Set(lab.tableNames) == Set(try await declared.tableNames()))
            #expect(lab.tableNames == (try await declared.tableNames(order: .topological)))
            #expect(Set(lab.classNames) == ["Kind", "Device", "Subject", "Session", "Recording", "Pair", "SessionStats", "SessionStats.Item"])
            // Dependencies first, the part right after its master.
            let order = lab.classNames
            for (parent, child) in [("Subject", "Session"), ("Session", "Recording"), ("Recording", "SessionStats")] {
                #expect(order.firstIndex(of: parent)! < order.firstIndex(of: child)!, "\(parent) before \(child)")
            }
            #expect(order.firstIndex(of: "SessionStats.Item") == order.firstIndex(of: "SessionStats")! + 1)

            // By member, by subscript, by class name or database name: the same table.
            #expect(try await lab.Device.count() == 1)
            #expect(try await lab["device"].count() == 1)
            #expect(try await (lab.Device & ["device": "D1"]).fetch1("model", as: String.self) == "M-1")
            #expect(try lab["SessionStats.Item"].requestedName == "__session_stats__item")
            #expect(try lab["__session_stats__item"].requestedName == "__session_stats__item")
            #expect(try lab.Kind.requestedName == "#kind")
            #expect(lab.contains("SessionStats") && lab.contains("#kind") && !lab.contains("Nonexistent"))
            #expect(try lab.tier(of: "Kind") == .lookup && lab.tier(of: "SessionStats") == .computed)
            #expect(try lab.tier(of: "SessionStats.Item") == .part && lab.tier(of: "Subject") == .manual)
            #expect(try lab.parts(of: "SessionStats").map(\.requestedName) == ["__session_stats__item"])
            #expect(try lab.parts(of: "Subject").isEmpty)
            #expect(try lab.master(of: "SessionStats.Item")?.requestedName == "__session_stats")
            #expect(try lab.master(of: "Subject") == nil)
            // Iteration gives the tables in the same order.
            #expect(lab.map(\.requestedName) == lab.tableNames)
            // The query algebra works on them as on declared tables.
            #expect(try await (lab.Subject * lab.Session).count() == 0)
            #expect(try await lab.SessionStats.describe() == (try await declared[InteropPipeline.SessionStats.self].describe()))
            // The jobs queue of each auto-populated table.
            let queues = try await lab.jobs()
            #expect(queues.count == 1)
        }
    }

    @Test("an unknown table or schema is a .missingTable error naming what exists, and nothing is created",
          arguments: TestBackend.all)
    func unknownNames(backend: TestBackend) async throws {
        try await backend.run {
            let db = try await TestDatabase.connect()
            _ = try await db.schema("vs_univ", tables: University.tables)
            let university = try await db.virtualSchema("vs_univ")
            do {
                _ = try university.Students
                Issue.record("an unknown class name was accepted")
            } catch let error as DataJointError {
                #expect(error.kind == .missingTable)
                #expect(error.message.contains("Students") && error.message.contains("Student, "), "\(error.message)")
            }
            #expect(throws: DataJointError.self) { try university["student; DROP TABLE student"] }
            #expect(throws: DataJointError.self) { try university.tier(of: "") }
            do {
                _ = try await db.virtualSchema("vs_nonexistent")
                Issue.record("a missing schema was opened")
            } catch let error as DataJointError {
                #expect(error.kind == .missingTable && error.message.contains("vs_nonexistent"))
            }
            await #expect(throws: DataJointError.self) { try await db.virtualSchema("bad name`") }
            #expect(!(try await db.schemaNames().contains("vs_nonexistent")))
            #expect(try await university.Student.count() == 0)
        }
    }

    @Test("an empty schema opens with no tables", arguments: TestBackend.all)
    func emptySchema(backend: TestBackend) async throws {
        try await backend.run {
            let db = try await TestDatabase.connect()
            _ = try await db.schema("vs_empty", tables: [])
            let empty = try await db.virtualSchema("vs_empty")
            #expect(empty.tableNames.isEmpty && empty.tables.isEmpty && empty.classNames.isEmpty)
            #expect(try await empty.jobs().isEmpty)
            #expect(throws: DataJointError.self) { try empty.Anything }
        }
    }
}
