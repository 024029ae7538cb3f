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

/// The tables of the demo pipeline in declaration order (parts are declared with their master).
let demoTables: [any UserTable.Type] = [Species.self, Subject.self, Session.self]
