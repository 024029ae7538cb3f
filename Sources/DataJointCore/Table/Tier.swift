import Foundation

/// The role of a table in the pipeline, encoded in its name by a prefix.
public enum Tier: String, Sendable, Hashable, CaseIterable {
    /// Data entered from outside the pipeline. No prefix.
    case manual
    /// Reference data declared with the table. Prefix `#`.
    case lookup
    /// Filled by `make` from external sources. Prefix `_`.
    case imported
    /// Filled by `make` from other tables. Prefix `__`.
    case computed
    /// Detail rows of a master row. Named `master__part`.
    case part

    /// The table-name prefix of the tier (parts are named after their master instead).
    public var prefix: String {
        switch self {
        case .manual, .part: ""
        case .lookup: "#"
        case .imported: "_"
        case .computed: "__"
        }
    }

    /// True for the tiers filled by `populate`.
    public var isAutoPopulated: Bool { self == .imported || self == .computed }

    static let baseName = #"[a-z][a-z0-9]*(_[a-z][a-z0-9]*)*"#

    /// The tier a table name encodes, or nil for names that are not DataJoint tables (such as `~lineage`).
    public static func of(tableName name: String) -> Tier? {
        let master = #"(#|__|_)?"# + baseName
        if name.range(of: "^" + master + "__" + baseName + "$", options: .regularExpression) != nil { return .part }
        if name.range(of: "^__" + baseName + "$", options: .regularExpression) != nil { return .computed }
        if name.range(of: "^_" + baseName + "$", options: .regularExpression) != nil { return .imported }
        if name.range(of: "^#" + baseName + "$", options: .regularExpression) != nil { return .lookup }
        if name.range(of: "^" + baseName + "$", options: .regularExpression) != nil { return .manual }
        return nil
    }

    /// The name of the master of a part table (`master__part` -> `master`), or nil if not a part.
    public static func masterName(ofPart name: String) -> String? {
        guard of(tableName: name) == .part else { return nil }
        // The master is everything before the last `__` that follows the base name of the master.
        let prefixLength = name.hasPrefix("__") ? 2 : (name.hasPrefix("_") || name.hasPrefix("#") ? 1 : 0)
        let body = name.dropFirst(prefixLength)
        guard let separator = body.range(of: "__") else { return nil }
        return String(name.prefix(prefixLength)) + body[..<separator.lowerBound]
    }
}

/// Converts a CamelCase class name to the snake_case table name (`SessionTrial` -> `session_trial`).
public func snakeCase(fromCamelCase name: String) throws -> String {
    let cleaned = name.replacingOccurrences(of: "_", with: "")
    guard cleaned.range(of: #"^[A-Z][A-Za-z0-9]*\z"#, options: .regularExpression) != nil else {
        throw DataJointError(
            .declaration,
            "Invalid table name `\(name)`: a table class name must be CamelCase, starting with a capital letter")
    }
    var out = ""
    for (i, c) in cleaned.enumerated() {
        if c.isUppercase {
            if i > 0 { out += "_" }
            out += c.lowercased()
        } else {
            out.append(c)
        }
    }
    return out
}
