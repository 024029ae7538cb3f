import DataJoint
import Foundation
import Testing

/// Tables of the PostgreSQL backend tests: every core type, defaults, enums (one shared by two columns), a part
/// table, renamed, nullable and unique foreign keys, indexes, a lookup, a computed table and a singleton.
enum PG {
    struct Subject: Manual {
        static let definition = """
            # experimental subject
            subject_id : int32  # id
            ---
            species = 'mouse' : varchar(30)  # species "quoted", it's fine
            sex = 'F' : enum('F','M','U')
            date_of_birth : date
            weight = null : decimal(5,2)
            flag = 1 : bool
            neg = -1 : int16
            """
    }

    struct Session: Manual {
        static let definition = """
            # recording session
            -> Subject
            session_idx : int16
            ---
            started = CURRENT_TIMESTAMP : datetime(3)
            ended = null : datetime
            score = 0.5 : float64
            small : int8
            ratio : float32
            big : int64
            token : uuid
            raw = null : bytes
            doc = null : json
            code : char(4)
            big_dec = null : decimal(30,10)
            sex_again = 'M' : enum('F','M','U')
            quality = 'good' : enum('good', 'bad')
            native_col = null : real
            index(score)
            unique index(big)
            """
        static var parts: [any Part.Type] { [Trial.self] }

        struct Trial: Part {
            static let definition = """
                -> master
                trial_idx : int32
                ---
                response : float64  # the response
                response_time = null : float32
                """
        }
    }

    struct Other: Manual {
        static let definition = """
            other_id : int32
            ---
            -> Subject
            -> [nullable] Session.proj(s2='session_idx')
            -> [nullable, unique] Subject.proj(buddy_id='subject_id')
            """
    }

    struct Kind: Lookup {
        static let definition = """
            kind : varchar(8)
            ---
            description = '' : varchar(100)
            """
    }

    struct SessionStats: Computed {
        static let definition = """
            -> Session
            ---
            n_trials : int32
            mean_response = null : float64
            """
        /// Declared only: never populated in these tests.
        static func make(_ key: Row, _ ctx: MakeContext) async throws { try await ctx.insert1(key) }
    }

    struct Setting: Manual {
        static let definition = """
            # a singleton table
            ---
            value = null : int32
            """
    }

    struct Recording: Manual {
        static let definition = """
            recording_id : int32
            ---
            trace : <blob>
            raw : bytes
            """
    }

    static let pipeline: [any UserTable.Type] = [Subject.self, Session.self, Other.self, Kind.self, SessionStats.self, Setting.self]

    /// A table for bulk inserts.
    struct Bulk: Manual {
        static let definition = """
            item_id : int32
            ---
            value : float64
            label : varchar(16)
            """
    }

    /// The schema that `Child` references, set per test.
    @TaskLocal static var parentSchema = ""

    struct Mode: Manual {
        static let definition = """
            mode : enum('on', 'off')
            """
    }

    struct ModeChild: Manual {
        static var definition: String {
            """
            -> \(PG.parentSchema).Mode
            n : int32
            """
        }
    }

    struct Child: Manual {
        static var definition: String {
            """
            -> \(PG.parentSchema).Subject
            child_idx : int32
            """
        }
    }
}

// A new server process may take a while to start while the whole suite runs on two cores: load, not a fault.
private let serverOptions = ServerOptions(
    host: "127.0.0.1", port: 5432, user: "datajoint", password: "datajoint", databaseName: "dj_test", connectTimeout: 60)

private func connect(maxSessions: Int = 8) async throws -> Connection {
    var options = serverOptions
    options.maxSessions = maxSessions
    return Connection(driver: try await PostgresDriver.open(options), settings: Settings(safemode: false))
}

private func uniqueName(_ prefix: String = "pgt") -> String {
    prefix + "_" + String(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(10)).lowercased()
}

/// Runs `body` with fresh schema names, dropping the schemas afterwards whatever happens.
private func withSchemas(
    _ count: Int, _ body: @Sendable (Connection, [String]) async throws -> Void
) async throws {
    let db = try await connect()
    let base = uniqueName()
    let names = (0..<count).map { "\(base)_\($0)" }
    do {
        try await body(db, names)
    } catch {
        await dropSchemas(db, names)
        try? await db.close()
        throw error
    }
    await dropSchemas(db, names)
    try await db.close()
}

private func dropSchemas(_ db: Connection, _ names: [String]) async {
    let catalog = db.catalog
    for name in names.reversed() {
        _ = try? await db.withSession { try await catalog.dropSchema(name, $0) }
    }
}

private func dec(_ text: String) -> Value { .decimal(Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))!) }
private func date(_ text: String) -> Value { .date(CalendarDate(iso: text)!) }
private func datetime(_ text: String) -> Value { .datetime(DateTime(iso: text)!) }

private func sessionRow(subject: Int = 1, idx: Int, _ changes: [String: Value] = [:]) -> Row {
    var row: Row = [
        "subject_id": subject, "session_idx": idx, "small": 1, "ratio": 0.5, "big": Int64(idx), "code": "abcd",
        "token": UUID(uuidString: "00000000-0000-0000-0000-00000000000\(idx % 10)")!,
    ]
    for (name, value) in changes { row[name] = value }
    return row
}

@Suite("PostgreSQL backend", .enabled(if: TestBackend.all.contains(.postgresql), "PostgreSQL is not among the backends under test"))
struct PostgresBackendTests {
    // MARK: declaration and catalog

    @Test("a pipeline with every core type declares, and the catalog rebuilds types, defaults and comments")
    func declareAndDescribe() async throws {
        try await withSchemas(1) { db, names in
            let lab = try await db.schema(names[0], tables: PG.pipeline)
            #expect(try await lab.tableNames() == ["#kind", "__session_stats", "other", "session", "session__trial", "setting", "subject"])
            let declared = try await lab[PG.Session.self].heading()
            let expected: [String: AttributeType] = [
                "subject_id": .int32, "session_idx": .int16, "started": .datetime(fractionalDigits: 3),
                "ended": .datetime(fractionalDigits: nil), "score": .float64, "small": .int8, "ratio": .float32,
                "big": .int64, "token": .uuid, "raw": .bytes, "doc": .json, "code": .char(4),
                "big_dec": .decimal(precision: 30, scale: 10), "sex_again": .enumeration(["F", "M", "U"]),
                "quality": .enumeration(["good", "bad"]),
            ]
            for (name, type) in expected { #expect(declared[name]?.type == type, "\(name)") }
            #expect(declared["native_col"]?.type == .native("real", .float))
            #expect(declared.primaryKey == ["subject_id", "session_idx"])

            // Read back from the database alone (no Swift types): the same headings and definitions.
            let reopened = try await connect()
            let again = try await reopened.schema(names[0], tables: [], create: false)
            for name in try await lab.tableNames() {
                let original = try await lab.table(name).heading()
                let rebuilt = try await again.table(name).heading()
                #expect(rebuilt == original, "\(name)")
                #expect(try await again.table(name).describe() == lab.table(name).describe(), "\(name)")
            }
            let subject = try await again.table("subject").info()
            #expect(subject.comment == "experimental subject")
            #expect(subject.heading["species"]?.comment == #"species "quoted", it's fine"#)
            #expect(subject.heading["species"]?.defaultValue == .string("mouse"))
            #expect(subject.heading["sex"]?.defaultValue == .string("F"))
            #expect(subject.heading["neg"]?.defaultValue == .literal("-1"))
            #expect(subject.heading["flag"]?.defaultValue == .bool(true))
            #expect(subject.heading["weight"]?.nullable == true)
            let session = try await again.table("session").info()
            #expect(session.heading["started"]?.defaultValue == .currentTimestamp)
            #expect(session.heading["score"]?.defaultValue == .literal("0.5"))
            // A foreign-key attribute has its parent's type and comment.
            #expect(session.heading["subject_id"]?.type == .int32)
            #expect(session.heading["subject_id"]?.comment == "id")
            let trial = try await again.table("session__trial").info()
            #expect(trial.heading["subject_id"]?.comment == "id")
            #expect(trial.foreignKeys.map(\.columns) == [["subject_id", "session_idx"]])
            let other = try await again.table("other").info()
            #expect(other.foreignKeys.map(\.columns) == [["subject_id"], ["subject_id", "s2"], ["buddy_id"]])
            #expect(other.foreignKeys.map(\.referencedColumns) == [["subject_id"], ["subject_id", "session_idx"], ["subject_id"]])
            #expect(other.heading["s2"]?.type == .int16)
            #expect(other.heading["s2"]?.nullable == true)
            // The foreign-key support index is not a declared index; the unique foreign key is.
            #expect(other.indexes == [IndexConstraint(unique: true, columns: ["buddy_id"])])
            #expect(session.indexes == [IndexConstraint(unique: false, columns: ["score"]), IndexConstraint(unique: true, columns: ["big"])])
            let setting = try await again.table("setting").heading()
            #expect(setting.primaryKey == ["_singleton"] || setting.primaryKey.isEmpty)
            try await reopened.close()
        }
    }

    @Test("enum types are named as the reference names them and dropped with their last table")
    func enumTypes() async throws {
        let dialect = PostgresDialect()
        // md5("F_M_U")[:8], as DataJoint-Python computes it.
        #expect(try dialect.columnType(for: .enumeration(["F", "M", "U"])) == "\"enum_e54fc739\"")
        #expect(try dialect.columnType(for: .enumeration(["U", "M", "F"])) == "\"enum_e54fc739\"")
        try await withSchemas(1) { db, names in
            let lab = try await db.schema(names[0], tables: PG.Subject.self, PG.Session.self)
            func enumTypes() async throws -> [String] {
                try await db.query(
                    RenderedSQL(
                        "SELECT t.typname::text FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                            + "WHERE n.nspname = $1 AND t.typtype = 'e' ORDER BY 1", [.string(names[0])])
                ).map { $0[0].description }
            }
            let both = try await enumTypes()
            #expect(both.count == 2)
            #expect(both.contains("enum_e54fc739"))
            // `session` still uses enum('F','M','U') after `subject` is gone... but dropping subject drops session.
            try await lab[PG.Session.self].drop(confirm: true)
            #expect(try await enumTypes() == ["enum_e54fc739"])
            try await lab[PG.Subject.self].drop(confirm: true)
            #expect(try await enumTypes() == [])
        }
    }

    // MARK: values

    @Test("every core type round-trips with its extremes")
    func roundTrips() async throws {
        try await withSchemas(1) { db, names in
            let lab = try await db.schema(names[0], tables: PG.Subject.self, PG.Session.self)
            let subjects: [Row] = [
                ["subject_id": Int32.min, "date_of_birth": "0001-01-01", "weight": dec("-999.99"), "flag": false,
                 "neg": -32768, "sex": "U", "species": ""],
                ["subject_id": Int32.max, "date_of_birth": "9999-12-31", "weight": dec("999.99"), "flag": true,
                 "neg": 32767, "species": String(repeating: "é", count: 30)],
                ["subject_id": 1, "date_of_birth": "2024-02-29"],
            ]
            try await lab[PG.Subject.self].insert(subjects)
            let low = try await (lab[PG.Subject.self] & ["subject_id": Int32.min]).fetch1()
            #expect(low["date_of_birth"] == date("0001-01-01"))
            #expect(low["weight"] == dec("-999.99"))
            #expect(low["flag"] == false)
            #expect(low["neg"] == -32768)
            #expect(low["sex"] == "U")
            #expect(low["species"] == "")
            let high = try await (lab[PG.Subject.self] & ["subject_id": Int32.max]).fetch1()
            #expect(high["date_of_birth"] == date("9999-12-31"))
            #expect(high["weight"] == dec("999.99"))
            #expect(high["flag"] == true)
            #expect(high["species"] == .string(String(repeating: "é", count: 30)))
            let plain = try await (lab[PG.Subject.self] & ["subject_id": 1]).fetch1()
            #expect(plain["species"] == "mouse")
            #expect(plain["sex"] == "F")
            #expect(plain["flag"] == true)
            #expect(plain["neg"] == -1)
            #expect(plain["weight"] == .null)
            #expect(plain["date_of_birth"] == date("2024-02-29"))

            let allBytes = Data((0...255).map { UInt8($0) })
            let doc: JSON = ["name": "ünï", "list": [1, 2.5, nil, true], "nested": ["a": ["b": "c"]], "big": .int(Int64.max)]
            let token = UUID()
            let sessions: [Row] = [
                sessionRow(idx: 1, [
                    "small": -128, "big": .int(Int64.min), "ratio": .double(Double(Float.greatestFiniteMagnitude)),
                    "score": .double(Double.greatestFiniteMagnitude), "started": datetime("0001-01-01 00:00:00.001"),
                    "ended": datetime("2024-06-01 12:34:56"), "raw": .bytes(allBytes), "doc": .json(doc),
                    "code": "ab", "big_dec": dec("-12345678901234567890.1234567890"), "token": .uuid(token),
                    "sex_again": "F", "quality": "bad", "native_col": 1.5,
                ]),
                sessionRow(idx: 2, [
                    "small": 127, "big": .int(Int64.max), "ratio": .double(Double(Float.leastNonzeroMagnitude)),
                    "score": .double(Double.leastNonzeroMagnitude), "started": datetime("9999-12-31 23:59:59.999"),
                    "raw": .bytes(Data()), "doc": .json([]), "big_dec": dec("0.0000000001"),
                ]),
                sessionRow(idx: 3, ["score": -0.0, "ratio": -1.5, "doc": .json(.null)]),
            ]
            try await lab[PG.Session.self].insert(sessions)
            let one = try await (lab[PG.Session.self] & ["session_idx": 1]).fetch1()
            #expect(one["small"] == -128)
            #expect(one["big"] == .int(Int64.min))
            #expect(one["ratio"] == .double(Double(Float.greatestFiniteMagnitude)))
            #expect(one["score"] == .double(Double.greatestFiniteMagnitude))
            #expect(one["started"] == datetime("0001-01-01 00:00:00.001"))
            #expect(one["ended"] == datetime("2024-06-01 12:34:56"))
            #expect(one["raw"] == .bytes(allBytes))
            #expect(one["doc"] == .json(doc))
            #expect(one["code"] == "ab")
            #expect(one["big_dec"] == dec("-12345678901234567890.1234567890"))
            #expect(one["token"] == .uuid(token))
            #expect(one["sex_again"] == "F")
            #expect(one["quality"] == "bad")
            #expect(one["native_col"] == 1.5)
            let two = try await (lab[PG.Session.self] & ["session_idx": 2]).fetch1()
            #expect(two["small"] == 127)
            #expect(two["big"] == .int(Int64.max))
            #expect(two["ratio"] == .double(Double(Float.leastNonzeroMagnitude)))
            #expect(two["score"] == .double(Double.leastNonzeroMagnitude))
            #expect(two["started"] == datetime("9999-12-31 23:59:59.999"))
            #expect(two["raw"] == .bytes(Data()))
            #expect(two["doc"] == .json([]))
            #expect(two["big_dec"] == dec("0.0000000001"))
            #expect(two["ended"] == .null)
            #expect(two["sex_again"] == "M")
            #expect(two["quality"] == "good")
            #expect(two["score"] != .null)
            let three = try await (lab[PG.Session.self] & ["session_idx": 3]).fetch1()
            #expect(three["ratio"] == -1.5)
            #expect(three["doc"] == .json(.null) || three["doc"] == .null)
            // datetime(3) keeps milliseconds; CURRENT_TIMESTAMP filled `started`.
            if case .datetime(let started) = three["started"] { #expect(started.date.year >= 2024) } else { Issue.record("started") }

            // Restrictions by every kind of value compare in SQL as typed values.
            #expect(try await (lab[PG.Session.self] & ["token": token]).count() == 1)
            #expect(try await (lab[PG.Session.self] & ["big_dec": dec("0.0000000001")]).count() == 1)
            #expect(try await (lab[PG.Session.self] & ["started": "9999-12-31 23:59:59.999"]).count() == 1)
            #expect(try await (lab[PG.Session.self] & ["quality": "bad"]).count() == 1)
            #expect(try await (lab[PG.Session.self] & ["small": 127]).count() == 1)
            #expect(try await (lab[PG.Subject.self] & ["date_of_birth": "2024-02-29"]).count() == 1)
            #expect(try await (lab[PG.Subject.self] & ["flag": true]).count() == 2)
            #expect(try await (lab[PG.Subject.self] & ["weight": dec("999.99")]).count() == 1)
            #expect(try await (lab[PG.Session.self] & ["code": "ab"]).count() == 1)
            #expect(try await (lab[PG.Session.self] & "doc @> '{\"name\": \"ünï\"}'").count() == 1)

            // skip duplicates and replace.
            try await lab[PG.Session.self].insert([sessionRow(idx: 3, ["score": 7.0])], skipDuplicates: true)
            #expect(try await (lab[PG.Session.self] & ["session_idx": 3]).fetch1("score", as: Double.self) == -0.0)
            try await lab[PG.Session.self].insert([sessionRow(idx: 3, ["score": 7.0])], replace: true)
            #expect(try await (lab[PG.Session.self] & ["session_idx": 3]).fetch1("score", as: Double.self) == 7.0)
        }
    }

    // MARK: errors

    @Test("duplicate, foreign-key, missing-table and bad-SQL errors have the right kinds")
    func statementErrors() async throws {
        try await withSchemas(1) { db, names in
            let lab = try await db.schema(names[0], tables: PG.Subject.self, PG.Session.self)
            try await lab[PG.Subject.self].insert1(["subject_id": 1, "date_of_birth": "2024-01-01"])
            let duplicate = await #expect(throws: DataJointError.self) {
                try await lab[PG.Subject.self].insert1(["subject_id": 1, "date_of_birth": "2024-01-02"])
            }
            #expect(duplicate?.kind == .duplicate)
            let uniqueIndex = await #expect(throws: DataJointError.self) {
                try await lab[PG.Session.self].insert([sessionRow(idx: 1), sessionRow(idx: 2, ["big": 1])])
            }
            #expect(uniqueIndex?.kind == .duplicate)
            #expect(try await lab[PG.Session.self].count() == 0)
            let orphan = await #expect(throws: DataJointError.self) {
                try await lab[PG.Session.self].insert1(sessionRow(subject: 99, idx: 1))
            }
            #expect(orphan?.kind == .integrity)
            try await lab[PG.Session.self].insert1(sessionRow(idx: 1))
            let restricted = await #expect(throws: DataJointError.self) {
                try await (lab[PG.Subject.self] & ["subject_id": 1]).deleteQuick()
            }
            #expect(restricted?.kind == .integrity)
            let missing = await #expect(throws: DataJointError.self) {
                try await db.query(RenderedSQL("SELECT * FROM \"\(names[0])\".\"no_such_table\""))
            }
            #expect(missing?.kind == .missingTable)
            let bad = await #expect(throws: DataJointError.self) {
                try await db.query(RenderedSQL("SELEC 1"))
            }
            #expect(bad?.kind == .query)
            #expect(bad?.message.contains("SELEC 1") == true)
            let column = await #expect(throws: DataJointError.self) {
                try await db.query(RenderedSQL("SELECT no_such_column FROM \"\(names[0])\".\"subject\""))
            }
            #expect(column?.kind == .query)
            // The session is usable after errors.
            #expect(try await lab[PG.Subject.self].count() == 1)
        }
    }

    @Test("a wrong password and an unreachable port are connection errors that never show the password")
    func connectionErrors() async throws {
        let secret = "not-the-password-4711"
        var wrong = serverOptions
        wrong.password = secret
        let auth = await #expect(throws: DataJointError.self) { try await PostgresDriver.open(wrong) }
        #expect(auth?.kind == .connection)
        #expect(auth?.message.contains("datajoint@127.0.0.1:5432") == true, "\(auth?.message ?? "")")
        #expect(auth?.message.contains(secret) == false)
        #expect(auth.map { "\($0)" }?.contains(secret) == false)

        var closedPort = serverOptions
        closedPort.port = 5499
        closedPort.password = secret
        closedPort.connectTimeout = 3
        let refused = await #expect(throws: DataJointError.self) { try await PostgresDriver.open(closedPort) }
        #expect(refused?.kind == .connection)
        #expect(refused?.message.contains("127.0.0.1:5499") == true, "\(refused?.message ?? "")")
        #expect(refused?.message.contains("connection refused") == true, "\(refused?.message ?? "")")
        #expect(refused?.message.contains(secret) == false)

        var missingDatabase = serverOptions
        missingDatabase.databaseName = "no_such_database_4711"
        let noDatabase = await #expect(throws: DataJointError.self) { try await PostgresDriver.open(missingDatabase) }
        #expect(noDatabase?.kind == .connection)

        // TLS required from a server that offers none fails; preferred falls back to plain.
        let probe = try await connect()
        let offersTLS = try await probe.query(RenderedSQL("SHOW ssl")).first?.first == "on"
        try await probe.close()
        var required = serverOptions
        required.useTLS = true
        if offersTLS {
            try await PostgresDriver.open(required).close()
        } else {
            let tls = await #expect(throws: DataJointError.self) { try await PostgresDriver.open(required) }
            #expect(tls?.kind == .connection)
        }
        var preferred = serverOptions
        preferred.useTLS = nil
        let driver = try await PostgresDriver.open(preferred)
        #expect(driver.targetDescription == "PostgreSQL datajoint@127.0.0.1:5432/dj_test")
        try await driver.close()
    }

    @Test("a lost connection is replaced outside a transaction and reported inside one")
    func lostConnection() async throws {
        let db = try await connect(maxSessions: 1)
        let admin = try await connect()
        func pid() async throws -> Value { try await db.query(RenderedSQL("SELECT pg_backend_pid()"))[0][0] }
        let first = try await pid()
        _ = try await admin.query(RenderedSQL("SELECT pg_terminate_backend($1::integer)", [first]))
        try await Task.sleep(for: .milliseconds(300))
        let second = try await pid()
        #expect(second != first)

        let error = await #expect(throws: DataJointError.self) {
            try await db.transaction {
                let current = try await db.query(RenderedSQL("SELECT pg_backend_pid()"))[0][0]
                _ = try await admin.query(RenderedSQL("SELECT pg_terminate_backend($1::integer)", [current]))
                try await Task.sleep(for: .milliseconds(300))
                _ = try await db.query(RenderedSQL("SELECT 1"))
            }
        }
        #expect(error?.kind == .connection)
        #expect(try await db.query(RenderedSQL("SELECT 1 + 1")) == [[2]])
        try await db.close()
        try await admin.close()
    }

    // MARK: bulk, streaming, transactions, cascades

    @Test("100,000 rows in one insert, then streamed back")
    func bulkInsertAndStream() async throws {
        try await withSchemas(1) { db, names in
            let lab = try await db.schema(names[0], tables: PG.Bulk.self)
            let rows: [Row] = (0..<100_000).map { ["item_id": $0, "value": Double($0) / 2, "label": "item \($0 % 100)"] }
            try await lab[PG.Bulk.self].insert(rows)
            #expect(try await lab[PG.Bulk.self].count() == 100_000)
            var streamed = 0
            var sum = 0.0
            for try await row in lab[PG.Bulk.self].rows(orderBy: ["item_id"]) {
                if streamed < 3 { #expect(row["item_id"] == .int(Int64(streamed))) }
                streamed += 1
                sum += try row.get("value", as: Double.self)
            }
            #expect(streamed == 100_000)
            #expect(sum == Double(99_999 * 100_000 / 2) / 2)
            // A stream abandoned early leaves the session usable.
            var taken = 0
            for try await _ in lab[PG.Bulk.self].rows() {
                taken += 1
                if taken == 10 { break }
            }
            #expect(try await (lab[PG.Bulk.self] & "item_id < 10").count() == 10)
            #expect(try await lab[PG.Bulk.self].toDicts(orderBy: ["item_id"], offset: 99_998).count == 2)
        }
    }

    @Test("a transaction that throws rolls back; one that returns commits")
    func transactions() async throws {
        struct Abort: Error {}
        try await withSchemas(1) { db, names in
            let lab = try await db.schema(names[0], tables: PG.Subject.self)
            let subject = lab[PG.Subject.self]
            await #expect(throws: Abort.self) {
                try await db.transaction {
                    try await subject.insert1(["subject_id": 1, "date_of_birth": "2024-01-01"])
                    #expect(try await subject.count() == 1)
                    throw Abort()
                }
            }
            #expect(try await subject.count() == 0)
            // A failed statement inside a transaction rolls back the statements before it.
            await #expect(throws: DataJointError.self) {
                try await db.transaction {
                    try await subject.insert1(["subject_id": 2, "date_of_birth": "2024-01-01"])
                    try await subject.insert1(["subject_id": 2, "date_of_birth": "2024-01-01"])
                }
            }
            #expect(try await subject.count() == 0)
            try await db.transaction {
                try await subject.insert1(["subject_id": 3, "date_of_birth": "2024-01-01"])
            }
            #expect(try await subject.count() == 1)
        }
    }

    @Test("delete cascades into another schema")
    func crossSchemaCascade() async throws {
        try await withSchemas(2) { db, names in
            let parent = try await db.schema(names[0], tables: PG.Subject.self)
            let child = try await PG.$parentSchema.withValue(names[0]) {
                try await db.schema(names[1], tables: PG.Child.self)
            }
            try await parent[PG.Subject.self].insert([
                ["subject_id": 1, "date_of_birth": "2024-01-01"], ["subject_id": 2, "date_of_birth": "2024-01-01"],
            ])
            try await child[PG.Child.self].insert([
                ["subject_id": 1, "child_idx": 1], ["subject_id": 1, "child_idx": 2], ["subject_id": 2, "child_idx": 1],
            ])
            let info = try await child[PG.Child.self].info()
            #expect(info.foreignKeys.first?.referencedTable == SQLTableName(schema: names[0], table: "subject"))
            #expect(try await (parent[PG.Subject.self] & ["subject_id": 1]).delete() == 1)
            #expect(try await child[PG.Child.self].count() == 1)
            #expect(try await parent[PG.Subject.self].count() == 1)
            // The parent schema cannot be dropped while the child schema depends on it.
            await #expect(throws: DataJointError.self) { try await parent.drop(confirm: true) }
            try await child.drop(confirm: true)
            try await parent.drop(confirm: true)
            #expect(try await db.schemaNames().contains(names[0]) == false)
        }
    }

    @Test("<blob> columns are stored without the server's own compression (the client's pays); bytes columns keep it")
    func blobColumnStorage() async throws {
        try await withSchemas(1) { db, names in
            let lab = try await db.schema(names[0], tables: PG.Recording.self)
            let storage = try await db.query(
                RenderedSQL(
                    "SELECT a.attname::text, a.attstorage::text FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                        + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = 'recording' "
                        + "AND a.attnum > 0 ORDER BY a.attnum", [.string(names[0])]))
            #expect(storage == [["recording_id", "p"], ["trace", "e"], ["raw", "x"]])
            let signal = NDArray((0..<131_072).map { Double($0) * 0.001 })
            let raw = Data((0..<100_000).map { UInt8($0 % 251) })
            try await lab[PG.Recording.self].insert1(["recording_id": 1, "trace": signal.dataJointValue, "raw": Value.bytes(raw)])
            let row = try await lab[PG.Recording.self].fetch1()
            #expect(NDArray(dataJointValue: row["trace"]!) == signal)
            #expect(row["raw"] == .bytes(raw))
        }
    }

    @Test("a foreign key to an enum attribute in another schema uses the parent's enum type")
    func crossSchemaEnumKey() async throws {
        try await withSchemas(2) { db, names in
            let parent = try await db.schema(names[0], tables: PG.Mode.self)
            let child = try await PG.$parentSchema.withValue(names[0]) {
                try await db.schema(names[1], tables: PG.ModeChild.self)
            }
            let type = try await db.query(
                RenderedSQL(
                    "SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                        + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = 'mode_child' "
                        + "AND a.attname = 'mode'", [.string(names[1])]))
            #expect(type.first?.first == .string("\(names[0]).\(PostgresDialect.enumTypeName(for: ["on", "off"]))"))
            try await parent[PG.Mode.self].insert([["mode": "on"], ["mode": "off"]])
            try await child[PG.ModeChild.self].insert([["mode": "on", "n": 1], ["mode": "off", "n": 2]])
            #expect(try await (child[PG.ModeChild.self] & ["mode": "off"]).fetch1("n", as: Int.self) == 2)
            #expect(try await child[PG.ModeChild.self].heading()["mode"]?.type == .enumeration(["on", "off"]))
            let again = await #expect(throws: DataJointError.self) {
                try await child[PG.ModeChild.self].insert1(["mode": "on", "n": 1])
            }
            #expect(again?.kind == .duplicate)
        }
    }

    // MARK: layout against the reference

    @Test(
        "the layout in the catalog is the one DataJoint-Python 2.x declares",
        .enabled(if: referencePythonAvailable, "needs DataJoint-Python 2.x with psycopg2 at \(referencePython)"))
    func layoutMatchesReference() async throws {
        let python = referencePython
        try await withSchemas(2) { db, names in
            let (swiftSchema, pythonSchema) = (names[0], names[1])
            let swiftLab = try await db.schema(swiftSchema, tables: PG.pipeline)
            try await swiftLab[PG.Subject.self].insert1([
                "subject_id": 5, "species": "rat", "sex": "M", "date_of_birth": "2020-02-02", "weight": dec("12.50"),
                "flag": false, "neg": 3,
            ])
            var script = pythonScript(schema: pythonSchema, tables: PG.pipeline)
            // Python writes a row for Swift to read, and reads the row Swift wrote.
            script += """
                import decimal
                Subject.insert1(dict(subject_id=5, species='rat', sex='M', date_of_birth='2020-02-02',
                                     weight=decimal.Decimal('12.50'), flag=False, neg=3))
                print('SWIFT ROWS', dj.VirtualModule('swift', '\(swiftSchema)').Subject.fetch(as_dict=True))

                """
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("pglayout"))
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let file = directory.appendingPathComponent("declare.py")
            try script.write(to: file, atomically: true, encoding: .utf8)
            let result = try await ReferenceProcess.run(python, [file.path], directory: directory)
            try #require(result.status == 0, "DataJoint-Python failed:\n\(result.output)")

            let ours = try await catalogSnapshot(db, schema: swiftSchema)
            let theirs = try await catalogSnapshot(db, schema: pythonSchema)
            #expect(ours.count > 50)
            let onlyOurs = ours.filter { !theirs.contains($0) }
            let onlyTheirs = theirs.filter { !ours.contains($0) }
            #expect(onlyOurs.isEmpty && onlyTheirs.isEmpty,
                    "Swift only:\n\(onlyOurs.joined(separator: "\n"))\nPython only:\n\(onlyTheirs.joined(separator: "\n"))")

            // Each side reads the other's rows and tables.
            let swiftRow = result.output.components(separatedBy: "SWIFT ROWS").last ?? ""
            for fragment in ["'subject_id': 5", "'species': 'rat'", "'sex': 'M'", "datetime.date(2020, 2, 2)",
                             "Decimal('12.50')", "'flag': False", "'neg': 3"] {
                #expect(swiftRow.contains(fragment), "\(fragment) not in \(swiftRow)")
            }
            let pythonRow = try await (db.schema(pythonSchema, tables: [], create: false).table("subject") & ["subject_id": 5]).fetch1()
            #expect(pythonRow["species"] == "rat")
            #expect(pythonRow["sex"] == "M")
            #expect(pythonRow["date_of_birth"] == date("2020-02-02"))
            #expect(pythonRow["weight"] == dec("12.50"))
            #expect(pythonRow["flag"] == false)
            #expect(pythonRow["neg"] == 3)
            let swiftReads = try await db.schema(pythonSchema, tables: [], create: false)
            for name in try await swiftReads.tableNames() {
                let fromPython = try await swiftReads.table(name).heading()
                let fromSwift = try await db.schema(swiftSchema, tables: [], create: false).table(name).heading()
                #expect(fromPython == fromSwift, "\(name)")
            }
        }
    }
}

/// The interpreter with DataJoint-Python (`pip install 'datajoint[postgres]'`) used for the layout comparison.
/// DataJoint-Python 2.3.5 (`scripts/test` installs it and sets `DJ_TEST_PYTHON`).
private let referencePython = ProcessInfo.processInfo.environment["DJ_TEST_PYTHON"] ?? "/tmp/djpy/bin/python"

/// True when `referencePython` exists and imports datajoint and psycopg2.
private let referencePythonAvailable: Bool = {
    guard FileManager.default.isExecutableFile(atPath: referencePython) else { return false }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: referencePython)
    process.arguments = ["-c", "import datajoint, psycopg2"]
    process.currentDirectoryURL = FileManager.default.temporaryDirectory
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    do {
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus == 0
    } catch {
        return false
    }
}()

/// Every catalog fact of a schema's tables as one line each, the schema name replaced by `<schema>`.
private func catalogSnapshot(_ db: Connection, schema: String) async throws -> [String] {
    let sql = """
        SELECT concat_ws(' | ', 'column', c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod),
                         'notnull=' || a.attnotnull, 'default=' || coalesce(pg_get_expr(d.adbin, d.adrelid), '-'),
                         'comment=' || coalesce(col_description(c.oid, a.attnum), '-'))
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
        WHERE n.nspname = $1 AND c.relkind = 'r'
        UNION ALL
        SELECT concat_ws(' | ', 'table', c.relname, 'comment=' || coalesce(obj_description(c.oid, 'pg_class'), '-'))
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'
        UNION ALL
        SELECT concat_ws(' | ', 'constraint', c.relname, con.conname, con.contype, pg_get_constraintdef(con.oid))
        FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1
        UNION ALL
        SELECT concat_ws(' | ', 'index', tablename, indexname, indexdef) FROM pg_indexes WHERE schemaname = $1
        UNION ALL
        SELECT concat_ws(' | ', 'enum', t.typname, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder))
        FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = $1 GROUP BY t.typname
        """
    var lines = try await db.query(RenderedSQL(sql, [.string(schema)])).map { $0[0].description }
    lines += try await db.query(
        RenderedSQL("SELECT concat_ws(' | ', 'lineage', table_name, attribute_name, lineage) FROM \"\(schema)\".\"~lineage\"")
    ).map { $0[0].description }
    return lines.map { $0.replacingOccurrences(of: schema, with: "<schema>") }.sorted()
}

/// A Python script that declares the same tables with DataJoint-Python on the test server.
private func pythonScript(schema: String, tables: [any UserTable.Type]) -> String {
    func base(_ tier: Tier) -> String {
        switch tier {
        case .manual: "dj.Manual"
        case .lookup: "dj.Lookup"
        case .imported: "dj.Imported"
        case .computed: "dj.Computed"
        case .part: "dj.Part"
        }
    }
    func classCode(_ type: any UserTable.Type, indent: String) -> String {
        var code = "\(indent)class \(type.className)(\(base(type.tier))):\n"
        code += "\(indent)    definition = r'''\n\(type.definition)\n'''\n"
        if type.tier.isAutoPopulated { code += "\(indent)    def make(self, key):\n\(indent)        pass\n" }
        for part in type.parts { code += classCode(part, indent: indent + "    ") }
        return code
    }
    var script = """
        import datajoint as dj
        dj.config['database.backend'] = 'postgresql'
        dj.config['database.host'] = '127.0.0.1'
        dj.config['database.port'] = 5432
        dj.config['database.user'] = 'datajoint'
        dj.config['database.password'] = 'datajoint'
        dj.config['database.name'] = 'dj_test'
        dj.config['database.use_tls'] = False
        dj.config['safemode'] = False
        schema = dj.Schema('\(schema)')

        """
    for type in tables { script += "@schema\n" + classCode(type, indent: "") + "\n" }
    script += "print('declared')\n"
    return script
}
