import DataJoint
import Foundation
import Testing

/// DataJoint-Python 2.3.5 and Swift share stores: each reads the in-store values the other wrote (same metadata,
/// same paths, same bytes). Needs the reference (`DJ_TEST_PYTHON`, set by `scripts/test`) and a server backend.
@Suite("In-store values shared with DataJoint-Python")
struct StoreInteropTests {
    static let python = ProcessInfo.processInfo.environment["DJ_TEST_PYTHON"] ?? "/tmp/djpy/bin/python"
    static var backends: [TestBackend] {
        FileManager.default.isExecutableFile(atPath: python) ? TestBackend.all.filter { $0 != .sqlite } : []
    }

    /// DataJoint-Python 2.3.5 cannot resolve `<codec@>` without a store name, so the shared table names its stores.
    static let definition = """
        item_id : int32
        ---
        arr : <blob@main>
        doc : <attach@main>
        raw : <hash@main>
        obj : <object@main>
        vec : <npy@main>
        ref : <filepath@raw>
        """

    struct SiItem: Manual {
        static let definition = StoreInteropTests.definition
    }

    static func pythonScript(backend: TestBackend, stores: StoreFixture, theirs: String, ours: String) -> String {
        return """
            import datajoint as dj, numpy as np, json, sys
            \(ReferenceProcess.connectionConfig(backend))
            dj.config['download_path'] = '\(stores.path("downloads"))/python'
            dj.config['stores'] = {
                'default': 'main', 'filepath_default': 'raw',
                'main': {'protocol': 'file', 'location': '\(stores.path("main"))'},
                'raw': {'protocol': 'file', 'location': '\(stores.path("raw"))'},
            }
            schema = dj.Schema('\(theirs)')
            @schema
            class SiItem(dj.Manual):
                definition = '''\n\(definition)\n'''
            # DataJoint-Python 2.3.5 on MariaDB cannot insert in-store values (it passes the metadata dict to
            # pymysql, which refuses it); it reads them fine.
            if \(backend == .postgresql ? "True" : "False"):
              SiItem.insert1(dict(item_id=1, arr=np.arange(12, dtype='float64').reshape(3, 4) / 4,
                                  doc='\(stores.root.path)/python-notes.txt', raw=b'from python\\x00\\xff',
                                  obj=b'python object', vec=np.array([[1, -2], [3, 4]], dtype='int32'),
                                  ref='shared/python.bin'))
            row = (dj.VirtualModule('swift', '\(ours)').SiItem & 'item_id = 1').fetch1()
            out = {
                'arr': row['arr'].tolist(), 'arr_shape': list(row['arr'].shape),
                'doc': open(row['doc'], 'rb').read().decode(), 'doc_name': row['doc'].split('/')[-1],
                'raw': row['raw'].hex(), 'obj': row['obj'].read().decode(),
                'vec': np.asarray(row['vec']).tolist(), 'vec_dtype': str(np.asarray(row['vec']).dtype),
                'ref': row['ref'].read().decode(),
            }
            print(json.dumps(out))
            """
    }

    @Test("Python reads what Swift stored, Swift reads what Python stored", arguments: backends)
    func bothDirections(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let stores = try StoreFixture()
            defer { stores.remove() }
            try Data("notes written by python\n".utf8).write(to: stores.root.appendingPathComponent("python-notes.txt"))
            try Data("notes written by swift\n".utf8).write(to: stores.root.appendingPathComponent("swift-notes.txt"))
            try FileManager.default.createDirectory(at: stores.root.appendingPathComponent("raw/shared"), withIntermediateDirectories: true)
            try Data("raw python".utf8).write(to: stores.root.appendingPathComponent("raw/shared/python.bin"))
            try Data("raw swift".utf8).write(to: stores.root.appendingPathComponent("raw/shared/swift.bin"))
            var settings = stores.settings
            settings.stores["raw"] = ["protocol": "file", "location": .string(stores.path("raw"))]
            let db = try await TestDatabase.connect(settings: settings)
            let (ours, theirs) = ("si_swift", "si_python")

            let lab = try await db.schema(ours, tables: SiItem.self)
            try await lab[SiItem.self].insert1([
                "item_id": 1, "arr": NDArray((0..<12).map { Double($0) / 4 }, shape: [3, 4]).dataJointValue,
                "doc": Value.string(stores.root.appendingPathComponent("swift-notes.txt").path),
                "raw": Value.bytes(Data("from swift".utf8) + Data([0, 255])), "obj": Value.bytes(Data("swift object".utf8)),
                "vec": NDArray([Int32](arrayLiteral: 1, -2, 3, 4), shape: [2, 2]).dataJointValue, "ref": "shared/swift.bin",
            ])
            let script = stores.root.appendingPathComponent("interop.py")
            try Self.pythonScript(backend: backend, stores: stores, theirs: theirs, ours: ours)
                .write(to: script, atomically: true, encoding: .utf8)
            let (status, output) = try await ReferenceProcess.run(Self.python, [script.path])
            try #require(status == 0, "DataJoint-Python failed:\n\(output.suffix(3000))")
            let line = try #require(output.split(separator: "\n").last)
            let seen = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(seen["arr"] as? [[Double]] == [[0, 0.25, 0.5, 0.75], [1, 1.25, 1.5, 1.75], [2, 2.25, 2.5, 2.75]])
            #expect(seen["doc"] as? String == "notes written by swift\n" && seen["doc_name"] as? String == "swift-notes.txt")
            #expect(seen["raw"] as? String == Data("from swift".utf8).map { String(format: "%02x", $0) }.joined() + "00ff")
            #expect(seen["obj"] as? String == "swift object")
            #expect(seen["vec"] as? [[Int]] == [[1, -2], [3, 4]] && seen["vec_dtype"] as? String == "int32")
            #expect(seen["ref"] as? String == "raw swift")

            // Swift reads Python's row with no Swift source for its table.
            guard backend == .postgresql else { return }
            let row = try await (db.schema(theirs, create: false).table("si_item") & ["item_id": 1]).fetch1()
            #expect(NDArray(dataJointValue: row["arr"]!) == NDArray((0..<12).map { Double($0) / 4 }, shape: [3, 4]))
            guard case .string(let doc)? = row["doc"] else { Issue.record("no attachment path"); return }
            #expect(try String(contentsOfFile: doc, encoding: .utf8) == "notes written by python\n")
            #expect(row["raw"] == .bytes(Data("from python".utf8) + Data([0, 255])))
            #expect(try await ObjectRef(dataJointValue: row["obj"]!)?.read() == Data("python object".utf8))
            let vec = try #require(NpyRef(dataJointValue: row["vec"]!))
            #expect(vec.shape == [2, 2] && vec.dtype == "int32")
            #expect(try await vec.load() == NDArray([Int32](arrayLiteral: 1, -2, 3, 4), shape: [2, 2]))
            #expect(try await ObjectRef(dataJointValue: row["ref"]!)?.read() == Data("raw python".utf8))
            // Both wrote the same content-addressed layout: `_hash/{schema}/{hash}`.
            #expect(stores.files("main").contains { $0.hasPrefix("_hash/\(theirs)/") })
            #expect(stores.files("main").contains { $0.hasPrefix("_schema/\(theirs)/si_item/item_id=1/vec_") && $0.hasSuffix(".npy") })
        }
    }
}

/// Runs a program and returns its exit status and combined output.
enum ReferenceProcess {
    /// The lines of a DataJoint-Python script that connect it to the running test's database on `backend`
    /// (PostgreSQL: the test's own database; MariaDB: the test server).
    static func connectionConfig(_ backend: TestBackend) -> String {
        var lines = [
            "dj.config['database.backend'] = '\(backend == .postgresql ? "postgresql" : "mysql")'",
            "dj.config['database.host'] = '127.0.0.1'",
            "dj.config['database.port'] = \(backend.port)",
            "dj.config['database.user'] = 'datajoint'",
            "dj.config['database.password'] = 'datajoint'",
        ]
        if backend == .postgresql { lines.append("dj.config['database.name'] = '\(TestContext.current!.id)'") }
        lines += ["dj.config['database.use_tls'] = False", "dj.config['safemode'] = False"]
        return lines.joined(separator: "\n")
    }

    static func run(_ path: String, _ arguments: [String], directory: URL? = nil) async throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.currentDirectoryURL = directory ?? FileManager.default.temporaryDirectory
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        return try await Task.detached {
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: data, as: UTF8.self))
        }.value
    }
}
