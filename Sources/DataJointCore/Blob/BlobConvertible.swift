import Foundation

/// A Swift type that converts to and from a ``BlobValue``, so that it can be stored in a `<blob>` attribute.
///
/// Each conversion gives what a DataJoint-Python user would store for the equivalent Python value:
///
/// | Swift | Python |
/// | --- | --- |
/// | `Int`, `Int64`, `Int32`, …, `UInt64`, ``BigInteger`` | `int` |
/// | `Double`, `Float` | `float` |
/// | ``ComplexNumber`` | `complex` |
/// | `Bool` | `bool` |
/// | `String` | `str` |
/// | `Data` | `bytes` |
/// | `[Double]`, `[Float]`, `[Int]`, `[Int32]`, `[UInt8]`, `[Bool]`, … (arrays of ``NDArrayElement``) | 1-D `numpy.ndarray` of the matching dtype |
/// | ``NDArray`` | `numpy.ndarray` |
/// | `[String]`, `[BlobValue]`, arrays of other convertible types | `list` |
/// | `[String: T]` | `dict` (keys sorted, so that equal dictionaries give equal blobs) |
/// | `Set<T>` | `set` |
/// | `Optional<T>` | `None` or the wrapped value |
/// | `Date` | naive `datetime.datetime` of the instant in UTC |
/// | ``DateTime``, ``CalendarDate``, ``TimeOfDay`` | `datetime.datetime`, `datetime.date`, `datetime.time` |
/// | `UUID` | `uuid.UUID` |
/// | `Decimal` | `decimal.Decimal` |
/// | ``MatStruct``, ``MatCell``, ``RecordArray`` | `MatStruct`, `MatCell`, `numpy.recarray` |
///
/// Arrays of numbers become NumPy arrays because that is what DataJoint users store and what their Python code
/// expects back; build `.list(…)` explicitly to store a Python list of numbers.
public protocol BlobConvertible {
    /// The blob value of this Swift value.
    var blobValue: BlobValue { get }

    /// Reads a Swift value back from a decoded blob value, or returns `nil` if the value does not have this form.
    init?(blobValue: BlobValue)

    /// The blob value of an array of this type. The default is a Python `list`; ``NDArrayElement`` types give a 1-D
    /// NumPy array.
    static func blobValue(forArray elements: [Self]) -> BlobValue

    /// Reads an array of this type back from a blob value, or returns `nil`. The default accepts a list or tuple (and
    /// a 1-D object array) whose elements all convert.
    static func array(fromBlobValue value: BlobValue) -> [Self]?
}

extension BlobConvertible {
    public static func blobValue(forArray elements: [Self]) -> BlobValue {
        .list(elements.map(\.blobValue))
    }

    public static func array(fromBlobValue value: BlobValue) -> [Self]? {
        let items: [BlobValue]
        switch value {
        case .list(let v), .tuple(let v): items = v
        case .array(let a) where a.ndim == 1 && !a.dtype.isNumeric: items = a.elements
        default: return nil
        }
        var out: [Self] = []
        out.reserveCapacity(items.count)
        for item in items {
            guard let v = Self(blobValue: item) else { return nil }
            out.append(v)
        }
        return out
    }
}

extension BlobConvertible where Self: NDArrayElement {
    public static func blobValue(forArray elements: [Self]) -> BlobValue {
        .array(NDArray(elements))
    }

    /// Accepts a numeric array shaped as a vector (at most one axis longer than 1, so MATLAB row and column vectors
    /// too), converted as ``NDArray/values(as:)`` does except that complex values do not become real; or a list or
    /// tuple of convertible values.
    public static func array(fromBlobValue value: BlobValue) -> [Self]? {
        if case .array(let a) = value, a.dtype.isNumeric, a.dtype != .char,
            a.shape.filter({ $0 != 1 }).count <= 1, !(a.dtype.isComplex && !Self.dtype.isComplex)
        {
            return a.values(as: Self.self)
        }
        let items: [BlobValue]
        switch value {
        case .list(let v), .tuple(let v): items = v
        default: return nil
        }
        var out: [Self] = []
        out.reserveCapacity(items.count)
        for item in items {
            guard let v = Self(blobValue: item) else { return nil }
            out.append(v)
        }
        return out
    }
}

extension BlobValue {
    /// The blob value of a Swift value (see ``BlobConvertible`` for what each type becomes).
    public init<T: BlobConvertible>(_ value: T) {
        self = value.blobValue
    }

    /// The value as a Swift type, or `nil` if it does not have that form.
    public func decode<T: BlobConvertible>(as type: T.Type = T.self) -> T? {
        T(blobValue: self)
    }
}

extension BlobValue: BlobConvertible {
    public var blobValue: BlobValue { self }
    public init?(blobValue: BlobValue) { self = blobValue }
}

extension Bool: BlobConvertible {
    public var blobValue: BlobValue { .bool(self) }
    public init?(blobValue: BlobValue) {
        guard let v = blobValue.boolValue else { return nil }
        self = v
    }
}

/// Integers convert to Python `int`; reading back requires an integer that fits.
public protocol BlobConvertibleInteger: BlobConvertible, FixedWidthInteger {}

extension BlobConvertibleInteger {
    public var blobValue: BlobValue {
        if let v = Int64(exactly: self) { return .int(v) }
        return .bigInt(BigInteger(UInt64(self)))
    }

    public init?(blobValue: BlobValue) {
        if let v = blobValue.intValue, let exact = Self(exactly: v) {
            self = exact
        } else if case .bigInt(let big) = blobValue, !big.isNegative, big.bitLength <= 64,
            let u = UInt64(big.description), let exact = Self(exactly: u)
        {
            self = exact
        } else if case .array(let a) = blobValue, a.isScalar, a.dtype == .uint64,
            let exact = Self(exactly: a.values(as: UInt64.self)[0])
        {
            self = exact
        } else {
            return nil
        }
    }
}

extension Int: BlobConvertibleInteger {}
extension Int8: BlobConvertibleInteger {}
extension Int16: BlobConvertibleInteger {}
extension Int32: BlobConvertibleInteger {}
extension Int64: BlobConvertibleInteger {}
extension UInt: BlobConvertibleInteger {}
extension UInt8: BlobConvertibleInteger {}
extension UInt16: BlobConvertibleInteger {}
extension UInt32: BlobConvertibleInteger {}
extension UInt64: BlobConvertibleInteger {}

extension BigInteger: BlobConvertible {
    public var blobValue: BlobValue { .integer(self) }
    public init?(blobValue: BlobValue) {
        switch blobValue {
        case .int(let v): self.init(v)
        case .bigInt(let v): self = v
        default: return nil
        }
    }
}

extension Double: BlobConvertible {
    public var blobValue: BlobValue { .float(self) }
    public init?(blobValue: BlobValue) {
        guard let v = blobValue.doubleValue else { return nil }
        self = v
    }
}

extension Float: BlobConvertible {
    /// A Python `float` (Python has no 32-bit float; use `BlobValue.scalar(Float(x))` for `numpy.float32`).
    public var blobValue: BlobValue { .float(Double(self)) }
    public init?(blobValue: BlobValue) {
        guard let v = blobValue.doubleValue else { return nil }
        self = Float(v)
    }
}

extension ComplexNumber: BlobConvertible where Real: ComplexNumberComponent {
    public var blobValue: BlobValue { .complex(ComplexNumber<Double>(Double(real), Double(imaginary))) }
    public init?(blobValue: BlobValue) {
        switch blobValue {
        case .complex(let c): self.init(Real(c.real), Real(c.imaginary))
        case .array(let a) where a.isScalar && a.dtype.isNumeric && a.dtype != .char:
            self = a.values(as: ComplexNumber<Real>.self)[0]
        default:
            guard let v = blobValue.doubleValue else { return nil }
            self.init(Real(v), 0)
        }
    }
}

extension String: BlobConvertible {
    public var blobValue: BlobValue { .string(self) }
    public init?(blobValue: BlobValue) {
        guard let v = blobValue.stringValue else { return nil }
        self = v
    }
}

extension Data: BlobConvertible {
    public var blobValue: BlobValue { .bytes(self) }
    public init?(blobValue: BlobValue) {
        guard case .bytes(let d) = blobValue else { return nil }
        self = d
    }
}

extension UUID: BlobConvertible {
    public var blobValue: BlobValue { .uuid(self) }
    public init?(blobValue: BlobValue) {
        guard case .uuid(let u) = blobValue else { return nil }
        self = u
    }
}

extension Decimal: BlobConvertible {
    public var blobValue: BlobValue { .decimal(description) }
    public init?(blobValue: BlobValue) {
        guard case .decimal(let text) = blobValue, let d = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
        else { return nil }
        self = d
    }
}

extension CalendarDate: BlobConvertible {
    public var blobValue: BlobValue { .date(self) }
    public init?(blobValue: BlobValue) {
        switch blobValue {
        case .date(let d): self = d
        case .datetime(let d): self = d.date
        default: return nil
        }
    }
}

extension DateTime: BlobConvertible {
    public var blobValue: BlobValue { .datetime(self) }
    public init?(blobValue: BlobValue) {
        switch blobValue {
        case .datetime(let d): self = d
        case .date(let d): self.init(date: d)!
        default: return nil
        }
    }
}

extension TimeOfDay: BlobConvertible {
    public var blobValue: BlobValue { .time(self) }
    public init?(blobValue: BlobValue) {
        guard case .time(let t) = blobValue else { return nil }
        self = t
    }
}

extension Date: BlobConvertible {
    /// The instant as a naive `datetime.datetime` in UTC, to the microsecond.
    public var blobValue: BlobValue { .datetime(DateTime(self)) }

    /// A `datetime` (or a `date`, at midnight) read as UTC.
    public init?(blobValue: BlobValue) {
        let dt: DateTime
        switch blobValue {
        case .datetime(let d): dt = d
        case .date(let d): dt = DateTime(date: d)!
        default: return nil
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(
            year: dt.date.year, month: dt.date.month, day: dt.date.day, hour: dt.hour, minute: dt.minute,
            second: dt.second)
        guard let whole = calendar.date(from: components) else { return nil }
        self = whole.addingTimeInterval(Double(dt.microsecond) / 1_000_000)
    }
}

extension NDArray: BlobConvertible {
    public var blobValue: BlobValue { .array(self) }
    public init?(blobValue: BlobValue) {
        guard case .array(let a) = blobValue else { return nil }
        self = a
    }
}

extension MatStruct: BlobConvertible {
    public var blobValue: BlobValue { .matStruct(self) }
    public init?(blobValue: BlobValue) {
        guard case .matStruct(let s) = blobValue else { return nil }
        self = s
    }
}

extension MatCell: BlobConvertible {
    public var blobValue: BlobValue { .cell(self) }
    public init?(blobValue: BlobValue) {
        guard case .cell(let c) = blobValue else { return nil }
        self = c
    }
}

extension RecordArray: BlobConvertible {
    public var blobValue: BlobValue { .recordArray(self) }
    public init?(blobValue: BlobValue) {
        guard case .recordArray(let r) = blobValue else { return nil }
        self = r
    }
}

extension Optional: BlobConvertible where Wrapped: BlobConvertible {
    public var blobValue: BlobValue { self?.blobValue ?? .none }
    public init?(blobValue: BlobValue) {
        if blobValue.isNone {
            self = .none
        } else if let v = Wrapped(blobValue: blobValue) {
            self = .some(v)
        } else {
            return nil
        }
    }
}

extension Array: BlobConvertible where Element: BlobConvertible {
    public var blobValue: BlobValue { Element.blobValue(forArray: self) }
    public init?(blobValue: BlobValue) {
        guard let v = Element.array(fromBlobValue: blobValue) else { return nil }
        self = v
    }
}

extension Dictionary: BlobConvertible where Key == String, Value: BlobConvertible {
    /// A Python `dict` with the keys in sorted order.
    public var blobValue: BlobValue {
        .dict(keys.sorted().map { (key: .string($0), value: self[$0]!.blobValue) })
    }

    /// Reads a dict whose keys are all strings and whose values all convert.
    public init?(blobValue: BlobValue) {
        guard case .dict(let pairs) = blobValue else { return nil }
        var out: [String: Value] = [:]
        for pair in pairs {
            guard case .string(let key) = pair.key, let v = Value(blobValue: pair.value) else { return nil }
            out[key] = v
        }
        self = out
    }
}

extension Set: BlobConvertible where Element: BlobConvertible {
    public var blobValue: BlobValue { .set(map(\.blobValue)) }
    public init?(blobValue: BlobValue) {
        guard case .set(let items) = blobValue else { return nil }
        var out = Set<Element>()
        for item in items {
            guard let v = Element(blobValue: item) else { return nil }
            out.insert(v)
        }
        self = out
    }
}
