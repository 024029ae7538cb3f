import DataJoint
import Foundation
import Testing

/// Inserts of many rows, which go through a backend's bulk path where it has one (PostgreSQL's COPY, MySQL's
/// LOAD DATA LOCAL INFILE) and as multi-row INSERT statements otherwise. On MySQL each test runs three ways: with
/// LOAD DATA, with it switched off (`localInfile: false`), and against a server that refuses it (the client does
/// not offer local data), where the driver falls back to INSERT statements.
enum BulkInsertPipeline {
    struct BulkValue: Manual {
        static let definition = """
            id : int32
            ---
            i8 : int8
            i64 : int64
            f32 : float32
            f64 : float64
            flag : bool
            amount : decimal(20,10)
            code : char(4)
            text : varchar(64)
            choice : enum('low', 'mid high', 'a,b')
            day : date
            moment : datetime(6)
            doc : json
            token : uuid
            payload : bytes
            opt_text = null : varchar(64)
            opt_f64 = null : float64
            opt_int = null : int64
            opt_bytes = null : bytes
            opt_json = null : json
            """
    }

    struct BulkItem: Manual {
        static let definition = """
            item_id : int32
            ---
            value : float64
            label : varchar(32)
            """
    }

    struct BulkDetail: Manual {
        static let definition = """
            -> BulkItem
            detail : int32
            ---
            note : varchar(8)
            """
    }

    static let tables: [any UserTable.Type] = [BulkValue.self, BulkItem.self, BulkDetail.self]

    /// How a test connects: the default, LOAD DATA switched off, or a server that refuses it (MySQL only).
    enum Path: String, CaseIterable, Sendable {
        case bulk, localInfileOff, serverRefuses
    }

    static func paths(_ backend: TestBackend) -> [Path] { backend == .mysql ? Path.allCases : [.bulk] }

    static func connect(_ path: Path) async throws -> Connection {
        try await TestDatabase.connect { options in
            switch path {
            case .bulk: break
            case .localInfileOff: options.localInfile = false
            case .serverRefuses: options.advertisesLocalInfile = false
            }
        }
    }

    /// Runs `body` once for each path of the backend, with the pipeline's tables in a schema of its own.
    static func forEachPath(_ backend: TestBackend, _ body: (Path, Schema) async throws -> Void) async throws {
        for path in paths(backend) {
            let db = try await connect(path)
            try await body(path, try await db.schema("bulk_\(path.rawValue.lowercased())", tables: tables))
        }
    }

    static func items(_ ids: Range<Int>) -> [Row] {
        ids.map { id in
            var row = Row()
            row["item_id"] = .int(Int64(id))
            row["value"] = .double(Double(id) * 0.5)
            row["label"] = .string("label \(id % 997)")
            return row
        }
    }

    /// Texts with every character a bulk format reserves, and NUL where the backend stores it in text.
    static func texts(_ backend: TestBackend) -> [String] {
        var texts = [
            "", "tab\there", "line\nbreak", "cr\r\nlf", "back\\slash", "\\N", "N", "\\", "end\\", "\\t not a tab",
            "ünï€🧪 日本", "'quote\" `tick`", " leading and trailing ", "NULL", "\u{1A}ctrl-z",
        ]
        if backend == .mysql { texts.append("nul\u{0}inside") }
        return texts
    }

    static let doubles: [Double] = [
        0.1, 1.0 / 3, -0.0, 5e-324, 2.2250738585072014e-308, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1e16,
        123_456_789.123_456_789, .pi, -1e-300, 9_007_199_254_740_993, 0.30000000000000004,
    ]
    static let decimals = ["-9999999999.9999999999", "0.0000000001", "1234567890.0123456789", "0E-10", "-0.5"]
    static let days = [(1000, 1, 1), (9999, 12, 31), (2024, 2, 29)]
    static let moments = ["1000-01-01 00:00:00", "9999-12-31 23:59:59.999999", "2024-01-01 12:34:56.000001"]
    static let tokens: [UUID] = [
        UUID(uuid: (0x00, 0x09, 0x0A, 0x5C, 0x0D, 0x4E, 0x5C, 0x4E, 0xFF, 0x00, 0x00, 0x0A, 0x09, 0x5C, 0x30, 0x1A)),
        UUID(uuidString: "123e4567-e89b-12d3-a456-426614174000")!,
    ]
    static let payloads: [Data] = [Data((0...255).map { UInt8($0) }), Data(), Data("\\N".utf8), Data([0x5C]), Data([0, 0, 9, 10])]

    /// Row `i` of the exactness test: every type, cycling through the hard values.
    static func value(_ i: Int, backend: TestBackend) -> Row {
        let texts = texts(backend)
        let text = texts[i % texts.count]
        let day = days[i % days.count]
        let intChoices: [Int64] = [.min, .max, -1]
        var row = Row()
        row["id"] = .int(Int64(i))
        row["i8"] = .int(i % 2 == 0 ? -128 : 127)
        row["i64"] = .int(intChoices[i % 3])
        let small = doubles[i % doubles.count] / 1e300 * 1e-10 + Double(i) / 7
        row["f32"] = .double(Double(Float(small)))
        row["f64"] = .double(doubles[i % doubles.count])
        row["flag"] = .bool(i % 2 == 1)
        row["amount"] = .decimal(Decimal(string: decimals[i % decimals.count], locale: Locale(identifier: "en_US_POSIX"))!)
        row["code"] = .string(["", "ab", "a\tb", "€€€€"][i % 4])
        row["text"] = .string(text)
        row["choice"] = .string(["low", "mid high", "a,b"][i % 3])
        row["day"] = .date(CalendarDate(year: day.0, month: day.1, day: day.2)!)
        row["moment"] = .datetime(DateTime(iso: moments[i % moments.count])!)
        let document: [String: JSON] = ["text": .string(text), "n": .int(Int64(i)), "x": .double(0.1), "list": .array([.null, .bool(true)])]
        row["doc"] = .json(.object(document))
        row["token"] = .uuid(tokens[i % tokens.count])
        row["payload"] = .bytes(payloads[i % payloads.count])
        row["opt_text"] = i % 2 == 0 ? .null : .string(texts[(i + 3) % texts.count])
        row["opt_f64"] = i % 3 == 0 ? .null : .double(doubles[(i + 1) % doubles.count])
        row["opt_int"] = i % 4 == 0 ? .null : .int(Int64(i) * -7_000_000_019)
        row["opt_bytes"] = i % 5 == 0 ? .null : .bytes(payloads[(i + 2) % payloads.count])
        row["opt_json"] = i % 6 == 0 ? .null : .json(.string(text))
        return row
    }
}

@Suite("Bulk inserts")
struct BulkInsertTests {
    typealias P = BulkInsertPipeline

    @Test("a bulk insert stores every value exactly: texts with tabs, newlines, backslashes, NUL, unicode; extreme numbers; bytes; NULLs", arguments: TestBackend.all)
    func exactValues(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            try await P.forEachPath(backend) { (path, schema) async throws in
                let table = schema[P.BulkValue.self]
                let rows = (0..<600).map { P.value($0, backend: backend) }
                try await table.insert(rows)
                let fetched = try await table.toDicts(orderBy: ["id"])
                #expect(fetched.count == rows.count, "\(path)")
                for (given, read) in zip(rows, fetched) {
                    for name in given.names where given[name] != read[name] {
                        Issue.record("\(path) row \(given["id"]!) `\(name)`: inserted \(given[name]!), read \(read[name] ?? .null)")
                    }
                }
            }
        }
    }

    @Test("an insert of 70,000 rows (more than one INSERT statement holds) inserts them all", arguments: TestBackend.all)
    func largeInsert(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            try await P.forEachPath(backend) { (path, schema) async throws in
                let item = schema[P.BulkItem.self]
                try await item.insert(P.items(0..<70_000))
                #expect(try await item.count() == 70_000, "\(path)")
                let last = try await (item & ["item_id": 69_999]).fetch1()
                #expect(last["value"] == .double(34_999.5))
                #expect(last["label"] == .string("label \(69_999 % 997)"))
                let ids: [Int] = try await item.toArray("item_id", orderBy: ["item_id"])
                #expect(ids == Array(0..<70_000), "\(path)")
            }
        }
    }

    @Test("a duplicate key in the middle of a bulk insert is .duplicate and inserts nothing; skipDuplicates skips it", arguments: TestBackend.all)
    func duplicateInTheMiddle(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            try await P.forEachPath(backend) { (path, schema) async throws in
                let item = schema[P.BulkItem.self]
                try await item.insert1(["item_id": 35_000, "value": -1.0, "label": "existing"])
                let error = await #expect(throws: DataJointError.self, "\(path)") { try await item.insert(P.items(0..<70_000)) }
                #expect(error?.kind == .duplicate, "\(path): \(error?.message ?? "")")
                #expect(error?.message.contains("bulk_item") == true, "\(path): \(error?.message ?? "")")
                #expect(try await item.count() == 1, "\(path)")
                // A duplicate within the rows given.
                let twice = P.items(0..<1_000) + P.items(500..<501)
                await #expect(throws: DataJointError.self, "\(path)") { try await item.insert(twice) }
                #expect(try await item.count() == 1, "\(path)")

                try await item.insert(P.items(0..<70_000), skipDuplicates: true)
                #expect(try await item.count() == 70_000, "\(path)")
                #expect(try await (item & ["item_id": 35_000]).fetch1("label", as: String.self) == "existing")
            }
        }
    }

    @Test("a missing parent in the middle of a bulk insert is .integrity and inserts nothing", arguments: TestBackend.all)
    func missingParentInTheMiddle(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            try await P.forEachPath(backend) { (path, schema) async throws in
                try await schema[P.BulkItem.self].insert(P.items(0..<100))
                let details: [Row] = (0..<2_000).map { i in
                    var row = Row()
                    row["item_id"] = .int(i == 1_000 ? 100 : Int64(i % 100))
                    row["detail"] = .int(Int64(i))
                    row["note"] = .string("n")
                    return row
                }
                let error = await #expect(throws: DataJointError.self, "\(path)") { try await schema[P.BulkDetail.self].insert(details) }
                #expect(error?.kind == .integrity, "\(path): \(error?.message ?? "")")
                #expect(try await schema[P.BulkDetail.self].count() == 0, "\(path)")
            }
        }
    }

    @Test("an invalid value in a large insert names the first invalid row and inserts nothing", arguments: TestBackend.all)
    func firstInvalidRowOfMany(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            try await P.forEachPath(backend) { (path, schema) async throws in
                let item = schema[P.BulkItem.self]
                var rows = P.items(0..<40_000)
                rows[39_000]["value"] = "not a number"
                rows[5_000]["value"] = "nor this"
                let error = await #expect(throws: DataJointError.self, "\(path)") { try await item.insert(rows) }
                #expect(error?.kind == .invalidValue, "\(path): \(error?.message ?? "")")
                #expect(error?.message.contains("(row 5001 of 40000)") == true, "\(path): \(error?.message ?? "")")
                #expect(try await item.count() == 0, "\(path)")
            }
        }
    }

    @Test("a value the server refuses in the middle of a bulk insert fails it and inserts nothing", arguments: TestBackend.all)
    func refusedValueInTheMiddle(backend: TestBackend) async throws {
        // SQLite does not enforce varchar lengths.
        guard backend != .sqlite else { return }
        try await backend.run { () async throws in
            try await P.forEachPath(backend) { (path, schema) async throws in
                let item = schema[P.BulkItem.self]
                var rows = P.items(0..<5_000)
                // 32 characters as Swift counts them, 64 code points as the server counts them.
                rows[2_500]["label"] = .string(String(repeating: "e\u{301}", count: 32))
                let error = await #expect(throws: DataJointError.self, "\(path)") { try await item.insert(rows) }
                #expect(error?.kind == .invalidValue, "\(path): \(error?.message ?? "")")
                #expect(try await item.count() == 0, "\(path)")
            }
        }
    }

    @Test("a failed bulk insert inside a transaction undoes only its own rows", arguments: TestBackend.all)
    func failedBulkInsertInsideTransaction(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            try await P.forEachPath(backend) { (path, schema) async throws in
                let item = schema[P.BulkItem.self]
                let transaction: @Sendable () async throws -> Void = {
                    try await schema.connection.transaction {
                        try await item.insert(P.items(0..<300))
                        await #expect(throws: DataJointError.self, "\(path)") {
                            try await item.insert(P.items(1_000..<2_000) + P.items(0..<1))
                        }
                        try await item.insert(P.items(5_000..<5_300))
                    }
                }
                if backend == .postgresql {
                    // A failed statement aborts a PostgreSQL transaction as a whole: nothing is committed.
                    await #expect(throws: (any Error).self) { try await transaction() }
                    #expect(try await item.count() == 0)
                } else {
                    try await transaction()
                    #expect(try await item.count() == 600, "\(path)")
                    #expect(try await (item & "item_id >= 1000 AND item_id < 2000").count() == 0, "\(path)")
                }
            }
        }
    }
}
