import Foundation

/// The configuration of one object store (`stores.<name>` in `datajoint.json`), checked and with defaults applied.
///
/// ```json
/// "stores": {
///   "default": "main",
///   "main": {"protocol": "file", "location": "/data/lab"},
///   "cold": {"protocol": "s3", "endpoint": "s3.amazonaws.com", "bucket": "lab", "location": "archive",
///            "subfolding": [2, 2]}
/// }
/// ```
///
/// Credentials (`access_key`, `secret_key`) usually come from `.secrets/stores.<name>.<attribute>`.
public struct StoreSpec: Sendable, Hashable {
    /// The store's name (`main`).
    public var name: String
    /// `file`, `s3`, or a protocol registered with ``StoreRegistry/registerProtocol(_:factory:)``.
    public var `protocol`: String
    /// The directory (file) or key prefix inside the bucket (s3) under which everything is stored.
    public var location: String
    /// Section of hash-addressed objects (`<blob@>`, `<attach@>`, `<hash@>`); default `_hash`.
    public var hashPrefix: String
    /// Section of schema-addressed objects (`<object@>`, `<npy@>`); default `_schema`.
    public var schemaPrefix: String
    /// When set, every `<filepath@>` path must start with it.
    public var filepathPrefix: String?
    /// Folder levels of hash paths (`[2, 2]` puts `abcd...` under `ab/cd/`); nil for a flat section.
    public var subfolding: [Int]?
    /// Primary-key attributes that lead schema-addressed paths (`"{subject_id}/{session_date}"`).
    public var partitionPattern: String?
    /// Length of the random token in schema-addressed file names (4...16, default 8).
    public var tokenLength: Int
    /// Every attribute as configured, for protocol-specific settings (`endpoint`, `bucket`, `secure`, ...).
    public var attributes: [String: JSON]

    /// Attributes each protocol requires and allows, as DataJoint-Python checks them.
    static let required: [String: [String]] = [
        "file": ["protocol", "location"],
        "s3": ["protocol", "endpoint", "bucket", "location"],
    ]
    static let common = [
        "protocol", "location", "subfolding", "partition_pattern", "token_length", "hash_prefix", "schema_prefix",
        "filepath_prefix", "stage",
    ]
    /// `region` and `anonymous` (unsigned requests to a public bucket) are ours: DataJoint-Python 2.3 has neither.
    static let allowed: [String: Set<String>] = [
        "file": Set(common),
        "s3": Set(common + ["endpoint", "bucket", "access_key", "secret_key", "secure", "proxy_server", "region", "anonymous"]),
    ]

    /// Reads and checks the configuration of store `name`.
    public init(name: String, attributes: [String: JSON], knownProtocols: Set<String> = ["file", "s3"]) throws {
        func fail(_ message: String) -> DataJointError {
            DataJointError(.configuration, "stores.\(name): \(message)")
        }
        func string(_ key: String) throws -> String? {
            switch attributes[key] {
            case nil, .null?: return nil
            case .string(let s)?: return s
            default: throw fail("\(key) must be a string")
            }
        }
        self.name = name
        self.attributes = attributes
        guard let proto = try string("protocol")?.lowercased(), !proto.isEmpty else {
            throw fail("protocol is missing (file or s3)")
        }
        guard knownProtocols.contains(proto) else {
            throw fail("unknown protocol \"\(proto)\"; known: \(knownProtocols.sorted().joined(separator: ", "))")
        }
        self.protocol = proto
        if let required = Self.required[proto] {
            let missing = required.filter { attributes[$0] == nil }
            if !missing.isEmpty { throw fail("missing \(missing.joined(separator: ", "))") }
        }
        if let allowed = Self.allowed[proto] {
            let unknown = attributes.keys.filter { !allowed.contains($0) }.sorted()
            if !unknown.isEmpty {
                throw fail("unknown attribute\(unknown.count > 1 ? "s" : "") \(unknown.joined(separator: ", ")) for protocol \(proto)")
            }
        }
        location = try string("location") ?? ""
        hashPrefix = try string("hash_prefix") ?? "_hash"
        schemaPrefix = try string("schema_prefix") ?? "_schema"
        filepathPrefix = try string("filepath_prefix")
        partitionPattern = try string("partition_pattern")
        switch attributes["subfolding"] {
        case nil, .null?:
            subfolding = nil
        case .array(let levels)?:
            subfolding = try levels.map {
                guard case .int(let n) = $0, n > 0, n < 26 else { throw fail("subfolding must be a list of positive lengths") }
                return Int(n)
            }
        default:
            throw fail("subfolding must be a list of positive lengths, such as [2, 2]")
        }
        switch attributes["token_length"] {
        case nil, .null?: tokenLength = 8
        case .int(let n)?: tokenLength = max(4, min(16, Int(n)))
        default: throw fail("token_length must be an integer")
        }
        try Self.checkSeparation(
            name: name, sections: [("hash_prefix", hashPrefix), ("schema_prefix", schemaPrefix), ("filepath_prefix", filepathPrefix)])
    }

    /// The sections of a store must not nest, or garbage collection of one would reach into another.
    static func checkSeparation(name: String, sections: [(String, String?)]) throws {
        let present = sections.compactMap { key, value in
            value.map { (key, $0.trimmingCharacters(in: CharacterSet(charactersIn: "/"))) }
        }.filter { !$0.1.isEmpty }
        for (i, a) in present.enumerated() {
            for b in present[(i + 1)...] where a.1 == b.1 || a.1.hasPrefix(b.1 + "/") || b.1.hasPrefix(a.1 + "/") {
                throw DataJointError(
                    .configuration, "stores.\(name): \(a.0) \"\(a.1)\" and \(b.0) \"\(b.1)\" overlap; store sections must be separate")
            }
        }
    }

    /// A protocol-specific string attribute (`endpoint`, `bucket`, `access_key`, ...).
    public func string(_ key: String) -> String? {
        if case .string(let s)? = attributes[key] { return s }
        return nil
    }

    /// A protocol-specific boolean attribute (`secure`).
    public func bool(_ key: String) -> Bool? {
        switch attributes[key] {
        case .bool(let b)?: return b
        case .string(let s)?: return ["true", "1", "yes"].contains(s.lowercased())
        default: return nil
        }
    }
}
