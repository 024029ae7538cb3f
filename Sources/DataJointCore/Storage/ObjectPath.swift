import Crypto
import Foundation

/// Where schema-addressed objects (`<object@>`, `<npy@>`) live:
/// `{schema_prefix}/[{partition attrs}/]{schema}/{table}/{key attr=value/...}/{attribute}_{token}{ext}`, built as
/// DataJoint-Python builds it, so both write the same layout.
public enum ObjectPath {
    static let tokenAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

    /// A fresh random token of `length` characters, so that every write gets a new path.
    public static func token(length: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<max(4, min(16, length))).map { _ in tokenAlphabet.randomElement(using: &generator)! })
    }

    /// The path of a new object of `attribute` in the row with `primaryKey` (in heading order) of `schema`.`table`.
    public static func path(
        schema: String, table: String, attribute: String, primaryKey: Row, fileExtension: String?, spec: StoreSpec
    ) -> String {
        var filename = "\(attribute)_\(token(length: spec.tokenLength))"
        if let ext = fileExtension, !ext.isEmpty { filename += ext.hasPrefix(".") ? ext : "." + ext }
        let partition = partitionAttributes(spec.partitionPattern)
        var parts: [String] = []
        let prefix = spec.schemaPrefix.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        if !prefix.isEmpty { parts.append(prefix) }
        for name in partition {
            if let value = primaryKey[name] { parts.append("\(name)=\(encode(value))") }
        }
        parts.append(schema)
        parts.append(table)
        for (name, value) in zip(primaryKey.names, primaryKey.values) where !partition.contains(name) {
            parts.append("\(name)=\(encode(value))")
        }
        parts.append(filename)
        return parts.joined(separator: "/")
    }

    /// The attribute names of a partition pattern such as `{subject_id}/{session_date}`.
    static func partitionAttributes(_ pattern: String?) -> [String] {
        guard let pattern else { return [] }
        var names: [String] = []
        var rest = Substring(pattern)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            let name = rest[rest.index(after: open)..<close]
            if !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) { names.append(String(name)) }
            rest = rest[rest.index(after: close)...]
        }
        return names
    }

    /// A key value as a path component: numbers and dates as text, datetimes with `-` for `:`, strings as they are
    /// unless they hold path-unsafe characters or are long (then percent-encoded, long ones shortened with a hash).
    static func encode(_ value: Value) -> String {
        switch value {
        case .int(let i): return String(i)
        case .bool(let b): return b ? "True" : "False"
        case .double(let d): return pythonFloat(d)
        case .date(let d): return d.description
        case .datetime(let dt):
            // %Y-%m-%dT%H-%M-%S, as the reference writes datetimes into paths.
            let text = dt.description
            let seconds = text.prefix(19)
            return String(seconds.replacingOccurrences(of: " ", with: "T").replacingOccurrences(of: ":", with: "-"))
        case .uuid(let u): return u.uuidString.lowercased()
        default:
            var s = value.textForPath
            let unsafe = Set("/\\:*?\"<>|")
            guard s.contains(where: { unsafe.contains($0) }) || s.count > 100 else { return s }
            if s.count > 100 {
                let digest = MD5Hex.digest(Data(s.utf8))
                s = String(s.prefix(50)) + "_" + digest.prefix(8)
            }
            return percentEncode(s)
        }
    }

    /// Python's `str(float)` for the common cases (`1.0`, `0.5`, `1e-05`).
    static func pythonFloat(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e16 { return String(format: "%.1f", d) }
        return "\(d)"
    }

    /// `urllib.parse.quote(s, safe="")`: everything but letters, digits and `_.-~` percent-encoded as UTF-8.
    static func percentEncode(_ s: String) -> String {
        var result = ""
        for byte in s.utf8 {
            let c = Character(Unicode.Scalar(byte))
            if byte < 0x80, c.isLetter || c.isNumber || "_.-~".contains(c) {
                result.append(c)
            } else {
                result += String(format: "%%%02X", byte)
            }
        }
        return result
    }
}

extension Value {
    /// The value as plain text, for paths and messages.
    var textForPath: String {
        switch self {
        case .string(let s): s
        case .decimal(let d): d.description
        default: String(describing: self)
        }
    }
}
