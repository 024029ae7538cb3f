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

extension Bool: ValueConvertible {
    public var dataJointValue: Value { .bool(self) }
    public init?(dataJointValue value: Value) {
        switch value {
        case .bool(let b): self = b
        case .int(let i) where i == 0 || i == 1: self = i == 1
        default: return nil
        }
    }
}

extension String: ValueConvertible {
    public var dataJointValue: Value { .string(self) }
    public init?(dataJointValue value: Value) {
        switch value {
        case .string(let s): self = s
        case .null: return nil
        default: self = value.description
        }
    }
}

extension Double: ValueConvertible {
    public var dataJointValue: Value { .double(self) }
    public init?(dataJointValue value: Value) {
        switch value {
        case .double(let d): self = d
        case .int(let i): self = Double(i)
        case .decimal(let d): self = NSDecimalNumber(decimal: d).doubleValue
        case .bool(let b): self = b ? 1 : 0
        // Numbers may arrive as text (a value read from a string column or a driver that sends text).
        case .string(let s):
            guard let d = Double(s) else { return nil }
            self = d
        default: return nil
        }
    }
}

extension Float: ValueConvertible {
    public var dataJointValue: Value { .double(Double(self)) }
    public init?(dataJointValue value: Value) {
        guard let d = Double(dataJointValue: value) else { return nil }
        self = Float(d)
    }
}

extension Decimal: ValueConvertible {
    public var dataJointValue: Value { .decimal(self) }
    public init?(dataJointValue value: Value) {
        switch value {
        case .decimal(let d): self = d
        case .int(let i): self = Decimal(i)
        case .string(let s):
            guard let d = Decimal(string: s, locale: Locale(identifier: "en_US_POSIX")) else { return nil }
            self = d
        default: return nil
        }
    }
}

extension Data: ValueConvertible {
    public var dataJointValue: Value { .bytes(self) }
    public init?(dataJointValue value: Value) {
        guard case .bytes(let d) = value else { return nil }
        self = d
    }
}

extension UUID: ValueConvertible {
    public var dataJointValue: Value { .uuid(self) }
    public init?(dataJointValue value: Value) {
        switch value {
        case .uuid(let u): self = u
        case .string(let s):
            guard let u = UUID(uuidString: s) else { return nil }
            self = u
        default: return nil
        }
    }
}

extension CalendarDate: ValueConvertible {
    public var dataJointValue: Value { .date(self) }
    public init?(dataJointValue value: Value) {
        switch value {
        case .date(let d): self = d
        case .datetime(let d): self = d.date
        case .string(let s):
            guard let d = CalendarDate(iso: s) else { return nil }
            self = d
        default: return nil
        }
    }
}

extension DateTime: ValueConvertible {
    public var dataJointValue: Value { .datetime(self) }
    public init?(dataJointValue value: Value) {
        switch value {
        case .datetime(let d): self = d
        case .date(let d): self = DateTime(date: d)!
        case .string(let s):
            guard let d = DateTime(iso: s) else { return nil }
            self = d
        default: return nil
        }
    }
}

extension Date: ValueConvertible {
    /// A `Date` is stored as its UTC wall-clock time.
    public var dataJointValue: Value { .datetime(DateTime(self)) }
    public init?(dataJointValue value: Value) {
        guard let dt = DateTime(dataJointValue: value) else { return nil }
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
        guard let date = calendar.date(from: c) else { return nil }
        self = date
    }
}

extension JSON: ValueConvertible {
    public var dataJointValue: DataJointCore.Value { .json(self) }
    public init?(dataJointValue value: DataJointCore.Value) {
        switch value {
        case .json(let j): self = j
        case .null: self = .null
        default: return nil
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
