import Foundation

/// An n-dimensional array as NumPy has it: a ``DType``, a shape, and the elements in row-major (C) order.
///
/// Numeric, boolean, `datetime64` and MATLAB `char` arrays keep their elements in one contiguous little-endian byte
/// buffer, so building an array from `[Double]`, reading it back with ``values(as:)`` and writing it to a blob are bulk
/// copies. `str` arrays (``DType/unicode``) hold `String`s and `object` arrays hold ``BlobValue``s.
///
/// ```swift
/// let m = NDArray([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], shape: [2, 3])
/// m[1, 2]                          // 6.0
/// m.values(as: Double.self)        // [1, 2, 3, 4, 5, 6]
/// let s = NDArray(scalar: Int64(-5))   // a NumPy scalar: shape []
/// ```
///
/// Two arrays are equal when dtype, shape and element bytes are equal: floating-point elements compare by bit
/// pattern, so a NaN equals itself and `-0.0` differs from `0.0`.
public struct NDArray: Sendable, Hashable, CustomStringConvertible {
    /// The element type.
    public let dtype: DType
    /// The length of each axis; `[]` for a 0-dimensional array (a NumPy scalar).
    public let shape: [Int]
    let storage: Storage

    /// Where the elements are.
    enum Storage: Sendable, Hashable {
        /// Numeric, bool, datetime64 and char elements, row-major, little-endian.
        case bytes(Data)
        /// `str` elements, row-major.
        case strings([String])
        /// `object` elements, row-major.
        case objects([BlobValue])
    }

    init(dtype: DType, shape: [Int], storage: Storage) {
        self.dtype = dtype
        self.shape = shape
        self.storage = storage
    }

    /// The number of elements: the product of ``shape`` (1 for a 0-dimensional array).
    public var count: Int { NDArray.elementCount(shape) ?? 0 }

    /// The number of axes.
    public var ndim: Int { shape.count }

    /// True for a 0-dimensional array, which is how NumPy scalars (`numpy.int64(-5)`) are stored.
    public var isScalar: Bool { shape.isEmpty }

    /// The product of `shape`, or `nil` if an axis is negative or the product overflows `Int`.
    static func elementCount(_ shape: [Int]) -> Int? {
        if shape.contains(0) { return shape.allSatisfy { $0 >= 0 } ? 0 : nil }
        var product = 1
        for dim in shape {
            guard dim >= 0 else { return nil }
            let (p, overflow) = product.multipliedReportingOverflow(by: dim)
            if overflow { return nil }
            product = p
        }
        return product
    }

    private static func checkedShape(_ shape: [Int]?, count: Int) -> [Int] {
        guard let shape else { return [count] }
        precondition(elementCount(shape) == count, "shape \(shape) does not hold \(count) elements")
        return shape
    }

    // MARK: - Creating arrays

    /// An array of the given elements in row-major order. With no `shape`, a 1-dimensional array.
    ///
    /// The dtype follows the element type: `[Double]` gives `float64`, `[Int]` gives `int64`, `[Bool]` gives `bool`,
    /// `[ComplexNumber<Double>]` gives `complex128`. Traps if `shape` does not hold `values.count` elements.
    public init<T: NDArrayElement>(_ values: [T], shape: [Int]? = nil) {
        precondition(MemoryLayout<T>.stride == T.dtype.itemSize, "\(T.self) does not have the layout of \(T.dtype)")
        self.shape = NDArray.checkedShape(shape, count: values.count)
        dtype = T.dtype
        storage = .bytes(values.withUnsafeBytes { Data($0) })
    }

    /// A 0-dimensional array holding one value: a NumPy scalar such as `numpy.float32(2.0)`.
    public init<T: NDArrayElement>(scalar: T) {
        self.init([scalar], shape: [])
    }

    /// A `str` array (NumPy `<U`). Blobs store it as an object array of `str`, which is what reading it back gives.
    /// Traps if `shape` does not hold `strings.count` elements.
    public init(strings: [String], shape: [Int]? = nil) {
        self.shape = NDArray.checkedShape(shape, count: strings.count)
        dtype = .unicode
        storage = .strings(strings)
    }

    /// An `object` array: each element is any ``BlobValue``. Traps if `shape` does not hold `objects.count` elements.
    public init(objects: [BlobValue], shape: [Int]? = nil) {
        self.shape = NDArray.checkedShape(shape, count: objects.count)
        dtype = .object
        storage = .objects(objects)
    }

    /// A MATLAB `char` row vector (shape `[1, n]`) holding the UTF-16 code units of `text`: what MATLAB stores for a
    /// character string. DataJoint-Python reads it as a one-element `str` array.
    public init(matlabChar text: String) {
        let units = Array(text.utf16)
        self.init(dtype: .char, shape: [1, units.count], storage: .bytes(units.withUnsafeBytes { Data($0) }))
    }

    /// A `datetime64[unit]` array of counts of `unit` since 1970-01-01T00:00. Traps if `shape` does not hold
    /// `values.count` elements.
    public init(datetime64 values: [Int64], unit: DType.DateTimeUnit, shape: [Int]? = nil) {
        self.shape = NDArray.checkedShape(shape, count: values.count)
        dtype = .datetime64(unit)
        storage = .bytes(values.withUnsafeBytes { Data($0) })
    }

    /// An array of a numeric dtype from its element bytes: little-endian, row-major, ``DType/itemSize`` bytes each.
    /// Throws ``DataJointError`` (`.invalidValue`) if the dtype is not numeric, the shape is invalid, or the byte
    /// count does not match.
    public init(dtype: DType, shape: [Int], bytes: Data) throws {
        guard let itemSize = dtype.itemSize else {
            throw DataJointError(.invalidValue, "an array of dtype \(dtype) has no byte representation")
        }
        guard let n = NDArray.elementCount(shape) else {
            throw DataJointError(.invalidValue, "invalid array shape \(shape)")
        }
        guard n.multipliedReportingOverflow(by: itemSize) == (bytes.count, false) else {
            throw DataJointError(
                .invalidValue, "an array of shape \(shape) and dtype \(dtype) needs \(n * itemSize) bytes, got \(bytes.count)")
        }
        var data = Data(bytes)  // rebased to index 0
        if dtype == .bool {
            data.withUnsafeMutableBytes { raw in
                for i in raw.indices where raw[i] > 1 { raw[i] = 1 }
            }
        }
        self.init(dtype: dtype, shape: shape, storage: .bytes(data))
    }

    /// An array of `shape` filled with zeros (empty strings, `None`) of `dtype`.
    public init(zeros dtype: DType, shape: [Int]) {
        let n = NDArray.elementCount(shape)
        precondition(n != nil, "invalid array shape \(shape)")
        switch dtype {
        case .unicode: self.init(dtype: dtype, shape: shape, storage: .strings(Array(repeating: "", count: n!)))
        case .object: self.init(dtype: dtype, shape: shape, storage: .objects(Array(repeating: .none, count: n!)))
        default: self.init(dtype: dtype, shape: shape, storage: .bytes(Data(count: n! * dtype.itemSize!)))
        }
    }

    /// The same elements with another shape of the same element count. Traps if the counts differ.
    public func reshaped(_ newShape: [Int]) -> NDArray {
        precondition(NDArray.elementCount(newShape) == count, "cannot reshape \(shape) to \(newShape)")
        return NDArray(dtype: dtype, shape: newShape, storage: storage)
    }

    // MARK: - Reading elements

    /// The element bytes of a numeric, bool, datetime64 or char array (little-endian, row-major); `nil` for `str` and
    /// `object` arrays.
    public var bytes: Data? {
        if case .bytes(let data) = storage { return data }
        return nil
    }

    /// Calls `body` with the element bytes of a numeric array (row-major), without copying. Traps for `str` and
    /// `object` arrays.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        guard case .bytes(let data) = storage else { preconditionFailure("a \(dtype) array has no element bytes") }
        return try data.withUnsafeBytes(body)
    }

    /// The elements in row-major order as `T`.
    ///
    /// When `T` is the array's element type (or `Int64`/`Int` for `datetime64`, `UInt16` for `char`) this is one
    /// memory copy. Otherwise the elements are converted as NumPy's `astype` would, with Swift-safe edges: floats to
    /// integers truncate toward zero and saturate (NaN becomes 0), integers to narrower integers wrap, complex to real
    /// keeps the real part, anything to `Bool` is "not zero". Traps for `str` and `object` arrays, which have no
    /// numeric elements (use ``strings`` or ``elements``).
    public func values<T: NDArrayElement>(as type: T.Type = T.self) -> [T] {
        precondition(MemoryLayout<T>.stride == T.dtype.itemSize, "\(T.self) does not have the layout of \(T.dtype)")
        let source = layoutCompatible(with: T.dtype) ? self : converted(to: T.dtype)
        guard case .bytes(let data) = source.storage else { preconditionFailure("a \(dtype) array has no numeric values") }
        let n = source.count
        return [T](unsafeUninitializedCapacity: n) { buffer, initialized in
            data.withUnsafeBytes { raw in
                if n > 0 { UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: raw.baseAddress!, byteCount: raw.count) }
            }
            initialized = n
        }
    }

    /// The elements as `Double` (see ``values(as:)``).
    public var doubles: [Double] { values(as: Double.self) }

    /// The elements of a `str` array, of an `object` array whose elements are all strings, or of a MATLAB `char`
    /// array (one string per element); `nil` otherwise.
    public var strings: [String]? {
        switch storage {
        case .strings(let s): return s
        case .objects(let objects):
            var out: [String] = []
            out.reserveCapacity(objects.count)
            for case .string(let s) in objects { out.append(s) }
            return out.count == objects.count ? out : nil
        case .bytes:
            guard dtype == .char else { return nil }
            return values(as: UInt16.self).map { String(decoding: [$0], as: UTF16.self) }
        }
    }

    /// Every element as a ``BlobValue``, row-major (see ``element(at:)``). This boxes each element; use
    /// ``values(as:)`` for numeric data.
    public var elements: [BlobValue] {
        switch storage {
        case .objects(let objects): return objects
        case .strings(let strings): return strings.map { .string($0) }
        case .bytes: return (0..<count).map { element(flatIndex: $0) }
        }
    }

    /// The row-major position of the element at `indices` (one per axis). Traps if an index is out of range.
    public func flatIndex(_ indices: [Int]) -> Int {
        precondition(indices.count == shape.count, "\(indices.count) indices for an array of \(shape.count) dimensions")
        var flat = 0
        for (axis, i) in indices.enumerated() {
            precondition(i >= 0 && i < shape[axis], "index \(i) is out of range for axis \(axis) of length \(shape[axis])")
            flat = flat * shape[axis] + i
        }
        return flat
    }

    /// The element at `indices` as a Python-like value, as NumPy's `item()` gives it: `.int` for integers (`.bigInt`
    /// for `uint64` values above `Int64.max`), `.float`, `.complex`, `.bool`, `.string` for `str` and `char`
    /// elements, the element itself for `object` arrays, a 0-dimensional array for `datetime64`.
    public func element(at indices: [Int]) -> BlobValue {
        element(flatIndex: flatIndex(indices))
    }

    /// The element at `indices` as a `Double` (see ``values(as:)`` for the conversion).
    /// Traps for `str` and `object` arrays or an index out of range.
    public subscript(_ indices: Int...) -> Double {
        scalar(at: flatIndex(indices)).double
    }

    /// The element at `indices` as `T` (see ``values(as:)`` for the conversion).
    /// Traps for `str` and `object` arrays or an index out of range.
    public subscript<T: NDArrayElement>(_ indices: Int..., as type: T.Type) -> T {
        let s = scalar(at: flatIndex(indices))
        return withUnsafeTemporaryAllocation(byteCount: 16, alignment: 16) { raw in
            s.store(as: T.dtype, to: raw.baseAddress!)
            return raw.baseAddress!.load(as: T.self)
        }
    }

    /// The same array with its elements converted to `dtype` (NumPy `astype`), with the rules of ``values(as:)``.
    /// Converting to `object` boxes each element as ``element(at:)`` does; converting to `str` gives each element's
    /// ``BlobValue/description``.
    public func converted(to newType: DType) -> NDArray {
        if newType == dtype { return self }
        switch newType {
        case .object:
            return NDArray(dtype: .object, shape: shape, storage: .objects(elements))
        case .unicode:
            return NDArray(dtype: .unicode, shape: shape, storage: .strings(strings ?? elements.map(\.description)))
        default:
            guard case .bytes = storage else { preconditionFailure("a \(dtype) array cannot be converted to \(newType)") }
            let n = count
            let size = newType.itemSize!
            var out = Data(count: n * size)
            out.withUnsafeMutableBytes { raw in
                guard let base = raw.baseAddress else { return }
                for i in 0..<n { scalar(at: i).store(as: newType, to: base + i * size) }
            }
            return NDArray(dtype: newType, shape: shape, storage: .bytes(out))
        }
    }

    /// True when the elements of `other` have this array's byte layout, so values can be copied as they are.
    func layoutCompatible(with other: DType) -> Bool {
        if other == dtype { return true }
        switch (dtype, other) {
        case (.datetime64, .int64), (.char, .uint16): return true
        default: return false
        }
    }

    func element(flatIndex i: Int) -> BlobValue {
        switch storage {
        case .objects(let objects): return objects[i]
        case .strings(let strings): return .string(strings[i])
        case .bytes(let data):
            switch dtype {
            case .datetime64:
                let v = data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: i * 8, as: Int64.self) }
                return .array(NDArray(dtype: dtype, shape: [], storage: .bytes(Swift.withUnsafeBytes(of: v) { Data($0) })))
            case .char:
                let unit = data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self) }
                return .string(String(decoding: [unit], as: UTF16.self))
            default:
                switch scalar(at: i) {
                case .bool(let b): return .bool(b)
                case .int(let v): return .int(v)
                case .uint(let v): return v <= UInt64(Int64.max) ? .int(Int64(v)) : .bigInt(BigInteger(v))
                case .double(let v): return .float(v)
                case .complex(let re, let im): return .complex(ComplexNumber(re, im))
                }
            }
        }
    }

    /// The element at row-major position `i` of a byte-stored array.
    func scalar(at i: Int) -> NDArrayScalar {
        guard case .bytes(let data) = storage else { preconditionFailure("a \(dtype) array has no numeric elements") }
        return data.withUnsafeBytes { raw in NDArrayScalar.load(dtype, from: raw.baseAddress! + i * dtype.itemSize!) }
    }

    // MARK: - Description

    /// A short summary: dtype, shape and the first elements.
    public var description: String {
        let n = count
        let shown = (0..<min(n, 6)).map { i in
            // A datetime64 element is a 0-dimensional array itself: show its count of units.
            if case .datetime64 = dtype, case .int(let units) = scalar(at: i) { return String(units) }
            return element(flatIndex: i).description
        }
        let more = n > 6 ? ", …" : ""
        return "NDArray(\(dtype), shape: \(shape), [\(shown.joined(separator: ", "))\(more)])"
    }
}
