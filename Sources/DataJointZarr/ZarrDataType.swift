import DataJointCore

/// The element type of a Zarr array as its metadata names it: a `DType` and the byte order of the stored chunks.
///
/// Zarr v3 names types as NumPy does (`float64`, `uint8`, `bool`, `complex128`) and puts the byte order in the
/// `bytes` codec; Zarr v2 uses NumPy's type strings, with the byte order in front (`<f8`, `>i4`, `|b1`).
struct ZarrDataType: Sendable, Hashable {
    var dtype: DType
    /// True when the chunks hold big-endian elements (NDArray is little-endian).
    var bigEndian: Bool

    /// The element types a Zarr array of this module can hold.
    static let supported: [DType] = [
        .bool, .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64, .float32, .float64, .complex64,
        .complex128,
    ]

    /// The supported types, for messages: "bool, int8, ..., complex128".
    static var supportedNames: String { supported.map(\.description).joined(separator: ", ") }

    static func isSupported(_ dtype: DType) -> Bool { supported.contains(dtype) }

    var itemSize: Int { dtype.itemSize! }

    /// The size of the units whose bytes a big-endian chunk has in reverse: the element, or each half of a complex.
    var swapUnit: Int { dtype.isComplex ? itemSize / 2 : itemSize }

    /// A Zarr v3 `data_type` (`float64`); the byte order comes from the `bytes` codec.
    init(v3 name: String, bigEndian: Bool) throws {
        guard let dtype = DType(numpyName: name), Self.isSupported(dtype), !"<>|=".contains(name.first ?? " ") else {
            throw ZarrDataType.unsupported(name)
        }
        self.dtype = dtype
        self.bigEndian = bigEndian && dtype.itemSize! > 1
    }

    /// A Zarr v2 `dtype`: a NumPy type string such as `<f8`, `>i4`, `|b1`.
    init(v2 typestr: String) throws {
        guard let dtype = DType(numpyName: typestr), Self.isSupported(dtype) else {
            throw ZarrDataType.unsupported(typestr)
        }
        self.dtype = dtype
        bigEndian = typestr.hasPrefix(">") && dtype.itemSize! > 1
    }

    init(_ dtype: DType) {
        self.dtype = dtype
        bigEndian = false
    }

    static func unsupported(_ name: String) -> DataJointError {
        DataJointError(.codec, "the Zarr data type `\(name)` is not supported; supported: \(supportedNames)")
    }

    /// The name Zarr v3 writes: NumPy's name of the type.
    var v3Name: String { dtype.description }

    /// The name `dtype` has in DataJoint-Python's column metadata, `str(numpy.dtype)`: `float64` for the native
    /// little-endian types, `>f8` for big-endian ones.
    var numpyName: String {
        guard bigEndian else { return dtype.description }
        return ">" + Self.typeCode(dtype) + String(itemSize)
    }

    /// NumPy's kind letter: `f` for floats, `i`/`u` for integers, `c` for complex, `b` for bool.
    static func typeCode(_ dtype: DType) -> String {
        switch dtype {
        case .bool: "b"
        case .int8, .int16, .int32, .int64: "i"
        case .uint8, .uint16, .uint32, .uint64: "u"
        case .float32, .float64: "f"
        case .complex64, .complex128: "c"
        default: "?"
        }
    }
}
