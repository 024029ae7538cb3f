import DataJoint
import Foundation
import Testing

/// Two small schemas for the update, delete and drop tests. Schema A holds a subject → session →
/// recording (master with two parts) chain; schema B references tables of schema A.
enum DeleteDropPipeline {
    static let schemaA = "dd_lab"
    static let schemaB = "dd_notes"

    struct DdSubject: Manual {
        static let definition = """
            subject_id : int32
            ---
            species : varchar(20)
            notes = "" : varchar(60)
            age = null : int16
            """
    }

    struct DdSession: Manual {
        static let definition = """
            -> DdSubject
            session : int16
            ---
            room : varchar(10)
            """
    }

    struct DdRecording: Manual {
        static let definition = """
            -> DdSession
            rec : int16
            ---
            quality : float64
            """
        static var parts: [any Part.Type] { [Channel.self, Marker.self] }

        struct Channel: Part {
            static let definition = """
                -> master
                channel : int16
                ---
                gain : float64
                """
        }

        struct Marker: Part {
            static let definition = """
                -> master
                marker : int16
                ---
                label : varchar(20)
                """
        }
    }

    /// A table with no dependents.
    struct DdStandalone: Manual {
        static let definition = """
            item : int32
            ---
            value : varchar(20)
            """
    }

    static let tablesA: [any UserTable.Type] = [DdSubject.self, DdSession.self, DdRecording.self, DdStandalone.self]

    // Schema B: references into schema A.
    struct DdSubjectNote: Manual {
        static let definition = """
            -> dd_lab.DdSubject
            note_id : int16
            ---
            text : varchar(60)
            """
    }

    struct DdSessionReview: Manual {
        static let definition = """
            -> dd_lab.DdSession
            ---
            verdict : varchar(20)
            """
    }

    static let tablesB: [any UserTable.Type] = [DdSubjectNote.self, DdSessionReview.self]

    struct Schemas {
        let db: Connection
        let a: Schema
        let b: Schema

        var subject: Table { a[DdSubject.self] }
        var session: Table { a[DdSession.self] }
        var recording: Table { a[DdRecording.self] }
        var channel: Table { a.table("dd_recording__channel") }
        var marker: Table { a.table("dd_recording__marker") }
        var standalone: Table { a[DdStandalone.self] }
        var note: Table { b[DdSubjectNote.self] }
        var review: Table { b[DdSessionReview.self] }

        /// Row counts of every table (or of the named ones only).
        func counts(only names: [String]? = nil) async throws -> [String: Int] {
            var out: [String: Int] = [:]
            for (name, table) in [
                ("subject", subject), ("session", session), ("recording", recording), ("channel", channel),
                ("marker", marker), ("standalone", standalone), ("note", note), ("review", review),
            ] where names?.contains(name) ?? true {
                out[name] = try await table.count()
            }
            return out
        }
    }

    /// Subjects 1–3; subjects 1 and 2 have two sessions each; each session has two recordings; each
    /// recording has two channels and one marker. Notes and reviews in schema B.
    static func make(_ given: Connection? = nil, fill: Bool = true) async throws -> Schemas {
        let db: Connection
        if let given { db = given } else { db = try await TestDatabase.connect() }
        let a = try await db.schema(schemaA, tables: tablesA)
        let b = try await db.schema(schemaB, tables: tablesB)
        let s = Schemas(db: db, a: a, b: b)
        guard fill else { return s }
        try await s.subject.insert([
            ["subject_id": 1, "species": "mouse"],
            ["subject_id": 2, "species": "rat", "age": 3],
            ["subject_id": 3, "species": "mouse", "notes": "spare"],
        ])
        var sessions: [Row] = []
        var recordings: [Row] = []
        var channels: [Row] = []
        var markers: [Row] = []
        for subject in 1...2 {
            for session in 1...2 {
                sessions.append(["subject_id": subject, "session": session, "room": "R\(session)"])
                for rec in 1...2 {
                    let key: Row = ["subject_id": subject, "session": session, "rec": rec]
                    recordings.append(key + ["quality": Double(rec) / 2])
                    for channel in 1...2 { channels.append(key + ["channel": channel, "gain": 1.0]) }
                    markers.append(key + ["marker": 1, "label": "start"])
                }
            }
        }
        try await s.session.insert(sessions)
        try await s.recording.insert(recordings)
        try await s.channel.insert(channels)
        try await s.marker.insert(markers)
        try await s.standalone.insert([["item": 1, "value": "x"], ["item": 2, "value": "y"]])
        try await s.note.insert([
            ["subject_id": 1, "note_id": 1, "text": "calm"],
            ["subject_id": 1, "note_id": 2, "text": "fed"],
            ["subject_id": 2, "note_id": 1, "text": "active"],
            ["subject_id": 3, "note_id": 1, "text": "new"],
        ])
        try await s.review.insert([
            ["subject_id": 1, "session": 1, "verdict": "good"],
            ["subject_id": 2, "session": 2, "verdict": "bad"],
        ])
        return s
    }

    static let fullCounts: [String: Int] = [
        "subject": 3, "session": 4, "recording": 8, "channel": 16, "marker": 8, "standalone": 2, "note": 4,
        "review": 2,
    ]
}

@Suite("Update, delete and drop")
struct DeleteDropTests {
    typealias P = DeleteDropPipeline

    // MARK: - update1

    @Test("update1 changes secondary attributes of one row and nothing else", arguments: TestBackend.all)
    func updateSecondary(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make()
            try await s.subject.update1(["subject_id": 1, "species": "vole"])
            #expect(try await (s.subject & ["subject_id": 1]).fetch1("species", as: String.self) == "vole")
            try await s.subject.update1(["subject_id": 3, "species": "rat", "notes": "moved", "age": 5])
            #expect(
                try await (s.subject & ["subject_id": 3]).fetch1()
                    == ["subject_id": 3, "species": "rat", "notes": "moved", "age": 5])
            // NULL for a nullable attribute.
            try await s.subject.update1(["subject_id": 2, "age": nil as Int?])
            #expect(try await (s.subject & ["subject_id": 2]).fetch1()["age"] == .null)
            #expect(try await (s.subject & ["subject_id": 2]).fetch1("species", as: String.self) == "rat")
            // Other rows and dependents are untouched.
            #expect(try await s.subject.toArray("species", as: String.self, orderBy: ["KEY"]) == ["vole", "rat", "rat"])
            #expect(try await s.counts() == P.fullCounts)
        }
    }

    @Test("update1 of a missing row is an error and changes nothing", arguments: TestBackend.all)
    func updateMissingRow(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make()
            let before = try await s.subject.toDicts(orderBy: ["KEY"])
            let error = await #expect(throws: DataJointError.self) {
                try await s.subject.update1(["subject_id": 99, "species": "ghost"])
            }
            #expect(error != nil)
            #expect(try await s.subject.toDicts(orderBy: ["KEY"]) == before)
            // Without the primary key at all.
            let noKey = await #expect(throws: DataJointError.self) { try await s.subject.update1(["species": "ghost"]) }
            #expect(noKey != nil)
            #expect(try await s.subject.toDicts(orderBy: ["KEY"]) == before)
        }
    }

    @Test("update1 cannot change the primary key; unknown attributes are .missingAttribute", arguments: TestBackend.all)
    func updatePrimaryKey(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make()
            let before = try await s.subject.toDicts(orderBy: ["KEY"])
            // Only the key: nothing to change.
            try await s.subject.update1(["subject_id": 1])
            #expect(try await s.subject.toDicts(orderBy: ["KEY"]) == before)
            // An unknown attribute.
            let error = await #expect(throws: DataJointError.self) {
                try await s.subject.update1(["subject_id": 1, "new_subject_id": 7])
            }
            #expect(error?.kind == .missingAttribute)
            let mixed = await #expect(throws: DataJointError.self) {
                try await s.subject.update1(["subject_id": 1, "species": "vole", "colour": "brown"])
            }
            #expect(mixed?.kind == .missingAttribute)
            #expect(try await s.subject.toDicts(orderBy: ["KEY"]) == before)
            #expect(try await (s.subject & ["subject_id": 7]).isEmpty())
            // An invalid value for a secondary attribute is refused.
            let invalid = await #expect(throws: DataJointError.self) {
                try await s.subject.update1(["subject_id": 1, "species": String(repeating: "x", count: 50)])
            }
            #expect(invalid?.kind == .invalidValue)
            let nullNotAllowed = await #expect(throws: DataJointError.self) {
                try await s.subject.update1(["subject_id": 1, "species": nil as String?])
            }
            #expect(nullNotAllowed?.kind == .invalidValue)
            #expect(try await s.subject.toDicts(orderBy: ["KEY"]) == before)
        }
    }

    @Test("update1 on a restricted table is refused (as in DataJoint-Python)", arguments: TestBackend.all)
    func updateRestrictedTable(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make()
            let before = try await s.subject.toDicts(orderBy: ["KEY"])
            let error = await #expect(throws: DataJointError.self) {
                try await (s.subject & "subject_id > 1").update1(["subject_id": 1, "species": "vole"])
            }
            #expect(error != nil)
            #expect(try await s.subject.toDicts(orderBy: ["KEY"]) == before)
        }
    }

    // MARK: - delete

    @Test("deleteQuick on rows with dependents is .integrity and deletes nothing", arguments: TestBackend.all)
    func deleteQuickWithDependents(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make()
            let error = await #expect(throws: DataJointError.self) {
                try await (s.subject & ["subject_id": 1]).deleteQuick()
            }
            #expect(error?.kind == .integrity)
            #expect(try await s.counts() == P.fullCounts)
            // Several rows, only some of which have dependents: still nothing is deleted.
            let some = await #expect(throws: DataJointError.self) { try await s.subject.deleteQuick() }
            #expect(some?.kind == .integrity)
            #expect(try await s.counts() == P.fullCounts)
            // A dependent in another schema also blocks it (subject 3 has only a note in schema B).
            let crossSchema = await #expect(throws: DataJointError.self) {
                try await (s.subject & ["subject_id": 3]).deleteQuick()
            }
            #expect(crossSchema?.kind == .integrity)
            #expect(try await s.counts() == P.fullCounts)

            // Without dependents it deletes and returns the count.
            #expect(try await (s.standalone & ["item": 1]).deleteQuick() == 1)
            #expect(try await (s.note & ["subject_id": 3]).deleteQuick() == 1)
            #expect(try await (s.subject & ["subject_id": 3]).deleteQuick() == 1)
            #expect(try await s.subject.count() == 2)
        }
    }

    @Test("delete cascades through several levels and into another schema", arguments: TestBackend.all)
    func cascadeAcrossSchemas(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make()
            let deleted = try await (s.subject & ["subject_id": 1]).delete()
            #expect(deleted == 1)
            #expect(
                try await s.counts() == [
                    "subject": 2, "session": 2, "recording": 4, "channel": 8, "marker": 4, "standalone": 2, "note": 2,
                    "review": 1,
                ])
            for table in [s.session, s.recording, s.channel, s.marker, s.note, s.review] {
                #expect(try await (table & ["subject_id": 1]).isEmpty())
            }
            #expect(try await (s.note & ["subject_id": 2]).count() == 1)
            #expect(try await (s.review & ["subject_id": 2]).count() == 1)

            // A mid-level restriction cascades downward only.
            #expect(try await (s.session & ["subject_id": 2, "session": 2]).delete() == 1)
            #expect(try await s.subject.count() == 2)
            #expect(try await s.session.keys() == [["subject_id": 2, "session": 1]])
            #expect(try await s.recording.count() == 2)
            #expect(try await s.channel.count() == 4)
            #expect(try await s.review.isEmpty())
            #expect(try await s.note.count() == 2)

            // Deleting everything from the top empties every dependent table in both schemas.
            #expect(try await s.subject.delete() == 2)
            let after = try await s.counts()
            #expect(after == ["subject": 0, "session": 0, "recording": 0, "channel": 0, "marker": 0, "standalone": 2, "note": 0, "review": 0])
        }
    }

    @Test("delete by an anti-restriction cascades only from the rows it selects", arguments: TestBackend.all)
    func deleteAntiRestricted(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make()
            // Subjects without sessions: only subject 3 (with one note in schema B).
            #expect(try await (s.subject - s.session).delete() == 1)
            var expected = P.fullCounts
            expected["subject"] = 2
            expected["note"] = 3
            #expect(try await s.counts() == expected)
            // Sessions without a review: cascades to their recordings and parts only.
            #expect(try await (s.session - s.review).delete() == 2)
            expected["session"] = 2
            expected["recording"] = 4
            expected["channel"] = 8
            expected["marker"] = 4
            #expect(try await s.counts() == expected)
            #expect(try await s.session.keys(orderBy: ["KEY"]) == [["subject_id": 1, "session": 1], ["subject_id": 2, "session": 2]])
        }
    }

    @Test("delete of rows that match nothing deletes nothing", arguments: TestBackend.all)
    func deleteNothing(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make()
            #expect(try await (s.subject & ["subject_id": 42]).delete() == 0)
            #expect(try await (s.subject & false).delete() == 0)
            #expect(try await s.counts() == P.fullCounts)
        }
    }

    @Test("with safemode on, delete and drop without confirm are .notAllowed and change nothing", arguments: TestBackend.all)
    func safemode(backend: TestBackend) async throws {
        try await backend.withDatabase(settings: Settings()) { db in
            #expect(db.settings.safemode)
            let s = try await P.make(db)
            let error = await #expect(throws: DataJointError.self) { try await (s.subject & ["subject_id": 1]).delete() }
            #expect(error?.kind == .notAllowed)
            let all = await #expect(throws: DataJointError.self) { try await s.session.delete(partIntegrity: .cascade) }
            #expect(all?.kind == .notAllowed)
            #expect(try await s.counts() == P.fullCounts)

            let drop = await #expect(throws: DataJointError.self) { try await s.standalone.drop() }
            #expect(drop?.kind == .notAllowed)
            let dropSchema = await #expect(throws: DataJointError.self) { try await s.b.drop() }
            #expect(dropSchema?.kind == .notAllowed)
            #expect(try await s.a.tableNames().contains("dd_standalone"))
            #expect(try await db.schemaNames().contains(P.schemaB))

            #expect(try await (s.subject & ["subject_id": 1]).delete(confirm: true) == 1)
            #expect(try await s.subject.count() == 2)
            #expect(try await s.note.count() == 2)
            try await s.standalone.drop(confirm: true)
            #expect(try await !s.a.tableNames().contains("dd_standalone"))
        }
    }

    // MARK: - master and parts

    @Test("deleting master rows deletes their parts", arguments: TestBackend.all)
    func deleteMasterDeletesParts(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make()
            let key: Row = ["subject_id": 1, "session": 1, "rec": 1]
            #expect(try await (s.recording & key).delete() == 1)
            #expect(try await s.recording.count() == 7)
            #expect(try await s.channel.count() == 14)
            #expect(try await s.marker.count() == 7)
            #expect(try await (s.channel & key).isEmpty())
            #expect(try await (s.marker & key).isEmpty())
            // Deleting from upstream of the master removes masters and parts together (allowed under .enforce).
            #expect(try await (s.session & ["subject_id": 2]).delete() == 2)
            #expect(try await s.recording.count() == 3)
            #expect(try await s.channel.count() == 6)
            #expect(try await s.marker.count() == 3)
            #expect(try await s.recording.delete() == 3)
            #expect(try await s.channel.isEmpty())
            #expect(try await s.marker.isEmpty())
        }
    }

    @Test("deleting from a part directly is refused under the default partIntegrity", arguments: TestBackend.all)
    func deletePartEnforced(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make()
            let key: Row = ["subject_id": 1, "session": 1, "rec": 1]
            let error = await #expect(throws: DataJointError.self) { try await (s.channel & key).delete() }
            #expect(error?.kind == .integrity)
            let explicit = await #expect(throws: DataJointError.self) {
                try await (s.channel & key & ["channel": 2]).delete(partIntegrity: .enforce)
            }
            #expect(explicit?.kind == .integrity)
            let whole = await #expect(throws: DataJointError.self) { try await s.marker.delete() }
            #expect(whole?.kind == .integrity)
            #expect(try await s.counts() == P.fullCounts)
        }
    }

    @Test("partIntegrity .ignore deletes the part rows only", arguments: TestBackend.all)
    func deletePartIgnore(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make()
            let key: Row = ["subject_id": 1, "session": 1, "rec": 1]
            #expect(try await (s.channel & key & ["channel": 2]).delete(partIntegrity: .ignore) == 1)
            #expect(try await s.channel.count() == 15)
            #expect(try await (s.channel & key).toArray("channel", as: Int.self) == [1])
            var expected = P.fullCounts
            expected["channel"] = 15
            #expect(try await s.counts() == expected)
            #expect(try await s.channel.delete(partIntegrity: .ignore) == 15)
            expected["channel"] = 0
            #expect(try await s.counts() == expected)
        }
    }

    @Test("partIntegrity .cascade deletes the masters of the part rows and all their parts", arguments: TestBackend.all)
    func deletePartCascade(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make()
            let key: Row = ["subject_id": 1, "session": 1, "rec": 1]
            try await (s.channel & key & ["channel": 2]).delete(partIntegrity: .cascade)
            #expect(try await (s.recording & key).isEmpty())
            #expect(try await (s.channel & key).isEmpty())
            #expect(try await (s.marker & key).isEmpty())
            var expected = P.fullCounts
            expected["recording"] = 7
            expected["channel"] = 14
            expected["marker"] = 7
            #expect(try await s.counts() == expected)

            // Part rows of several masters (every recording 2 of subject 2).
            try await (s.marker & ["subject_id": 2, "rec": 2]).delete(partIntegrity: .cascade)
            expected["recording"] = 5
            expected["channel"] = 10
            expected["marker"] = 5
            #expect(try await s.counts() == expected)
            #expect(try await (s.recording & ["subject_id": 2]).toArray("rec", as: Int.self) == [1, 1])
        }
    }

    @Test("a part table is reached by its Swift type", arguments: TestBackend.all)
    func partBySwiftType(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make()
            #expect(try await s.a[P.DdRecording.Channel.self].tableName() == "dd_recording__channel")
            #expect(try await s.a[P.DdRecording.Channel.self].count() == 16)
            #expect(try await s.a.table("DdRecording.Marker").count() == 8)
        }
    }

    // MARK: - transactions

    @Test("transaction rolls back everything when the body throws and commits when it does not", arguments: TestBackend.all)
    func transactions(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            struct Abort: Error {}
            let s = try await P.make()
            let db = s.db
            let standalone = s.standalone
            let subject = s.subject
            let session = s.session

            await #expect(throws: Abort.self) {
                try await db.transaction {
                    try await standalone.insert1(["item": 10, "value": "t"])
                    try await subject.insert1(["subject_id": 10, "species": "newt"])
                    try await session.insert1(["subject_id": 10, "session": 1, "room": "T"])
                    try await (subject & ["subject_id": 1]).delete()
                    try await standalone.update1(["item": 1, "value": "changed"])
                    throw Abort()
                }
            }
            #expect(try await s.counts() == P.fullCounts)
            #expect(try await (s.standalone & ["item": 1]).fetch1("value", as: String.self) == "x")
            #expect(try await (s.subject & ["subject_id": 10]).isEmpty())

            // A DataJoint error inside the body rolls back the earlier statements too.
            let error = await #expect(throws: DataJointError.self) {
                try await db.transaction {
                    try await standalone.insert1(["item": 11, "value": "t"])
                    try await standalone.insert1(["item": 1, "value": "dup"])
                }
            }
            #expect(error?.kind == .duplicate)
            #expect(try await (s.standalone & ["item": 11]).isEmpty())

            // Commit.
            let result = try await db.transaction {
                try await standalone.insert1(["item": 12, "value": "t"])
                try await subject.insert1(["subject_id": 12, "species": "newt"])
                try await session.insert1(["subject_id": 12, "session": 1, "room": "T"])
                try await (subject & ["subject_id": 3]).delete()
                return 42
            }
            #expect(result == 42)
            #expect(try await (s.standalone & ["item": 12]).count() == 1)
            #expect(try await (s.session & ["subject_id": 12]).count() == 1)
            #expect(try await (s.subject & ["subject_id": 3]).isEmpty())
            #expect(try await (s.note & ["subject_id": 3]).isEmpty())
            #expect(!db.inTransaction)
        }
    }

    // MARK: - drop

    @Test("dropping a table drops its dependents, also in another schema", arguments: TestBackend.all)
    func dropTableWithDependents(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make()
            #expect(
                try await s.a.tableNames() == [
                    "dd_recording", "dd_recording__channel", "dd_recording__marker", "dd_session", "dd_standalone",
                    "dd_subject",
                ])
            #expect(try await s.b.tableNames() == ["dd_session_review", "dd_subject_note"])

            try await s.session.drop()
            #expect(try await s.a.tableNames() == ["dd_standalone", "dd_subject"])
            #expect(try await s.b.tableNames() == ["dd_subject_note"])
            #expect(try await !s.session.isDeclared())
            #expect(try await !s.channel.isDeclared())
            #expect(try await !s.review.isDeclared())
            #expect(try await s.subject.count() == 3)
            #expect(try await s.note.count() == 4)
            let gone = await #expect(throws: DataJointError.self) { try await s.session.count() }
            #expect(gone?.kind == .missingTable)
            // The dropped dependent in the other schema is gone for that schema's objects too.
            let goneB = await #expect(throws: DataJointError.self) { try await s.review.count() }
            #expect(goneB?.kind == .missingTable)

            // Redeclaring works after the drop, also through the schema objects held before it.
            let a = try await s.db.schema(P.schemaA, tables: P.tablesA)
            #expect(try await a.tableNames().count == 6)
            #expect(try await a[P.DdSession.self].isEmpty())
            try await s.b.declare(P.tablesB)
            #expect(try await s.b.tableNames() == ["dd_session_review", "dd_subject_note"])
            try await s.session.insert1(["subject_id": 1, "session": 9, "room": "Z"])
            try await s.review.insert1(["subject_id": 1, "session": 9, "verdict": "ok"])
            #expect(try await s.review.count() == 1)

            // Dropping the top table removes the dependents everywhere.
            try await s.subject.drop()
            #expect(try await s.a.tableNames() == ["dd_standalone"])
            #expect(try await s.b.tableNames() == [])
        }
    }

    @Test("dropping a master drops its parts; a part cannot be dropped directly", arguments: TestBackend.all)
    func dropPart(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make()
            let error = await #expect(throws: DataJointError.self) { try await s.channel.drop() }
            #expect(error?.kind == .notAllowed)
            #expect(try await s.a.tableNames().contains("dd_recording__channel"))
            #expect(try await s.channel.count() == 16)

            try await s.recording.drop()
            #expect(try await s.a.tableNames() == ["dd_session", "dd_standalone", "dd_subject"])
            #expect(try await s.session.count() == 4)
        }
    }

    @Test("dropping a schema removes it from schemaNames", arguments: TestBackend.all)
    func dropSchema(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make()
            #expect(try await s.db.schemaNames() == [P.schemaA, P.schemaB])
            try await s.b.drop()
            #expect(try await s.db.schemaNames() == [P.schemaA])
            #expect(try await !s.b.exists())
            #expect(try await s.b.tableNames() == [])
            // Schema A is untouched, and with nothing depending on it now, it can be dropped too.
            let remaining = ["subject", "session", "recording", "channel", "marker", "standalone"]
            #expect(try await s.counts(only: remaining) == P.fullCounts.filter { remaining.contains($0.key) })
            try await s.subject.delete()
            try await s.a.drop()
            #expect(try await s.db.schemaNames() == [])
            #expect(try await s.a.tableNames() == [])
        }
    }

    @Test("dropping a schema that another schema depends on is refused", arguments: TestBackend.all)
    func dropReferencedSchema(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let s = try await P.make()
            let error = await #expect(throws: DataJointError.self) { try await s.a.drop() }
            #expect(error != nil)
            #expect(error?.kind == .integrity)
            #expect(try await s.db.schemaNames() == [P.schemaA, P.schemaB])
            #expect(try await s.a.tableNames().count == 6)
            #expect(try await s.counts() == P.fullCounts)
        }
    }
}
