import Foundation

/// NumPy's `.npy` file format (version 1.0, or 2.0 for very long headers), as `numpy.save` writes it: the magic
/// `\x93NUMPY`, a version, a little-endian header length, a Python-literal header
/// `{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }` padded with spaces to a multiple of 64 bytes and
/// ending in a newline, then the elements.
///
/// Numeric, bool, complex, `datetime64` and `str` (`<U…`) arrays are supported, as `<npy@>` allows no object arrays.
public enum NpyFormat {
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY

    /// The NumPy type string (`descr`) of an array: `<f8`, `|b1`, `<M8[ms]`, `<U5`, ...
    static func descr(of array: NDArray) throws -> String {
        switch array.dtype {
        case .bool: return "|b1"
        case .int8: return "|i1"
        case .uint8: return "|u1"
        case .int16: return "<i2"
        case .uint16: return "<u2"
        case .int32: return "<i4"
        case .uint32: return "<u4"
        case .int64: return "<i8"
        case .uint64: return "<u8"
        case .float32: return "<f4"
        case .float64: return "<f8"
        case .complex64: return "<c8"
        case .complex128: return "<c16"
        case .datetime64(let unit): return "<M8[\(unit.rawValue)]"
        case .unicode, .char: return "<U\(max(1, unicodeWidth(array)))"
        case .object: throw DataJointError(.invalidValue, "<npy> cannot store object arrays; use <blob@> for them")
        }
    }

    /// The name NumPy gives the dtype (`str(array.dtype)`): `float64`, `bool`, `<U5`, `datetime64[ms]`.
    public static func dtypeName(of array: NDArray) -> String {
        switch array.dtype {
        case .unicode, .char: "<U\(max(1, unicodeWidth(array)))"
        default: array.dtype.description
        }
    }

    static func unicodeWidth(_ array: NDArray) -> Int {
        (array.strings ?? []).map { $0.unicodeScalars.count }.max() ?? 0
    }

    /// The `.npy` bytes of `array`, identical to what `numpy.save(file, array, allow_pickle=False)` writes.
    public static func encode(_ array: NDArray) throws -> Data {
        let descr = try descr(of: array)
        let shape: String
        switch array.shape.count {
        case 0: shape = "()"
        case 1: shape = "(\(array.shape[0]),)"
        default: shape = "(" + array.shape.map(String.init).joined(separator: ", ") + ")"
        }
        var header = Array("{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }".utf8)
        // Total of magic (6) + version (2) + length field + header, padded to a multiple of 64 with a final newline.
        var lengthBytes = 2
        if 10 + header.count + 1 > 65535 { lengthBytes = 4 }
        let prefix = 6 + 2 + lengthBytes
        let padded = (prefix + header.count + 1 + 63) / 64 * 64
        header += [UInt8](repeating: 0x20, count: padded - prefix - header.count - 1)
        header.append(0x0A)
        var data = Data(magic)
        data.append(contentsOf: lengthBytes == 2 ? [1, 0] : [2, 0])
        let length = UInt32(header.count)
        data.append(UInt8(length & 0xFF))
        data.append(UInt8((length >> 8) & 0xFF))
        if lengthBytes == 4 {
            data.append(UInt8((length >> 16) & 0xFF))
            data.append(UInt8((length >> 24) & 0xFF))
        }
        data.append(contentsOf: header)
        if let bytes = array.bytes, array.dtype != .char {
            data.append(bytes)
        } else {
            // Fixed-width UCS-4 code points, zero-padded.
            let width = max(1, unicodeWidth(array))
            for string in array.strings ?? [] {
                var scalars = string.unicodeScalars.map(\.value)
                scalars += [UInt32](repeating: 0, count: width - scalars.count)
                for scalar in scalars {
                    withUnsafeBytes(of: scalar.littleEndian) { data.append(contentsOf: $0) }
                }
            }
        }
        return data
    }

    /// What the header of a `.npy` file says: where the elements start and how to read them.
    struct Header: Sendable, Equatable {
        /// The element type as the file names it (`<f8`, `<U5`).
        var descr: String
        /// Whether the elements are in column-major (Fortran) order.
        var fortranOrder: Bool
        var shape: [Int]
        /// The offset of the first element: the length of magic, version, length field and header.
        var dataOffset: Int
        /// The byte order character of `descr` (`<`, `>`, `|`, `=`), if it has one.
        var byteOrder: Character?
        /// The dtype of numeric elements; nil for `str` elements (`<U…`).
        var dtype: DType?
        /// The bytes of one element (4 per character for `str` elements).
        var itemSize: Int
        /// The number of characters of `str` elements.
        var unicodeWidth: Int?

        /// The bytes of the elements of `shape` (nil when that overflows).
        func byteCount(of shape: [Int]) -> Int? {
            guard let count = NDArray.elementCount(shape) else { return nil }
            let (bytes, overflow) = count.multipliedReportingOverflow(by: itemSize)
            return overflow ? nil : bytes
        }

        /// Whether the elements are stored as this machine holds them (little-endian numbers in row-major order), so
        /// that they can be used without conversion.
        var isNativeLayout: Bool {
            guard let dtype, dtype != .bool, !fortranOrder else { return false }
            return byteOrder != ">" || itemSize == 1
        }
    }

    /// The bytes a header reads before it knows its own length: a first read of this many bytes usually holds the
    /// whole header.
    static let headerProbeSize = 4096

    static func failure(_ message: String) -> DataJointError {
        DataJointError(.codec, "Not a valid .npy file: \(message)")
    }

    /// The length of magic, version, length field and header of a file that starts with `prefix` (at least its first
    /// 12 bytes, or the whole file when shorter).
    static func headerLength(_ prefix: Data) throws -> Int {
        let bytes = [UInt8](prefix.prefix(12))
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else { throw failure("missing the \\x93NUMPY magic") }
        let lengthBytes: Int
        switch bytes[6] {
        case 1: lengthBytes = 2
        case 2, 3: lengthBytes = 4
        default: throw failure("unknown format version \(bytes[6])")
        }
        guard bytes.count >= 8 + lengthBytes else { throw failure("truncated header") }
        var headerLength = 0
        for i in 0..<lengthBytes { headerLength |= Int(bytes[8 + i]) << (8 * i) }
        return 8 + lengthBytes + headerLength
    }

    /// The header of a file that starts with `prefix` (at least ``headerLength(_:)`` bytes, or the whole file).
    static func header(_ prefix: Data) throws -> Header {
        let length = try headerLength(prefix)
        guard prefix.count >= length else { throw failure("truncated header") }
        let start = prefix.startIndex
        let major = prefix[start + 6]
        let textStart = major == 1 ? 10 : 12
        guard let text = String(data: prefix[(start + textStart)..<(start + length)], encoding: major == 3 ? .utf8 : .isoLatin1) else {
            throw failure("unreadable header")
        }
        let (descr, fortranOrder, shape) = try parseHeader(text, fail: failure)
        guard NDArray.elementCount(shape) != nil else { throw failure("shape \(shape) is too large") }
        var type = Substring(descr)
        let byteOrder = type.first.flatMap { "<>|=".contains($0) ? $0 : nil }
        if byteOrder != nil { type = type.dropFirst() }
        var header = Header(
            descr: descr, fortranOrder: fortranOrder, shape: shape, dataOffset: length, byteOrder: byteOrder, dtype: nil,
            itemSize: 0, unicodeWidth: nil)
        if type.hasPrefix("U") {
            guard let width = Int(type.dropFirst()), width > 0 else { throw failure("bad dtype \(descr)") }
            guard width <= Int.max / 4 else { throw failure("\(descr) elements are too large") }
            header.unicodeWidth = width
            header.itemSize = width * 4
        } else {
            guard let dtype = DType(numpyName: String(type)), let itemSize = dtype.itemSize, dtype != .char else {
                throw failure("unsupported dtype \(descr)")
            }
            header.dtype = dtype
            header.itemSize = itemSize
        }
        guard header.byteCount(of: shape) != nil else { throw failure("\(descr) elements of shape \(shape) are too large") }
        return header
    }

    /// The array in `.npy` bytes. Throws a `.codec` error for anything that is not a valid `.npy` file of a
    /// supported dtype.
    public static func decode(_ data: Data) throws -> NDArray {
        let header = try header(data)
        return try elements(data.dropFirst(header.dataOffset), header: header, shape: header.shape)
    }

    /// The array of `shape` whose elements (as `header` describes them) start `body`; for a part of a file, `shape` is
    /// that of the part (fewer rows).
    static func elements(_ body: Data, header: Header, shape: [Int]) throws -> NDArray {
        guard let count = NDArray.elementCount(shape), let size = header.byteCount(of: shape) else {
            throw failure("\(header.descr) elements of shape \(shape) are too large")
        }
        guard body.count >= size else { throw failure("truncated data") }
        if let width = header.unicodeWidth {
            var strings: [String] = []
            strings.reserveCapacity(count)
            let raw = [UInt8](body.prefix(size))
            for element in 0..<count {
                var scalars = String.UnicodeScalarView()
                for k in 0..<width {
                    let o = (element * width + k) * 4
                    var value = UInt32(raw[o]) | UInt32(raw[o + 1]) << 8 | UInt32(raw[o + 2]) << 16 | UInt32(raw[o + 3]) << 24
                    if header.byteOrder == ">" { value = value.byteSwapped }
                    if value == 0 { break }
                    guard let scalar = Unicode.Scalar(value) else { throw failure("invalid code point") }
                    scalars.append(scalar)
                }
                strings.append(String(scalars))
            }
            let array = NDArray(strings: strings, shape: header.fortranOrder ? shape.reversed() : shape)
            return header.fortranOrder ? try reorder(array, shape: shape) : array
        }
        let dtype = header.dtype!
        let itemSize = header.itemSize
        var elements = Data(body.prefix(size))
        if header.byteOrder == ">" { ByteOrder.swap(&elements, unit: dtype.isComplex ? itemSize / 2 : itemSize) }
        if !header.fortranOrder { return try NDArray(dtype: dtype, shape: shape, bytes: elements) }
        // Column-major elements are the row-major elements of the reversed shape.
        var rowMajor = Data(count: elements.count)
        rowMajor.withUnsafeMutableBytes { destination in
            elements.withUnsafeBytes { source in
                guard let to = destination.baseAddress, let from = source.baseAddress else { return }
                NDArrayLayout.reverseAxes(from: from, to: to, shape: shape.reversed(), itemSize: itemSize)
            }
        }
        return try NDArray(dtype: dtype, shape: shape, bytes: rowMajor)
    }

    /// A string array read in column-major order, put back in row-major order.
    static func reorder(_ array: NDArray, shape: [Int]) throws -> NDArray {
        let source = array.strings ?? []
        let order = NDArrayLayout.rowMajorIndicesInColumnMajorOrder(shape)
        var result = [String](repeating: "", count: source.count)
        for (columnMajorPosition, rowMajorIndex) in order.enumerated() { result[rowMajorIndex] = source[columnMajorPosition] }
        return NDArray(strings: result, shape: shape)
    }

    /// Reads `descr`, `fortran_order` and `shape` from the header's Python dictionary literal.
    static func parseHeader(_ header: String, fail: (String) -> DataJointError) throws -> (String, Bool, [Int]) {
        func value(of key: String) -> Substring? {
            guard let range = header.range(of: "'\(key)':") else { return nil }
            return header[range.upperBound...].drop(while: { $0 == " " })
        }
        guard let descrStart = value(of: "descr"), descrStart.first == "'",
            let descrEnd = descrStart.dropFirst().firstIndex(of: "'")
        else { throw fail("header has no descr") }
        let descr = String(descrStart.dropFirst()[..<descrEnd])
        guard let fortran = value(of: "fortran_order") else { throw fail("header has no fortran_order") }
        let fortranOrder: Bool
        if fortran.hasPrefix("True") {
            fortranOrder = true
        } else if fortran.hasPrefix("False") {
            fortranOrder = false
        } else {
            throw fail("bad fortran_order")
        }
        guard let shapeStart = value(of: "shape"), shapeStart.first == "(", let close = shapeStart.firstIndex(of: ")") else {
            throw fail("header has no shape")
        }
        let inner = shapeStart[shapeStart.index(after: shapeStart.startIndex)..<close]
        let shape = try inner.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .map { part -> Int in
                guard let n = Int(part.hasSuffix("L") ? String(part.dropLast()) : part), n >= 0 else { throw fail("bad shape") }
                return n
            }
        return (descr, fortranOrder, shape)
    }
}
