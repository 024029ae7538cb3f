import ArgumentParser
import DataJoint
import DataJointCommand

struct Subject: Manual {
    static let definition = """
        # experimental subject
        subject_id     : int32
        ---
        species        : varchar(32)
        """
}

struct Session: Manual {
    static let definition = """
        # recording session
        -> Subject
        session_idx    : int16
        ---
        session_date   : date
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

struct SessionStats: Computed {
    static let definition = """
        # response statistics of a session
        -> Session
        ---
        n_trials              : int32
        mean_response = null  : float64
        """
    static func make(_ key: Row, _ ctx: MakeContext) async throws {
        let responses: [Double] = try await ctx.upstream[Session.Trial.self].toArray("response")
        let mean: Value = responses.isEmpty ? .null : .double(responses.reduce(0, +) / Double(responses.count))
        try await ctx.insert1(key + ["n_trials": responses.count, "mean_response": mean])
    }
}

/// `lab ingest --subject N`: records a subject with two sessions of five trials (a stand-in for reading files).
struct Ingest: AsyncParsableCommand {
    @OptionGroup var options: DatabaseOptions
    @Option(help: "The subject to record.") var subject: Int32

    func run() async throws {
        let subject = self.subject
        try await withConnection({ try await options.connect() }) { db in
            let lab = try await db.schema("lab", tables: Lab.tables)
            try await db.transaction {
                try await lab[Subject.self].insert1(["subject_id": subject, "species": "mouse"])
                for session in 1...2 {
                    try await lab[Session.self].insert1(
                        ["subject_id": subject, "session_idx": session, "session_date": "2024-06-0\(session)"])
                    try await lab[Session.Trial.self].insert((1...5).map { trial -> Row in
                        ["subject_id": subject, "session_idx": session, "trial_idx": trial,
                         "response": Double(trial * session) / 10]
                    })
                }
            }
            print("Recorded subject \(subject) with 2 sessions.")
        }
    }
}

@main
struct Lab: PipelineCommand {
    static let tables: [any UserTable.Type] = [Subject.self, Session.self, SessionStats.self]
    static let schemas = [SchemaSpec("lab", tables: tables)]
    static let additionalCommands: [any ParsableCommand.Type] = [Ingest.self]
}
