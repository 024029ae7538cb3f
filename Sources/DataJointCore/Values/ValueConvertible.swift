import Foundation

/// A Swift type that converts to and from a DataJoint `Value`.
///
/// Used for typed fetches (`toArray("response") as [Double]`) and for building rows from Swift values.
public protocol ValueConvertible: Sendable {
    /// The value to store.
    var dataJointValue: Value { get }
    /// Converts a fetched value, or returns nil when it cannot represent it.
    init?(dataJointValue: Value)
}

extension Value: ValueConvertible {
    public var dataJointValue: Value { self }
    public init?(dataJointValue: Value) { self = dataJointValue }
}

/// A ``ValueConvertible`` type that reads a value with one function, ``read(_:)``, so that its conformance states the
/// conversion as an expression and the failable initializer is written once, here.
protocol ValueReadable: ValueConvertible {
    /// The Swift value of `value`, or `nil` when it cannot represent it.
    static func read(_ value: Value) -> Self?
}

extension ValueReadable {
    public init?(dataJointValue value: Value) {
        guard let converted = Self.read(value) else { return nil }
        self = converted
    }
}

extension Bool: ValueConvertible, ValueReadable {
    public var dataJointValue: Value { .bool(self) }
    static func read(_ value: Value) -> Bool? {
        switch value {
        case .bool(let b): b
        case .int(let i) where i == 0 || i == 1: i == 1
        default: nil
        }
    }
}

extension String: ValueConvertible, ValueReadable {
    public var dataJointValue: Value { .string(self) }
    static func read(_ value: Value) -> String? {
        switch value {
        case .string(let s): s
        case .null: nil
        default: value.description
        }
    }
}

extension Double: ValueConvertible, ValueReadable {
    public var dataJointValue: Value { .double(self) }
    static func read(_ value: Value) -> Double? {
        switch value {
        case .double(let d): d
        case .int(let i): Double(i)
        case .decimal(let d): NSDecimalNumber(decimal: d).doubleValue
        case .bool(let b): b ? 1 : 0
        // Numbers may arrive as text (a value read from a string column or a driver that sends text).
        case .string(let s): Double(s)
        default: nil
        }
    }
}

extension Float: ValueConvertible, ValueReadable {
    public var dataJointValue: Value { .double(Double(self)) }
    static func read(_ value: Value) -> Float? { Double.read(value).map { Float($0) } }
}

extension Decimal: ValueConvertible, ValueReadable {
    public var dataJointValue: Value { .decimal(self) }
    static func read(_ value: Value) -> Decimal? {
        switch value {
        case .decimal(let d): d
        case .int(let i): Decimal(i)
        case .string(let s): Decimal(string: s, locale: Locale(identifier: "en_US_POSIX"))
        default: nil
        }
    }
}

extension Data: ValueConvertible, ValueReadable {
    public var dataJointValue: Value { .bytes(self) }
    static func read(_ value: Value) -> Data? { if case .bytes(let d) = value { d } else { nil } }
}

extension UUID: ValueConvertible, ValueReadable {
    public var dataJointValue: Value { .uuid(self) }
    static func read(_ value: Value) -> UUID? {
        switch value {
        case .uuid(let u): u
        case .string(let s): UUID(uuidString: s)
        default: nil
        }
    }
}

extension CalendarDate: ValueConvertible, ValueReadable {
    public var dataJointValue: Value { .date(self) }
    static func read(_ value: Value) -> CalendarDate? {
        switch value {
        case .date(let d): d
        case .datetime(let d): d.date
        case .string(let s): CalendarDate(iso: s)
        default: nil
        }
    }
}

extension DateTime: ValueConvertible, ValueReadable {
    public var dataJointValue: Value { .datetime(self) }
    static func read(_ value: Value) -> DateTime? {
        switch value {
        case .datetime(let d): d
        case .date(let d): DateTime(date: d)
        case .string(let s): DateTime(iso: s)
        default: nil
        }
    }
}

extension Date: ValueConvertible, ValueReadable {
    /// A `Date` is stored as its UTC wall-clock time.
    public var dataJointValue: Value { .datetime(DateTime(self)) }
    static func read(_ value: Value) -> Date? {
        guard let dt = DateTime.read(value) else { return nil }
        var c = DateComponents()
        c.year = dt.date.year
        c.month = dt.date.month
        c.day = dt.date.day
        c.hour = dt.hour
        c.minute = dt.minute
        c.second = dt.second
        c.nanosecond = dt.microsecond * 1000
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: c)
    }
}

extension JSON: ValueConvertible, ValueReadable {
    public var dataJointValue: DataJointCore.Value { .json(self) }
    static func read(_ value: DataJointCore.Value) -> JSON? {
        switch value {
        case .json(let j): j
        case .null: JSON.null
        default: nil
        }
    }
}

extension Optional: ValueConvertible where Wrapped: ValueConvertible {
    public var dataJointValue: Value { self?.dataJointValue ?? .null }
    public init?(dataJointValue value: Value) {
        if value.isNull {
            self = .none
        } else {
            guard let w = Wrapped(dataJointValue: value) else { return nil }
            self = .some(w)
        }
    }
}

extension Array: ValueConvertible where Element: ValueConvertible {
    /// An array is stored as a JSON array.
    public var dataJointValue: Value { .json(.array(map { JSON(value: $0.dataJointValue) })) }
    public init?(dataJointValue value: Value) {
        guard case .json(.array(let items)) = value else { return nil }
        var out: [Element] = []
        for item in items {
            guard let e = Element(dataJointValue: item.asValue) else { return nil }
            out.append(e)
        }
        self = out
    }
}

extension JSON {
    /// The JSON form of a value (dates as ISO text, bytes as base64).
    init(value: DataJointCore.Value) {
        switch value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .double(let d): self = .double(d)
        case .decimal(let d): self = .string(d.description)
        case .string(let s): self = .string(s)
        case .bytes(let d): self = .string(d.base64EncodedString())
        case .date(let d): self = .string(d.description)
        case .datetime(let d): self = .string(d.description)
        case .uuid(let u): self = .string(u.uuidString.lowercased())
        case .json(let j): self = j
        case .custom(let c): self = .string(c.description)
        }
    }

    /// A scalar JSON as a plain value; arrays and objects stay JSON.
    var asValue: DataJointCore.Value {
        switch self {
        case .null: .null
        case .bool(let b): .bool(b)
        case .int(let i): .int(i)
        case .double(let d): .double(d)
        case .string(let s): .string(s)
        case .array, .object: .json(self)
        }
    }
}


/// Integer types convert through `Int64`: a fetched value converts when it is an integer (or an integral number,
/// or numeric text) that fits the type.
public protocol ValueConvertibleInteger: ValueConvertible, FixedWidthInteger {}

extension ValueConvertibleInteger {
    public var dataJointValue: Value { .int(Int64(self)) }

    public init?(dataJointValue value: Value) {
        let converted: Self?
        switch value {
        case .int(let i): converted = Self(exactly: i)
        case .bool(let b): converted = b ? 1 : 0
        case .double(let d): converted = Self(exactly: d)
        case .decimal(let d): converted = Self(exactly: NSDecimalNumber(decimal: d).doubleValue)
        case .string(let s): converted = Self(s)
        default: converted = nil
        }
        guard let converted else { return nil }
        self = converted
    }
}

extension Int: ValueConvertibleInteger {}
extension Int64: ValueConvertibleInteger {}
extension Int32: ValueConvertibleInteger {}
extension Int16: ValueConvertibleInteger {}
extension Int8: ValueConvertibleInteger {}
extension UInt8: ValueConvertibleInteger {}
extension UInt16: ValueConvertibleInteger {}
extension UInt32: ValueConvertibleInteger {}
