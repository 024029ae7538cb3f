import Foundation

/// A single attribute value, as inserted into or fetched from a table.
///
/// `Value` is expressible by literals, so `["subject_id": 1, "species": "mouse"]` is a row and a restriction.
/// Values fetched from the database come back typed by the attribute's declared type: a `date` column
/// gives `.date`, a `decimal(p,s)` column gives `.decimal`, and so on.
public enum Value: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    /// An exact decimal number (`decimal(p,s)` columns).
    case decimal(Decimal)
    case string(String)
    case bytes(Data)
    /// A calendar date, independent of time zone.
    case date(CalendarDate)
    /// A date and wall-clock time with microseconds, independent of time zone.
    case datetime(DateTime)
    case uuid(UUID)
    case json(JSON)
    /// A value of a codec type (an array for `<blob>`, a file for `<attach>`, a user codec's type), before it is
    /// encoded for storage or after it is decoded.
    case custom(CustomValue)

    /// True for `.null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// A short name of the kind of value, for error messages.
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "bool"
        case .int: "integer"
        case .double: "float"
        case .decimal: "decimal"
        case .string: "string"
        case .bytes: "bytes"
        case .date: "date"
        case .datetime: "datetime"
        case .uuid: "uuid"
        case .json: "json"
        case .custom(let c): c.typeName
        }
    }
}

extension Value: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByNilLiteral
{
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .null }
}

extension Value: CustomStringConvertible {
    /// The value as a user would read it in a table preview.
    public var description: String {
        switch self {
        case .null: "NULL"
        case .bool(let b): b ? "true" : "false"
        case .int(let i): String(i)
        case .double(let d): Value.formatDouble(d)
        case .decimal(let d): d.description
        case .string(let s): s
        case .bytes(let d): "<\(d.count) bytes>"
        case .date(let d): d.description
        case .datetime(let d): d.description
        case .uuid(let u): u.uuidString.lowercased()
        case .json(let j): j.serialized()
        case .custom(let c): c.description
        }
    }

    static func formatDouble(_ d: Double) -> String {
        if d.isFinite, d == d.rounded(), abs(d) < 1e15 { return String(format: "%.1f", d) }
        return String(d)
    }
}

extension Value {
    /// Roughly how many bytes the value takes on the wire, for sizing multi-row statements and bounding the rows a
    /// driver reads ahead.
    public var approximateByteCount: Int {
        switch self {
        case .null, .bool: 1
        case .int, .double, .date: 8
        case .datetime, .uuid, .decimal: 16
        case .string(let s): s.utf8.count
        case .bytes(let d): d.count
        case .json, .custom: 64
        }
    }
}

extension Value {
    /// The value as a JSON document: `.json` as it is, `.string` parsed as JSON text (as some drivers give JSON
    /// columns); nil for anything else, or text that is not JSON.
    public var jsonDocument: JSON? {
        switch self {
        case .json(let document): document
        case .string(let text): try? JSON(parsing: text)
        default: nil
        }
    }
}
