import Foundation
import PropertyBased
import ReliabilitySupport
import Testing

@testable import DataJointCore

/// The decoders of in-store codecs (`<hash@>`, `<blob@>`, `<attach@>`, `<npy@>`, `<object@>`, `<filepath@>`) and of
/// in-table `<attach>` against generated and damaged column values: each gives back a value, or refuses with a
/// `DataJointError`; nothing a row holds makes them trap, leave the store, or fail with another error.
@Suite("Fuzz: object-store metadata")
struct FuzzStoreMetadataTests {
    /// A file store holding one object of each kind, and a context that decodes with it.
    final class Store: Sendable {
        let root: URL
        let context: CodecContext
        let codecs = CodecRegistry()
        /// Valid column values of each codec, as their encoders write them.
        let seeds: [(codec: String, json: JSON)]

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("dj-fuzz-store-\(UUID().uuidString)")
            let location = root.appendingPathComponent("store")
            try FileManager.default.createDirectory(at: location, withIntermediateDirectories: true)
            let stores: [String: JSON] = [
                "main": ["protocol": "file", "location": .string(location.path)],
                "default": "main", "filepath_default": "main",
            ]
            let registry = StoreRegistry(configuration: stores)
            context = CodecContext(
                schema: "lab", table: "t", attribute: "a", store: "", downloadPath: root.appendingPathComponent("download").path,
                stores: registry)
            let store = try registry.resolve("main")
            func put(_ data: Data, _ path: String) throws {
                let url = location.appendingPathComponent(path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try data.write(to: url)
            }
            func hashed(_ data: Data) throws -> JSON {
                let hash = HashAddress.hash(of: data)
                let path = HashAddress.path(hash: hash, schema: "lab", spec: store.spec)
                try put(data, path)
                return ["hash": .string(hash), "path": .string(path), "schema": "lab", "store": "main", "size": .int(Int64(data.count))]
            }
            let blob = try BlobEncoder().encode(.list([.int(1), .string("two"), .array(NDArray([1.5, 2.5]))]))
            let npy = try NpyFormat.encode(NDArray([Int32](arrayLiteral: 1, 2, 3, 4, 5, 6), shape: [2, 3]))
            try put(npy, "_schema/lab/t/id=1/a.npy")
            try put(Data("raw".utf8), "raw/file.dat")
            try put(Data("x".utf8), "raw/dir/x.txt")
            seeds = [
                ("hash", try hashed(Data("hello".utf8))),
                ("blob", try hashed(blob)),
                ("attach", try hashed(Data("notes.txt".utf8) + Data([0]) + Data("contents".utf8))),
                ("npy", ["path": "_schema/lab/t/id=1/a.npy", "store": "main", "dtype": "int32", "shape": [2, 3]]),
                ("object", [
                    "path": "raw/file.dat", "store": "main", "size": 3, "ext": ".dat", "is_dir": false, "item_count": nil,
                    "timestamp": "2026-01-01T00:00:00.000000+00:00",
                ]),
                ("object", ["path": "raw/dir", "store": "main", "size": 1, "ext": nil, "is_dir": true, "item_count": 1]),
                ("filepath", ["path": "raw/file.dat", "store": "main", "size": 3, "is_dir": false, "timestamp": "2026-01-01"]),
            ]
        }

        deinit { try? FileManager.default.removeItem(at: root) }

        /// Decodes `stored` as `<codec@>` (`<codec>` when `store` is nil) and uses what comes back as a user would:
        /// reads the object, loads the array, lists a directory.
        func decode(_ stored: Value, codec: String, store: String? = "") async throws {
            let value = try await codecs.decode(stored, name: codec, store: store, context: context)
            guard case .custom(let custom) = value else { return }
            if let ref = custom.as(NpyRef.self) {
                _ = (ref.count, ref.ndim, ref.description)
                _ = try await ref.load()
            } else if let ref = custom.as(ObjectRef.self) {
                _ = ref.description
                if try await ref.exists() {
                    _ = ref.isDirectory ? try await ref.files() : [try await ref.read().count.description]
                }
            }
        }
    }

    static let codecNames = ["hash", "blob", "attach", "npy", "object", "filepath"]

    /// JSON values likely to break a reader of metadata: extreme numbers, wrong types, paths that try to leave the
    /// store.
    static let hostileValues: [JSON] = [
        nil, true, 0, -1, .int(Int64.max), .int(Int64.min), 1e300, -1e300, 2.5, 9.3e18, "", "/", "..", "../../etc/passwd",
        "raw/../../x", "/etc/passwd", "raw/file.dat", "raw/dir", "_hash", "main", "nope", "\u{0}", "a/\u{0}/b", [], [-1, 2],
        [.int(Int64.max), .int(Int64.max)], [3037000500, 3037000500, 3037000500], ["x"], [:], ["path": "raw/file.dat"],
        .string(String(repeating: "a/", count: 300)), .string(String(repeating: "é", count: 300)),
    ]
    static let keys = ["hash", "path", "schema", "store", "size", "ext", "is_dir", "item_count", "timestamp", "dtype", "shape"]

    @Test("generated metadata of every in-store codec decodes or is refused with a DataJointError")
    func generatedMetadata() async throws {
        let store = try Store()
        var tally = FuzzTally()
        let inputs = Generator { rng -> (String, Value) in
            let (codec, seed) = store.seeds[Int.random(in: 0..<store.seeds.count, using: &rng)]
            guard case .object(var object) = seed else { return (codec, .json(seed)) }
            // Some keys replaced by hostile values, some removed; sometimes another codec reads it.
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let key = Self.keys[Int.random(in: 0..<Self.keys.count, using: &rng)]
                object[key] = Bool.random(using: &rng) ? Self.hostileValues[Int.random(in: 0..<Self.hostileValues.count, using: &rng)] : nil
            }
            let name = Int.random(in: 0...4, using: &rng) == 0 ? Self.codecNames[Int.random(in: 0..<Self.codecNames.count, using: &rng)] : codec
            switch Int.random(in: 0...9, using: &rng) {
            case 0: return (name, .string(JSON.object(object).serialized()))
            case 1: return (name, [Value.null, .int(7), .bytes(Data([0x7B])), .string("not json"), .double(.nan)][Int.random(in: 0...4, using: &rng)])
            default: return (name, .json(.object(object)))
            }
        }
        await propertyCheck(count: ReliabilityLog.iterations(standard: 1500), input: inputs) { codec, stored in
            await tally.feed("<\(codec)@>: \(stored)") { try await store.decode(stored, codec: codec) }
        }
        tally.record("in-store codecs: generated metadata with hostile values (numbers, types, paths)", accepted: "decoded and read")
    }

    @Test("damaged metadata text of every in-store codec decodes or is refused with a DataJointError")
    func mutatedMetadataText() async throws {
        let store = try Store()
        var tally = FuzzTally()
        let tokens = ["\"path\":", "\"size\":", "\"shape\":", "[", "]", "{", "}", ",", "\"", "..", "/", "1e999", "-1", "null", "\\u0000"]
        let mutators = Dictionary(grouping: store.seeds, by: \.codec).mapValues { seeds in
            FuzzMutator(texts: seeds.map { $0.json.serialized() }, tokens: tokens, maximumLength: 4096)
        }
        let inputs = Generator { rng -> (String, String) in
            let codec = Self.codecNames[Int.random(in: 0..<Self.codecNames.count, using: &rng)]
            let mutator = mutators[codec == "attach" || codec == "blob" ? "hash" : codec] ?? mutators["hash"]
            return (codec, mutator.map { String(decoding: $0.mutated(using: &rng), as: UTF8.self) } ?? "")
        }
        await propertyCheck(count: ReliabilityLog.iterations(standard: 1500), input: inputs) { codec, text in
            await tally.feed("<\(codec)@>: \(text.debugDescription)") { try await store.decode(.string(text), codec: codec) }
        }
        tally.record("in-store codecs: mutated metadata JSON text", accepted: "decoded and read")
    }

    @Test("damaged in-table attachments decode or are refused with a DataJointError")
    func mutatedAttachments() async throws {
        let store = try Store()
        var tally = FuzzTally()
        let seeds = ["notes.txt\0contents", "a\0", "data.tar.gz\0\0\0binary", String(repeating: "long", count: 60) + ".txt\0x"]
        let mutator = FuzzMutator(texts: seeds, tokens: ["\0", "/", "..", ".", "é", String(repeating: "n", count: 200)], maximumLength: 2048)
        await propertyCheck(count: ReliabilityLog.iterations(standard: 500), input: Fuzz.mutations(mutator)) { bytes in
            await tally.feed("<attach>: \(Fuzz.hex(bytes))") { try await store.decode(.bytes(Data(bytes)), codec: "attach", store: nil) }
        }
        tally.record("<attach>: mutated in-table attachments (file name and contents)", accepted: "written to the download path")
    }
}
