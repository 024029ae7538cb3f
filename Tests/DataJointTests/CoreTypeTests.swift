import DataJoint
import Foundation
import Testing

/// A table with a column of every core type, plus nullable variants.
private struct AllTypes: Manual {
    static let definition = """
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
        big_dec : decimal(20,10)
        code : char(4)
        label : varchar(16)
        choice : enum('low', 'mid high', 'a,b')
        day : date
        moment : datetime
        moment_ms : datetime(3)
        moment_us : datetime(6)
        doc : json
        token : uuid
        payload : bytes
        opt_int = null : int64
        opt_float = null : float64
        opt_bool = null : bool
        opt_dec = null : decimal(3,2)
        opt_text = null : varchar(16)
        opt_enum = null : enum('x', 'y')
        opt_date = null : date
        opt_datetime = null : datetime(3)
        opt_json = null : json
        opt_uuid = null : uuid
        opt_bytes = null : bytes
        """
}

/// Core types used as primary-key attributes.
private struct KeyTypes: Manual {
    static let definition = """
        k_uuid : uuid
        k_date : date
        k_text : varchar(10)
        k_small : int8
        k_enum : enum('a', 'b')
        ---
        v : int32
        """
}

private let tableName = "all_types"
private let nullableColumns = [
    "opt_int", "opt_float", "opt_bool", "opt_dec", "opt_text", "opt_enum", "opt_date", "opt_datetime", "opt_json",
    "opt_uuid", "opt_bytes",
]

/// A valid row; tests change one attribute at a time.
private func baseRow(id: Int = 1) -> Row {
    [
        "id": id, "i8": 0, "i16": 0, "i32": 0, "i64": 0, "f32": 0.0, "f64": 0.0, "flag": false,
        "small_dec": Decimal(string: "1.50")!, "big_dec": Decimal(0), "code": "ab", "label": "x", "choice": "low",
        "day": "2024-01-01", "moment": "2024-01-01 00:00:00", "moment_ms": "2024-01-01 00:00:00.000",
        "moment_us": "2024-01-01 00:00:00.000000", "doc": JSON.object([:]),
        "token": UUID(uuidString: "00000000-0000-0000-0000-000000000001")!, "payload": Data([1]),
    ]
}

private func row(id: Int, _ changes: [String: Value]) -> Row {
    var r = baseRow(id: id)
    for (name, value) in changes { r[name] = value }
    return r
}

private func dec(_ text: String) -> Value { .decimal(Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))!) }
private func date(_ y: Int, _ m: Int, _ d: Int) -> Value { .date(CalendarDate(year: y, month: m, day: d)!) }
private func datetime(_ text: String) -> Value { .datetime(DateTime(iso: text)!) }

private func openTable() async throws -> (Connection, Table) {
    let db = try await TestDatabase.connect()
    let schema = try await db.schema("types", tables: AllTypes.self, KeyTypes.self)
    return (db, schema[AllTypes.self])
}

/// Inserts `row` and fetches it back.
private func roundTrip(_ row: Row) async throws -> Row {
    let (_, table) = try await openTable()
    try await table.deleteQuick()  // the test's database persists across calls within one test
    try await table.insert1(row)
    return try await (table & ["id": row["id"]!]).fetch1()
}

/// Expects `rows` to be rejected with `kind`, with a message naming the table and `attribute`, and nothing inserted.
private func expectRejected(
    _ rows: [Row], kind: DataJointError.Kind = .invalidValue, attribute: String,
    sourceLocation: SourceLocation = #_sourceLocation
) async throws {
    let (_, table) = try await openTable()
    let error = await #expect(throws: DataJointError.self, sourceLocation: sourceLocation) {
        try await table.insert(rows)
    }
    if let error {
        #expect(error.kind == kind, "kind \(error.kind): \(error.message)", sourceLocation: sourceLocation)
        #expect(error.message.contains(tableName), "message lacks the table: \(error.message)", sourceLocation: sourceLocation)
        #expect(
            error.message.contains("`\(attribute)`"), "message lacks `\(attribute)`: \(error.message)",
            sourceLocation: sourceLocation)
    }
    #expect(try await table.count() == 0, "rows were left in the table", sourceLocation: sourceLocation)
}

@Suite("Core types: round trip")
struct CoreTypeRoundTripTests {
    @Test("the heading reports every core type as declared", arguments: TestBackend.all)
    func heading(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (_, table) = try await openTable()
            let heading = try await table.heading()
            let expected: [String: AttributeType] = [
                "i8": .int8, "i16": .int16, "i32": .int32, "i64": .int64, "f32": .float32, "f64": .float64, "flag": .bool,
                "small_dec": .decimal(precision: 3, scale: 2), "big_dec": .decimal(precision: 20, scale: 10),
                "code": .char(4), "label": .varchar(16), "choice": .enumeration(["low", "mid high", "a,b"]), "day": .date,
                "moment": .datetime(fractionalDigits: nil), "moment_ms": .datetime(fractionalDigits: 3),
                "moment_us": .datetime(fractionalDigits: 6), "doc": .json, "token": .uuid, "payload": .bytes,
                "opt_enum": .enumeration(["x", "y"]),
            ]
            for (name, type) in expected {
                #expect(heading[name]?.type == type, "\(name)")
                #expect(heading[name]?.nullable == nullableColumns.contains(name), "\(name)")
            }
            for name in nullableColumns {
                #expect(heading[name]?.nullable == true, "\(name)")
            }
        }
    }

    @Test("integer limits", arguments: TestBackend.all)
    func integerLimits(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let low = try await roundTrip(
                row(id: 1, ["i8": -128, "i16": -32768, "i32": .int(Int64(Int32.min)), "i64": .int(Int64.min)]))
            #expect(low["i8"] == -128)
            #expect(low["i16"] == -32768)
            #expect(low["i32"] == .int(-2_147_483_648))
            #expect(low["i64"] == .int(Int64.min))
            #expect(try low.get("i8", as: Int8.self) == Int8.min)
            #expect(try low.get("i16", as: Int16.self) == Int16.min)
            #expect(try low.get("i32", as: Int32.self) == Int32.min)
            #expect(try low.get("i64", as: Int64.self) == Int64.min)

            let high = try await roundTrip(
                row(id: 2, ["i8": 127, "i16": 32767, "i32": .int(Int64(Int32.max)), "i64": .int(Int64.max)]))
            #expect(high["i8"] == 127)
            #expect(high["i16"] == 32767)
            #expect(high["i32"] == .int(2_147_483_647))
            #expect(high["i64"] == .int(Int64.max))
            #expect(try high.get("i64", as: Int64.self) == Int64.max)
            #expect(try high.get("i64", as: Int.self) == Int.max)
        }
    }

    @Test("integers given as Swift Int, Int8, Int16, Int32 and Int64", arguments: TestBackend.all)
    func swiftIntegers(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            var r = baseRow()
            r["i8"] = Int8(-5).dataJointValue
            r["i16"] = Int16(1234).dataJointValue
            r["i32"] = Int32(-70000).dataJointValue
            r["i64"] = Int(9_000_000_000).dataJointValue
            let back = try await roundTrip(r)
            #expect(back["i8"] == -5)
            #expect(back["i16"] == 1234)
            #expect(back["i32"] == -70000)
            #expect(back["i64"] == 9_000_000_000)
        }
    }

    @Test("float32 comes back as the Float-rounded Double", arguments: TestBackend.all)
    func float32(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let back = try await roundTrip(row(id: 1, ["f32": 3.14159]))
            #expect(back["f32"] == .double(Double(Float(3.14159))))
            #expect(try back.get("f32", as: Float.self) == Float(3.14159))
            let tenth = try await roundTrip(row(id: 1, ["f32": 0.1]))
            #expect(tenth["f32"] == .double(Double(Float(0.1))))
            let big = try await roundTrip(row(id: 1, ["f32": .double(Double(Float.greatestFiniteMagnitude))]))
            #expect(big["f32"] == .double(Double(Float.greatestFiniteMagnitude)))
            let negative = try await roundTrip(row(id: 1, ["f32": -1.5]))
            #expect(negative["f32"] == -1.5)
        }
    }

    @Test("float64 values are exact", arguments: TestBackend.all)
    func float64(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            for value in [0.1, -1e300, 5e-324, 1.7976931348623157e308, -0.0, 123456789.123456789] {
                let back = try await roundTrip(row(id: 1, ["f64": .double(value)]))
                #expect(back["f64"] == .double(value))
                #expect(try back.get("f64", as: Double.self) == value)
            }
        }
    }

    @Test("bool", arguments: TestBackend.all)
    func bool(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            #expect(try await roundTrip(row(id: 1, ["flag": true]))["flag"] == true)
            #expect(try await roundTrip(row(id: 1, ["flag": false]))["flag"] == false)
            #expect(try await roundTrip(row(id: 1, ["flag": 1]))["flag"] == true)
            #expect(try await roundTrip(row(id: 1, ["flag": true]))["flag"].flatMap { Bool(dataJointValue: $0) } == true)
        }
    }

    @Test("decimal(3,2) is exact", arguments: TestBackend.all)
    func smallDecimal(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            for text in ["3.67", "-9.99", "9.99", "0.01", "0"] {
                let back = try await roundTrip(row(id: 1, ["small_dec": dec(text)]))
                #expect(back["small_dec"] == dec(text), "\(text)")
                #expect(try back.get("small_dec", as: Decimal.self) == Decimal(string: text), "\(text)")
            }
            // Given as a string and as a Double.
            #expect(try await roundTrip(row(id: 1, ["small_dec": "3.67"]))["small_dec"] == dec("3.67"))
            #expect(try await roundTrip(row(id: 1, ["small_dec": 3.67]))["small_dec"] == dec("3.67"))
        }
    }

    @Test("decimal(20,10) keeps 20 significant digits exactly", arguments: TestBackend.all)
    func bigDecimal(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            for text in ["1234567890.0123456789", "-9999999999.9999999999", "0.0000000001", "9876543210.9876543210"] {
                let back = try await roundTrip(row(id: 1, ["big_dec": dec(text)]))
                #expect(back["big_dec"] == dec(text), "\(text) came back as \(String(describing: back["big_dec"]))")
            }
            let fromString = try await roundTrip(row(id: 1, ["big_dec": "1234567890.0123456789"]))
            #expect(fromString["big_dec"] == dec("1234567890.0123456789"))
        }
    }

    @Test("char and varchar: empty, unicode, exactly the maximum length", arguments: TestBackend.all)
    func strings(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let empty = try await roundTrip(row(id: 1, ["code": "", "label": ""]))
            #expect(empty["code"] == "")
            #expect(empty["label"] == "")

            let unicode = "Zürich 東京 🐭"
            let u = try await roundTrip(row(id: 1, ["code": "äö東🐭", "label": .string(unicode)]))
            #expect(u["label"] == .string(unicode))
            #expect(u["code"] == "äö東🐭")
            #expect(try u.get("label", as: String.self) == unicode)

            let full = String(repeating: "x", count: 16)
            let m = try await roundTrip(row(id: 1, ["code": "abcd", "label": .string(full)]))
            #expect(m["code"] == "abcd")
            #expect(m["label"] == .string(full))

            let quotes = try await roundTrip(row(id: 1, ["label": #"it's "q" \ ;"#]))
            #expect(quotes["label"] == #"it's "q" \ ;"#)
        }
    }

    @Test("enum values, including ones with spaces and commas", arguments: TestBackend.all)
    func enums(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            for value in ["low", "mid high", "a,b"] {
                let back = try await roundTrip(row(id: 1, ["choice": .string(value)]))
                #expect(back["choice"] == .string(value))
            }
        }
    }

    @Test("dates from 1000-01-01 to 9999-12-31", arguments: TestBackend.all)
    func dates(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let first = try await roundTrip(row(id: 1, ["day": "1000-01-01"]))
            #expect(first["day"] == date(1000, 1, 1))
            let last = try await roundTrip(row(id: 1, ["day": "9999-12-31"]))
            #expect(last["day"] == date(9999, 12, 31))
            #expect(try last.get("day", as: CalendarDate.self) == CalendarDate(year: 9999, month: 12, day: 31))
            let leap = try await roundTrip(row(id: 1, ["day": .date(CalendarDate(year: 2024, month: 2, day: 29)!)]))
            #expect(leap["day"] == date(2024, 2, 29))
            #expect(try leap.get("day", as: String.self) == "2024-02-29")
        }
    }

    @Test("datetime, datetime(3) with milliseconds, datetime(6) with microseconds", arguments: TestBackend.all)
    func datetimes(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let back = try await roundTrip(
                row(
                    id: 1,
                    [
                        "moment": "1000-01-01 00:00:00", "moment_ms": "2024-02-29 12:34:56.789",
                        "moment_us": "9999-12-31 23:59:59.123456",
                    ]))
            #expect(back["moment"] == datetime("1000-01-01 00:00:00"))
            #expect(back["moment_ms"] == datetime("2024-02-29 12:34:56.789"))
            #expect(back["moment_us"] == datetime("9999-12-31 23:59:59.123456"))
            let ms = try back.get("moment_ms", as: DateTime.self)
            #expect(ms.microsecond == 789_000)
            let us = try back.get("moment_us", as: DateTime.self)
            #expect(us.microsecond == 123_456)
            #expect(us.hour == 23 && us.minute == 59 && us.second == 59)

            let late = try await roundTrip(row(id: 1, ["moment": "9999-12-31 23:59:59", "moment_us": "2024-01-01T00:00:00.000001"]))
            #expect(late["moment"] == datetime("9999-12-31 23:59:59"))
            #expect(late["moment_us"] == datetime("2024-01-01 00:00:00.000001"))
        }
    }

    @Test("a Swift Date is stored as its UTC wall-clock time", arguments: TestBackend.all)
    func swiftDate(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let instant = Date(timeIntervalSince1970: 1_700_000_000.5)
            var r = baseRow()
            r["moment_ms"] = instant.dataJointValue
            r["moment"] = Date(timeIntervalSince1970: 1_700_000_000).dataJointValue
            let back = try await roundTrip(r)
            #expect(back["moment_ms"] == datetime("2023-11-14 22:13:20.500"))
            #expect(back["moment"] == datetime("2023-11-14 22:13:20"))
            #expect(try back.get("moment_ms", as: Date.self) == instant)
        }
    }

    @Test("json documents: object, array, nested, unicode, numbers, null", arguments: TestBackend.all)
    func json(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let documents: [JSON] = [
                ["name": "mouse", "weight": 21.5, "count": 3, "alive": true],
                [1, 2, 3, -4, 1.25],
                ["outer": ["inner": [["deep": [1, ["x": nil]]]], "list": []], "empty": [:]],
                ["city": "Zürich 東京 🐭", "quote": "say \"hi\"\n", "ключ": "значение"],
                ["big": .int(Int64.max), "small": .int(Int64.min), "tiny": 1.5e-300, "neg": -0.25],
                nil,
                [],
                [:],
                "just a string",
                42,
            ]
            for doc in documents {
                let back = try await roundTrip(row(id: 1, ["doc": .json(doc)]))
                #expect(back["doc"] == .json(doc), "\(doc.serialized()) came back as \(String(describing: back["doc"]))")
            }
            let parsed = try JSON(parsing: #"{"a": [1, {"b": null}], "c": "d"}"#)
            let back = try await roundTrip(row(id: 1, ["doc": .json(parsed)]))
            #expect(try back.get("doc", as: JSON.self) == parsed)
        }
    }

    @Test("uuid", arguments: TestBackend.all)
    func uuid(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let token = UUID()
            let back = try await roundTrip(row(id: 1, ["token": token.dataJointValue]))
            #expect(back["token"] == .uuid(token))
            #expect(try back.get("token", as: UUID.self) == token)
            let text = "F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6"
            let fromString = try await roundTrip(row(id: 1, ["token": .string(text.lowercased())]))
            #expect(fromString["token"] == .uuid(UUID(uuidString: text)!))
        }
    }

    @Test("bytes: empty and binary with zero bytes", arguments: TestBackend.all)
    func bytes(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let empty = try await roundTrip(row(id: 1, ["payload": .bytes(Data())]))
            #expect(empty["payload"] == .bytes(Data()))
            let binary = Data([0, 1, 0, 255, 0, 0, 128, 0])
            let back = try await roundTrip(row(id: 1, ["payload": binary.dataJointValue]))
            #expect(back["payload"] == .bytes(binary))
            #expect(try back.get("payload", as: Data.self) == binary)
            let large = Data((0..<100_000).map { UInt8($0 % 256) })
            #expect(try await roundTrip(row(id: 1, ["payload": .bytes(large)]))["payload"] == .bytes(large))
        }
    }

    @Test("nullable columns: omitted, explicit NULL, and set", arguments: TestBackend.all)
    func nulls(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (_, table) = try await openTable()
            try await table.insert1(baseRow(id: 1))
            var explicit = baseRow(id: 2)
            for name in nullableColumns { explicit[name] = .null }
            try await table.insert1(explicit)
            for id in [1, 2] {
                let back = try await (table & ["id": id]).fetch1()
                for name in nullableColumns {
                    #expect(back[name] == .null, "\(name) of row \(id)")
                }
                #expect(try back.get("opt_int", as: Int?.self) == nil)
                #expect(try back.get("opt_text", as: String?.self) == nil)
            }
            let token = UUID()
            let set = row(
                id: 3,
                [
                    "opt_int": .int(Int64.max), "opt_float": 2.5, "opt_bool": false, "opt_dec": dec("-1.05"),
                    "opt_text": "", "opt_enum": "y", "opt_date": "2000-02-29", "opt_datetime": "2000-02-29 23:59:59.999",
                    "opt_json": .json(nil), "opt_uuid": .uuid(token), "opt_bytes": .bytes(Data([0])),
                ])
            try await table.insert1(set)
            let back = try await (table & ["id": 3]).fetch1()
            #expect(back["opt_int"] == .int(Int64.max))
            #expect(back["opt_float"] == 2.5)
            #expect(back["opt_bool"] == false)
            #expect(back["opt_dec"] == dec("-1.05"))
            #expect(back["opt_text"] == "")
            #expect(back["opt_enum"] == "y")
            #expect(back["opt_date"] == date(2000, 2, 29))
            #expect(back["opt_datetime"] == datetime("2000-02-29 23:59:59.999"))
            #expect(back["opt_uuid"] == .uuid(token))
            #expect(back["opt_bytes"] == .bytes(Data([0])))
            #expect(try back.get("opt_int", as: Int64?.self) == Int64.max)
            #expect(try await (table & "opt_int IS NULL").count() == 2)
        }
    }

    @Test("a bulk insert (PostgreSQL's COPY path) stores every type exactly as single inserts do", arguments: TestBackend.all)
    func bulkInsertMatchesSingleInserts(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (_, table) = try await openTable()
            let texts = ["tab\there", "line\nbreak", "back\\slash \\N", "cr\r", "ünï€🧪", "", "\\x00"]
            func special(_ i: Int) -> Row {
                row(id: i, [
                    "label": .string(String(texts[i % texts.count].prefix(16))), "i64": .int(Int64(i) * -7_000_000_019),
                    "f64": .double(i % 5 == 0 ? -0.0 : Double(i) / 7), "payload": .bytes(Data([0, 9, 10, 92, 255, UInt8(i % 256)])),
                    "doc": .json(["text": .string(texts[i % texts.count]), "n": .int(Int64(i))]),
                    "opt_text": i % 2 == 0 ? .null : .string("\\N"), "opt_bytes": i % 3 == 0 ? .null : .bytes(Data()),
                    "opt_json": i % 4 == 0 ? .null : .json(.array([.null, .bool(true)])),
                ])
            }
            let bulk = (1...300).map(special)
            try await table.insert(bulk)
            // The same rows one at a time (INSERT statements) under other keys.
            for i in 1...20 {
                var single = special(i)
                single["id"] = .int(Int64(1000 + i))
                try await table.insert1(single)
            }
            for i in 1...20 {
                var fromBulk = try await (table & ["id": i]).fetch1()
                var fromSingle = try await (table & ["id": 1000 + i]).fetch1()
                fromBulk["id"] = .null
                fromSingle["id"] = .null
                #expect(fromBulk == fromSingle, "row \(i)")
            }
            #expect(try await table.count() == 320)
            #expect(try await (table & ["id": 1]).fetch1("label", as: String.self) == "line\nbreak")
            // A duplicate key in a bulk insert fails it as a whole.
            let duplicate = await #expect(throws: DataJointError.self) { try await table.insert((300...600).map(special)) }
            #expect(duplicate?.kind == .duplicate)
            #expect(try await table.count() == 320)
        }
    }

    @Test("many rows in one insert come back in key order with their values", arguments: TestBackend.all)
    func manyRows(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (_, table) = try await openTable()
            let rows = (1...50).map { i in
                row(id: i, ["i64": .int(Int64(i) * 1_000_000_007), "f64": .double(Double(i) / 3), "label": .string("row \(i)")])
            }
            try await table.insert(rows)
            let fetched = try await table.toDicts(orderBy: ["id"])
            #expect(fetched.count == 50)
            for (i, r) in fetched.enumerated() {
                #expect(r["id"] == .int(Int64(i + 1)))
                #expect(r["i64"] == .int(Int64(i + 1) * 1_000_000_007))
                #expect(r["f64"] == .double(Double(i + 1) / 3))
                #expect(r["label"] == .string("row \(i + 1)"))
            }
        }
    }

    @Test("core types as primary-key attributes, restricted by key", arguments: TestBackend.all)
    func keyTypes(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let schema = try await db.schema("types", tables: KeyTypes.self)
            let table = schema[KeyTypes.self]
            let u1 = UUID()
            let u2 = UUID()
            try await table.insert([
                ["k_uuid": u1, "k_date": "2024-01-01", "k_text": "Zürich", "k_small": -128, "k_enum": "a", "v": 1],
                ["k_uuid": u2, "k_date": "2024-01-01", "k_text": "Zürich", "k_small": -128, "k_enum": "a", "v": 2],
                ["k_uuid": u1, "k_date": "2024-01-02", "k_text": "Zürich", "k_small": -128, "k_enum": "a", "v": 3],
                ["k_uuid": u1, "k_date": "2024-01-01", "k_text": "東京", "k_small": 127, "k_enum": "b", "v": 4],
            ])
            #expect(try await (table & ["k_uuid": u2]).fetch1("v", as: Int.self) == 2)
            #expect(try await (table & ["k_date": CalendarDate(year: 2024, month: 1, day: 2)!]).fetch1("v", as: Int.self) == 3)
            #expect(try await (table & ["k_text": "東京"]).fetch1("v", as: Int.self) == 4)
            #expect(try await (table & ["k_small": 127]).fetch1("v", as: Int.self) == 4)
            #expect(try await (table & ["k_enum": "a"]).count() == 3)
            #expect(try await (table & ["k_uuid": u1, "k_date": "2024-01-01", "k_text": "Zürich"]).fetch1("v", as: Int.self) == 1)
            let duplicate = await #expect(throws: DataJointError.self) {
                try await table.insert1(["k_uuid": u2, "k_date": "2024-01-01", "k_text": "Zürich", "k_small": -128, "k_enum": "a", "v": 9])
            }
            #expect(duplicate?.kind == .duplicate)
        }
    }
}

@Suite("Core types: rejected values")
struct CoreTypeRejectionTests {
    @Test("int8 out of range", arguments: TestBackend.all)
    func int8OutOfRange(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            try await expectRejected([row(id: 1, ["i8": 128])], attribute: "i8")
            try await expectRejected([row(id: 1, ["i8": -129])], attribute: "i8")
        }
    }

    @Test("int16 and int32 out of range", arguments: TestBackend.all)
    func int16And32OutOfRange(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            try await expectRejected([row(id: 1, ["i16": 32768])], attribute: "i16")
            try await expectRejected([row(id: 1, ["i32": .int(Int64(Int32.max) + 1)])], attribute: "i32")
        }
    }

    @Test("a non-integral number in an integer column", arguments: TestBackend.all)
    func fractionInInteger(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            try await expectRejected([row(id: 1, ["i32": 1.5])], attribute: "i32")
        }
    }

    @Test("varchar and char too long", arguments: TestBackend.all)
    func tooLong(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            try await expectRejected([row(id: 1, ["label": .string(String(repeating: "x", count: 17))])], attribute: "label")
            try await expectRejected([row(id: 1, ["code": "abcde"])], attribute: "code")
            try await expectRejected([row(id: 1, ["label": "Zürich 東京 🐭 Zürich"])], attribute: "label")
        }
    }

    @Test("an enum value not in the enum", arguments: TestBackend.all)
    func enumNotMember(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            try await expectRejected([row(id: 1, ["choice": "medium"])], attribute: "choice")
            try await expectRejected([row(id: 1, ["choice": "a"])], attribute: "choice")
            try await expectRejected([row(id: 1, ["choice": ""])], attribute: "choice")
        }
    }

    @Test("malformed dates and datetimes", arguments: TestBackend.all)
    func malformedDates(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            try await expectRejected([row(id: 1, ["day": "2024-13-01"])], attribute: "day")
            try await expectRejected([row(id: 1, ["day": "2023-02-29"])], attribute: "day")
            try await expectRejected([row(id: 1, ["day": "yesterday"])], attribute: "day")
            try await expectRejected([row(id: 1, ["moment": "2024-01-01 25:00:00"])], attribute: "moment")
            try await expectRejected([row(id: 1, ["moment_ms": "2024-01-32 00:00:00"])], attribute: "moment_ms")
        }
    }

    @Test("a string in an integer column", arguments: TestBackend.all)
    func stringInInteger(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            try await expectRejected([row(id: 1, ["i32": "abc"])], attribute: "i32")
            try await expectRejected([row(id: 1, ["i64": "12abc"])], attribute: "i64")
        }
    }

    @Test("a string in a float column", arguments: TestBackend.all)
    func stringInFloat(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            try await expectRejected([row(id: 1, ["f64": "abc"])], attribute: "f64")
        }
    }

    @Test("a malformed uuid, a string for bytes, a non-boolean for bool", arguments: TestBackend.all)
    func otherWrongKinds(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            try await expectRejected([row(id: 1, ["token": "not-a-uuid"])], attribute: "token")
            try await expectRejected([row(id: 1, ["payload": "text"])], attribute: "payload")
            try await expectRejected([row(id: 1, ["flag": 2])], attribute: "flag")
        }
    }

    @Test("NULL in a non-nullable column", arguments: TestBackend.all)
    func nullInNonNullable(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            try await expectRejected([row(id: 1, ["label": .null])], attribute: "label")
            try await expectRejected([row(id: 1, ["doc": .null])], attribute: "doc")
        }
    }

    @Test("a missing required secondary attribute", arguments: TestBackend.all)
    func missingSecondary(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            var r = baseRow()
            r["f64"] = nil
            try await expectRejected([r], attribute: "f64")
        }
    }

    @Test("a missing primary-key attribute", arguments: TestBackend.all)
    func missingPrimaryKey(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            var r = baseRow()
            r["id"] = nil
            try await expectRejected([r], attribute: "id")
        }
    }

    @Test("an unknown attribute", arguments: TestBackend.all)
    func unknownAttribute(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            var r = baseRow()
            r["colour"] = "red"
            try await expectRejected([r], kind: .missingAttribute, attribute: "colour")
        }
    }

    @Test("decimal overflow", arguments: TestBackend.all)
    func decimalOverflow(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            try await expectRejected([row(id: 1, ["small_dec": dec("123.45")])], attribute: "small_dec")
            try await expectRejected([row(id: 1, ["small_dec": dec("10")])], attribute: "small_dec")
            try await expectRejected([row(id: 1, ["big_dec": dec("12345678901")])], attribute: "big_dec")
            try await expectRejected([row(id: 1, ["small_dec": "abc"])], attribute: "small_dec")
        }
    }

    @Test("float32 overflow", arguments: TestBackend.all)
    func float32Overflow(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            try await expectRejected([row(id: 1, ["f32": 1e300])], attribute: "f32")
        }
    }

    @Test("one bad row among good ones rejects the whole insert", arguments: TestBackend.all)
    func batchRejected(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let rows = [row(id: 1, [:]), row(id: 2, [:]), row(id: 3, ["i8": 1000]), row(id: 4, [:])]
            try await expectRejected(rows, attribute: "i8")
        }
    }
}
