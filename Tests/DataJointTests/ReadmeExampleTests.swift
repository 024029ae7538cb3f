import DataJoint
import Testing

/// The example of the README, run as written (on an in-memory database), so the README stays true.
enum ReadmeExample {
    struct Subject: Manual {
        static let definition = """
            # experimental subject
            subject_id     : int32
            ---
            species        : varchar(32)
            date_of_birth  : date
            """
    }

    struct Session: Manual {
        static let definition = """
            # recording session
            -> Subject
            session_idx    : int16
            ---
            session_date   : date
            notes = ''     : varchar(255)
            """
        static var parts: [any Part.Type] { [Trial.self] }

        struct Trial: Part {
            static let definition = """
                -> master
                trial_idx  : int32
                ---
                response   : float64
                """
        }
    }
}

@Suite("README example")
struct ReadmeExampleTests {
    @Test("runs as written and gives the results a reader expects", arguments: TestBackend.all)
    func example(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            typealias Subject = ReadmeExample.Subject
            typealias Session = ReadmeExample.Session
            let db = try await TestDatabase.connect(settings: Settings())
            let lab = try await db.schema("lab", tables: Subject.self, Session.self)
            let subject = lab[Subject.self]
            let session = lab[Session.self]
            let trial = lab.table("Session.Trial")

            try await subject.insert([
                ["subject_id": 1, "species": "mouse", "date_of_birth": "2024-01-15"],
                ["subject_id": 2, "species": "rat", "date_of_birth": "2023-11-20"],
            ])
            try await session.insert1(["subject_id": 1, "session_idx": 1, "session_date": "2024-06-11"])
            try await trial.insert((1...10).map { i -> Row in
                ["subject_id": 1, "session_idx": 1, "trial_idx": i, "response": Double(i) / 10]
            })

            let mice = try await (subject & ["species": "mouse"]).toDicts()
            let threshold = 0.5
            let strong: [Int] = try await (trial & "response > \(threshold)").toArray("trial_idx", orderBy: ["trial_idx"])
            let born: CalendarDate = try await (subject & ["subject_id": 1]).fetch1("date_of_birth")
            let mouseSessions = try await (session & (subject & ["species": "mouse"])).count()
            let notRats = try await (subject - ["species": "rat"]).count()
            #expect(mice.count == 1)
            #expect(strong == [6, 7, 8, 9, 10])
            #expect(born == CalendarDate(year: 2024, month: 1, day: 15))
            #expect(mouseSessions == 1)
            #expect(notRats == 1)
            #expect(try await lab[Session.Trial.self].count() == 10)

            try await (subject & ["subject_id": 1]).delete(confirm: true)
            #expect(try await subject.count() == 1)
            #expect(try await session.count() == 0)
            #expect(try await trial.count() == 0)
        }
    }
}

extension ReadmeExample {
    /// The Computed table of the README's populate section.
    struct SessionStats: Computed {
        static let definition = """
            -> Session
            ---
            n_trials : int32
            mean_response = null : float64
            """
        static func make(_ key: Row, _ ctx: MakeContext) async throws {
            let responses: [Double] = try await ctx.upstream[Session.Trial.self].toArray("response")
            let mean: Value = responses.isEmpty ? .null : .double(responses.reduce(0, +) / Double(responses.count))
            try await ctx.insert1(key + ["n_trials": responses.count, "mean_response": mean])
        }
    }
}

@Suite("README populate section")
struct ReadmePopulateTests {
    typealias R = ReadmeExample

    @Test("runs as written", arguments: TestBackend.all)
    func populateSection(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let lab = try await db.schema("lab", tables: R.Subject.self, R.Session.self, R.SessionStats.self)
            try await lab[R.Subject.self].insert1(["subject_id": 1, "species": "mouse", "date_of_birth": "2024-01-15"])
            try await lab[R.Session.self].insert([
                ["subject_id": 1, "session_idx": 1, "session_date": "2024-06-11"],
                ["subject_id": 1, "session_idx": 2, "session_date": "2024-06-12"],
            ])
            try await lab.table("Session.Trial").insert((1...4).map { i -> Row in
                ["subject_id": 1, "session_idx": 1, "trial_idx": i, "response": Double(i) / 4]
            })

            let stats = lab[R.SessionStats.self]
            let (remaining, total) = try await stats.progress()
            #expect(remaining == 2 && total == 2)
            let report = try await stats.populate()
            #expect(report.success == 2)
            try await stats.populate(["subject_id": 1] as Row, suppressErrors: true, maxCalls: 10, order: .random)
            try await stats.populate(reserveJobs: true, workers: 4)
            #expect(try await (stats & ["session_idx": 1]).fetch1("mean_response", as: Double.self) == 0.625)
            #expect(try await (stats & ["session_idx": 2]).fetch1("mean_response", as: Value.self) == .null)
        }
    }
}
