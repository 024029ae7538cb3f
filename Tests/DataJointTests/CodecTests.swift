import DataJoint
import Foundation
import Testing

/// A point in the plane: the example user type of the codec documentation.
struct CodecPoint: Hashable, Sendable {
    var x: Double
    var y: Double
}

/// `<point>`: stores a `CodecPoint` as a JSON object.
struct PointCodec: Codec {
    let name = "point"
    func storedType(inStore: Bool) -> String { "json" }
    func validate(_ value: Value, context: CodecContext) throws {
        guard case .custom(let c) = value, c.as(CodecPoint.self) != nil else {
            throw DataJointError(.invalidValue, "`\(context.attribute)` takes a CodecPoint, not \(value.kindName)")
        }
    }
    func encode(_ value: Value, context: CodecContext) throws -> Value {
        guard case .custom(let c) = value, let p = c.as(CodecPoint.self) else { throw DataJointError(.codec, "not a point") }
        return .json(["x": .double(p.x), "y": .double(p.y)])
    }
    func decode(_ stored: Value, context: CodecContext) throws -> Value {
        guard case .json(.object(let o)) = stored, let x = o["x"].flatMap(CodecTests.number), let y = o["y"].flatMap(CodecTests.number)
        else { throw DataJointError(.codec, "`\(context.attribute)` does not hold a point") }
        return .custom(CustomValue(CodecPoint(x: x, y: y)))
    }
}

/// `<scaled>`: a point stored at twice its size through `<point>`: a chain of two codecs down to json.
struct ScaledPointCodec: Codec {
    let name = "scaled"
    func storedType(inStore: Bool) -> String { "<point>" }
    func encode(_ value: Value, context: CodecContext) throws -> Value {
        guard case .custom(let c) = value, let p = c.as(CodecPoint.self) else { throw DataJointError(.invalidValue, "not a point") }
        return .custom(CustomValue(CodecPoint(x: p.x * 2, y: p.y * 2)))
    }
    func decode(_ stored: Value, context: CodecContext) throws -> Value {
        guard case .custom(let c) = stored, let p = c.as(CodecPoint.self) else { throw DataJointError(.codec, "not a point") }
        return .custom(CustomValue(CodecPoint(x: p.x / 2, y: p.y / 2)))
    }
}

enum CodecPipeline {
    struct CdScaled: Manual {
        static let definition = """
            id : int32
            ---
            where_ : <scaled>
            """
    }

    struct CdDocument: Manual {
        static let definition = """
            doc_id : int32
            ---
            file : <attach>        # the attached file
            backup = null : <attach>
            """
    }

    struct CdShape: Manual {
        static let definition = """
            shape_id : int32
            ---
            center : <point>
            """
    }

    struct CdUnknown: Manual {
        static let definition = """
            id : int32
            ---
            thing : <nonexistent>
            """
    }
}

@Suite("Codecs")
struct CodecTests {
    static func number(_ json: JSON) -> Double? {
        switch json {
        case .double(let d): d
        case .int(let i): Double(i)
        default: nil
        }
    }

    @Test("<attach> stores a file with its name and writes it back on fetch", arguments: TestBackend.all)
    func attach(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("attach-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let source = directory.appendingPathComponent("notes.txt")
            let contents = Data("line one\nzero byte: \u{0}\n".utf8) + Data((0..<256).map { UInt8($0) })
            try contents.write(to: source)
            var settings = Settings(safemode: false)
            settings.downloadPath = directory.appendingPathComponent("downloads").path
            let db = try await TestDatabase.connect(settings: settings)
            let s = try await db.schema("codecs", tables: CodecPipeline.CdDocument.self)
            let documents = s[CodecPipeline.CdDocument.self]
            try await documents.insert1(["doc_id": 1, "file": source.path])
            #expect(try await documents.heading()["file"]?.type == .codec(name: "attach", store: nil))
            let path: String = try await documents.fetch1("file")
            #expect(URL(fileURLWithPath: path).lastPathComponent == "notes.txt")
            #expect(path.hasPrefix(settings.downloadPath))
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == contents)
            #expect(try await documents.fetch1("backup", as: Value.self) == .null)
            #expect(try await documents.describe().contains(": <attach>"))
            // A missing file is refused before anything is sent.
            let missing = await #expect(throws: DataJointError.self) {
                try await documents.insert1(["doc_id": 2, "file": directory.appendingPathComponent("nope").path])
            }
            #expect(missing?.kind == .invalidValue)
            #expect(try await documents.count() == 1)
        }
    }

    @Test("a user codec is registered in one line and round-trips its type", arguments: TestBackend.all)
    func userCodec(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            db.register(PointCodec())
            #expect(db.listCodecs().contains("point"))
            let s = try await db.schema("codecs", tables: CodecPipeline.CdShape.self)
            let shapes = s[CodecPipeline.CdShape.self]
            try await shapes.insert1(["shape_id": 1, "center": Value.custom(CustomValue(CodecPoint(x: 1.5, y: -2)))])
            let center = try await shapes.fetch1("center", as: Value.self)
            #expect(center == .custom(CustomValue(CodecPoint(x: 1.5, y: -2))))
            let wrong = await #expect(throws: DataJointError.self) { try await shapes.insert1(["shape_id": 2, "center": "far away"]) }
            #expect(wrong?.kind == .invalidValue)
            #expect(try await shapes.count() == 1)
            // Another connection without the codec reads the heading but cannot decode the values.
            let other = try await TestDatabase.connect()
            let reopened = try await other.schema("codecs", tables: [], create: false)
            #expect(try await reopened.table("cd_shape").heading()["center"]?.type == .codec(name: "point", store: nil))
            let unknown = await #expect(throws: DataJointError.self) { try await reopened.table("cd_shape").toDicts() }
            #expect(unknown?.kind == .codec)
        }
    }

    @Test("an unknown codec in a definition is a declaration error", arguments: TestBackend.all)
    func unknownCodec(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let error = await #expect(throws: DataJointError.self) {
                try await db.schema("codecs", tables: CodecPipeline.CdUnknown.self)
            }
            #expect(error?.kind == .declaration)
            #expect(error?.message.contains("<nonexistent>") == true)
        }
    }

    @Test("codecs chain: <scaled> stores through <point>, which stores json", arguments: TestBackend.all)
    func chain(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            db.register(PointCodec())
            db.register(ScaledPointCodec())
            let resolved = try db.codecs.resolve(name: "scaled", store: nil)
            #expect(resolved.chain.map(\.codec.name) == ["scaled", "point"])
            #expect(resolved.storage == .json)
            let s = try await db.schema("codecs", tables: CodecPipeline.CdScaled.self)
            let table = s[CodecPipeline.CdScaled.self]
            try await table.insert1(["id": 1, "where_": Value.custom(CustomValue(CodecPoint(x: 1, y: 3)))])
            #expect(try await table.fetch1("where_", as: Value.self) == .custom(CustomValue(CodecPoint(x: 1, y: 3))))
            // What is stored is the json of the doubled point.
            let raw = try await db.query(RenderedSQL(
                "SELECT \(db.dialect.quote("where_")) FROM \(db.dialect.qualifiedName(SQLTableName(schema: "codecs", table: "cd_scaled")))"))
            let text = raw.first.map { "\($0[0])" } ?? ""
            #expect(text.contains("6") && text.contains("2"))
        }
    }
}
