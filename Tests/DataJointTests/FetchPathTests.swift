import DataJoint
import Foundation
import Testing

/// One table per kind of attribute: no codec, and each built-in codec.
enum FetchPathPipeline {
    struct FpPlain: Manual {
        static let definition = """
            item_id : int32
            ---
            label : varchar(16)
            v = null : float64
            """
    }
    struct FpBlob: Manual {
        static let definition = """
            item_id : int32
            ---
            label : varchar(16)
            v = null : <blob>
            """
    }
    struct FpAttach: Manual {
        static let definition = """
            item_id : int32
            ---
            label : varchar(16)
            v = null : <attach>
            """
    }
    struct FpHash: Manual {
        static let definition = """
            item_id : int32
            ---
            label : varchar(16)
            v = null : <hash@>
            """
    }
    struct FpStoredBlob: Manual {
        static let definition = """
            item_id : int32
            ---
            label : varchar(16)
            v = null : <blob@>
            """
    }
    struct FpStoredAttach: Manual {
        static let definition = """
            item_id : int32
            ---
            label : varchar(16)
            v = null : <attach@>
            """
    }
    struct FpObject: Manual {
        static let definition = """
            item_id : int32
            ---
            label : varchar(16)
            v = null : <object@>
            """
    }
    struct FpNpy: Manual {
        static let definition = """
            item_id : int32
            ---
            label : varchar(16)
            v = null : <npy@>
            """
    }
    struct FpFilepath: Manual {
        static let definition = """
            item_id : int32
            ---
            label : varchar(16)
            v = null : <filepath@>
            """
    }
}

/// The kind of the attribute `v` of the table under test, with the value stored in row `i` and the check of what
/// a fetch gives back for it.
enum FetchPathKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case plain, blob, attach, hash, storedBlob, storedAttach, object, npy, filepath

    var testDescription: String { rawValue }

    var table: any UserTable.Type {
        switch self {
        case .plain: FetchPathPipeline.FpPlain.self
        case .blob: FetchPathPipeline.FpBlob.self
        case .attach: FetchPathPipeline.FpAttach.self
        case .hash: FetchPathPipeline.FpHash.self
        case .storedBlob: FetchPathPipeline.FpStoredBlob.self
        case .storedAttach: FetchPathPipeline.FpStoredAttach.self
        case .object: FetchPathPipeline.FpObject.self
        case .npy: FetchPathPipeline.FpNpy.self
        case .filepath: FetchPathPipeline.FpFilepath.self
        }
    }

    /// Rows of a "large" result: enough to cross every batch size of insert and of the parallel decoder.
    var manyRows: Int {
        switch self {
        case .plain, .blob, .hash, .storedBlob: 1500
        default: 120
        }
    }

    /// The value of `v` in row `i`; every third row leaves it NULL.
    func value(_ i: Int, stores: StoreFixture) throws -> Value {
        if i % 3 == 2 { return .null }
        switch self {
        case .plain: return .double(Double(i) + 0.25)
        case .blob, .storedBlob: return NDArray([Double(i), 0.5]).dataJointValue
        case .hash: return .bytes(Data([UInt8(i % 256), 0, 255]))
        case .attach, .storedAttach:
            let file = stores.root.appendingPathComponent("attach-\(i).txt")
            try Data("row \(i)".utf8).write(to: file)
            return .string(file.path)
        case .object: return .bytes(Data("object \(i)".utf8))
        case .npy: return NDArray([Int32(i), 7]).dataJointValue
        case .filepath:
            let directory = stores.root.appendingPathComponent("raw/incoming")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data("file \(i)".utf8).write(to: directory.appendingPathComponent("f\(i).bin"))
            return .string("incoming/f\(i).bin")
        }
    }

    /// Checks the fetched value of `v` of row `i`.
    func check(_ fetched: Value?, row i: Int) async throws {
        guard let fetched else {
            Issue.record("\(rawValue): row \(i) has no attribute v")
            return
        }
        if i % 3 == 2 {
            #expect(fetched == .null, "\(rawValue): row \(i)")
            return
        }
        switch self {
        case .plain: #expect(fetched == .double(Double(i) + 0.25))
        case .blob, .storedBlob: #expect(NDArray(dataJointValue: fetched) == NDArray([Double(i), 0.5]), "\(rawValue) row \(i)")
        case .hash: #expect(fetched == .bytes(Data([UInt8(i % 256), 0, 255])))
        case .attach, .storedAttach:
            guard case .string(let path) = fetched else {
                Issue.record("\(rawValue): row \(i) gave \(fetched), not a downloaded file")
                return
            }
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "row \(i)")
        case .object:
            let object = try #require(ObjectRef(dataJointValue: fetched))
            #expect(try await object.read() == Data("object \(i)".utf8))
        case .npy:
            let npy = try #require(NpyRef(dataJointValue: fetched))
            #expect(try await npy.load() == NDArray([Int32(i), 7]))
        case .filepath:
            let file = try #require(ObjectRef(dataJointValue: fetched))
            #expect(try await file.read() == Data("file \(i)".utf8))
        }
    }
}

/// The key and label of a row, for typed fetch.
private struct FetchedItem: Decodable, Equatable {
    var item_id: Int
    var label: String
}

@Suite("Every fetch path on empty, one-row and large results")
struct FetchPathTests {
    static let sizes = [0, 1, -1]  // -1: the kind's large result

    @Test(
        "fetch paths", arguments: TestBackend.all, FetchPathKind.allCases)
    func fetchPaths(backend: TestBackend, kind: FetchPathKind) async throws {
        try await backend.run { () async throws in
            let stores = try StoreFixture()
            defer { stores.remove() }
            let db = try await TestDatabase.connect(settings: stores.settings)
            let schema = try await db.schema("fetchpaths", tables: kind.table)
            let table = schema[kind.table]
            var inserted = 0
            for size in Self.sizes {
                let target = size < 0 ? kind.manyRows : size
                var rows: [Row] = []
                for i in inserted ..< target {
                    let row: Row = ["item_id": i, "label": "item \(i)", "v": try kind.value(i, stores: stores)]
                    rows.append(row)
                }
                if !rows.isEmpty { try await table.insert(rows) }
                inserted = target
                try await checkPaths(table, kind: kind, count: target)
            }
        }
    }

    /// Every way of fetching, on a table holding rows 0 ..< count.
    func checkPaths(_ table: Table, kind: FetchPathKind, count: Int) async throws {
        let context = "\(kind.rawValue), \(count) rows"
        let ids = Array(0 ..< count)
        #expect(try await table.count() == count, "\(context)")
        #expect(try await table.isEmpty() == (count == 0), "\(context)")

        let dicts = try await table.toDicts(orderBy: ["item_id"])
        #expect(dicts.map { Int(dataJointValue: $0["item_id"]!) } == ids, "\(context)")
        for (i, row) in dicts.enumerated() where i < 30 || i == count - 1 { try await kind.check(row["v"], row: i) }
        // Unordered fetches hold the same rows.
        #expect(try await table.toDicts().count == count, "\(context)")

        let values: [Value] = try await table.toArray("v", orderBy: ["item_id"])
        #expect(values.count == count, "\(context)")
        if let last = values.last { try await kind.check(last, row: count - 1) }
        let labels: [String] = try await table.toArray("label", orderBy: ["item_id"])
        #expect(labels == ids.map { "item \($0)" }, "\(context)")

        let arrays = try await table.toArrays("item_id", "v", orderBy: ["item_id"])
        #expect(arrays.count == 2 && arrays[0].count == count && arrays[1].count == count, "\(context)")

        #expect(try await table.keys(orderBy: ["KEY"]) == ids.map { ["item_id": $0] as Row }, "\(context)")

        let typed = try await table.fetch(as: FetchedItem.self, orderBy: ["item_id"])
        #expect(typed == ids.map { FetchedItem(item_id: $0, label: "item \($0)") }, "\(context)")

        var streamed: [Int] = []
        for try await row in table.rows(orderBy: ["item_id"]) {
            streamed.append(Int(dataJointValue: row["item_id"]!) ?? -1)
            if streamed.count == 1 { try await kind.check(row["v"], row: 0) }
        }
        #expect(streamed == ids, "\(context)")
        // A consumer that stops early.
        var early = 0
        for try await _ in table.rows(orderBy: ["item_id"]) {
            early += 1
            if early == 2 { break }
        }
        #expect(early == min(2, count), "\(context)")

        // Pages past the end, and restrictions that match nothing.
        #expect(try await table.toDicts(orderBy: ["item_id"], limit: 5, offset: count).isEmpty, "\(context)")
        #expect(try await (table & "item_id < 0").toDicts().isEmpty, "\(context)")
        #expect(try await (table & "item_id < 0").toArray("v", as: Value.self).isEmpty, "\(context)")
        #expect(try await (table & ["item_id": -1]).keys().isEmpty, "\(context)")
        #expect(try await (table & "item_id < 0").count() == 0, "\(context)")
        #expect(try await table.proj("v").toDicts(orderBy: ["item_id"], limit: 3).count == min(3, count), "\(context)")

        let preview = try await table.preview()
        #expect(preview.contains("(Total: \(count))"), "\(context): \(preview)")
        #expect(try await (table & "item_id < 0").preview().contains("(Total: 0)"), "\(context)")

        switch count {
        case 1:
            let row = try await table.fetch1()
            #expect(row["item_id"] == .int(0), "\(context)")
            try await kind.check(row["v"], row: 0)
            try await kind.check(try await table.fetch1("v", as: Value.self), row: 0)
        default:
            let error = await #expect(throws: DataJointError.self, "\(context)") { try await table.fetch1() }
            #expect(error?.kind == .cardinality, "\(context)")
            let attributeError = await #expect(throws: DataJointError.self, "\(context)") {
                try await table.fetch1("v", as: Value.self)
            }
            #expect(attributeError?.kind == .cardinality, "\(context)")
        }
        if count > 0 {
            let one = table & ["item_id": count - 1]
            try await kind.check(try await one.fetch1("v", as: Value.self), row: count - 1)
        }
        // Odd arguments: no conditions, an empty page, aggregates over the rows.
        #expect(try await (table & [Row]()).count() == 0, "\(context)")
        #expect(try await (table - [Row]()).count() == count, "\(context)")
        #expect(try await (table & Top(0)).toDicts().isEmpty, "\(context)")
        #expect(try await table.toDicts(limit: 0).isEmpty, "\(context)")
        #expect(try await table.toArrays().isEmpty, "\(context)")
        let total = try await U().aggr(table, named: ["n": "count(*)"]).fetch1("n", as: Int.self)
        #expect(total == count, "\(context)")
        #expect(try await (U("label") & table).count() == count, "\(context)")
        try await table.insert([Row]())
        #expect(try await table.count() == count, "\(context)")
        // Fetching an attribute the table does not have is an error, not a crash.
        let missing = await #expect(throws: DataJointError.self, "\(context)") { try await table.toArray("nope", as: Value.self) }
        #expect(missing?.kind == .missingAttribute, "\(context)")
    }
}

/// Tables DataJoint-Python 2.3.5 declared (one left empty, one with a row), opened by name without Swift source.
@Suite("Fetch paths on tables DataJoint-Python declared")
struct PythonDeclaredFetchTests {
    static let definition = """
        item_id : int32
        ---
        arr = null : <blob>
        meta = null : json
        note = null : varchar(32)
        """

    @Test("empty and one-row tables with a <blob> column", arguments: StoreInteropTests.backends)
    func pythonDeclared(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let db = try await TestDatabase.connect()  // creates the test's database for Python too
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pyfetch-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let script = """
                import datajoint as dj, numpy as np
                \(ReferenceProcess.connectionConfig(backend))
                schema = dj.Schema('py_fetch')
                @schema
                class PyEmpty(dj.Manual):
                    definition = '''\n\(Self.definition)\n'''
                @schema
                class PyOne(dj.Manual):
                    definition = '''\n\(Self.definition)\n'''
                PyOne.insert1(dict(item_id=1, arr=np.arange(6, dtype='float64').reshape(2, 3), meta={'a': [1, 2]}, note="O'Brien"))
                print('DECLARED')
                """
            let file = directory.appendingPathComponent("declare.py")
            try Data(script.utf8).write(to: file)
            let (status, output) = try await ReferenceProcess.run(StoreInteropTests.python, [file.path], directory: directory)
            try #require(status == 0 && output.contains("DECLARED"), "DataJoint-Python failed:\n\(output.suffix(3000))")

            let schema = try await db.schema("py_fetch", create: false)
            let empty = schema.table("py_empty")
            #expect(try await empty.toDicts().isEmpty)
            #expect(try await empty.toArray("arr", as: Value.self).isEmpty)
            #expect(try await empty.keys().isEmpty)
            #expect(try await empty.count() == 0)
            #expect(try await empty.fetch(as: FetchedItem.self).isEmpty)
            var streamed = 0
            for try await _ in empty.rows() { streamed += 1 }
            #expect(streamed == 0)
            #expect(try await empty.preview().contains("(Total: 0)"))
            let error = await #expect(throws: DataJointError.self) { try await empty.fetch1() }
            #expect(error?.kind == .cardinality)

            let one = schema.table("py_one")
            let row = try await one.fetch1()
            #expect(NDArray(dataJointValue: row["arr"]!) == NDArray((0 ..< 6).map(Double.init), shape: [2, 3]))
            #expect(row["note"] == .string("O'Brien"))
            #expect(try await (one & "note = \("O'Brien")").count() == 1)
            #expect(try await one.preview().contains("(Total: 1)"))
        }
    }

    private struct FetchedItem: Decodable {
        var item_id: Int
    }
}
