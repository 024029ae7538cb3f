import Foundation

/// The declared type of an attribute: a DataJoint core type, a codec, or a native SQL type passed through.
public enum AttributeType: Sendable, Hashable, CustomStringConvertible {
    case int8, int16, int32, int64
    case float32, float64
    case bool
    case decimal(precision: Int, scale: Int)
    case char(Int)
    case varchar(Int)
    case enumeration([String])
    case date
    /// `datetime` (nil digits) or `datetime(n)`.
    case datetime(fractionalDigits: Int?)
    case json
    case uuid
    case bytes
    /// A codec such as `<blob>` or `<blob@store>` (`store` is "" for the default store).
    case codec(name: String, store: String?)
    /// A native SQL type used as written, with its category.
    case native(String, NativeCategory)

    /// The families of native SQL types the definition language accepts (with a warning).
    public enum NativeCategory: String, Sendable, Hashable {
        case integer, numeric, float, string, temporal, blob, text
    }

    /// True for DataJoint core types (recorded in the column comment).
    public var isCore: Bool {
        switch self {
        case .native, .codec: false
        default: true
        }
    }

    /// True when the attribute holds raw or serialized bytes.
    public var isBinary: Bool {
        switch self {
        case .bytes, .codec: true
        case .native(_, .blob): true
        default: false
        }
    }

    /// True for types whose values are numbers.
    public var isNumeric: Bool {
        switch self {
        case .int8, .int16, .int32, .int64, .float32, .float64, .decimal, .bool: true
        case .native(_, let c): c == .integer || c == .float || c == .numeric
        default: false
        }
    }

    /// The type as written in a definition (and in the column comment).
    public var description: String {
        switch self {
        case .int8: "int8"
        case .int16: "int16"
        case .int32: "int32"
        case .int64: "int64"
        case .float32: "float32"
        case .float64: "float64"
        case .bool: "bool"
        case .decimal(let p, let s): "decimal(\(p),\(s))"
        case .char(let n): "char(\(n))"
        case .varchar(let n): "varchar(\(n))"
        case .enumeration(let values):
            "enum(" + values.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" }.joined(separator: ",") + ")"
        case .date: "date"
        case .datetime(let n): n.map { "datetime(\($0))" } ?? "datetime"
        case .json: "json"
        case .uuid: "uuid"
        case .bytes: "bytes"
        case .codec(let name, let store): "<" + name + (store.map { "@" + $0 } ?? "") + ">"
        case .native(let text, _): text
        }
    }

    /// Parses a type as written in a definition. Returns nil for an unsupported type.
    public init?(parsing raw: String) {
        let text = raw.trimmingCharacters(in: .whitespaces)
        let lower = text.lowercased()
        func args(_ prefix: String) -> String? {
            let rest = lower.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
            guard lower.hasPrefix(prefix), rest.hasPrefix("("), rest.hasSuffix(")") else { return nil }
            return String(rest.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
        }
        func intArg(_ prefix: String) -> Int? {
            guard let a = args(prefix), let n = Int(a), n >= 0 else { return nil }
            return n
        }
        switch lower {
        case "int8": self = .int8; return
        case "int16": self = .int16; return
        case "int32": self = .int32; return
        case "int64": self = .int64; return
        case "float32": self = .float32; return
        case "float64": self = .float64; return
        case "bool": self = .bool; return
        case "date": self = .date; return
        case "datetime": self = .datetime(fractionalDigits: nil); return
        case "json", "jsonb": self = .json; return
        case "uuid": self = .uuid; return
        case "bytes": self = .bytes; return
        default: break
        }
        if text.hasPrefix("<"), text.hasSuffix(">"), text.count > 2 {
            let inner = String(text.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
            let parts = inner.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]).trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return nil }
            self = .codec(name: name, store: parts.count == 2 ? String(parts[1]).trimmingCharacters(in: .whitespaces) : nil)
            return
        }
        if let n = intArg("datetime") {
            guard n <= 6 else { return nil }
            self = .datetime(fractionalDigits: n)
            return
        }
        if let n = intArg("varchar") { self = .varchar(n); return }
        if let n = intArg("char") { self = .char(n); return }
        if let a = args("decimal") {
            let ps = a.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            if ps.count == 2, let p = Int(ps[0]), let s = Int(ps[1]), p > 0, s >= 0, s <= p {
                self = .decimal(precision: p, scale: s)
                return
            }
        }
        if lower.hasPrefix("enum"), let inner = args("enum") {
            // Re-read the original text to keep the case of the enum values.
            let start = text.index(text.firstIndex(of: "(")!, offsetBy: 1)
            let end = text.lastIndex(of: ")")!
            guard !inner.isEmpty, let values = AttributeType.parseEnumValues(String(text[start..<end])) else { return nil }
            self = .enumeration(values)
            return
        }
        if let category = AttributeType.nativeCategory(of: lower) {
            self = .native(text, category)
            return
        }
        return nil
    }

    /// Splits `'a','b'` into its quoted values.
    static func parseEnumValues(_ text: String) -> [String]? {
        var values: [String] = []
        var chars = Array(text)
        var i = 0
        func skipSpace() { while i < chars.count, chars[i] == " " || chars[i] == "\t" { i += 1 } }
        skipSpace()
        while i < chars.count {
            guard chars[i] == "'" || chars[i] == "\"" else { return nil }
            let q = chars[i]
            i += 1
            var value = ""
            while true {
                guard i < chars.count else { return nil }
                if chars[i] == q {
                    if i + 1 < chars.count, chars[i + 1] == q {
                        value.append(q)
                        i += 2
                        continue
                    }
                    i += 1
                    break
                }
                value.append(chars[i])
                i += 1
            }
            values.append(value)
            skipSpace()
            if i < chars.count {
                guard chars[i] == "," else { return nil }
                i += 1
                skipSpace()
                if i == chars.count { return nil }
            }
        }
        chars.removeAll()
        return values.isEmpty ? nil : values
    }

    /// Native types, whose text goes into the DDL as written: so their arguments may only be numbers (`int(11)`,
    /// `decimal(10,2)`, `char(8)`), never other SQL.
    private static let nativePatterns: [(NativeCategory, String)] = {
        let args = #"\(\s*\d+\s*(,\s*\d+\s*)?\)"#
        return [
            (.integer, #"^(((tiny|small|medium|big|)int|integer)(\s*"# + args + #")?(\s+unsigned)?(\s+auto_increment)?|serial)\z"#),
            (.numeric, #"^(decimal|numeric|dec|fixed)(\s*"# + args + #")?(\s+unsigned)?(\s+zerofill)?\z"#),
            (.float, #"^(double|float|real)(\s*"# + args + #")?(\s+unsigned)?\z"#),
            (.string, #"^(var)?char\s*"# + args + #"\z"#),
            (.temporal, #"^(time|timestamp|year)(\s*"# + args + #")?\z"#),
            (.blob, #"^(tiny|small|medium|long)?blob\z"#),
            (.text, #"^(tiny|small|medium|long)?text\z"#),
        ]
    }()

    static func nativeCategory(of lower: String) -> NativeCategory? {
        for (category, pattern) in nativePatterns
        where lower.range(of: pattern, options: .regularExpression) != nil {
            return category
        }
        return nil
    }
}
