import DataJoint
import Foundation
import Testing

// Interoperation with DataJoint-Python 2.3.5 on one database, in both directions.
//
// Python writes, Swift reads: Resources/interop/interop.py declares `InteropPipeline` and the University schema
// (from the Swift definitions, passed to it), fills them, populates the Computed table through the jobs queue and
// prints every row and the answers of `InteropQueries` as typed JSON. Swift opens the schemas by name, with no Swift
// source, and must rebuild every heading, fetch the same rows, answer the same queries and see the jobs.
//
// Swift writes, Python reads: Swift declares and fills the same schemas; Python reads them through
// `dj.VirtualModule` and through its own classes (declaring an existing table is a no-op), answers the queries, and
// declares every table again in new schemas from the definition `describe()` gives: the catalog of each re-declared
// table must equal Swift's original.
//
// Values travel as typed pairs `["tag", text]` (see `InteropValues`), compared by meaning: floats by value (float32
// at float32 precision), decimals by value, blobs as structures, attachments by file name and contents.
//
// Defects of DataJoint-Python 2.3.5 worked around here (each where it is handled): on PostgreSQL it can neither
// insert nor read uuid values, reads no JSON document that is a bare string, cannot decode an in-table <attach>
// (memoryview), and its describe() keeps casts in defaults, re-escapes comment quotes and loses every secondary index;
// on MariaDB it reads float32 with 6 significant digits (text protocol); it refuses a batch insert whose rows name
// different attributes.

// MARK: - the pipeline

/// The interop pipeline: every core type, `<blob>`, `<attach>`, nullable, unique and renamed foreign keys, a Lookup
/// with contents, and a Computed table with a Part. Python declares these very definitions.
enum InteropPipeline {
    struct Kind: Lookup {
        static let definition = """
            # kinds of things
            kind : varchar(16)   # kind name
            ---
            description = '' : varchar(255)   # what it "is"
            rank = 0 : int16
            """
        static let contents: [Row] = [
            ["kind": "alpha", "description": "first kind", "rank": 1],
            ["kind": "beta", "description": #"second, "quoted""#, "rank": 2],
            ["kind": "gamma", "description": "it's", "rank": -3],
        ]
    }

    struct Device: Manual {
        static let definition = """
            # recording device
            device : char(8)   # serial number
            ---
            model = "M-1" : varchar(32)
            price = 9.99 : decimal(8,2)
            """
    }

    struct Subject: Manual {
        static let definition = """
            # a subject with every core type
            subject_id : int64   # big id
            ---
            i8 : int8
            i16 : int16
            i32 : int32
            f32 : float32
            f64 : float64
            flag = 1 : bool
            amount : decimal(20,6)
            code : char(3)
            label : varchar(255)   # any text
            color = 'red' : enum('red', 'green', 'it''s')
            day : date
            moment : datetime
            moment_ms : datetime(3)
            doc : json
            token = null : uuid
            payload : bytes
            note = null : varchar(64)   # optional note
            -> [nullable] Kind
            """
    }

    struct Session: Manual {
        static let definition = """
            # recording session
            -> Subject
            session_idx : int16
            ---
            -> [unique] Device
            started = CURRENT_TIMESTAMP : datetime(3)
            quality = 'good' : enum('good', 'bad')
            index(quality)
            """
    }

    struct Recording: Manual {
        static let definition = """
            # raw data of a session
            -> Session
            ---
            signal : <blob>   # numeric array
            meta = null : <blob>   # nested structure
            doc : <attach>   # attached file
            """
    }

    struct Pair: Manual {
        static let definition = """
            # two subjects that interact
            -> Subject
            -> Subject.proj(partner_id='subject_id')
            ---
            strength = null : float32
            """
    }

    struct SessionStats: Computed {
        static let definition = """
            # statistics of a recording
            -> Recording
            ---
            n_items : int32
            total = null : float64
            """
        static var parts: [any Part.Type] { [Item.self] }

        struct Item: Part {
            static let definition = """
                -> master
                item_idx : int16
                ---
                value : float64
                """
        }

        /// The same computation as `make` of interop.py: the sorted elements of the signal and their sum.
        static func make(_ key: Row, _ ctx: MakeContext) async throws {
            let signal = try await (ctx[Recording.self] & key).fetch1("signal", as: Value.self)
            let values = (NDArray(dataJointValue: signal)?.doubles ?? []).sorted()
            guard !values.isEmpty else { throw ValueError(message: "empty signal for session \(key["session_idx"]!)") }
            try await ctx.insert1(key + ["n_items": Value.int(Int64(values.count)), "total": Value.double(values.reduce(0, +))])
            try await ctx.insert(
                values.enumerated().map { key + ["item_idx": Value.int(Int64($0.offset)), "value": Value.double($0.element)] },
                into: Item.self)
        }
    }

    /// Named like Python's exception so that both sides record the same `error_message`.
    struct ValueError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    static let tables: [any UserTable.Type] = [
        Kind.self, Device.self, Subject.self, Session.self, Recording.self, Pair.self, SessionStats.self,
    ]

    /// Every definition by Python class name (`SessionStats.Item` for the part), University's included.
    static var definitions: [String: String] {
        var out: [String: String] = [:]
        for table in tables + University.tables { out[table.className] = table.definition }
        out["SessionStats.Item"] = SessionStats.Item.definition
        return out
    }

    /// Database table names by Python class name.
    static let tableNames: [String: String] = [
        "Kind": "#kind", "Device": "device", "Subject": "subject", "Session": "session", "Recording": "recording",
        "Pair": "pair", "SessionStats": "__session_stats", "SessionStats.Item": "__session_stats__item",
        "Student": "student", "Department": "department", "StudentMajor": "student_major", "Course": "course",
        "Term": "term", "Section": "section", "CurrentTerm": "current_term", "Enroll": "enroll",
        "LetterGrade": "#letter_grade", "Grade": "grade",
    ]

    // MARK: the rows

    static func dec(_ text: String) -> Value { .decimal(Decimal(string: text)!) }
    static func day(_ text: String) -> Value { .date(CalendarDate(iso: text)!) }
    static func moment(_ text: String) -> Value { .datetime(DateTime(iso: text)!) }
    static let maxID = Value.int(Int64.max), minID = Value.int(Int64.min)

    /// The files attached to recordings, by name.
    static let attachments: [String: Data] = [
        "notes.txt": Data("hello\nworld\n".utf8), "data.bin": Data((0...255).map { UInt8($0) }), "empty.dat": Data(),
        "ünï cödé.txt": Data("ünïcode ✓".utf8), "late.txt": Data("added after populate".utf8),
    ]

    /// The rows to insert, table by table in dependency order, with extreme and edge values. `files` is the
    /// directory that holds `attachments`.
    ///
    /// On PostgreSQL no uuid value is written (`token` stays NULL), because DataJoint-Python 2.3.5 handles uuid
    /// columns there as MySQL's binary(16): it inserts a UUID as 16 bytes ("column "token" is of type uuid but
    /// expression is of type bytea") and decodes a fetched one with `UUID(bytes=...)`, which fails on the text
    /// psycopg2 returns ("bytes is not a 16-char string"). MariaDB covers uuid both ways.
    static func rows(files: URL, backend: TestBackend) -> [(table: String, rows: [Row])] {
        func file(_ name: String) -> Value { .string(files.appendingPathComponent(name).path) }
        var subjects: [Row] = [
            [
                "subject_id": maxID, "i8": -128, "i16": 32767, "i32": Value.int(Int64(Int32.min)), "f32": 0.1, "f64": 1e-300,
                "flag": true, "amount": dec("-99999999999999.999999"), "code": "äö€",
                "label": "🧪 lab 'single' \"double\" back\\slash\ttab\nnewline %s %% ?", "color": "it's",
                "day": day("0001-01-01"), "moment": moment("9999-12-31 23:59:59"), "moment_ms": moment("2024-02-29 12:34:56.123"),
                "doc": Value.json(["a": [1, 2.5, "x", nil, true], "nested": ["k": "v"], "empty": [:], "unicode": "é"]),
                "token": Value.uuid(UUID(uuidString: "12345678-1234-5678-9abc-def012345678")!),
                "payload": Value.bytes(Data((0...255).map { UInt8($0) })), "kind": "alpha",
            ],
            [
                "subject_id": minID, "i8": 127, "i16": -32768, "i32": Value.int(Int64(Int32.max)),
                "f32": Value.double(-Double(Float.greatestFiniteMagnitude)), "f64": Value.double(Double.greatestFiniteMagnitude),
                "flag": false, "amount": dec("0.000001"), "code": "", "label": "", "color": "red", "day": day("9999-12-31"),
                "moment": moment("1000-01-01 00:00:00"), "moment_ms": moment("2000-01-01 00:00:00.999"), "doc": Value.json([]),
                "token": Value.null, "payload": Value.bytes(Data()), "note": "", "kind": Value.null,
            ],
            [
                "subject_id": 0, "i8": 0, "i16": 0, "i32": 0, "f32": 1.5, "f64": 123456789.123456789, "amount": dec("123.456"),
                "code": "abc", "label": "plain", "day": day("2024-02-29"), "moment": moment("2024-02-29 12:00:00"),
                "moment_ms": moment("2024-02-29 12:00:00"), "doc": Value.json("just a string"), "payload": Value.bytes(Data([0])),
                "note": "note", "kind": "gamma",
            ],
        ]
        if backend == .postgresql {
            subjects = subjects.map { $0.project($0.names.filter { $0 != "token" }) }
            // DataJoint-Python 2.3.5 on PostgreSQL cannot read a JSON document that is a bare string: psycopg2 gives
            // it the decoded str, which the reference decodes again with json.loads (JSONDecodeError). A bare number
            // it reads fine.
            subjects[2] = subjects[2] + ["doc": Value.json(-12.5)]
        }
        let meta: BlobValue = [
            "name": "left", "trials": [1, 2, 3], "rate": 30.0, "nested": ["ok": true, "none": nil],
            "matrix": .array(NDArray([Int32](arrayLiteral: 1, 2, 3, 4), shape: [2, 2])), "label": "ünïcode",
        ]
        return [
            ("Device", [
                ["device": "dev-0001"], ["device": "dev-0002", "model": #"Zeta "Z" ünï"#, "price": dec("-999999.99")],
                ["device": "d3", "model": "", "price": dec("0.01")], ["device": "dev-0004"], ["device": "dev-0005"],
            ]),
            ("Subject", subjects),
            ("Session", [
                ["subject_id": maxID, "session_idx": 1, "device": "dev-0001", "started": moment("2024-01-02 03:04:05.678")],
                ["subject_id": maxID, "session_idx": 2, "device": "dev-0002", "started": moment("2024-01-02 03:04:06"), "quality": "bad"],
                ["subject_id": minID, "session_idx": 1, "device": "d3", "started": moment("1999-12-31 23:59:59.999")],
                ["subject_id": 0, "session_idx": 7, "device": "dev-0004", "started": moment("2024-02-29 00:00:00")],
            ]),
            ("Recording", [
                ["subject_id": maxID, "session_idx": 1, "signal": NDArray((0..<12).map { Double($0) / 4 }, shape: [3, 4]).dataJointValue,
                 "meta": meta.dataJointValue, "doc": file("notes.txt")],
                ["subject_id": maxID, "session_idx": 2, "signal": NDArray([Int32](arrayLiteral: 1, -2, 3)).dataJointValue,
                 "meta": (["a", 1, 2.5, nil, ["nested", "list"]] as BlobValue).dataJointValue, "doc": file("data.bin")],
                ["subject_id": minID, "session_idx": 1, "signal": NDArray([Double](), shape: [0]).dataJointValue,
                 "meta": BlobValue.string("just a string").dataJointValue, "doc": file("empty.dat")],
                ["subject_id": 0, "session_idx": 7, "signal": NDArray([1.5], shape: [1, 1]).dataJointValue, "meta": Value.null,
                 "doc": file("ünï cödé.txt")],
            ]),
            ("Pair", [
                ["subject_id": maxID, "partner_id": minID, "strength": 0.5],
                ["subject_id": minID, "partner_id": maxID],
                ["subject_id": 0, "partner_id": 0, "strength": 1e-3],
            ]),
        ]
    }

    /// The key whose job is set to `ignore` before populate.
    static let ignoredKey: Row = ["subject_id": 0, "session_idx": 7]

    /// A session and recording added after populate: their job is `pending` after a refresh.
    static func lateRows(files: URL) -> [(table: String, rows: [Row])] {
        [
            ("Session", [["subject_id": 0, "session_idx": 8, "device": "dev-0005", "started": moment("2024-03-01 10:00:00")]]),
            ("Recording", [[
                "subject_id": 0, "session_idx": 8, "signal": NDArray([Float](arrayLiteral: 0.5, 0.25)).dataJointValue,
                "meta": (["x": BlobValue.scalar(Double(2.5)), "t": BlobValue.tuple([1, "two"])] as BlobValue).dataJointValue,
                "doc": Value.string(files.appendingPathComponent("late.txt").path),
            ]]),
        ]
    }

    /// The jobs both sides leave: two computed, one failing make (empty signal), one ignored, one pending.
    static let expectedJobs: [[String: String]] = [
        ["subject_id": "-9223372036854775808", "session_idx": "1", "status": "error",
         "error_message": "ValueError: empty signal for session 1"],
        ["subject_id": "0", "session_idx": "7", "status": "ignore", "error_message": ""],
        ["subject_id": "0", "session_idx": "8", "status": "pending", "error_message": ""],
        ["subject_id": "9223372036854775807", "session_idx": "1", "status": "success", "error_message": ""],
        ["subject_id": "9223372036854775807", "session_idx": "2", "status": "success", "error_message": ""],
    ]
}

// MARK: - the queries

/// The tables a query is written with, by Python class name.
struct InteropTables: Sendable {
    let tables: [String: Table]
    subscript(_ name: String) -> Table { tables[name]! }

    /// The tables of the two schemas opened by name, without Swift types.
    init(pipeline: Schema, university: Schema) {
        var tables: [String: Table] = [:]
        let universityNames: Set = ["Student", "Department", "StudentMajor", "Course", "Term", "Section", "CurrentTerm",
                                    "Enroll", "LetterGrade", "Grade"]
        for (name, table) in InteropPipeline.tableNames {
            tables[name] = (universityNames.contains(name) ? university : pipeline).table(table)
        }
        self.tables = tables
    }

    /// The tables of the Swift types.
    init(typed pipeline: Schema, university: Schema) {
        typealias P = InteropPipeline
        let u = UniversityTables(university)
        tables = [
            "Kind": pipeline[P.Kind.self], "Device": pipeline[P.Device.self], "Subject": pipeline[P.Subject.self],
            "Session": pipeline[P.Session.self], "Recording": pipeline[P.Recording.self], "Pair": pipeline[P.Pair.self],
            "SessionStats": pipeline[P.SessionStats.self], "SessionStats.Item": pipeline[P.SessionStats.Item.self],
            "Student": u.student, "Department": u.department, "StudentMajor": u.studentMajor, "Course": u.course,
            "Term": u.term, "Section": u.section, "CurrentTerm": u.currentTerm, "Enroll": u.enroll,
            "LetterGrade": u.letterGrade, "Grade": u.grade,
        ]
    }
}

struct InteropQuery: Sendable {
    let id: String
    let python: String
    let build: @Sendable (InteropTables) -> any QueryConvertible
}

enum InteropQueries {
    static let all: [InteropQuery] = {
        var q: [InteropQuery] = []
        func add(_ id: String, _ python: String, _ build: @escaping @Sendable (InteropTables) -> any QueryConvertible) {
            q.append(InteropQuery(id: id, python: python, build: build))
        }
        // The pipeline: every type in results, blobs and attachments, nullable / unique / renamed foreign keys.
        add("p.restrict_row", #"(Subject & {'color': "it's"}).proj('label', 'amount')"#) {
            ($0["Subject"] & ["color": "it's"]).proj("label", "amount")
        }
        add("p.restrict_sql_all_types", "Subject & 'i8 < 0'") { $0["Subject"] & "i8 < 0" }
        add("p.nullable_fk_null", "(Subject & 'kind IS NULL').proj('kind')") { ($0["Subject"] & "kind IS NULL").proj("kind") }
        add("p.lookup_join", "Subject.proj('kind') * Kind") { $0["Subject"].proj("kind") * $0["Kind"] }
        add("p.renamed_fk_join", "Pair * Subject.proj(partner_label='label', partner_id='subject_id')") {
            $0["Pair"] * $0["Subject"].proj(named: ["partner_label": "label", "partner_id": "subject_id"])
        }
        add("p.aggr_keep_all", "Subject.aggr(Session, n='count(session_idx)')") {
            $0["Subject"].aggr($0["Session"], named: ["n": "count(session_idx)"])
        }
        add("p.antijoin", "Subject.proj('label') - (Session & {'quality': 'bad'})") {
            $0["Subject"].proj("label") - ($0["Session"] & ["quality": "bad"])
        }
        add("p.union", "(Session & {'quality': 'good'}).proj() + (Session & 'session_idx > 1').proj()") {
            ($0["Session"] & ["quality": "good"]).proj() + ($0["Session"] & "session_idx > 1").proj()
        }
        add("p.part_join", "(SessionStats * SessionStats.Item) & 'value > 0'") {
            ($0["SessionStats"] * $0["SessionStats.Item"]) & "value > 0"
        }
        add("p.extend_computed", "Session.proj('quality').extend(SessionStats)") {
            $0["Session"].proj("quality").extend($0["SessionStats"])
        }
        add("p.unique_fk_join", "Session.proj('device') * Device") { $0["Session"].proj("device") * $0["Device"] }
        add("p.blobs_and_attachments", "Recording & 'session_idx < 3'") { $0["Recording"] & "session_idx < 3" }
        // University.
        add("u.restrict", "(Student & {'home_state': 'UT'}).proj('last_name', 'date_of_birth')") {
            ($0["Student"] & ["home_state": "UT"]).proj("last_name", "date_of_birth")
        }
        add("u.join_three", "(Student & 'student_id < 110') * StudentMajor * Department.proj('dept_name')") {
            ($0["Student"] & "student_id < 110") * $0["StudentMajor"] * $0["Department"].proj("dept_name")
        }
        add("u.aggr_avg", "Course.aggr(Grade * LetterGrade, avg_grade='round(avg(points), 2)')") {
            $0["Course"].aggr($0["Grade"] * $0["LetterGrade"], named: ["avg_grade": "round(avg(points), 2)"])
        }
        add("u.union", "(Student & {'home_state': 'UT'}).proj() + (Student & {'home_state': 'WY'}).proj()") {
            ($0["Student"] & ["home_state": "UT"]).proj() + ($0["Student"] & ["home_state": "WY"]).proj()
        }
        add("u.antijoin", "Enroll * CurrentTerm - Grade") { ($0["Enroll"] * $0["CurrentTerm"]) - $0["Grade"] }
        add("u.proj_rename", "Department.proj('dept_name', department='dept')") {
            $0["Department"].proj("dept_name", named: ["department": "dept"])
        }
        add("u.universal_aggr", "dj.U('home_state').aggr(Student, n='count(*)')") {
            U("home_state").aggr($0["Student"], named: ["n": "count(*)"])
        }
        add("u.top", "Student & dj.Top(5, ['last_name DESC', 'student_id'])") {
            $0["Student"] & Top(5, orderBy: ["last_name DESC", "student_id"])
        }
        add("u.extend", "(Student & 'student_id < 115').extend(StudentMajor)") {
            ($0["Student"] & "student_id < 115").extend($0["StudentMajor"])
        }
        add("u.semijoin", "Student & (StudentMajor & {'dept': 'MATH'})") { $0["Student"] & ($0["StudentMajor"] & ["dept": "MATH"]) }
        return q
    }()
}

// MARK: - typed values

/// Values as typed pairs `["tag", text]`, the form interop.py prints and reads (see `canon` there).
enum InteropValues {
    static func hex(_ data: Data) -> String { data.map { String(format: "%02x", $0) }.joined() }

    static func jsonObject(_ json: JSON) -> Any {
        try! JSONSerialization.jsonObject(with: Data(json.serialized().utf8), options: .fragmentsAllowed)
    }

    static func blob(_ value: BlobValue) -> Any {
        switch value {
        case .none: return ["none"]
        case .bool(let b): return ["bool", b] as [Any]
        case .int(let i): return ["int", String(i)]
        case .bigInt(let i): return ["int", "\(i)"]
        case .float(let d): return ["float", "\(d)"]
        case .string(let s): return ["str", s]
        case .bytes(let d): return ["bytes", hex(d)]
        case .array(let a):
            return ["ndarray", a.dtype.description, a.shape, a.elements.map(blob)] as [Any]
        case .list(let items): return ["list", items.map(blob)] as [Any]
        case .tuple(let items): return ["tuple", items.map(blob)] as [Any]
        case .dict(let pairs): return ["dict", pairs.map { [blob($0.key), blob($0.value)] }] as [Any]
        default: return ["unknown", "\(value)"]
        }
    }

    /// A value to send to Python for inserting (attachments are file paths, sent as strings).
    static func input(_ value: Value) -> Any {
        switch value {
        case .null: return ["null"]
        case .bool(let b): return ["bool", b] as [Any]
        case .int(let i): return ["int", String(i)]
        case .double(let d): return ["float", "\(d)"]
        case .decimal(let d): return ["decimal", d.description]
        case .string(let s): return ["str", s]
        case .bytes(let d): return ["bytes", hex(d)]
        case .date(let d): return ["date", d.description]
        case .datetime(let d): return ["datetime", d.formatted(fractionalDigits: 6)]
        case .uuid(let u): return ["uuid", u.uuidString.lowercased()]
        case .json(let j): return ["json", jsonObject(j)] as [Any]
        case .custom:
            guard let b = BlobValue(dataJointValue: value) else { return ["unknown", "\(value)"] }
            return ["blob", blob(b)] as [Any]
        }
    }

    /// A fetched value, typed by its attribute as interop.py types it.
    static func fetched(_ value: Value, _ attribute: Attribute?) -> Any {
        if value.isNull { return ["null"] }
        switch attribute?.type {
        case .codec(name: "blob", _)?:
            guard let b = BlobValue(dataJointValue: value) else { return ["unknown", "\(value)"] }
            return ["blob", blob(b)] as [Any]
        case .codec(name: "attach", _)?:
            guard case .string(let path) = value, let data = FileManager.default.contents(atPath: path) else {
                return ["unknown", "\(value)"]
            }
            return ["attach", URL(fileURLWithPath: path).lastPathComponent, hex(data)]
        case .float32?:
            if case .double(let d) = value { return ["float32", "\(d)"] }
        default:
            break
        }
        return input(value)
    }

    /// A typed tree in the form JSONSerialization gives (so that Swift's and Python's trees compare alike).
    static func normalized(_ tree: Any) -> Any {
        let data = try! JSONSerialization.data(withJSONObject: ["v": tree], options: [.fragmentsAllowed])
        return (try! JSONSerialization.jsonObject(with: data) as! [String: Any])["v"]!
    }

    /// True when two typed trees hold the same values: floats by value (NaN equals NaN), float32 at float32
    /// precision, decimals by value, everything else exactly. With `float32Digits`, a float32 of `b` may also be `a`
    /// rounded to that many significant digits (see `compare`).
    static func same(_ a: Any, _ b: Any, float32Digits: Int? = nil) -> Bool {
        if let x = a as? [Any], let y = b as? [Any] {
            if x.count == 2, y.count == 2, let tag = x[0] as? String, tag == y[0] as? String,
                let s = x[1] as? String, let t = y[1] as? String
            {
                switch tag {
                case "float":
                    guard let d = Double(s), let e = Double(t) else { return false }
                    return d == e || (d.isNaN && e.isNaN)
                case "float32":
                    guard let d = Double(s), let e = Double(t) else { return false }
                    if Float(d) == Float(e) { return true }
                    guard let digits = float32Digits else { return false }
                    return Double(String(format: "%.\(digits)g", d)) == e
                case "decimal":
                    return Decimal(string: s) == Decimal(string: t)
                default:
                    return s == t
                }
            }
            return x.count == y.count && zip(x, y).allSatisfy { same($0, $1, float32Digits: float32Digits) }
        }
        if let x = a as? [String: Any], let y = b as? [String: Any] {
            return Set(x.keys) == Set(y.keys) && x.allSatisfy { same($0.value, y[$0.key]!, float32Digits: float32Digits) }
        }
        if let x = a as? String, let y = b as? String { return x == y }
        if a is NSNull, b is NSNull { return true }
        if let x = a as? NSNumber, let y = b as? NSNumber { return x == y }
        return false
    }

    /// The sort order of interop.py: nulls, then numbers by value, then text by code point.
    static func sortKey(_ typed: Any) -> (Int, Double, [UInt32]) {
        guard let pair = typed as? [Any], let tag = pair.first as? String else { return (3, 0, []) }
        switch tag {
        case "null": return (0, 0, [])
        case "int", "float", "float32", "decimal": return (1, Double(pair[1] as? String ?? "") ?? 0, [])
        case "bool": return (1, (pair[1] as? Bool ?? false) ? 1 : 0, [])
        default: return (2, 0, "\(pair[1])".unicodeScalars.map(\.value))
        }
    }

    static func less(_ a: [String: Any], _ b: [String: Any], key: [String]) -> Bool {
        for name in key {
            let (x, y) = (sortKey(a[name]!), sortKey(b[name]!))
            if x.0 != y.0 { return x.0 < y.0 }
            if x.1 != y.1 { return x.1 < y.1 }
            if x.2 != y.2 { return x.2.lexicographicallyPrecedes(y.2) }
        }
        return false
    }

    /// Primary key, heading and typed rows (sorted by primary key) of a query, as interop.py's `rows_of`.
    static func result(of query: any QueryConvertible) async throws -> (primaryKey: [String], heading: [String], rows: [[String: Any]]) {
        let expression = try await query.queryExpression()
        let heading = try await expression.heading()
        let rows = try await expression.toDicts().map { row -> [String: Any] in
            var typed: [String: Any] = [:]
            for name in heading.names { typed[name] = normalized(fetched(row[name] ?? .null, heading[name])) }
            return typed
        }
        return (heading.primaryKey, heading.names, rows.sorted { less($0, $1, key: heading.primaryKey) })
    }
}

// MARK: - the tests

@Suite("Interop with DataJoint-Python: both directions, headings, rows, queries, jobs, describe()")
struct InteropTests {
    static var backends: [TestBackend] {
        FileManager.default.isExecutableFile(atPath: StoreInteropTests.python) ? TestBackend.all.filter { $0 != .sqlite } : []
    }

    /// A scratch directory with the files to attach and a download directory per side.
    final class Fixture: Sendable {
        let root: URL
        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("interop-\(UUID().uuidString)")
            for directory in ["files", "swift-downloads", "python-downloads"] {
                try FileManager.default.createDirectory(at: root.appendingPathComponent(directory), withIntermediateDirectories: true)
            }
            for (name, data) in InteropPipeline.attachments {
                try data.write(to: root.appendingPathComponent("files").appendingPathComponent(name))
            }
        }
        var files: URL { root.appendingPathComponent("files") }
        var swiftDownloads: String { root.appendingPathComponent("swift-downloads").path }
        func remove() { try? FileManager.default.removeItem(at: root) }
    }

    static func settings(_ fixture: Fixture) -> Settings {
        Settings(safemode: false, jobs: JobSettings(keepCompleted: true), downloadPath: fixture.swiftDownloads)
    }

    /// Runs interop.py with a configuration; returns the JSON object of its `RESULT` line.
    static func runPython(_ backend: TestBackend, _ fixture: Fixture, _ config: [String: Any]) async throws -> [String: Any] {
        var config = config
        config["backend"] = backend == .postgresql ? "postgresql" : "mysql"
        config["port"] = backend.port
        config["database"] = backend == .postgresql ? TestContext.current!.id : nil
        config["download"] = fixture.root.appendingPathComponent("python-downloads").path
        config["csv"] = TestDatabase.resource("university").path
        config["definitions"] = InteropPipeline.definitions
        config["queries"] = Dictionary(uniqueKeysWithValues: InteropQueries.all.map { ($0.id, $0.python) })
        config["kind_contents"] = InteropPipeline.Kind.contents.map { row in row.names.map { InteropValues.input(row[$0]!) } }
        config["letter_grade_contents"] = University.LetterGrade.contents.map { row in row.names.map { InteropValues.input(row[$0]!) } }
        let file = fixture.root.appendingPathComponent("config.json")
        try JSONSerialization.data(withJSONObject: config).write(to: file)
        let script = TestDatabase.resource("interop/interop.py").path
        let (status, output) = try await ReferenceProcess.run(StoreInteropTests.python, [script, file.path], directory: fixture.root)
        try #require(status == 0, "DataJoint-Python failed:\n\(output.suffix(4000))")
        let line = try #require(output.split(separator: "\n").last { $0.hasPrefix("RESULT ") }, "no RESULT line:\n\(output.suffix(3000))")
        return try #require(try JSONSerialization.jsonObject(with: Data(line.dropFirst(7).utf8)) as? [String: Any])
    }

    static func typedRows(_ rows: [Row]) -> [[String: Any]] {
        rows.map { row in Dictionary(uniqueKeysWithValues: row.names.map { ($0, InteropValues.input(row[$0]!)) }) }
    }

    /// Compares a result Python printed (`primary_key`, `heading`, `rows`) with the same query run by Swift.
    ///
    /// On MariaDB, DataJoint-Python reads float32 (`float`) columns through pymysql's text protocol, in which the
    /// server writes a FLOAT with 6 significant digits: Python sees -3.40282e+38 for -3.4028235e+38 (Swift reads
    /// the exact value through the binary protocol; `checkWritten` holds Swift to it). Python's float32 values are
    /// compared with Swift's rounded to 6 digits there.
    static func compare(_ label: String, python: Any?, swift query: any QueryConvertible, backend: TestBackend) async {
        guard let python = python as? [String: Any] else {
            Issue.record("\(label): Python printed no result")
            return
        }
        if let error = python["error"] {
            Issue.record("\(label): DataJoint-Python failed: \(error)")
            return
        }
        do {
            let ours = try await InteropValues.result(of: query)
            #expect(ours.primaryKey == python["primary_key"] as? [String], "\(label): primary key")
            #expect(ours.heading == python["heading"] as? [String], "\(label): heading")
            let theirs = python["rows"] as? [[String: Any]] ?? []
            guard ours.rows.count == theirs.count else {
                Issue.record("\(label): Swift has \(ours.rows.count) rows, Python \(theirs.count)")
                return
            }
            let digits = backend == .mysql ? 6 : nil
            for (index, (a, b)) in zip(ours.rows, theirs).enumerated() where !InteropValues.same(a, b, float32Digits: digits) {
                let names = Set(a.keys).union(b.keys).sorted().filter {
                    !InteropValues.same(a[$0] ?? NSNull(), b[$0] ?? NSNull(), float32Digits: digits)
                }
                Issue.record("\(label): row \(index) differs in \(names):\n  Swift  \(names.map { "\($0)=\(a[$0] ?? "-")" })\n  Python \(names.map { "\($0)=\(b[$0] ?? "-")" })")
                break
            }
        } catch {
            Issue.record("\(label): Swift failed: \(error)")
        }
    }

    // MARK: Python writes, Swift reads

    @Test("Python writes, Swift reads: headings rebuilt from the catalog, rows, queries and jobs", arguments: backends)
    func pythonWritesSwiftReads(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let fixture = try Fixture()
            defer { fixture.remove() }
            let db = try await TestDatabase.connect(settings: Self.settings(fixture))
            let names = ["pipeline": "io_py", "university": "io_py_univ"]
            var config: [String: Any] = ["mode": "write", "schemas": names]
            let written = InteropPipeline.rows(files: fixture.files, backend: backend)
            config["rows"] = Dictionary(uniqueKeysWithValues: written.map { ($0.table, Self.typedRows($0.rows)) })
            // A JSON object has no order: Python inserts the tables in the order given.
            config["insert_order"] = written.map(\.table)
            config["late_rows"] = Dictionary(uniqueKeysWithValues: InteropPipeline.lateRows(files: fixture.files).map { ($0.table, Self.typedRows($0.rows)) })
            config["ignore_key"] = Self.typedRows([InteropPipeline.ignoredKey])[0]
            let python = try await Self.runPython(backend, fixture, config)

            let pipeline = try await db.schema("io_py", tables: [], create: false)
            let university = try await db.schema("io_py_univ", tables: [], create: false)

            // Headings, tiers, keys, foreign keys, indexes and lineage, rebuilt from the catalog alone.
            for (table, expected) in InteropExpectedLayout.pipeline {
                let info = try await pipeline.table(table).info()
                let got = InteropExpectedLayout.render(info)
                #expect(got == expected, "[\(backend)] heading of \(table):\n\(got.joined(separator: "\n"))")
            }
            #expect(try await pipeline.table("__session_stats__item").info().tier == .part)
            #expect(Tier.masterName(ofPart: "__session_stats__item") == "__session_stats")
            // The same headings as the Swift declarations give (declared here in schemas of their own), University's too.
            for (theirs, tables) in [(pipeline, InteropPipeline.tables), (university, University.tables)] {
                let reference = try await db.schema(theirs.name + "_ref", tables: tables)
                let names = try await reference.tableNames()
                #expect(names == (try await theirs.tableNames()) && names.count >= 8)
                for table in names {
                    let python = InteropExpectedLayout.render(try await theirs.table(table).info())
                    let swift = InteropExpectedLayout.render(try await reference.table(table).info())
                    #expect(python == swift, "[\(backend)] heading of \(theirs.name).\(table)")
                }
            }

            // Every row as Python wrote it.
            let rows = python["rows"] as? [String: [String: Any]] ?? [:]
            for (schemaKey, schema) in [("pipeline", pipeline), ("university", university)] {
                let tables = rows[schemaKey] ?? [:]
                #expect(Set(tables.keys) == Set(try await schema.tableNames().filter { !$0.hasPrefix("~") }), "[\(backend)] tables of \(schemaKey)")
                for (table, result) in tables.sorted(by: { $0.key < $1.key }) {
                    await Self.compare("[\(backend)] rows of \(schema.name).\(table)", python: result, swift: schema.table(table), backend: backend)
                }
            }
            #expect(try await pipeline.table("subject").count() == 3)
            try await Self.checkWritten(pipeline, fixture, backend)
            #expect(try await university.table("enroll").count() == 3364)

            // The same queries, the same answers.
            let queries = python["queries"] as? [String: Any] ?? [:]
            let tables = InteropTables(pipeline: pipeline, university: university)
            for query in InteropQueries.all {
                await Self.compare("[\(backend)] query \(query.id): \(query.python)", python: queries[query.id], swift: query.build(tables), backend: backend)
            }

            // The jobs table of the Computed table, with a job in every status.
            let jobsInfo = python["jobs"] as? [String: Any] ?? [:]
            #expect(jobsInfo["table"] as? String == "~~session_stats")
            #expect(jobsInfo["rows"] as? [[String: String]] == InteropPipeline.expectedJobs)
            let jobs = try await pipeline.table("__session_stats").jobs()
            #expect(try await jobs.progress() == Jobs.Progress(pending: 1, reserved: 0, success: 2, error: 1, ignore: 1))
            let swiftJobs = try await Self.jobRows(pipeline.table("~~session_stats"))
            #expect(swiftJobs == InteropPipeline.expectedJobs)
            #expect(try await jobs.errors.fetch1("error_message", as: String.self) == "ValueError: empty signal for session 1")
            #expect(try await pipeline.table("~~session_stats").isDeclared())
        }
    }

    /// Swift reads every row exactly as it was written (by Python or by Swift): each value given in `rows` and
    /// `lateRows`, by key, attachments by name and contents.
    static func checkWritten(_ pipeline: Schema, _ fixture: Fixture, _ backend: TestBackend) async throws {
        let written = InteropPipeline.rows(files: fixture.files, backend: backend) + InteropPipeline.lateRows(files: fixture.files)
            + [("Kind", InteropPipeline.Kind.contents)]
        for (name, rows) in written {
            let table = pipeline.table(InteropPipeline.tableNames[name]!)
            let heading = try await table.heading()
            for row in rows {
                let got = try await (table & row.project(heading.primaryKey)).fetch1()
                for attribute in row.names {
                    let expected = InteropValues.normalized(InteropValues.fetched(row[attribute]!, heading[attribute]))
                    let actual = InteropValues.normalized(InteropValues.fetched(got[attribute]!, heading[attribute]))
                    #expect(InteropValues.same(actual, expected), "[\(backend)] \(name).\(attribute) of \(row.project(heading.primaryKey)): read \(actual), wrote \(expected)")
                }
            }
        }
    }

    static func jobRows(_ table: Table) async throws -> [[String: String]] {
        try await table.toDicts().map { row in
            var out: [String: String] = [:]
            for name in ["subject_id", "session_idx", "status"] { out[name] = row[name]?.description }
            if case .string(let message)? = row["error_message"] { out["error_message"] = message } else { out["error_message"] = "" }
            return out
        }.sorted { (Int64($0["subject_id"]!)!, Int64($0["session_idx"]!)!) < (Int64($1["subject_id"]!)!, Int64($1["session_idx"]!)!) }
    }

    // MARK: Swift writes, Python reads

    @Test("Swift writes, Python reads (virtual module and classes); describe() re-declares identical tables", arguments: backends)
    func swiftWritesPythonReads(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let fixture = try Fixture()
            defer { fixture.remove() }
            let db = try await TestDatabase.connect(settings: Self.settings(fixture))
            let pipeline = try await db.schema("io_sw", tables: InteropPipeline.tables)
            for (table, rows) in InteropPipeline.rows(files: fixture.files, backend: backend) {
                try await pipeline.table(table).insert(rows)
            }
            let university = try await University.load(into: db, schema: "io_sw_univ")
            let stats = pipeline[InteropPipeline.SessionStats.self]
            try await stats.jobs().ignore(InteropPipeline.ignoredKey)
            let report = try await stats.populate(suppressErrors: true, reserveJobs: true)
            #expect(report.success == 2 && report.error == 1)
            for (table, rows) in InteropPipeline.lateRows(files: fixture.files) {
                try await pipeline.table(table).insert(rows)
            }
            _ = try await stats.jobs().refresh()
            let catalogBefore = try await InteropCatalog.snapshot(db, backend, schema: "io_sw")
                + InteropCatalog.snapshot(db, backend, schema: "io_sw_univ")

            let names = ["pipeline": "io_sw", "university": "io_sw_univ", "redeclared_pipeline": "io_re",
                         "redeclared_university": "io_re_univ"]
            let python = try await Self.runPython(backend, fixture, ["mode": "read", "schemas": names])

            let virtual = python["virtual"] as? [String: Any] ?? [:]
            #expect(virtual["classes"] as? [String] == [
                "Device", "Kind", "Pair", "Recording", "Session", "SessionStats", "Subject", "Course", "CurrentTerm", "Department",
                "Enroll", "Grade", "LetterGrade", "Section", "Student", "StudentMajor", "Term",
            ], "[\(backend)] the classes of dj.VirtualModule")
            // Python's classes over the existing tables changed nothing.
            let classes = python["classes"] as? [String: Any] ?? [:]
            #expect(classes["tables_before"] as? [String] == classes["tables_after"] as? [String])
            let catalogAfter = try await InteropCatalog.snapshot(db, backend, schema: "io_sw")
                + InteropCatalog.snapshot(db, backend, schema: "io_sw_univ")
            #expect(catalogBefore == catalogAfter, "[\(backend)] declaring Python classes over Swift's tables changed the catalog")
            #expect(try await pipeline[InteropPipeline.Kind.self].count() == 3)
            try await Self.checkWritten(pipeline, fixture, backend)

            // Python read every row as Swift wrote it, and answered every query as Swift does; through the virtual
            // module and through its classes.
            let tables = InteropTables(typed: pipeline, university: university)
            for way in ["virtual", "classes"] {
                let result = python[way] as? [String: Any] ?? [:]
                let rows = result["rows"] as? [String: [String: Any]] ?? [:]
                for (schemaKey, schema) in [("pipeline", pipeline), ("university", university)] {
                    let tablesRead = rows[schemaKey] ?? [:]
                    #expect(Set(tablesRead.keys) == Set(try await schema.tableNames().filter { !$0.hasPrefix("~") }),
                            "[\(backend)] \(way): tables of \(schemaKey)")
                    for (table, python) in tablesRead.sorted(by: { $0.key < $1.key }) {
                        await Self.compare("[\(backend)] \(way): rows of \(schema.name).\(table)", python: python, swift: schema.table(table), backend: backend)
                    }
                }
                let queries = result["queries"] as? [String: Any] ?? [:]
                for query in InteropQueries.all {
                    await Self.compare("[\(backend)] \(way): query \(query.id): \(query.python)", python: queries[query.id], swift: query.build(tables), backend: backend)
                }
            }
            let jobs = (python["jobs"] as? [String: Any])?["rows"] as? [[String: String]]
            #expect(jobs == InteropPipeline.expectedJobs, "[\(backend)] Swift's jobs as Python reads them")

            // describe() of each Swift table, declared again by Python in a new schema: the same table.
            for (original, redeclared) in [("io_sw", "io_re"), ("io_sw_univ", "io_re_univ")] {
                let ours = try await InteropCatalog.snapshot(db, backend, schema: original)
                let theirs = try await InteropCatalog.snapshot(db, backend, schema: redeclared)
                #expect(ours.count > 20)
                var onlyOurs = ours.filter { !theirs.contains($0) }, onlyTheirs = theirs.filter { !ours.contains($0) }
                if backend == .postgresql, original == "io_sw" {
                    // DataJoint-Python 2.3.5 on PostgreSQL reads no secondary index (Heading expects MySQL's SHOW KEYS
                    // columns, its query returns pg_indexes' indexname/indexdef), so describe() writes `-> Device` for
                    // `-> [unique] Device` and drops `index(quality)`; declaring that gives the plain index it adds on
                    // every foreign key. Exactly these lines differ; the columns, keys and constraints are the same.
                    let knownOurs = [
                        "index | session | idx_session_device | CREATE UNIQUE INDEX idx_session_device ON <schema>.session USING btree (device)",
                        "index | session | idx_session_quality | CREATE INDEX idx_session_quality ON <schema>.session USING btree (quality)",
                    ]
                    let knownTheirs = ["index | session | idx_session_device | CREATE INDEX idx_session_device ON <schema>.session USING btree (device)"]
                    #expect(onlyOurs == knownOurs && onlyTheirs == knownTheirs, "[\(backend)] the index difference is not the known one")
                    onlyOurs.removeAll { knownOurs.contains($0) }
                    onlyTheirs.removeAll { knownTheirs.contains($0) }
                }
                #expect(onlyOurs.isEmpty && onlyTheirs.isEmpty,
                        "[\(backend)] \(original) vs describe() re-declared \(redeclared)\nSwift only:\n\(onlyOurs.joined(separator: "\n"))\nre-declared only:\n\(onlyTheirs.joined(separator: "\n"))\ndefinitions: \(python["definitions"] ?? "-")")
            }
        }
    }
}

// MARK: - expected layouts and catalog snapshots

enum InteropExpectedLayout {
    /// One line per fact of a table as Swift reads it from the catalog, schema names as `<schema>`.
    static func render(_ info: TableInfo) -> [String] {
        let schema = info.name.schema
        func kind(_ type: AttributeType) -> String {
            switch type {
            case .codec(let name, let store): "codec \(name)\(store.map { "@" + $0 } ?? "")"
            case .native(let text, let category): "native \(text) \(category)"
            default: "core \(type)"
            }
        }
        var lines = ["tier \(info.tier.rawValue)", "comment \(info.comment)"]
        for a in info.heading.allAttributes {
            var line = "\(a.inPrimaryKey ? "key" : "dep") \(a.name) : \(a.typeText) (\(kind(a.type)))"
            if a.nullable { line += " nullable" }
            if let d = a.defaultValue { line += " default=\(d)" }
            if !a.comment.isEmpty { line += " # \(a.comment)" }
            line += " lineage=\(a.lineage ?? "-")"
            lines.append(line)
        }
        for fk in info.foreignKeys {
            lines.append("fk (\(fk.columns.joined(separator: ", "))) -> \(fk.referencedTable.schema).\(fk.referencedTable.table)(\(fk.referencedColumns.joined(separator: ", ")))")
        }
        for index in info.indexes.sorted(by: { $0.columns.joined() < $1.columns.joined() }) {
            lines.append("\(index.unique ? "unique index" : "index")(\(index.columns.joined(separator: ", ")))")
        }
        return lines.map { $0.replacingOccurrences(of: schema + ".", with: "<schema>.") }
    }

    /// What every table of the pipeline declared by DataJoint-Python must read back as.
    static let pipeline: [(String, [String])] = [
        ("#kind", [
            "tier lookup", "comment kinds of things",
            "key kind : varchar(16) (core varchar(16)) # kind name lineage=<schema>.#kind.kind",
            "dep description : varchar(255) (core varchar(255)) default=\"\" # what it \"is\" lineage=-",
            "dep rank : int16 (core int16) default=0 lineage=-",
        ]),
        ("device", [
            "tier manual",
            "comment recording device",
            "key device : char(8) (core char(8)) # serial number lineage=<schema>.device.device",
            "dep model : varchar(32) (core varchar(32)) default=\"M-1\" lineage=-",
            "dep price : decimal(8,2) (core decimal(8,2)) default=9.99 lineage=-",
        ]),
        ("subject", [
            "tier manual",
            "comment a subject with every core type",
            "key subject_id : int64 (core int64) # big id lineage=<schema>.subject.subject_id",
            "dep i8 : int8 (core int8) lineage=-",
            "dep i16 : int16 (core int16) lineage=-",
            "dep i32 : int32 (core int32) lineage=-",
            "dep f32 : float32 (core float32) lineage=-",
            "dep f64 : float64 (core float64) lineage=-",
            "dep flag : bool (core bool) default=true lineage=-",
            "dep amount : decimal(20,6) (core decimal(20,6)) lineage=-",
            "dep code : char(3) (core char(3)) lineage=-",
            "dep label : varchar(255) (core varchar(255)) # any text lineage=-",
            "dep color : enum('red', 'green', 'it''s') (core enum('red','green','it''s')) default=\"red\" lineage=-",
            "dep day : date (core date) lineage=-",
            "dep moment : datetime (core datetime) lineage=-",
            "dep moment_ms : datetime(3) (core datetime(3)) lineage=-",
            "dep doc : json (core json) lineage=-",
            "dep token : uuid (core uuid) nullable default=null lineage=-",
            "dep payload : bytes (core bytes) lineage=-",
            "dep note : varchar(64) (core varchar(64)) nullable default=null # optional note lineage=-",
            "dep kind : varchar(16) (core varchar(16)) nullable default=null # kind name lineage=<schema>.#kind.kind",
            "fk (kind) -> <schema>.#kind(kind)",
        ]),
        ("session", [
            "tier manual",
            "comment recording session",
            "key subject_id : int64 (core int64) # big id lineage=<schema>.subject.subject_id",
            "key session_idx : int16 (core int16) lineage=<schema>.session.session_idx",
            "dep device : char(8) (core char(8)) # serial number lineage=<schema>.device.device",
            "dep started : datetime(3) (core datetime(3)) default=CURRENT_TIMESTAMP lineage=-",
            "dep quality : enum('good', 'bad') (core enum('good','bad')) default=\"good\" lineage=-",
            "fk (subject_id) -> <schema>.subject(subject_id)",
            "fk (device) -> <schema>.device(device)",
            "unique index(device)",
            "index(quality)",
        ]),
        ("recording", [
            "tier manual",
            "comment raw data of a session",
            "key subject_id : int64 (core int64) # big id lineage=<schema>.subject.subject_id",
            "key session_idx : int16 (core int16) lineage=<schema>.session.session_idx",
            "dep signal : <blob> (codec blob) # numeric array lineage=-",
            "dep meta : <blob> (codec blob) nullable default=null # nested structure lineage=-",
            "dep doc : <attach> (codec attach) # attached file lineage=-",
            "fk (subject_id, session_idx) -> <schema>.session(subject_id, session_idx)",
        ]),
        ("pair", [
            "tier manual",
            "comment two subjects that interact",
            "key subject_id : int64 (core int64) # big id lineage=<schema>.subject.subject_id",
            "key partner_id : int64 (core int64) # big id lineage=<schema>.subject.subject_id",
            "dep strength : float32 (core float32) nullable default=null lineage=-",
            "fk (subject_id) -> <schema>.subject(subject_id)",
            "fk (partner_id) -> <schema>.subject(subject_id)",
        ]),
        ("__session_stats", [
            "tier computed",
            "comment statistics of a recording",
            "key subject_id : int64 (core int64) # big id lineage=<schema>.subject.subject_id",
            "key session_idx : int16 (core int16) lineage=<schema>.session.session_idx",
            "dep n_items : int32 (core int32) lineage=-",
            "dep total : float64 (core float64) nullable default=null lineage=-",
            "fk (subject_id, session_idx) -> <schema>.recording(subject_id, session_idx)",
        ]),
        ("__session_stats__item", [
            "tier part",
            "comment ",
            "key subject_id : int64 (core int64) # big id lineage=<schema>.subject.subject_id",
            "key session_idx : int16 (core int16) lineage=<schema>.session.session_idx",
            "key item_idx : int16 (core int16) lineage=<schema>.__session_stats__item.item_idx",
            "dep value : float64 (core float64) lineage=-",
            "fk (subject_id, session_idx) -> <schema>.__session_stats(subject_id, session_idx)",
        ]),
    ]
}

enum InteropCatalog {
    /// Every catalog fact of a schema's tables (jobs tables `~~` excepted) as one line each, the schema name replaced
    /// by `<schema>`: PostgreSQL columns, types, defaults, comments, constraints, indexes, enum types and lineage;
    /// MariaDB `SHOW CREATE TABLE` and lineage.
    static func snapshot(_ db: Connection, _ backend: TestBackend, schema: String) async throws -> [String] {
        var lines: [String]
        if backend == .postgresql {
            let sql = """
                SELECT concat_ws(' | ', 'column', c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod),
                                 'notnull=' || a.attnotnull, 'default=' || coalesce(pg_get_expr(d.adbin, d.adrelid), '-'),
                                 'comment=' || coalesce(col_description(c.oid, a.attnum), '-'))
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
                WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname NOT LIKE '~~%'
                UNION ALL
                SELECT concat_ws(' | ', 'table', c.relname, 'comment=' || coalesce(obj_description(c.oid, 'pg_class'), '-'))
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname NOT LIKE '~~%'
                UNION ALL
                SELECT concat_ws(' | ', 'constraint', c.relname, con.conname, con.contype, pg_get_constraintdef(con.oid))
                FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = $1 AND c.relname NOT LIKE '~~%'
                UNION ALL
                SELECT concat_ws(' | ', 'index', tablename, indexname, indexdef) FROM pg_indexes
                WHERE schemaname = $1 AND tablename NOT LIKE '~~%'
                UNION ALL
                SELECT concat_ws(' | ', 'enum', c.relname, a.attname, t.typname,
                                 (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid))
                FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                JOIN pg_type t ON t.oid = a.atttypid
                WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname NOT LIKE '~~%' AND t.typtype = 'e'
                """
            lines = try await db.query(RenderedSQL(sql, [.string(schema)])).map { $0[0].description }
            lines += try await db.query(RenderedSQL(
                "SELECT concat_ws(' | ', 'lineage', table_name, attribute_name, lineage) FROM \"\(schema)\".\"~lineage\" WHERE table_name NOT LIKE '~~%'"
            )).map { $0[0].description }
        } else {
            lines = []
            let tables = try await db.query(RenderedSQL("SHOW TABLES FROM `\(schema)`")).compactMap { row -> String? in
                guard case .string(let name) = row[0] else { return nil }
                return name
            }
            for table in tables where !table.hasPrefix("~~") {
                let rows = try await db.query(RenderedSQL("SHOW CREATE TABLE `\(schema)`.`\(table)`"))
                lines.append(rows.first.map { $0[1].description } ?? "")
            }
            lines += try await db.query(RenderedSQL(
                "SELECT concat_ws(' | ', 'lineage', table_name, attribute_name, lineage) FROM `\(schema)`.`~lineage` WHERE table_name NOT LIKE '~~%'"
            )).map { $0[0].description }
        }
        return lines.map { $0.replacingOccurrences(of: schema, with: "<schema>") }.sorted()
    }
}
