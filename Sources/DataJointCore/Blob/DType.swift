/// The element type of an ``NDArray``, named as NumPy names it.
///
/// Numeric, boolean and `datetime64` arrays keep their elements in a contiguous byte buffer (little-endian, row-major).
/// ``unicode`` arrays hold Swift strings, ``object`` arrays hold ``BlobValue``s, and ``char`` arrays hold the UTF-16
/// code units of a MATLAB `char` array.
public enum DType: Sendable, Hashable, CustomStringConvertible {
    /// NumPy `bool` (one byte, 0 or 1); MATLAB `logical`.
    case bool
    /// NumPy `int8`.
    case int8
    /// NumPy `int16`.
    case int16
    /// NumPy `int32`.
    case int32
    /// NumPy `int64`.
    case int64
    /// NumPy `uint8`.
    case uint8
    /// NumPy `uint16`.
    case uint16
    /// NumPy `uint32`.
    case uint32
    /// NumPy `uint64`.
    case uint64
    /// NumPy `float32`; MATLAB `single`.
    case float32
    /// NumPy `float64`; MATLAB `double`.
    case float64
    /// NumPy `complex64`: two `float32` (real, imaginary).
    case complex64
    /// NumPy `complex128`: two `float64` (real, imaginary).
    case complex128
    /// NumPy `datetime64[unit]`: a signed 64-bit count of `unit`s since 1970-01-01T00:00.
    case datetime64(DateTimeUnit)
    /// A MATLAB `char` array: one UTF-16 code unit per element. DataJoint-Python reads these as `str` arrays, and so
    /// does ``BlobDecoder`` (it returns ``unicode`` arrays); build one to write MATLAB-compatible text.
    case char
    /// A NumPy `str` array (`<U…`): one `String` per element. It is stored in a blob as an object array of `str`, so
    /// it reads back as an ``object`` array of ``BlobValue/string(_:)``, exactly as in DataJoint-Python.
    case unicode
    /// A NumPy `object` array: one ``BlobValue`` per element.
    case object

    /// The units of NumPy `datetime64`.
    public enum DateTimeUnit: String, Sendable, Hashable, CaseIterable {
        case years = "Y", months = "M", weeks = "W", days = "D", hours = "h", minutes = "m", seconds = "s"
        case milliseconds = "ms", microseconds = "us", nanoseconds = "ns", picoseconds = "ps", femtoseconds = "fs"
        case attoseconds = "as"
    }

    /// The size in bytes of one element in the byte buffer, or `nil` for ``unicode`` and ``object`` arrays, whose
    /// elements are Swift values.
    public var itemSize: Int? {
        switch self {
        case .bool, .int8, .uint8: 1
        case .int16, .uint16, .char: 2
        case .int32, .uint32, .float32: 4
        case .int64, .uint64, .float64, .complex64, .datetime64: 8
        case .complex128: 16
        case .unicode, .object: nil
        }
    }

    /// True for the types whose elements live in the byte buffer (everything but ``unicode`` and ``object``).
    public var isNumeric: Bool { itemSize != nil }

    /// True for ``complex64`` and ``complex128``.
    public var isComplex: Bool { self == .complex64 || self == .complex128 }

    /// The NumPy name: `float64`, `datetime64[ms]`, `<U` for ``unicode``, `object`, and `char` (MATLAB).
    public var description: String {
        switch self {
        case .bool: "bool"
        case .int8: "int8"
        case .int16: "int16"
        case .int32: "int32"
        case .int64: "int64"
        case .uint8: "uint8"
        case .uint16: "uint16"
        case .uint32: "uint32"
        case .uint64: "uint64"
        case .float32: "float32"
        case .float64: "float64"
        case .complex64: "complex64"
        case .complex128: "complex128"
        case .datetime64(let unit): "datetime64[\(unit.rawValue)]"
        case .char: "char"
        case .unicode: "<U"
        case .object: "object"
        }
    }

    /// Parses a NumPy dtype name such as `float64`, `<f8`, `int32`, `bool`, `complex128`, `datetime64[ns]`, `object`,
    /// `<U3` or `str`. Returns `nil` for names that have no ``DType``.
    public init?(numpyName name: String) {
        var text = name
        if let first = text.first, "<>=|".contains(first) { text.removeFirst() }
        switch text {
        case "bool", "b1", "?": self = .bool
        case "int8", "i1": self = .int8
        case "int16", "i2": self = .int16
        case "int32", "i4": self = .int32
        case "int64", "i8": self = .int64
        case "uint8", "u1": self = .uint8
        case "uint16", "u2": self = .uint16
        case "uint32", "u4": self = .uint32
        case "uint64", "u8": self = .uint64
        case "float32", "f4": self = .float32
        case "float64", "f8", "float": self = .float64
        case "complex64", "c8": self = .complex64
        case "complex128", "c16", "complex": self = .complex128
        case "object", "O": self = .object
        case "char", "S1", "c": self = .char
        case "str", "U": self = .unicode
        default:
            if text.hasPrefix("U"), Int(text.dropFirst()) != nil {
                self = .unicode
            } else if let open = text.firstIndex(of: "["), text.hasSuffix("]"),
                text[..<open] == "datetime64" || text[..<open] == "M8",
                let unit = DateTimeUnit(rawValue: String(text[text.index(after: open)..<text.index(before: text.endIndex)]))
            {
                self = .datetime64(unit)
            } else {
                return nil
            }
        }
    }
}
