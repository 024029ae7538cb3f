import DataJoint
import Foundation
import Synchronization
import Testing

/// Tables for the insert, update and validate conveniences (names prefixed to stay apart from other test files).
enum WriteConveniencePipeline {
    struct WcItem: Manual {
        static let definition = """
            item_id : int32
            ---
            label : varchar(20)
            size = null : float64
            """
    }

    struct WcSetting: Manual {
        static let definition = """
            setting_id : int32
            ---
            level = 5 : int32
            label = "none" : varchar(20)
            enabled = true : bool
            note = null : varchar(40)
            stamp = CURRENT_TIMESTAMP : datetime
            required : int32
            """
    }

    struct WcBlob: Manual {
        static let definition = """
            blob_id : int32
            ---
            data : <blob>
            """
    }

    static let tables: [any UserTable.Type] = [WcItem.self, WcSetting.self, WcBlob.self]

    static func items(_ ids: some Sequence<Int>) -> [Row] {
        ids.map { ["item_id": $0, "label": "item \($0)"] }
    }
}

/// A value no codec accepts.
private struct Opaque: Hashable, Sendable {}

/// Collects the calls of an insert's progress callback.
private final class ProgressLog: Sendable {
    private let calls = Mutex<[[Int]]>([])
    var callback: InsertProgress { { done, total in self.calls.withLock { $0.append([done, total]) } } }
    var recorded: [[Int]] { calls.withLock { $0 } }
}

@Suite("Write conveniences: chunked inserts with progress, update1 resetting defaults, validate")
struct WriteConvenienceTests {
    typealias P = WriteConveniencePipeline

    func schema() async throws -> Schema {
        let db = try await TestDatabase.connect()
        return try await db.schema("write_conv", tables: P.tables)
    }

    func ids(_ table: Table) async throws -> [Int] {
        try await table.toArray("item_id", as: Int.self, orderBy: ["KEY"])
    }

    @Test("With chunkSize each chunk commits on its own: a failing later chunk keeps the earlier ones", arguments: TestBackend.all)
    func chunkedInsertKeepsEarlierChunks(backend: TestBackend) async throws {
        try await backend.run {
            let items = try await schema()[P.WcItem.self]
            try await items.insert1(["item_id": 7, "label": "already there"])
            // Chunks [0, 1, 2], [3, 4, 5], [6, 7, 8], [9]: the third holds the duplicate key 7.
            let log = ProgressLog()
            let error = await #expect(throws: DataJointError.self) {
                try await items.insert(P.items(0..<10), chunkSize: 3, progress: log.callback)
            }
            #expect(error?.kind == .duplicate)
            #expect(try await ids(items) == [0, 1, 2, 3, 4, 5, 7])
            #expect(log.recorded == [[3, 10], [6, 10]])
            #expect(try await (items & ["item_id": 7]).fetch1("label", as: String.self) == "already there")
        }
    }

    @Test("Without chunkSize a failing insert keeps nothing", arguments: TestBackend.all)
    func unchunkedInsertKeepsNothing(backend: TestBackend) async throws {
        try await backend.run {
            let items = try await schema()[P.WcItem.self]
            try await items.insert1(["item_id": 7, "label": "already there"])
            let log = ProgressLog()
            let error = await #expect(throws: DataJointError.self) {
                try await items.insert(P.items(0..<10), progress: log.callback)
            }
            #expect(error?.kind == .duplicate)
            #expect(try await ids(items) == [7])
            #expect(log.recorded.isEmpty)
            // Many rows (past the bulk-insert threshold), the duplicate last: still nothing kept.
            await #expect(throws: DataJointError.self) { try await items.insert(P.items((8..<600).reversed()) + P.items([7])) }
            #expect(try await ids(items) == [7])
        }
    }

    @Test("Chunked inserts report progress and insert every row; invalid input inserts nothing", arguments: TestBackend.all)
    func chunkedInsertProgress(backend: TestBackend) async throws {
        try await backend.run {
            let schema = try await schema()
            let items = schema[P.WcItem.self]
            // No rows: nothing to report.
            let none = ProgressLog()
            try await items.insert([], chunkSize: 4, progress: none.callback)
            #expect(none.recorded.isEmpty)
            // One row.
            let one = ProgressLog()
            try await items.insert(P.items([0]), chunkSize: 4, progress: one.callback)
            #expect(one.recorded == [[1, 1]])
            // Ten rows in chunks of four.
            let ten = ProgressLog()
            try await items.insert(P.items(1...10), chunkSize: 4, progress: ten.callback)
            #expect(ten.recorded == [[4, 10], [8, 10], [10, 10]])
            // Without chunks: one report at the end.
            let whole = ProgressLog()
            try await items.insert(P.items(11...1000), progress: whole.callback)
            #expect(whole.recorded == [[990, 990]])
            #expect(try await items.count() == 1001)
            // Encodable values and InsertOptions take the same settings.
            struct Item: Encodable { var item_id: Int; var label: String }
            let encoded = ProgressLog()
            try await items.insert([Item(item_id: 2000, label: "x"), Item(item_id: 2001, label: "y")], chunkSize: 1, progress: encoded.callback)
            #expect(encoded.recorded == [[1, 2], [2, 2]])
            let optioned = ProgressLog()
            try await items.insert(P.items(3000..<3005), options: InsertOptions(chunkSize: 2, progress: optioned.callback))
            #expect(optioned.recorded == [[2, 5], [4, 5], [5, 5]])
            #expect(try await items.count() == 1008)

            // A row that does not fit, in the last chunk: every row is checked first, so nothing is inserted.
            let bad = ProgressLog()
            var rows = P.items(5000..<5010)
            rows[9]["size"] = "large"
            let invalid = await #expect(throws: DataJointError.self) {
                try await items.insert(rows, chunkSize: 3, progress: bad.callback)
            }
            #expect(invalid?.kind == .invalidValue)
            #expect(bad.recorded.isEmpty)
            #expect(try await items.count() == 1008)
            // A chunk size below 1.
            let zero = await #expect(throws: DataJointError.self) { try await items.insert(P.items(6000..<6002), chunkSize: 0) }
            #expect(zero?.kind == .invalidValue)
            #expect(try await items.count() == 1008)
        }
    }

    @Test("Inside a transaction the chunks commit or roll back with it", arguments: TestBackend.all)
    func chunkedInsertInTransaction(backend: TestBackend) async throws {
        try await backend.run {
            let items = try await schema()[P.WcItem.self]
            try await items.insert1(["item_id": 7, "label": "already there"])
            await #expect(throws: DataJointError.self) {
                try await items.connection.transaction {
                    try await items.insert(P.items(0..<10), chunkSize: 3)
                }
            }
            #expect(try await ids(items) == [7])
            try await items.connection.transaction { try await items.insert(P.items(10..<20), chunkSize: 3) }
            #expect(try await items.count() == 11)
        }
    }

    @Test("update1 with NULL resets an attribute to its default; without a default it is an error that changes nothing", arguments: TestBackend.all)
    func update1ResetsDefaults(backend: TestBackend) async throws {
        try await backend.run {
            let settings = try await schema()[P.WcSetting.self]
            try await settings.insert([
                ["setting_id": 1, "level": 9, "label": "custom", "enabled": false, "note": "a note", "stamp": "2000-01-02 03:04:05", "required": 3],
                ["setting_id": 2, "level": 8, "label": "other", "required": 4],
            ])
            let one = settings & ["setting_id": 1]
            try await settings.update1(["setting_id": 1, "level": Value.null, "label": Value.null, "enabled": Value.null, "note": Value.null])
            let reset = try await one.fetch1()
            #expect(reset["level"] == 5)
            #expect(reset["label"] == "none")
            #expect(reset["enabled"] == true)
            #expect(reset["note"] == .null)
            #expect(reset["required"] == 3)
            // CURRENT_TIMESTAMP: the time of the update.
            try await settings.update1(["setting_id": 1, "stamp": Value.null])
            let stamp = try await one.fetch1("stamp", as: Date.self)
            #expect(abs(stamp.timeIntervalSinceNow) < 2 * 86_400, "stamp reset to \(stamp)")
            // The other row is untouched.
            #expect(try await (settings & ["setting_id": 2]).fetch1("level", "label", as: Int.self, String.self) == (8, "other"))

            // No default, not nullable: an error, and nothing of the update is applied.
            let before = try await one.fetch1()
            let error = await #expect(throws: DataJointError.self) {
                try await settings.update1(["setting_id": 1, "level": 1, "required": Value.null])
            }
            #expect(error?.kind == .invalidValue)
            #expect(error?.message.contains("required") == true)
            #expect(try await one.fetch1() == before)
        }
    }

    @Test("validate reports every problem of every row and inserts nothing", arguments: TestBackend.all)
    func validateRows(backend: TestBackend) async throws {
        try await backend.run {
            let schema = try await schema()
            let items = schema[P.WcItem.self]
            let empty = try await items.validate([])
            #expect(empty.isValid && empty.rowsChecked == 0 && empty.problems.isEmpty)

            let good = try await items.validate(P.items(0..<500))
            #expect(good.isValid && good.rowsChecked == 500)
            #expect(good.summary == "Validation passed: 500 rows checked")
            try good.throwIfInvalid()

            let rows: [Row] = [
                ["item_id": 1, "label": "fine"],
                ["item_id": 2, "colour": "red"],  // unknown attribute, and no label
                ["item_id": 3, "label": "x", "size": "large"],  // not a number
                ["label": "no key"],  // no primary key
                ["item_id": 5, "label": Value.null],  // NULL for a required attribute
                ["item_id": 2_147_483_648, "label": "too big"],  // out of range for int32
            ]
            let result = try await items.validate(rows)
            #expect(!result.isValid)
            #expect(result.rowsChecked == 6)
            #expect(result.problems.map(\.row) == [1, 1, 2, 3, 4, 5])
            #expect(result.problems.map(\.attribute) == ["colour", "label", "size", "item_id", "label", "item_id"])
            #expect(result.problems[0].error.kind == .missingAttribute)
            #expect(result.problems.dropFirst().allSatisfy { $0.error.kind == .invalidValue })
            #expect(result.problems[2].message.contains("float64"))
            #expect(result.summary.hasPrefix("Validation failed: 6 problem(s) in 6 rows\n  rows[1], `colour`: "))
            let thrown = #expect(throws: DataJointError.self) { try result.throwIfInvalid() }
            #expect(thrown?.message == result.summary)
            #expect(thrown?.kind == .missingAttribute)
            // Extra attributes can be ignored, as in insert.
            let ignoring = try await items.validate([["item_id": 2, "label": "y", "colour": "red"]], ignoreExtraFields: true)
            #expect(ignoring.isValid)
            // Nothing was inserted.
            #expect(try await items.count() == 0)

            // The codec's own validation.
            let blobs = schema[P.WcBlob.self]
            let codec = try await blobs.validate([["blob_id": 1, "data": Value.custom(CustomValue(Opaque()))], ["blob_id": 2, "data": 42]])
            #expect(codec.problems.map(\.row) == [0])
            #expect(codec.problems.first?.attribute == "data")
            #expect(codec.problems.first?.message.contains("<blob>") == true)
            #expect(try await blobs.count() == 0)

            // What validate rejects, insert rejects; what it accepts, insert accepts.
            await #expect(throws: DataJointError.self) { try await items.insert(rows) }
            try await items.insert(P.items(0..<500))
            #expect(try await items.count() == 500)
        }
    }

    @Test("insert: NULL for an attribute that is not nullable but has a default inserts the default; without a default it is refused and nothing is inserted",
          arguments: TestBackend.all)
    func insertNullTakesDefault(backend: TestBackend) async throws {
        try await backend.run {
            let settings = try await schema()[P.WcSetting.self]
            try await settings.insert1(["setting_id": 1, "level": Value.null, "label": Value.null, "enabled": Value.null,
                                        "stamp": Value.null, "note": Value.null, "required": 7])
            let one = try await (settings & ["setting_id": 1]).fetch1()
            #expect(one["level"] == .int(5) && one["label"] == .string("none") && one["enabled"] == .bool(true))
            #expect(one["note"] == .null && one["required"] == .int(7))
            if case .datetime = one["stamp"] {} else { Issue.record("stamp is \(String(describing: one["stamp"]))") }

            // Many rows, NULL in some and values in others (one statement per set of columns; the bulk path too).
            let rows: [Row] = (2..<600).map { (id: Int) -> Row in
                let level: Value = id % 3 == 0 ? .null : .int(Int64(id))
                let label: Value = id % 2 == 0 ? .null : .string("l\(id)")
                return ["setting_id": Value.int(Int64(id)), "level": level, "label": label, "required": 0]
            }
            try await settings.insert(rows)
            #expect(try await settings.count() == 599)
            #expect(try await (settings & "level = 5").count() == 1 + (2..<600).filter { $0 % 3 == 0 || $0 == 5 }.count)
            #expect(try await (settings & ["label": "none"]).count() == 1 + (2..<600).filter { $0 % 2 == 0 }.count)
            #expect(try await (settings & ["setting_id": 7]).fetch1("level", as: Int.self) == 7)

            // No default and not nullable: refused before anything is sent.
            let refused: [Row] = [["setting_id": 1000, "required": 1], ["setting_id": 1001, "required": Value.null]]
            do {
                try await settings.insert(refused)
                Issue.record("NULL for `required` was accepted")
            } catch let error as DataJointError {
                #expect(error.kind == .invalidValue && error.message.contains("required") && error.message.contains("no default"))
            }
            #expect(try await settings.count() == 599)
            let check = try await settings.validate(refused)
            #expect(check.problems.count == 1 && check.problems.first?.row == 1)
        }
    }
}
