import ArgumentParser
import DataJoint
import DataJointCommand
import Foundation

/// `dj demo`: declares, fills and queries a small lab pipeline in schema `demo`.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Declare and fill a small lab pipeline in schema `demo` (dropped first if it exists), then query it.")

    @OptionGroup var options: DatabaseOptions

    func run() async throws {
        try await withConnection({ try await options.connect(safemode: false) }) { db in
            try await runDemo(db)
        }
    }

    private func section(_ title: String) {
        print("")
        print("== \(title) ==")
    }

    private func runDemo(_ db: Connection) async throws {
        print("Database: \(options.target)")
        if try await db.schemaNames().contains("demo") {
            try await db.schema("demo", tables: [], create: false).drop(confirm: true)
            print("Dropped the existing schema `demo`.")
        }
        let demo = try await db.schema("demo", tables: demoTables)
        print("Declared schema `demo`: \(try await demo.tableNames().joined(separator: ", "))")

        let species = demo[Species.self]
        let subject = demo[Subject.self]
        let session = demo[Session.self]
        let trial = demo.table("Session.Trial")

        // Deterministic data: 5 subjects; 2 sessions of 10 trials each for subjects 1-3, one session
        // without trials for subject 4, none for subject 5.
        try await subject.insert([
            ["subject_id": 1, "species": "mouse", "date_of_birth": "2024-01-15", "sex": "F"],
            ["subject_id": 2, "species": "mouse", "date_of_birth": "2024-02-03", "sex": "M"],
            ["subject_id": 3, "species": "rat", "date_of_birth": "2023-11-20", "sex": "F"],
            ["subject_id": 4, "species": "zebrafish", "date_of_birth": "2024-05-01", "sex": "U"],
            ["subject_id": 5, "species": "rat", "date_of_birth": "2024-03-12", "sex": "M"],
        ])
        let stimuli = ["grating", "checkerboard", "dots", "blank"]
        var sessions: [Row] = []
        var trials: [Row] = []
        for subjectID in 1...3 {
            for sessionIdx in 1...2 {
                let day = 10 * sessionIdx + subjectID
                sessions.append([
                    "subject_id": subjectID, "session_idx": sessionIdx, "session_date": "2024-06-\(day)",
                    "notes": sessionIdx == 1 ? "habituation" : "",
                ])
                for trialIdx in 1...10 {
                    let response = Double((subjectID * 7 + sessionIdx * 5 + trialIdx * 3) % 11) / 10
                    trials.append([
                        "subject_id": subjectID, "session_idx": sessionIdx, "trial_idx": trialIdx,
                        "stimulus": stimuli[(trialIdx + sessionIdx) % stimuli.count], "response": response,
                    ])
                }
            }
        }
        // Omitting `notes` uses its default ''.
        sessions.append(["subject_id": 4, "session_idx": 1, "session_date": "2024-07-02"])
        try await session.insert(sessions)
        try await trial.insert(trials)
        print("Inserted \(try await subject.count()) subjects, \(try await session.count()) sessions, "
            + "\(try await trial.count()) trials.")

        section("Definitions (describe)")
        for (name, table) in [("Species", species), ("Subject", subject), ("Session", session), ("Session.Trial", trial)] {
            let info = try await table.info()
            print("")
            print("\(name)  [\(info.tier.rawValue), table `\(info.name.table)`]")
            print(try await table.describe(), terminator: "")
        }

        section("Previews")
        for (name, table) in [("Species", species), ("Subject", subject), ("Session", session), ("Session.Trial", trial)] {
            print("")
            print(name)
            print(try await preview(table, limit: 8))
        }

        section("Queries")
        try await show("Subject & [\"species\": \"mouse\"]", subject & ["species": "mouse"])
        try await show("Session & [\"subject_id\": 1]", session & ["subject_id": 1])
        try await show("Session.Trial & \"response > 0.5\"", trial & "response > 0.5")
        try await show("Subject - Session  (subjects without sessions)", subject - session)
        try await show("Subject & Not([\"sex\": \"F\"] as Row)", subject & Not(["sex": "F"] as Row))
        let highResponses = try await (trial & "response > 0.5").count()
        print("")
        print("Session.Trial count: \(try await trial.count()) (response > 0.5: \(highResponses))")
        let mouseBirthdays = try await (subject & ["species": "mouse"]).toArray(
            "date_of_birth", as: CalendarDate.self, orderBy: ["subject_id"])
        print("Birth dates of mice: \(mouseBirthdays.map(\.description).joined(separator: ", "))")
        let one = try await (session & ["subject_id": 2, "session_idx": 2]).fetch1()
        print("fetch1 of session (2, 2): \(one)")

        section("Computed stages (populate)")
        let stats = demo[SessionStats.self]
        let grades = demo[SessionGrade.self]
        let pending = try await stats.progress()
        print("SessionStats: \(pending.remaining) of \(pending.total) keys to compute")
        // One call brings the whole pipeline up to date, table after table in dependency order.
        let report = try await demo.populate(reserveJobs: true, workers: 2)
        print("demo.populate(reserveJobs: true, workers: 2):")
        print(report)
        print("")
        print("SessionStats")
        print(try await preview(stats, limit: 12))
        print("")
        print("SessionStats.Stimulus & [\"subject_id\": 2]")
        print(try await preview(demo.table("SessionStats.Stimulus") & ["subject_id": 2], limit: 12))
        print("")
        print("SessionGrade")
        print(try await preview(grades, limit: 12))
        section("New data flows through the pipeline")
        try await subject.insert1(["subject_id": 6, "species": "mouse", "date_of_birth": "2024-04-20", "sex": "F"])
        // A session and its trials go in together: a worker watching the pipeline never sees one without the other.
        try await db.transaction {
            try await session.insert1(["subject_id": 6, "session_idx": 1, "session_date": "2024-08-01"])
            try await trial.insert((1...6).map { index -> Row in
                ["subject_id": 6, "session_idx": 1, "trial_idx": index, "stimulus": stimuli[index % stimuli.count],
                 "response": Double(index) / 8]
            })
        }
        print("Inserted subject 6 with one session of 6 trials.")
        let more = try await demo.populate()
        print("demo.populate(): \(more.success) computed")
        print(try await preview(stats & ["subject_id": 6], limit: 4))
        print(try await preview(grades & ["subject_id": 6], limit: 4))

        let jobProgress = try await stats.jobs().progress()
        print("")
        print("Jobs of SessionStats: \(jobProgress.pending) pending, \(jobProgress.reserved) reserved, "
            + "\(jobProgress.error) failed, \(jobProgress.ignore) ignored")
        let (remaining, total) = try await stats.progress()
        print("SessionStats progress: \(total - remaining) of \(total) computed")

        section("Cascading delete of subject 1")
        let statsTable = stats
        func counts() async throws -> [String] {
            [
                String(try await subject.count()), String(try await session.count()),
                String(try await trial.count()), String(try await statsTable.count()),
            ]
        }
        let before = try await counts()
        let planned = try await (subject & ["subject_id": 1]).deletePreview()
        let previewed = try await Diagram.cascade(subject & ["subject_id": 1]).orderedTables
            .map { "\($0.className) \(planned[$0] ?? 0)" }
        print("deletePreview() (nothing deleted yet): \(previewed.joined(separator: ", "))")
        let deleted = try await (subject & ["subject_id": 1]).delete(confirm: true)
        let after = try await counts()
        print("(subject & [\"subject_id\": 1]).delete(confirm: true) deleted \(deleted) subject row and its dependents")
        print("")
        print(TextTable(
            header: ["", "Subject", "Session", "Session.Trial", "SessionStats"], rows: [["before"] + before, ["after"] + after]
        ).render())

        section("Pipeline graph")
        try await drawDiagram(of: demo)
    }

    /// Writes the diagram of the pipeline to `demo.svg` next to the database file (in the working directory for a
    /// server or an in-memory database). Without Graphviz it says so and goes on.
    private func drawDiagram(of demo: Schema) async throws {
        let diagram = try await Diagram(demo)
        guard (try? Graphviz().executable()) != nil else {
            print("No demo.svg: Graphviz's dot program is not installed (apt-get install graphviz); "
                + "`dj diagram demo --format mermaid` prints the graph as a Mermaid flowchart.")
            return
        }
        let config = try options.loadConfig()
        let directory = config.backend == .sqlite && config.sqlitePath != ":memory:"
            ? URL(fileURLWithPath: config.sqlitePath).deletingLastPathComponent()
            : URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let file = directory.appendingPathComponent("demo.svg")
        do {
            try await diagram.save(to: file, format: .svg)
            print("Wrote the diagram of the pipeline (\(diagram.tables.count) tables) to \(file.path); "
                + "`dj diagram demo` draws it again.")
        } catch let error as DataJointError {
            print("No demo.svg: \(error.message)")
        }
    }

    private func show(_ title: String, _ query: Table) async throws {
        print("")
        print(title)
        print(try await preview(query, limit: 100))
    }
}
