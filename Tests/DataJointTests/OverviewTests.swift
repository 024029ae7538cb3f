import DataJoint
import Foundation
import Testing

/// The values the front-ends show (web view, MCP server, dj query): schema overview, table details, jobs, pages.
@Suite("Front-end overviews")
struct OverviewTests {
    typealias P = PopulatePipeline

    struct OvRecording: Manual {
        static let definition = """
            # a recording <with> "odd" & characters
            -> PpSession
            rec_idx : int16   # index of the recording
            ---
            trace : <blob>    # the raw trace
            note = null : varchar(64)
            """
    }

    @Test("schema overview, table details, jobs and pages say what the database holds, and change nothing",
          arguments: TestBackend.all)
    func overviews(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let lab = try await db.schema("overview", tables: P.tables + [OvRecording.self])
            try await lab[P.PpSession.self].insert(P.sessions(1...4))
            var recordings: [Row] = []
            for i in 1...30 {
                var row: Row = ["session_id": Value.int(Int64(1 + i % 4)), "rec_idx": Value.int(Int64(i))]
                row["trace"] = Value.blob([Double(i), 2.5])
                row["note"] = i == 7 ? Value.string("<script>alert(1)</script>") : Value.null
                recordings.append(row)
            }
            try await lab[OvRecording.self].insert(recordings)

            // The schema: tables in dependency order, with tier, rows and comment.
            let overview = try await lab.overview()
            #expect(overview.name == "overview")
            let names = overview.tables.map(\.className)
            #expect(names.firstIndex(of: "PpSession")! < names.firstIndex(of: "PpStats")!)
            #expect(names.firstIndex(of: "PpStats")! < names.firstIndex(of: "PpStats.Sample")!)
            let recording = try #require(overview.tables.first { $0.className == "OvRecording" })
            #expect(recording.tier == "manual" && recording.rows == 30 && recording.table == "ov_recording")
            #expect(recording.comment == "a recording <with> \"odd\" & characters")
            #expect(overview.tables.first { $0.className == "PpStats" }?.tier == "computed")
            #expect(!overview.tables.contains { $0.table.hasPrefix("~") })

            // A table: definition, heading, neighbours.
            let details = try await lab[OvRecording.self].details()
            #expect(details.attributes.map(\.name) == ["session_id", "rec_idx", "trace", "note"])
            #expect(details.attributes[1].comment == "index of the recording" && details.attributes[1].inPrimaryKey)
            #expect(details.attributes[2].type == "<blob>" && !details.attributes[2].inPrimaryKey)
            #expect(details.attributes[3].nullable && details.attributes[3].defaultValue == "null")
            #expect(details.parents == ["overview.pp_session"])
            #expect(details.children.isEmpty && details.master == nil && details.rows == 30)
            #expect(details.definition.contains("rec_idx"))
            let session = try await lab[P.PpSession.self].details()
            #expect(Set(session.children) == ["overview.ov_recording", "overview.__pp_stats", "overview.__pp_good_only", "overview.__pp_heavy"])
            let part = try await lab[P.PpStats.Sample.self].details()
            #expect(part.master == "overview.__pp_stats" && part.tier == "part")
            #expect(try await lab[P.PpStats.self].details().parts == ["overview.__pp_stats__sample"])

            // Jobs: without a queue nothing is created; after a failed make the error is there with its stack.
            let stats = lab[P.PpStats.self]
            let before = try await stats.jobsOverview()
            #expect(!before.hasQueue && before.total == 4 && before.remaining == 4 && before.errors.isEmpty)
            #expect(try await lab.tableNames().contains("~~pp_stats") == false)
            _ = try await MakeProbe.$current.withValue(MakeProbe(failOn: [3])) {
                try await stats.populate(suppressErrors: true, reserveJobs: true)
            }
            let after = try await stats.jobsOverview()
            #expect(after.hasQueue && after.computed == 3 && after.remaining == 1 && after.total == 4)
            #expect(after.queue["error"] == 1 && after.errorCount == 1)
            let failure = try #require(after.errors.first)
            #expect(failure.key == ["session_id": .int(3)])
            #expect(failure.message.contains("no good data for session 3"))
            #expect(failure.stack?.contains("no good data for session 3") == true)
            #expect(failure.when != nil && !failure.host.isEmpty)
            #expect(try await stats.jobsOverview(errorLimit: 0).errors.isEmpty)
            let all = try await lab.jobsOverview()
            #expect(Set(all.map(\.className)) == ["PpStats", "PpGoodOnly", "PpHeavy"] && all.count == 3)
            await #expect(throws: DataJointError.self) { _ = try await lab[OvRecording.self].jobsOverview() }

            // Pages: blobs as placeholders, values escaped by nobody here (JSON carries them as they are).
            let query = lab[OvRecording.self] & "rec_idx > 5"
            let first = try await query.page(limit: 10)
            #expect(first.total == 25 && first.rows.count == 10 && first.truncated && first.offset == 0)
            #expect(first.columns.map(\.name) == ["session_id", "rec_idx", "trace", "note"])
            #expect(first.columns[2].placeholder && !first.columns[1].placeholder)
            #expect(first.rows.allSatisfy { $0[2] == .string("=<blob>=") })
            let last = try await query.page(limit: 10, offset: 20)
            #expect(last.rows.count == 5 && !last.truncated)
            let ordered = try await query.page(limit: 3, orderBy: ["rec_idx DESC"])
            #expect(ordered.rows.map { $0[1] } == [.int(30), .int(29), .int(28)])
            let script = try await (lab[OvRecording.self] & ["rec_idx": 7]).page(limit: 5)
            #expect(script.objects.first?["note"] == .string("<script>alert(1)</script>"))
            #expect(try await query.page(limit: 0).rows.isEmpty)
            #expect(try await (query & "rec_idx > 1000").page(limit: 10).total == 0)
            for bad in [["rec_idx; DROP TABLE x"], ["nonexistent"], ["rec_idx sideways"], ["a b c"]] {
                await #expect(throws: DataJointError.self, "\(bad)") { _ = try await query.page(limit: 5, orderBy: bad) }
            }
            await #expect(throws: DataJointError.self) { _ = try await query.page(limit: -1) }
            #expect(try await lab[OvRecording.self].count() == 30)
        }
    }
}
