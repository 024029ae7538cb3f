import DataJoint

// The small lab pipeline declared by `dj demo`: species, subjects, sessions and their trials.

/// Reference data: the species of subjects.
struct Species: Lookup {
    static let definition = """
        # species of experimental subjects
        species              : varchar(32)
        ---
        common_name          : varchar(64)
        """
    static let contents: [Row] = [
        ["species": "mouse", "common_name": "house mouse (Mus musculus)"],
        ["species": "rat", "common_name": "brown rat (Rattus norvegicus)"],
        ["species": "zebrafish", "common_name": "zebrafish (Danio rerio)"],
    ]
}

/// An experimental subject.
struct Subject: Manual {
    static let definition = """
        # experimental subject
        subject_id           : int32
        ---
        -> Species
        date_of_birth        : date
        sex                  : enum('F', 'M', 'U')
        """
}

/// A recording session of a subject, with its trials as a part table.
struct Session: Manual {
    static let definition = """
        # recording session
        -> Subject
        session_idx          : int16
        ---
        session_date         : date
        notes = ''           : varchar(255)
        """
    static var parts: [any Part.Type] { [Trial.self] }

    /// One trial of a session.
    struct Trial: Part {
        static let definition = """
            # trial within a session
            -> master
            trial_idx            : int32
            ---
            stimulus             : varchar(32)
            response             : float64
            """
    }
}

/// Per-session statistics of the trials, computed by `populate`, with one part row per stimulus.
struct SessionStats: Computed {
    static let definition = """
        # response statistics of a session
        -> Session
        ---
        n_trials             : int32
        mean_response = null : float64
        """
    static var parts: [any Part.Type] { [Stimulus.self] }

    /// The mean response of a session to one stimulus.
    struct Stimulus: Part {
        static let definition = """
            -> master
            stimulus             : varchar(32)
            ---
            n_trials             : int32
            mean_response        : float64
            """
    }

    static func make(_ key: Row, _ ctx: MakeContext) async throws {
        // Inputs are read through `upstream`: each table restricted to the rows this key was computed from.
        let trials = try await ctx.upstream[Session.Trial.self].toDicts(orderBy: ["trial_idx"])
        let responses = trials.compactMap { $0["response"].flatMap(Double.init(dataJointValue:)) }
        let mean: Value = responses.isEmpty ? .null : .double(responses.reduce(0, +) / Double(responses.count))
        try await ctx.insert1(key + ["n_trials": responses.count, "mean_response": mean])
        var byStimulus: [String: [Double]] = [:]
        for trial in trials {
            guard case .string(let stimulus)? = trial["stimulus"], case .double(let r)? = trial["response"] else { continue }
            byStimulus[stimulus, default: []].append(r)
        }
        var parts: [Row] = []
        for (stimulus, values) in byStimulus.sorted(by: { $0.key < $1.key }) {
            let mean = values.reduce(0, +) / Double(values.count)
            let part: Row = ["stimulus": Value.string(stimulus), "n_trials": values.count, "mean_response": mean]
            parts.append(key + part)
        }
        try await ctx.insert(parts, into: Stimulus.self)
    }
}

/// A grade of each session's mean response, judged against the typical response of the subject's species.
struct SessionGrade: Computed {
    static let definition = """
        # grade of a session's mean response
        -> SessionStats
        ---
        grade                : enum('high', 'typical', 'low', 'none')
        """

    /// The mean response considered typical for each species.
    static let typicalResponse: [String: Double] = ["mouse": 0.5, "rat": 0.48, "zebrafish": 0.4]

    static func make(_ key: Row, _ ctx: MakeContext) async throws {
        // Two levels up: the session's statistics and the subject's species.
        let mean: Double? = try await ctx.upstream[SessionStats.self].fetch1("mean_response")
        let species: String = try await ctx.upstream[Subject.self].fetch1("species")
        let typical = typicalResponse[species] ?? 0.5
        let grade = mean.map { $0 > typical + 0.025 ? "high" : ($0 < typical - 0.025 ? "low" : "typical") } ?? "none"
        try await ctx.insert1(key + ["grade": Value.string(grade)])
    }
}

/// The tables of the demo pipeline in declaration order (parts are declared with their master).
let demoTables: [any UserTable.Type] = [Species.self, Subject.self, Session.self, SessionStats.self, SessionGrade.self]
