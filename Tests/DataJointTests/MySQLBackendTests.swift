import DataJointCore
import DataJointMySQL
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The MySQL/MariaDB test server of `scripts/start-databases` (127.0.0.1:3307; override with `DJ_TEST_MYSQL_PORT`),
/// user and password `datajoint`. Each test works in schemas of its own (`t_` + a random suffix) and drops them,
/// taking its turn with the other MySQL tests (the shared harness empties the server between tests).
enum MySQLTestServer {
    static let host = "127.0.0.1"
    static let port = Int(ProcessInfo.processInfo.environment["DJ_TEST_MYSQL_PORT"] ?? "") ?? TestBackend.mysql.port
    /// DataJoint-Python 2.3.5 (`scripts/test` installs it and sets `DJ_TEST_PYTHON`).
    static let python = ProcessInfo.processInfo.environment["DJ_TEST_PYTHON"] ?? "/tmp/djpy/bin/python"

    static func options(maxSessions: Int = 4) -> ServerOptions {
        ServerOptions(
            host: host, port: port, user: "datajoint", password: "datajoint", connectTimeout: 60, maxSessions: maxSessions)
    }

    /// True when the suite tests MySQL (see `TestBackend.all`, which also warns when the server is missing).
    static let reachable: Bool = TestBackend.all.contains(.mysql)

    static var pythonAvailable: Bool { FileManager.default.isExecutableFile(atPath: python) }

    static func connect(maxSessions: Int = 4) async throws -> Connection {
        Connection(driver: try await MySQLDriver.open(options(maxSessions: maxSessions)), settings: Settings(safemode: false))
    }

    static func uniqueName() -> String {
        "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(10).lowercased()
    }

    /// Runs `body` with a connection and `count` fresh schema names; drops the schemas afterwards, also on failure.
    static func withSchemas(
        _ count: Int, maxSessions: Int = 4, _ body: (Connection, [String]) async throws -> Void
    ) async throws {
        try await TestContext.mysqlTurns.withLock {
            try await withSchemasInTurn(count, maxSessions: maxSessions, body)
        }
    }

    private static func withSchemasInTurn(
        _ count: Int, maxSessions: Int, _ body: (Connection, [String]) async throws -> Void
    ) async throws {
        let names = (0..<count).map { _ in uniqueName() }
        let db = try await connect(maxSessions: maxSessions)
        func cleanUp() async {
            let catalog = db.catalog
            for name in names.reversed() {
                _ = try? await db.withSession { try await catalog.dropSchema(name, $0) }
            }
            try? await db.close()
        }
        do {
            try await body(db, names)
        } catch {
            await cleanUp()
            throw error
        }
        await cleanUp()
    }

    /// `SHOW CREATE TABLE` of a table.
    static func showCreate(_ db: Connection, _ schema: String, _ table: String) async throws -> String {
        let rows = try await db.query(RenderedSQL("SHOW CREATE TABLE `\(schema)`.`\(table)`"))
        guard case .string(let text) = rows.first?[1] else { return "" }
        return text
    }
}

/// A small pipeline with every core type, a part table, indexes and a nullable foreign key.
enum MyBT {
    static let subjectDefinition = """
        # experimental subject
        subject_id : int32
        ---
        species = 'mouse' : varchar(30)   # species "name"
        date_of_birth : date
        sex = "unknown" : enum('F', 'M', 'unknown')
        weight = null : float32
        """
    static let sessionDefinition = """
        -> Subject
        session_idx : int16
        ---
        session_date : date
        start_time = CURRENT_TIMESTAMP : datetime(3)
        rating = 5 : int8
        flag = 1 : bool
        """
    static let trialDefinition = """
        -> master
        trial_idx : int32
        ---
        response : float64   # reaction, in s
        stimulus = null : bytes
        """
    static let deviceDefinition = """
        # a recording device
        device_id : int16
        ---
        -> [nullable] Subject
        serial : char(8)
        model = "X-1" : varchar(20)
        unique index(serial)
        index(model, serial)
        """
    static let allTypesDefinition = """
        # one column of every core type
        id : int32
        ---
        i8 : int8
        i16 : int16
        i32 : int32
        i64 : int64
        f32 : float32
        f64 : float64
        flag : bool
        small_dec : decimal(3,2)
        big_dec : decimal(38,10)
        code : char(4)
        label : varchar(255)
        choice : enum('low', 'mid high', 'it''s')
        day : date
        moment : datetime
        moment_ms : datetime(3)
        moment_us : datetime(6)
        doc : json
        token : uuid
        payload : bytes
        opt_int = null : int64
        opt_text = null : varchar(16)
        opt_json = null : json
        opt_uuid = null : uuid
        opt_bytes = null : bytes
        """
    static let settingsDefinition = """
        # lab-wide settings (a singleton)
        ---
        threshold = 0.5 : float64
        """

    struct Subject: Manual { static var definition: String { subjectDefinition } }
    struct Session: Manual {
        static var definition: String { sessionDefinition }
        static var parts: [any Part.Type] { [Trial.self] }
        struct Trial: Part { static var definition: String { trialDefinition } }
    }
    struct Device: Manual { static var definition: String { deviceDefinition } }
    struct AllTypes: Manual { static var definition: String { allTypesDefinition } }
    struct LabSettings: Manual { static var definition: String { settingsDefinition } }

    static let tables: [any UserTable.Type] = [Subject.self, Session.self, Device.self, AllTypes.self, LabSettings.self]
    static let tableNames = ["subject", "session", "session__trial", "device", "all_types", "lab_settings"]

    /// A table in another schema that references `Subject` of the first.
    struct Cage: Manual {
        static var definition: String { "cage_id : int32\n---\n-> \(otherSchema).Subject" }
        nonisolated(unsafe) static var otherSchema = ""
    }
}

private func dec(_ text: String) -> Value { .decimal(Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))!) }
private func day(_ text: String) -> Value { .date(CalendarDate(iso: text)!) }
private func moment(_ text: String) -> Value { .datetime(DateTime(iso: text)!) }

@Suite("MySQL backend", .enabled(if: MySQLTestServer.reachable, "no MySQL server on 127.0.0.1"))
struct MySQLBackendTests {
    // MARK: Declaration and catalog

    @Test("a pipeline with every core type and a part table is declared and read back identically")
    func declareAndDescribe() async throws {
        try await MySQLTestServer.withSchemas(1) { db, names in
            let lab = try await db.schema(names[0], tables: MyBT.tables)
            #expect(try await lab.tableNames() == MyBT.tableNames.sorted())
            let catalog = db.catalog
            let all = try await db.withSession { try await catalog.tables(inSchema: names[0], $0) }
            #expect(all.contains("~lineage"))
            #expect(try await db.schemaNames().contains(names[0]))
            #expect(try await !db.schemaNames().contains("mysql"))

            // describe() gives the definition back.
            let subjectText = try await lab[MyBT.Subject.self].describe()
            #expect(
                subjectText == """
                    # experimental subject
                    subject_id           : int32
                    ---
                    species = "mouse"    : varchar(30)  # species "name"
                    date_of_birth        : date
                    sex = "unknown"      : enum('F', 'M', 'unknown')
                    weight = null        : float32

                    """)
            let deviceText = try await lab[MyBT.Device.self].describe()
            #expect(
                deviceText == """
                    # a recording device
                    device_id            : int16
                    ---
                    -> [nullable] Subject
                    serial               : char(8)
                    model = "X-1"        : varchar(20)
                    unique index(serial)
                    index(model, serial)

                    """)

            // A second connection rebuilds every heading and definition from the catalog alone.
            let other = try await MySQLTestServer.connect()
            let reopened = try await other.schema(names[0], create: false)
            for name in MyBT.tableNames {
                let a = try await lab.table(name).info()
                let b = try await reopened.table(name).info()
                #expect(a.heading == b.heading, "\(name)")
                #expect(a.foreignKeys == b.foreignKeys, "\(name)")
                #expect(a.indexes == b.indexes, "\(name)")
                #expect(a.comment == b.comment, "\(name)")
                #expect(try await lab.table(name).describe() == reopened.table(name).describe(), "\(name)")
            }
            let heading = try await reopened.table("all_types").heading()
            #expect(heading["choice"]?.type == .enumeration(["low", "mid high", "it's"]))
            #expect(heading["token"]?.type == .uuid)
            #expect(heading["doc"]?.type == .json)
            #expect(heading["moment_us"]?.type == .datetime(fractionalDigits: 6))
            #expect(heading["big_dec"]?.type == .decimal(precision: 38, scale: 10))
            let session = try await reopened.table("session").heading()
            #expect(session["start_time"]?.defaultValue == .currentTimestamp)
            #expect(session["rating"]?.defaultValue == .literal("5"))
            #expect(session["flag"]?.defaultValue == .bool(true))
            #expect(session["subject_id"]?.type == .int32)
            try await other.close()

            // The catalog: keys, foreign keys, declared indexes (not the one InnoDB adds for the foreign key).
            let device = try #require(
                try await db.withSession { try await catalog.describe(SQLTableName(schema: names[0], table: "device"), $0) })
            #expect(device.primaryKey == ["device_id"])
            #expect(device.foreignKeys == [
                ForeignKeyConstraint(
                    columns: ["subject_id"], referencedTable: SQLTableName(schema: names[0], table: "subject"),
                    referencedColumns: ["subject_id"])
            ])
            #expect(device.indexes == [
                IndexConstraint(unique: true, columns: ["serial"]), IndexConstraint(unique: false, columns: ["model", "serial"]),
            ])
            #expect(device.comment == "a recording device")
            #expect(device.columns.map(\.name) == ["device_id", "subject_id", "serial", "model"])
            #expect(device.columns[3].defaultSQL == "'X-1'")
            #expect(device.columns[1].nullable)
            let trial = try #require(
                try await db.withSession {
                    try await catalog.describe(SQLTableName(schema: names[0], table: "session__trial"), $0)
                })
            #expect(trial.primaryKey == ["subject_id", "session_idx", "trial_idx"])
            #expect(trial.columns.first { $0.name == "response" }?.comment == ":float64:reaction, in s")
            #expect(trial.indexes.isEmpty)
            #expect(try await db.withSession { try await catalog.describe(SQLTableName(schema: names[0], table: "SUBJECT"), $0) } == nil)
        }
    }

    @Test(
        "tables declared by Swift and by DataJoint-Python have the same SHOW CREATE TABLE",
        .enabled(if: MySQLTestServer.pythonAvailable, "DataJoint-Python is not installed (set DJ_TEST_PYTHON; scripts/test does)"))
    func layoutMatchesReference() async throws {
        try await MySQLTestServer.withSchemas(2) { db, names in
            let lab = try await db.schema(names[0], tables: MyBT.tables)
            // A row written by Swift, read by Python below.
            try await lab[MyBT.AllTypes.self].insert1([
                "id": 7, "i8": -128, "i16": 32767, "i32": 0, "i64": Value.int(Int64.max), "f32": 0.5, "f64": 1e-300,
                "flag": true, "small_dec": dec("-9.99"), "big_dec": dec("-12345.6789012345"), "code": "äö€",
                "label": "🧪 lab", "choice": "it's", "day": day("2024-02-29"), "moment": moment("2024-02-29 12:34:56"),
                "moment_ms": moment("2024-02-29 12:34:56.123"), "moment_us": moment("2024-02-29 12:34:56.000001"),
                "doc": Value.json(["a": [1, 2.5, "x"], "b": nil]),
                "token": Value.uuid(UUID(uuidString: "12345678-1234-5678-9abc-def012345678")!), "payload": Value.bytes(Data([0, 1, 255])),
            ])
            let python = try runReference(schema: names[1], swiftSchema: names[0])
            let tables = python["tables"] as? [String: String] ?? [:]
            for table in MyBT.tableNames + ["~lineage"] {
                let swift = try await MySQLTestServer.showCreate(db, names[0], table)
                #expect(swift == tables[table], "\(table)")
                #expect(!swift.isEmpty)
            }

            // Python read the Swift row as Swift wrote it.
            let seen = python["swift_row"] as? [String: String] ?? [:]
            let expected: [String: String] = [
                "i8": "-128", "i64": "9223372036854775807", "f32": "0.5", "small_dec": "-9.99", "big_dec": "-12345.6789012345",
                "code": "äö€", "label": "🧪 lab", "choice": "it's", "day": "2024-02-29", "moment": "2024-02-29 12:34:56",
                "moment_ms": "2024-02-29 12:34:56.123000", "moment_us": "2024-02-29 12:34:56.000001",
                "doc": #"{"a": [1, 2.5, "x"], "b": null}"#, "token": "12345678-1234-5678-9abc-def012345678",
                "payload": "0001ff",
            ]
            for (name, value) in expected { #expect(seen[name] == value, "\(name)") }

            // Swift reads the row Python wrote, from the catalog alone.
            let theirs = try await db.schema(names[1], create: false).table("all_types")
            let row = try await (theirs & ["id": 1]).fetch1()
            let wanted: Row = [
                "id": 1, "i8": -128, "i16": 32767, "i32": Value.int(Int64(Int32.min)), "i64": Value.int(Int64.max),
                "f32": Value.double(Double(Float(0.1))), "f64": 1e-300, "flag": true, "small_dec": dec("-9.99"),
                "big_dec": dec("-12345.6789012345"), "code": "äö€", "label": "🧪 lab", "choice": "it's",
                "day": day("2024-02-29"), "moment": moment("2024-02-29 12:34:56"),
                "moment_ms": moment("2024-02-29 12:34:56.123"), "moment_us": moment("2024-02-29 12:34:56.000001"),
                "doc": Value.json(["a": [1, 2.5, "x"], "b": nil]),
                "token": Value.uuid(UUID(uuidString: "12345678-1234-5678-9abc-def012345678")!), "payload": Value.bytes(Data([0, 1, 255])),
                "opt_int": Value.null, "opt_text": Value.null, "opt_json": Value.null, "opt_uuid": Value.null, "opt_bytes": Value.null,
            ]
            for (name, value) in wanted { #expect(row[name] == value, "\(name)") }
            let heading = try await theirs.heading()
            #expect(heading == (try await lab[MyBT.AllTypes.self].heading()))
        }
    }

    /// Declares `MyBT`'s tables with DataJoint-Python in `schema` and inserts a row in its `all_types`; reads the
    /// row `id = 7` of `swiftSchema`'s `all_types`. Returns `SHOW CREATE TABLE` of each table ("tables") and the
    /// row as Python sees it ("swift_row").
    private func runReference(schema: String, swiftSchema: String) throws -> [String: Any] {
        let definitions: [String: String] = [
            "Subject": MyBT.subjectDefinition, "Session": MyBT.sessionDefinition, "Trial": MyBT.trialDefinition,
            "Device": MyBT.deviceDefinition, "AllTypes": MyBT.allTypesDefinition, "LabSettings": MyBT.settingsDefinition,
        ]
        let script = """
            import datetime, decimal, json, sys, uuid
            import datajoint as dj
            dj.config['database.backend'] = 'mysql'
            dj.config['database.host'] = '\(MySQLTestServer.host)'
            dj.config['database.port'] = \(MySQLTestServer.port)
            dj.config['database.user'] = 'datajoint'
            dj.config['database.password'] = 'datajoint'
            dj.config['safemode'] = False
            name, swift_name, defs = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
            schema = dj.Schema(name)
            Subject = schema(type('Subject', (dj.Manual,), {'definition': defs['Subject']}))
            Trial = type('Trial', (dj.Part,), {'definition': defs['Trial']})
            Session = schema(type('Session', (dj.Manual,), {'definition': defs['Session'], 'Trial': Trial}), context=locals())
            Device = schema(type('Device', (dj.Manual,), {'definition': defs['Device']}), context=locals())
            AllTypes = schema(type('AllTypes', (dj.Manual,), {'definition': defs['AllTypes']}))
            LabSettings = schema(type('LabSettings', (dj.Manual,), {'definition': defs['LabSettings']}))
            AllTypes.insert1(dict(
                id=1, i8=-128, i16=32767, i32=-2147483648, i64=9223372036854775807, f32=0.1, f64=1e-300, flag=True,
                small_dec=decimal.Decimal('-9.99'), big_dec=decimal.Decimal('-12345.6789012345'), code='äö€',
                label='🧪 lab', choice="it's", day=datetime.date(2024, 2, 29),
                moment=datetime.datetime(2024, 2, 29, 12, 34, 56), moment_ms=datetime.datetime(2024, 2, 29, 12, 34, 56, 123000),
                moment_us=datetime.datetime(2024, 2, 29, 12, 34, 56, 1), doc={'a': [1, 2.5, 'x'], 'b': None},
                token=uuid.UUID('12345678-1234-5678-9abc-def012345678'), payload=bytes([0, 1, 255])))
            conn = dj.conn()
            out = {'tables': {}}
            for t in \(MyBT.tableNames + ["~lineage"]):
                out['tables'][t] = conn.query(f"SHOW CREATE TABLE `{name}`.`{t}`").fetchone()[1]
            swift = dj.VirtualModule('swift', swift_name)
            def norm(v):
                if isinstance(v, (bytes, bytearray)): return v.hex()
                if isinstance(v, (dict, list)): return json.dumps(v)
                return str(v)
            out['swift_row'] = {k: norm(v) for k, v in (swift.AllTypes & 'id = 7').fetch1().items()}
            print(json.dumps(out))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: MySQLTestServer.python)
        let definitionsJSON = String(decoding: try JSONSerialization.data(withJSONObject: definitions), as: UTF8.self)
        process.arguments = ["-c", script, schema, swiftSchema, definitionsJSON]
        process.currentDirectoryURL = FileManager.default.temporaryDirectory
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last,
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else {
            Issue.record("DataJoint-Python failed: \(errorText.suffix(2000))")
            return [:]
        }
        return object
    }

    // MARK: Values

    @Test("every core type round-trips, extremes included")
    func coreTypeExtremes() async throws {
        try await MySQLTestServer.withSchemas(1) { db, names in
            let table = try await db.schema(names[0], tables: MyBT.AllTypes.self)[MyBT.AllTypes.self]
            let everyByte = Data((0...255).map { UInt8($0) } + [0, 0])
            let low: Row = [
                "id": 1, "i8": -128, "i16": -32768, "i32": Value.int(Int64(Int32.min)), "i64": Value.int(Int64.min),
                "f32": Value.double(-Double(Float.greatestFiniteMagnitude)), "f64": Value.double(-Double.greatestFiniteMagnitude),
                "flag": false, "small_dec": dec("-9.99"), "big_dec": dec("-9999999999999999999999999999.9999999999"),
                "code": "", "label": "", "choice": "low", "day": day("1000-01-01"), "moment": moment("1000-01-01 00:00:00"),
                "moment_ms": moment("1000-01-01 00:00:00.000"), "moment_us": moment("1000-01-01 00:00:00.000000"),
                "doc": Value.json([]), "token": Value.uuid(UUID(uuidString: "00000000-0000-0000-0000-000000000000")!),
                "payload": Value.bytes(Data()),
            ]
            let high: Row = [
                "id": 2, "i8": 127, "i16": 32767, "i32": Value.int(Int64(Int32.max)), "i64": Value.int(Int64.max),
                "f32": Value.double(Double(Float.greatestFiniteMagnitude)), "f64": Value.double(Double.greatestFiniteMagnitude),
                "flag": true, "small_dec": dec("9.99"), "big_dec": dec("9999999999999999999999999999.9999999999"),
                "code": "äö€🧪", "label": String(repeating: "🧪", count: 255), "choice": "it's", "day": day("9999-12-31"),
                "moment": moment("9999-12-31 23:59:59"), "moment_ms": moment("9999-12-31 23:59:59.999"),
                "moment_us": moment("9999-12-31 23:59:59.999999"),
                "doc": Value.json(["a": [1, 2.5, "x\"y"], "b": nil, "c": true, "ü": "🧪"]),
                "token": Value.uuid(UUID(uuidString: "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF")!), "payload": Value.bytes(everyByte),
                "opt_int": 0, "opt_text": "';DROP TABLE x--", "opt_json": Value.json(nil),
                "opt_uuid": Value.uuid(UUID(uuidString: "12345678-1234-5678-9abc-def012345678")!), "opt_bytes": Value.bytes(Data([0])),
            ]
            let tiny: Row = [
                "id": 3, "i8": 0, "i16": 0, "i32": 0, "i64": 0, "f32": Value.double(Double(Float.leastNormalMagnitude)),
                "f64": Value.double(Double.leastNormalMagnitude), "flag": false, "small_dec": dec("0.01"), "big_dec": dec("0.0000000001"),
                "code": "a b ", "label": "tab\tnewline\nback\\slash", "choice": "mid high", "day": day("2024-02-29"),
                "moment": moment("2024-02-29 12:34:56"), "moment_ms": moment("2024-02-29 12:34:56.001"),
                "moment_us": moment("2024-02-29 12:34:56.000001"), "doc": Value.json("text"),
                "token": Value.uuid(UUID()), "payload": Value.bytes(Data([0xFF])),
            ]
            try await table.insert([low, high, tiny])
            let back = try await table.toDicts(orderBy: ["id"])
            #expect(back.count == 3)
            for (sent, got) in zip([low, high, tiny], back) {
                for (name, value) in sent {
                    if name == "code", case .string(let s) = value {
                        // char(n) drops trailing spaces, as MySQL does.
                        #expect(got[name] == .string(String(s.reversed().drop { $0 == " " }.reversed())), "\(name)")
                        continue
                    }
                    #expect(got[name] == value, "\(name) of row \(sent["id"]!)")
                }
            }
            #expect(back[0]["opt_int"] == .null)
            #expect(back[0]["opt_json"] == .null)
            #expect(back[1]["opt_json"] == .json(nil))
            // float32 keeps the Float-rounded value.
            try await table.insert1(tiny + ["id": 4, "f32": 0.1])
            #expect(try await (table & ["id": 4]).fetch1()["f32"] == .double(Double(Float(0.1))))
            // Values used as restrictions are bound parameters too.
            #expect(try await (table & ["token": high["token"]!]).count() == 1)
            #expect(try await (table & ["payload": Value.bytes(everyByte)]).count() == 1)
            #expect(try await (table & ["label": "tab\tnewline\nback\\slash"]).count() == 2)
            #expect(try await (table & ["moment_us": moment("2024-02-29 12:34:56.000001")]).count() == 2)
        }
    }

    @Test("computed DECIMAL results (sum, avg, round, arithmetic) are decimals, as on PostgreSQL and in DataJoint-Python")
    func computedDecimals() async throws {
        try await MySQLTestServer.withSchemas(1) { db, names in
            let table = try await db.schema(names[0], tables: MyBT.AllTypes.self)[MyBT.AllTypes.self]
            let base: Row = [
                "i8": 0, "i16": 0, "i32": 0, "i64": 0, "f32": 0, "f64": 0, "flag": false, "big_dec": dec("0"), "code": "",
                "label": "", "choice": "low", "day": day("2024-01-01"), "moment": moment("2024-01-01 00:00:00"),
                "moment_ms": moment("2024-01-01 00:00:00"), "moment_us": moment("2024-01-01 00:00:00"), "doc": Value.json([]),
                "token": Value.uuid(UUID()), "payload": Value.bytes(Data()),
            ]
            try await table.insert([base + ["id": 1, "small_dec": dec("1.25")], base + ["id": 2, "small_dec": dec("2.50")]])
            let totals = try await U().aggr(
                table, named: ["total": "sum(small_dec)", "mean": "round(avg(small_dec), 2)", "n": "count(*)"]
            ).fetch1()
            #expect(totals["total"] == dec("3.75"))
            #expect(totals["mean"] == dec("1.88"))
            #expect(totals["n"] == Value.int(2))
            // A restriction makes the query a prepared statement (binary protocol); without one it is sent as text.
            let doubled = try await (table & ["id": 2]).proj(named: ["twice": "small_dec * 2"]).fetch1()
            #expect(doubled["twice"] == dec("5.00"))
            #expect(try await table.proj(named: ["twice": "small_dec * 2"]).toDicts().map { $0["twice"] } == [dec("2.50"), dec("5.00")])
        }
    }

    @Test("a LOAD DATA LOCAL INFILE sent as a statement reads no file: local data come only from an insert's rows")
    func localInfileReadsNoFile() async throws {
        try await MySQLTestServer.withSchemas(1, maxSessions: 1) { db, names in
            let lab = try await db.schema(names[0], tables: MyBT.Subject.self)
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("dj-\(names[0]).tsv")
            try Data("1\tmouse\t2024-01-01\n".utf8).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let load = "LOAD DATA LOCAL INFILE '\(file.path)' INTO TABLE `\(names[0])`.`subject` (subject_id, species, date_of_birth)"
            let error = await #expect(throws: DataJointError.self) { try await db.execute(RenderedSQL(load)) }
            #expect(error?.message.contains("DataJoint sends no local files") == true, "\(error?.message ?? "")")
            #expect(try await lab[MyBT.Subject.self].count() == 0)
            // The same connection still loads an insert's rows.
            let rows: [Row] = (0..<300).map { ["subject_id": Value.int(Int64($0)), "date_of_birth": "2024-01-01"] }
            try await lab[MyBT.Subject.self].insert(rows)
            #expect(try await lab[MyBT.Subject.self].count() == 300)
        }
    }

    @Test("100,000 rows in one insert call, and a 16 MB bytes value, round-trip; rows() streams")
    func largeInsertAndStreaming() async throws {
        try await MySQLTestServer.withSchemas(1, maxSessions: 2) { db, names in
            let lab = try await db.schema(names[0], tables: MyBT.Subject.self, MyBT.Session.self)
            let subjects = lab[MyBT.Subject.self]
            let rows: [Row] = (0..<100_000).map { i in
                ["subject_id": Value.int(Int64(i)), "date_of_birth": "2024-01-01", "species": Value.string("s\(i % 7)")]
            }
            try await subjects.insert(rows)
            #expect(try await subjects.count() == 100_000)
            #expect(try await (subjects & ["subject_id": 99_999]).fetch1("species", as: String.self) == "s\(99_999 % 7)")

            // Streaming delivers every row in order without fetching them all first.
            var n = 0
            var ordered = true
            for try await row in subjects.rows(orderBy: ["KEY"]) {
                if row["subject_id"] != .int(Int64(n)) { ordered = false }
                n += 1
            }
            #expect(n == 100_000)
            #expect(ordered)
            // A stream abandoned early leaves its connection usable.
            for _ in 0..<5 {
                for try await _ in subjects.rows() { break }
                #expect(try await subjects.count() == 100_000)
            }
            var limited = 0
            for try await _ in subjects.rows(orderBy: ["KEY"], offset: 99_990) { limited += 1 }
            #expect(limited == 10)

            let trials = lab[MyBT.Session.Trial.self]
            try await lab[MyBT.Session.self].insert1(["subject_id": 1, "session_idx": 1, "session_date": "2024-05-01"])
            var big = Data(count: 16 << 20)
            big.withUnsafeMutableBytes { raw in
                for i in stride(from: 0, to: raw.count, by: 1) { raw[i] = UInt8(truncatingIfNeeded: i &* 2_654_435_761 >> 13) }
            }
            try await trials.insert1(["subject_id": 1, "session_idx": 1, "trial_idx": 1, "response": 0.5, "stimulus": Value.bytes(big)])
            #expect(try await trials.fetch1("stimulus", as: Data.self) == big)
            var streamed: Data?
            for try await row in trials.rows() {
                if case .bytes(let d) = row["stimulus"] { streamed = d }
            }
            #expect(streamed == big)
        }
    }

    // MARK: Errors

    @Test("server errors map to DataJointError kinds")
    func errorKinds() async throws {
        try await MySQLTestServer.withSchemas(1) { db, names in
            let lab = try await db.schema(names[0], tables: MyBT.Subject.self, MyBT.Session.self)
            let subjects = lab[MyBT.Subject.self]
            try await subjects.insert1(["subject_id": 1, "date_of_birth": "2024-01-01"])

            let duplicate = await #expect(throws: DataJointError.self) {
                try await subjects.insert1(["subject_id": 1, "date_of_birth": "2024-01-02"])
            }
            #expect(duplicate?.kind == .duplicate)

            let orphan = await #expect(throws: DataJointError.self) {
                try await lab[MyBT.Session.self].insert1(["subject_id": 99, "session_idx": 1, "session_date": "2024-01-01"])
            }
            #expect(orphan?.kind == .integrity)
            // Skipping duplicates does not hide a missing parent (unlike INSERT IGNORE).
            let skipped = await #expect(throws: DataJointError.self) {
                try await lab[MyBT.Session.self].insert1(
                    ["subject_id": 99, "session_idx": 1, "session_date": "2024-01-01"], skipDuplicates: true)
            }
            #expect(skipped?.kind == .integrity)

            let missing = await #expect(throws: DataJointError.self) {
                try await db.query(RenderedSQL("SELECT * FROM `\(names[0])`.`no_such_table` WHERE 1 = ?", [1]))
            }
            #expect(missing?.kind == .missingTable)

            let syntax = await #expect(throws: DataJointError.self) { try await db.query(RenderedSQL("SELEC 1")) }
            #expect(syntax?.kind == .query)
            #expect(syntax?.message.contains("SELEC 1") == true)
            let longSQL = "SELECT no_such_column FROM `\(names[0])`.`subject` WHERE " + String(repeating: "1 = 1 AND ", count: 200) + "1 = ?"
            let column = await #expect(throws: DataJointError.self) { try await db.query(RenderedSQL(longSQL, [1])) }
            #expect(column?.kind == .query)
            #expect((column?.message.count ?? 0) < 800, "the SQL is truncated in the message")
            let restriction = await #expect(throws: DataJointError.self) {
                try await (subjects & "no_such_column = 1").toDicts()
            }
            #expect(restriction?.kind == .query)
            // The connection is still usable after errors.
            #expect(try await subjects.count() == 1)
        }
    }

    @Test("a wrong password and an unreachable server are .connection errors naming user@host:port, never the password")
    func connectionErrors() async throws {
        let secret = "not-the-password-\(UUID().uuidString)"
        let wrong = await #expect(throws: DataJointError.self) {
            _ = try await MySQLDriver.open(
                ServerOptions(host: MySQLTestServer.host, port: MySQLTestServer.port, user: "datajoint", password: secret))
        }
        #expect(wrong?.kind == .connection)
        #expect(wrong?.message.contains("datajoint@127.0.0.1:\(MySQLTestServer.port)") == true, "\(wrong?.message ?? "")")
        #expect(wrong?.description.contains(secret) == false)

        let unreachable = await #expect(throws: DataJointError.self) {
            _ = try await MySQLDriver.open(
                ServerOptions(host: "127.0.0.1", port: 1, user: "datajoint", password: secret, connectTimeout: 2))
        }
        #expect(unreachable?.kind == .connection)
        #expect(unreachable?.message.contains("datajoint@127.0.0.1:1") == true, "\(unreachable?.message ?? "")")
        #expect(unreachable?.description.contains(secret) == false)

        let driver = try await MySQLDriver.open(MySQLTestServer.options())
        #expect(driver.targetDescription == "MySQL datajoint@127.0.0.1:\(MySQLTestServer.port)")
        try await driver.close()
    }

    @Test("useTLS: false connects in the clear; useTLS: true requires TLS")
    func tls() async throws {
        var clear = MySQLTestServer.options()
        clear.useTLS = false
        let driver = try await MySQLDriver.open(clear)
        let (cipher, haveSSL) = try await driver.withSession { s in
            let cipher = try await s.query(RenderedSQL("SHOW SESSION STATUS LIKE 'Ssl_cipher'")).first?[1] ?? .null
            let have = try await s.query(RenderedSQL("SELECT @@have_ssl"))[0][0]
            return (cipher, have)
        }
        #expect(cipher == "" || cipher == .null)
        try await driver.close()

        var required = MySQLTestServer.options()
        required.useTLS = true
        if haveSSL == "YES" {
            let secure = try await MySQLDriver.open(required)
            let cipher = try await secure.withSession { try await $0.query(RenderedSQL("SHOW SESSION STATUS LIKE 'Ssl_cipher'"))[0][1] }
            #expect(cipher != "" && cipher != .null)
            try await secure.close()
        } else {
            // The server offers no TLS, so a connection that requires it must fail.
            let error = await #expect(throws: DataJointError.self) { _ = try await MySQLDriver.open(required) }
            #expect(error?.kind == .connection)
            #expect(error?.message.contains("datajoint@127.0.0.1") == true, "\(error?.message ?? "")")
        }
    }

    // MARK: Transactions and connections

    @Test("a transaction that throws is rolled back; one that returns is committed")
    func transactions() async throws {
        try await MySQLTestServer.withSchemas(1) { db, names in
            let subjects = try await db.schema(names[0], tables: MyBT.Subject.self)[MyBT.Subject.self]
            struct Abort: Error {}
            await #expect(throws: Abort.self) {
                try await db.transaction {
                    try await subjects.insert1(["subject_id": 1, "date_of_birth": "2024-01-01"])
                    #expect(try await subjects.count() == 1)
                    throw Abort()
                }
            }
            #expect(try await subjects.count() == 0)
            // A failing batch of a multi-statement insert inside a transaction leaves nothing behind (chunks commit on
            // their own only outside one).
            let rows: [Row] = (0..<20_000).map { ["subject_id": Value.int(Int64($0)), "date_of_birth": "2024-01-01"] }
                + [["subject_id": 5, "date_of_birth": "2024-01-01"]]
            await #expect(throws: DataJointError.self) {
                try await db.transaction { try await subjects.insert(rows, chunkSize: 1000) }
            }
            #expect(try await subjects.count() == 0)
            // Outside a transaction the 20 chunks before the failing one stay.
            await #expect(throws: DataJointError.self) { try await subjects.insert(rows, chunkSize: 1000) }
            #expect(try await subjects.count() == 20_000)
            _ = try await subjects.deleteQuick()
            try await db.transaction {
                try await subjects.insert1(["subject_id": 2, "date_of_birth": "2024-01-01"])
            }
            #expect(try await subjects.count() == 1)
        }
    }

    @Test("a lost connection is reopened outside a transaction and reported inside one")
    func reconnect() async throws {
        let driver = try await MySQLDriver.open(MySQLTestServer.options(maxSessions: 1))
        let killer = try await MySQLDriver.open(MySQLTestServer.options(maxSessions: 1))
        @Sendable func connectionID(_ s: any DatabaseSession) async throws -> Value {
            try await s.query(RenderedSQL("SELECT CONNECTION_ID()"))[0][0]
        }
        @Sendable func kill(_ id: Value) async throws {
            try await killer.withSession { try await $0.execute(RenderedSQL("KILL ?", [id])) }
        }
        try await driver.withSession { session in
            let first = try await connectionID(session)
            try await kill(first)
            let second = try await connectionID(session)
            #expect(second != first)
            // The new connection has the session settings of the first.
            let mode = try await session.query(RenderedSQL("SELECT @@SESSION.sql_mode"))[0][0]
            #expect(mode.description.contains("STRICT_ALL_TABLES"))

            try await session.begin()
            try await kill(second)
            let lost = await #expect(throws: DataJointError.self) { try await connectionID(session) }
            #expect(lost?.kind == .connection)
            try? await session.rollback()
            // After the failed transaction the session works again.
            #expect(try await connectionID(session) != second)
        }
        try await driver.close()
        try await killer.close()
    }

    @Test("sessions are pooled: at most maxSessions connections, each used by one task at a time")
    func pool() async throws {
        let driver = try await MySQLDriver.open(MySQLTestServer.options(maxSessions: 3))
        let ids = try await withThrowingTaskGroup(of: Value.self) { group in
            for _ in 0..<12 {
                group.addTask {
                    try await driver.withSession { s in
                        _ = try await s.query(RenderedSQL("SELECT SLEEP(0.05)"))
                        return try await s.query(RenderedSQL("SELECT CONNECTION_ID()"))[0][0]
                    }
                }
            }
            var all = Set<Value>()
            for try await id in group { all.insert(id) }
            return all
        }
        #expect(ids.count <= 3)
        #expect(ids.count >= 2)
        try await driver.close()
    }

    // MARK: Dependencies across schemas

    @Test("delete cascades into another schema; replace updates rows that have dependents")
    func cascadeAcrossSchemas() async throws {
        try await MySQLTestServer.withSchemas(2) { db, names in
            let lab = try await db.schema(names[0], tables: MyBT.Subject.self, MyBT.Session.self)
            MyBT.Cage.otherSchema = names[0]
            let housing = try await db.schema(names[1], tables: MyBT.Cage.self)
            let subjects = lab[MyBT.Subject.self]
            try await subjects.insert([
                ["subject_id": 1, "date_of_birth": "2024-01-01"], ["subject_id": 2, "date_of_birth": "2024-01-02"],
            ])
            try await lab[MyBT.Session.self].insert([
                ["subject_id": 1, "session_idx": 1, "session_date": "2024-02-01"],
                ["subject_id": 2, "session_idx": 1, "session_date": "2024-02-01"],
            ])
            try await lab[MyBT.Session.Trial.self].insert1(["subject_id": 1, "session_idx": 1, "trial_idx": 1, "response": 1.0])
            let cages = housing[MyBT.Cage.self]
            try await cages.insert([["cage_id": 10, "subject_id": 1], ["cage_id": 20, "subject_id": 2]])

            let catalog = db.catalog
            let refs = try await db.withSession {
                try await catalog.foreignKeys(referencing: SQLTableName(schema: names[0], table: "subject"), $0)
            }
            #expect(Set(refs.map(\.child)) == [
                SQLTableName(schema: names[0], table: "session"), SQLTableName(schema: names[1], table: "cage"),
            ])

            // replace: the row has dependents, so it must be updated in place, not deleted and inserted.
            try await subjects.insert1(["subject_id": 1, "date_of_birth": "2023-12-31", "species": "rat"], replace: true)
            #expect(try await (subjects & ["subject_id": 1]).fetch1("species", as: String.self) == "rat")
            #expect(try await cages.count() == 2)

            // Dropping the referenced schema is refused while the other depends on it.
            let refused = await #expect(throws: DataJointError.self) { try await lab.drop(confirm: true) }
            #expect(refused?.kind == .integrity)

            let deleted = try await (subjects & ["subject_id": 1]).delete(confirm: true)
            #expect(deleted >= 1)
            #expect(try await subjects.count() == 1)
            #expect(try await lab[MyBT.Session.self].count() == 1)
            #expect(try await lab[MyBT.Session.Trial.self].count() == 0)
            #expect(try await cages.toArray("cage_id", as: Int.self) == [20])
        }
    }

    // MARK: Dialect (no server needed, but kept with the backend)

    @Test("the dialect renders MySQL's spellings")
    func dialect() throws {
        let d = MySQLDialect()
        #expect(d.quote("a`b") == "`a``b`")
        #expect(d.qualifiedName(SQLTableName(schema: "lab", table: "#lookup")) == "`lab`.`#lookup`")
        #expect(d.placeholder(7) == "?")
        #expect(d.limitClause(limit: nil, offset: 5) == " LIMIT 18446744073709551615 OFFSET 5")
        #expect(d.limitClause(limit: 3, offset: nil) == " LIMIT 3")
        #expect(d.maxParametersPerStatement == 65_535)
        #expect(try d.columnType(for: .bool) == "tinyint")
        #expect(try d.columnType(for: .uuid) == "binary(16)")
        #expect(try d.columnType(for: .bytes) == "longblob")
        #expect(try d.columnType(for: .datetime(fractionalDigits: 3)) == "datetime(3)")
        #expect(try d.columnType(for: .enumeration(["a", "it's"])) == "enum('a','it''s')")
        let table = SQLTableName(schema: "lab", table: "t")
        let skip = SQLInsert(table: table, columns: ["k", "v"], rows: .values([[1, 2]]), onConflict: .ignore)
        #expect(d.render(.insert(skip)).sql == "INSERT INTO `lab`.`t` (`k`, `v`) VALUES (?, ?) ON DUPLICATE KEY UPDATE `k`=`lab`.`t`.`k`")
        let replace = SQLInsert(table: table, columns: ["k", "v"], rows: .values([[1, 2]]), onConflict: .replace(key: ["k"]))
        #expect(d.render(.insert(replace)).sql == "INSERT INTO `lab`.`t` (`k`, `v`) VALUES (?, ?) ON DUPLICATE KEY UPDATE `v`=VALUES(`v`)")
        #expect(d.encode(.uuid(UUID(uuidString: "00000000-0000-0000-0000-0000000000ff")!), as: .uuid) == .bytes(Data(repeating: 0, count: 15) + [0xFF]))
        #expect(try d.decode(.string("12.50"), as: .decimal(precision: 4, scale: 2)) == dec("12.50"))
        #expect(try d.decode(.string("2024-01-02 03:04:05.120"), as: .datetime(fractionalDigits: 3)) == moment("2024-01-02 03:04:05.12"))
    }
}
