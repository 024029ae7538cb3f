import DataJoint
import Foundation
import Testing

@Suite("Whole-pipeline populate")
struct PipelinePopulateTests {
    typealias P = UpstreamPipeline

    static func name(_ table: String) -> SQLTableName { SQLTableName(schema: "upstream", table: table) }

    @Test("schema.populate computes every table in dependency order; a failing table does not stop the others",
          arguments: TestBackend.all)
    func wholeSchema(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let schema = try await db.schema("upstream", tables: P.tables)
            try await P.fill(schema)
            let report = try await schema.populate(display: .none)
            let order = report.steps.map(\.table.table)
            #expect(Set(order) == ["__up_summary", "__up_comparison", "__up_stray"])
            #expect(order.firstIndex(of: "__up_summary")! < order.firstIndex(of: "__up_comparison")!)
            #expect(report[Self.name("__up_summary")]?.report.success == 3)
            #expect(report[Self.name("__up_comparison")]?.report.success == 9)
            // UpStray reads a table that is not upstream of it: its populate stops with that error, the others ran.
            let stray = try #require(report[Self.name("__up_stray")])
            #expect((stray.error as? DataJointError)?.kind == .missingTable)
            #expect(!report.succeeded)
            #expect(report.success == 12)
            #expect(try await schema[P.UpComparison.self].count() == 9)
            #expect(report.description.contains("__up_stray"))

            // Up to date: a second call computes nothing.
            let again = try await schema.populate(suppressErrors: true, display: .none)
            #expect(again.success == 0)
            #expect(again.error == 2)
            #expect(again[Self.name("__up_stray")]?.report.errors.count == 2)
        }
    }

    @Test("new raw rows flow through the whole pipeline in one call; restrictions apply to every table",
          arguments: TestBackend.all)
    func newRowsAndRestrictions(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let schema = try await db.schema("upstream", tables: P.tables)
            try await P.fill(schema)
            let first = try await schema.populate(["animal_id": 1] as Row, suppressErrors: true, display: .none)
            #expect(first[Self.name("__up_summary")]?.report.success == 2)
            #expect(first[Self.name("__up_comparison")]?.report.success == 6)
            try await schema[P.UpVisit.self].insert1(["animal_id": 2, "visit": 2, "visit_date": "2024-03-01"])
            try await schema[P.UpVisit.Sample.self].insert1(["animal_id": 2, "visit": 2, "sample": 0, "value": 7.5])
            let second = try await schema.populate(suppressErrors: true, reserveJobs: true, workers: 2, display: .none)
            #expect(second[Self.name("__up_summary")]?.report.success == 2)
            // 4 visits: 4 x 4 pairs in all, 6 of them computed before.
            #expect(second[Self.name("__up_comparison")]?.report.success == 10)
            #expect(try await (schema[P.UpSummary.self] & ["animal_id": 2, "visit": 2]).fetch1("total", as: Double.self) == 7.5)
        }
    }

    @Test("stopOnError throws the first failure; populateWithUpstream runs a table and its ancestors only",
          arguments: TestBackend.all)
    func stopAndUpstream(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let schema = try await db.schema("upstream", tables: P.tables)
            try await P.fill(schema)
            await #expect(throws: DataJointError.self) {
                try await schema.populate(display: .none, stopOnError: true)
            }
            try await schema[P.UpSummary.self].delete()
            let report = try await schema[P.UpComparison.self].populateWithUpstream(display: .none)
            #expect(report.steps.map(\.table.table) == ["__up_summary", "__up_comparison"])
            #expect(report.succeeded)
            #expect(report.success == 12)
            #expect(try await schema[P.UpStray.self].count() == 0)
        }
    }

    @Test("tables without a Swift type in this program are reported as skipped", arguments: TestBackend.all)
    func withoutTypes(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let declared = try await db.schema("upstream", tables: P.tables)
            try await P.fill(declared)
            let opened = try await db.schema("upstream", tables: [], create: false)
            let report = try await opened.populate(display: .none)
            #expect(report.steps.count == 3)
            #expect(report.steps.allSatisfy { $0.skipped != nil })
            #expect(report.success == 0)
            #expect(try await declared[P.UpSummary.self].count() == 0)
        }
    }
}
