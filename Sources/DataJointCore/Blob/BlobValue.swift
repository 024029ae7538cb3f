import Foundation

/// Any value the DataJoint blob format carries: the Python and NumPy values DataJoint-Python packs into a `<blob>`
/// attribute, and the MATLAB values of the original mYm format.
///
/// Each case names the Python type it stands for. ``BlobEncoder`` turns a value into exactly the bytes
/// `datajoint.blob.pack` writes for the equivalent Python value, and ``BlobDecoder`` gives back what
/// `datajoint.blob.unpack` gives. Values are written with Python-like literals:
///
/// ```swift
/// let value: BlobValue = ["trial": [1, 2, 3], "rate": 30.0, "label": "left", "meta": nil]
/// //  Python: {'trial': [1, 2, 3], 'rate': 30.0, 'label': 'left', 'meta': None}
/// let samples = BlobValue.array(NDArray([0.1, 0.2, 0.3]))   // numpy.array([0.1, 0.2, 0.3])
/// ```
///
/// Equality is structural. Floating-point payloads compare by bit pattern (NaN equals itself, `-0.0` differs from
/// `0.0`) so that `Hashable` holds; `.int` and `.bigInt` holding the same number are equal; a ``set(_:)`` compares
/// without regard to order, while a `.dict` is an ordered list of pairs and compares in order (Python keeps and
/// stores the insertion order of dicts).
public enum BlobValue: Sendable, Hashable {
    /// Python `None`.
    case none
    /// Python `bool`.
    case bool(Bool)
    /// Python `int` within the range of `Int64`.
    case int(Int64)
    /// Python `int` beyond the range of `Int64` (the blob format allows up to 65535 bytes).
    case bigInt(BigInteger)
    /// Python `float`.
    case float(Double)
    /// Python `complex`.
    case complex(ComplexNumber<Double>)
    /// Python `str`.
    case string(String)
    /// Python `bytes` (also what `bytearray` packs to).
    case bytes(Data)
    /// A NumPy `ndarray`; a 0-dimensional one stands for a NumPy scalar such as `numpy.int64(-5)`.
    case array(NDArray)
    /// Python `list`.
    case list([BlobValue])
    /// Python `tuple`.
    case tuple([BlobValue])
    /// Python `set` (or `frozenset`).
    case set([BlobValue])
    /// Python `dict`: key-value pairs in insertion order; keys may be any value Python can hash.
    case dict([(key: BlobValue, value: BlobValue)])
    /// Python `datetime.datetime` (naive: no time zone).
    indirect case datetime(DateTime)
    /// Python `datetime.date`.
    indirect case date(CalendarDate)
    /// Python `datetime.time` (naive: no time zone).
    indirect case time(TimeOfDay)
    /// Python `uuid.UUID`.
    case uuid(UUID)
    /// Python `decimal.Decimal`, as its exact text (`"3.14"`, `"1E+2"`, `"NaN"`).
    case decimal(String)
    /// A MATLAB struct array (`datajoint.MatStruct`).
    indirect case matStruct(MatStruct)
    /// A MATLAB cell array (`datajoint.MatCell`).
    indirect case cell(MatCell)
    /// A NumPy structured array or `recarray`.
    indirect case recordArray(RecordArray)

    // MARK: - Building values

    /// A NumPy scalar (a 0-dimensional array), e.g. `BlobValue.scalar(Float(2))` for `numpy.float32(2.0)`.
    public static func scalar<T: NDArrayElement>(_ value: T) -> BlobValue {
        .array(NDArray(scalar: value))
    }

    /// A Python `int`: `.int` when it fits in `Int64`, `.bigInt` otherwise.
    public static func integer(_ value: BigInteger) -> BlobValue {
        if let small = value.int64Value { return .int(small) }
        return .bigInt(value)
    }

    /// A Python `dict` with string keys, in the order given.
    public static func dict(_ pairs: KeyValuePairs<String, BlobValue>) -> BlobValue {
        .dict(pairs.map { (key: BlobValue.string($0.key), value: $0.value) })
    }

    /// A Python `decimal.Decimal` of the same value as `value`.
    public static func decimal(_ value: Decimal) -> BlobValue {
        .decimal(value.description)
    }

    // MARK: - Reading values

    /// True for `.none`.
    public var isNone: Bool {
        if case .none = self { return true }
        return false
    }

    /// The value of `.bool` or of a 0-dimensional bool array.
    public var boolValue: Bool? {
        switch self {
        case .bool(let b): return b
        case .array(let a) where a.isScalar && a.dtype == .bool: return a.values(as: Bool.self)[0]
        default: return nil
        }
    }

    /// The value of `.int`, of a `.bigInt` that fits, or of a 0-dimensional integer array that fits.
    public var intValue: Int64? {
        switch self {
        case .int(let v): return v
        case .bigInt(let v): return v.int64Value
        case .array(let a) where a.isScalar:
            switch a.element(flatIndex: 0) {
            case .int(let v): return v
            default: return nil
            }
        default: return nil
        }
    }

    /// The value of `.float`, `.int`, `.bigInt` (nearest `Double`) or a 0-dimensional real numeric array.
    public var doubleValue: Double? {
        switch self {
        case .float(let v): return v
        case .int(let v): return Double(v)
        case .bigInt(let v): return Double(v.description)
        case .array(let a) where a.isScalar:
            switch a.element(flatIndex: 0) {
            case .float(let v): return v
            case .int(let v): return Double(v)
            case .bigInt(let v): return Double(v.description)
            default: return nil
            }
        default: return nil
        }
    }

    /// The text of `.string`, or of a one-element `str` array: what DataJoint-Python makes of a MATLAB `char` row.
    public var stringValue: String? {
        switch self {
        case .string(let s): return s
        case .array(let a) where a.count == 1 && (a.dtype == .unicode || a.dtype == .object):
            return a.strings?.first
        default: return nil
        }
    }

    /// The array of `.array`.
    public var arrayValue: NDArray? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The elements of a list, tuple or set, or of a cell array (row-major).
    public var items: [BlobValue]? {
        switch self {
        case .list(let v), .tuple(let v), .set(let v): v
        case .cell(let c): c.elements
        default: nil
        }
    }

    /// The pairs of a dict.
    public var dictItems: [(key: BlobValue, value: BlobValue)]? {
        if case .dict(let pairs) = self { return pairs }
        return nil
    }

    /// The value for a string key of a dict (the last pair with that key), or a field of a struct with one record.
    public subscript(key: String) -> BlobValue? {
        switch self {
        case .dict(let pairs): return pairs.last { $0.key == .string(key) }?.value
        case .matStruct(let s) where s.count == 1: return s[0, key]
        default: return nil
        }
    }

    /// The element at `index` of a list, tuple, cell (row-major) or 1-dimensional array, or `nil` if out of range.
    public subscript(index: Int) -> BlobValue? {
        switch self {
        case .list(let v), .tuple(let v):
            return v.indices.contains(index) ? v[index] : nil
        case .cell(let c):
            return c.elements.indices.contains(index) ? c.elements[index] : nil
        case .array(let a) where a.ndim == 1:
            return (0..<a.count).contains(index) ? a.element(flatIndex: index) : nil
        default: return nil
        }
    }

    /// The Python type name of the value (`int`, `ndarray`, `MatStruct`, …), for messages.
    public var pythonTypeName: String {
        switch self {
        case .none: "NoneType"
        case .bool: "bool"
        case .int, .bigInt: "int"
        case .float: "float"
        case .complex: "complex"
        case .string: "str"
        case .bytes: "bytes"
        case .array(let a): a.isScalar ? "numpy.\(a.dtype)" : "ndarray"
        case .list: "list"
        case .tuple: "tuple"
        case .set: "set"
        case .dict: "dict"
        case .datetime: "datetime"
        case .date: "date"
        case .time: "time"
        case .uuid: "UUID"
        case .decimal: "Decimal"
        case .matStruct: "MatStruct"
        case .cell: "MatCell"
        case .recordArray: "recarray"
        }
    }
}

extension BlobValue: CustomStringConvertible {
    /// A Python-like rendering of the value, for messages and debugging.
    public var description: String {
        switch self {
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let v): return String(v)
        case .bigInt(let v): return v.description
        case .float(let v): return v.isNaN ? "nan" : v.isInfinite ? (v < 0 ? "-inf" : "inf") : String(v)
        case .complex(let c): return c.description
        case .string(let s): return "'\(s)'"
        case .bytes(let d): return "b<\(d.count) bytes>"
        case .array(let a): return a.description
        case .list(let v): return "[" + v.map(\.description).joined(separator: ", ") + "]"
        case .tuple(let v): return "(" + v.map(\.description).joined(separator: ", ") + (v.count == 1 ? ",)" : ")")
        case .set(let v): return v.isEmpty ? "set()" : "{" + v.map(\.description).joined(separator: ", ") + "}"
        case .dict(let pairs): return "{" + pairs.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        case .datetime(let d): return "datetime(\(d.formatted(fractionalDigits: d.microsecond == 0 ? 0 : 6)))"
        case .date(let d): return "date(\(d))"
        case .time(let t): return "time(\(t))"
        case .uuid(let u): return "UUID('\(u.uuidString.lowercased())')"
        case .decimal(let s): return "Decimal('\(s)')"
        case .matStruct(let s): return "MatStruct(shape: \(s.shape), fields: \(s.fieldNames))"
        case .cell(let c): return "MatCell(shape: \(c.shape), " + c.elements.map(\.description).joined(separator: ", ") + ")"
        case .recordArray(let r): return "recarray(shape: \(r.shape), fields: \(r.names))"
        }
    }
}
