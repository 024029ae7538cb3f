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
        switch value {
        case .list(let items), .tuple(let items): converting(items)
        case .array(let a) where a.ndim == 1 && !a.dtype.isNumeric: converting(a.elements)
        default: nil
        }
    }

    /// Each of `items` as this type, or `nil` if one does not convert.
    static func converting(_ items: [BlobValue]) -> [Self]? {
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
        switch value {
        case .array(let a)
        where a.dtype.isNumeric && a.dtype != .char && a.shape.filter({ $0 != 1 }).count <= 1
            && !(a.dtype.isComplex && !Self.dtype.isComplex):
            a.values(as: Self.self)
        case .list(let items), .tuple(let items): converting(items)
        default: nil
        }
    }
}

/// A ``BlobConvertible`` type that reads a blob value with one function, ``read(_:)``, so that its conformance states
/// the conversion as an expression and the failable initializer is written once, here.
protocol BlobReadable: BlobConvertible {
    /// The Swift value of `value`, or `nil` if the value does not have this form.
    static func read(_ value: BlobValue) -> Self?
}

extension BlobReadable {
    public init?(blobValue: BlobValue) {
        guard let value = Self.read(blobValue) else { return nil }
        self = value
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

extension Bool: BlobConvertible, BlobReadable {
    public var blobValue: BlobValue { .bool(self) }
    static func read(_ value: BlobValue) -> Bool? { value.boolValue }
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

extension BigInteger: BlobConvertible, BlobReadable {
    public var blobValue: BlobValue { .integer(self) }
    static func read(_ value: BlobValue) -> BigInteger? {
        switch value {
        case .int(let v): BigInteger(v)
        case .bigInt(let v): v
        default: nil
        }
    }
}

extension Double: BlobConvertible, BlobReadable {
    public var blobValue: BlobValue { .float(self) }
    static func read(_ value: BlobValue) -> Double? { value.doubleValue }
}

extension Float: BlobConvertible, BlobReadable {
    /// A Python `float` (Python has no 32-bit float; use `BlobValue.scalar(Float(x))` for `numpy.float32`).
    public var blobValue: BlobValue { .float(Double(self)) }
    static func read(_ value: BlobValue) -> Float? { value.doubleValue.map { Float($0) } }
}

extension ComplexNumber: BlobConvertible, BlobReadable where Real: ComplexNumberComponent {
    public var blobValue: BlobValue { .complex(ComplexNumber<Double>(Double(real), Double(imaginary))) }
    static func read(_ value: BlobValue) -> ComplexNumber? {
        switch value {
        case .complex(let c): ComplexNumber(Real(c.real), Real(c.imaginary))
        case .array(let a) where a.isScalar && a.dtype.isNumeric && a.dtype != .char:
            a.values(as: ComplexNumber<Real>.self)[0]
        default: value.doubleValue.map { ComplexNumber(Real($0), 0) }
        }
    }
}

extension String: BlobConvertible, BlobReadable {
    public var blobValue: BlobValue { .string(self) }
    static func read(_ value: BlobValue) -> String? { value.stringValue }
}

extension Data: BlobConvertible, BlobReadable {
    public var blobValue: BlobValue { .bytes(self) }
    static func read(_ value: BlobValue) -> Data? { if case .bytes(let d) = value { d } else { nil } }
}

extension UUID: BlobConvertible, BlobReadable {
    public var blobValue: BlobValue { .uuid(self) }
    static func read(_ value: BlobValue) -> UUID? { if case .uuid(let u) = value { u } else { nil } }
}

extension Decimal: BlobConvertible, BlobReadable {
    public var blobValue: BlobValue { .decimal(description) }
    static func read(_ value: BlobValue) -> Decimal? {
        guard case .decimal(let text) = value else { return nil }
        return Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
    }
}

extension CalendarDate: BlobConvertible, BlobReadable {
    public var blobValue: BlobValue { .date(self) }
    static func read(_ value: BlobValue) -> CalendarDate? {
        switch value {
        case .date(let d): d
        case .datetime(let d): d.date
        default: nil
        }
    }
}

extension DateTime: BlobConvertible, BlobReadable {
    public var blobValue: BlobValue { .datetime(self) }
    static func read(_ value: BlobValue) -> DateTime? {
        switch value {
        case .datetime(let d): d
        case .date(let d): DateTime(date: d)
        default: nil
        }
    }
}

extension TimeOfDay: BlobConvertible, BlobReadable {
    public var blobValue: BlobValue { .time(self) }
    static func read(_ value: BlobValue) -> TimeOfDay? { if case .time(let t) = value { t } else { nil } }
}

extension Date: BlobConvertible, BlobReadable {
    /// The instant as a naive `datetime.datetime` in UTC, to the microsecond.
    public var blobValue: BlobValue { .datetime(DateTime(self)) }

    /// A `datetime` (or a `date`, at midnight) read as UTC.
    static func read(_ value: BlobValue) -> Date? {
        guard let dt = DateTime(blobValue: value) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(
            year: dt.date.year, month: dt.date.month, day: dt.date.day, hour: dt.hour, minute: dt.minute,
            second: dt.second)
        guard let whole = calendar.date(from: components) else { return nil }
        return whole.addingTimeInterval(Double(dt.microsecond) / 1_000_000)
    }
}

extension NDArray: BlobConvertible, BlobReadable {
    public var blobValue: BlobValue { .array(self) }
    static func read(_ value: BlobValue) -> NDArray? { value.arrayValue }
}

extension MatStruct: BlobConvertible, BlobReadable {
    public var blobValue: BlobValue { .matStruct(self) }
    static func read(_ value: BlobValue) -> MatStruct? { if case .matStruct(let s) = value { s } else { nil } }
}

extension MatCell: BlobConvertible, BlobReadable {
    public var blobValue: BlobValue { .cell(self) }
    static func read(_ value: BlobValue) -> MatCell? { if case .cell(let c) = value { c } else { nil } }
}

extension RecordArray: BlobConvertible, BlobReadable {
    public var blobValue: BlobValue { .recordArray(self) }
    static func read(_ value: BlobValue) -> RecordArray? { if case .recordArray(let r) = value { r } else { nil } }
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

extension Array: BlobConvertible, BlobReadable where Element: BlobConvertible {
    public var blobValue: BlobValue { Element.blobValue(forArray: self) }
    static func read(_ value: BlobValue) -> [Element]? { Element.array(fromBlobValue: value) }
}

extension Dictionary: BlobConvertible, BlobReadable where Key == String, Value: BlobConvertible {
    /// A Python `dict` with the keys in sorted order.
    public var blobValue: BlobValue {
        .dict(keys.sorted().map { (key: .string($0), value: self[$0]!.blobValue) })
    }

    /// Reads a dict whose keys are all strings and whose values all convert.
    static func read(_ value: BlobValue) -> [String: Value]? {
        guard case .dict(let pairs) = value else { return nil }
        var out: [String: Value] = [:]
        for pair in pairs {
            guard case .string(let key) = pair.key, let v = Value(blobValue: pair.value) else { return nil }
            out[key] = v
        }
        return out
    }
}

extension Set: BlobConvertible, BlobReadable where Element: BlobConvertible {
    public var blobValue: BlobValue { .set(map(\.blobValue)) }
    static func read(_ value: BlobValue) -> Set? {
        guard case .set(let items) = value else { return nil }
        return Element.converting(items).map { Set($0) }
    }
}
