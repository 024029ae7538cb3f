import Foundation

/// Reads the body of an uncompressed blob from raw bytes, following `Blob.read_blob` and its helpers in
/// DataJoint-Python's `blob.py`, with every size checked against the bytes that remain before it is used.
struct BlobReader {
    private let raw: UnsafeRawBufferPointer
    /// The next byte to read.
    var position = 0
    /// The end of the innermost length-prefixed element being read.
    private var end: Int
    private let dims32: Bool
    private let maxDepth: Int
    private var depth = 0
    /// Added to offsets in messages (" of the decompressed blob").
    private let location: String
    /// The buffer `raw` points into, when large arrays may keep their elements there instead of copying them (an
    /// inflated blob, which nothing else holds or changes).
    var owner: Data?

    init(_ raw: UnsafeRawBufferPointer, dims32: Bool, maxDepth: Int, where location: String) {
        self.raw = raw
        self.end = raw.count
        self.dims32 = dims32
        self.maxDepth = maxDepth
        self.location = location
    }

    private var remaining: Int { end - position }

    /// The bytes a length or count read with ``readDimension(_:)`` takes.
    private var dimensionSize: Int { dims32 ? 4 : 8 }

    // MARK: - Errors

    func failure(_ message: String, at offset: Int) -> DataJointError {
        DataJointError(.codec, "Invalid blob: \(message) (at byte offset \(offset)\(location))")
    }

    private func truncated(_ what: String, needs n: Int) -> DataJointError {
        failure(
            "\(what) needs \(n) byte\(n == 1 ? "" : "s") but only \(remaining) remain"
                + (end < raw.count ? " in its enclosing element" : ""),
            at: position)
    }

    // MARK: - Primitives

    private mutating func take(_ n: Int, _ what: String) throws -> UnsafeRawPointer {
        guard n >= 0, n <= remaining else { throw truncated(what, needs: n) }
        defer { position += n }
        return raw.baseAddress! + position
    }

    private mutating func read<T: FixedWidthInteger>(_: T.Type, _ what: String) throws -> T {
        let p = try take(MemoryLayout<T>.size, what)
        return T(littleEndian: p.loadUnaligned(as: T.self))
    }

    /// A length, count or dimension: `uint64` (or `uint32` for 32-bit mYm blobs), which must fit in `Int`.
    mutating func readDimension(_ what: String) throws -> Int {
        let at = position
        let value = dims32 ? UInt64(try read(UInt32.self, what)) : try read(UInt64.self, what)
        guard let n = Int(exactly: value), n <= Int.max / 16 else {
            throw failure("\(what) is \(value), which is not a possible size", at: at)
        }
        return n
    }

    /// Checks that `count` items of at least `minimumSize` bytes each can fit in what remains.
    private func checkCount(_ count: Int, minimumSize: Int, _ what: String, at offset: Int) throws {
        let (needed, overflow) = count.multipliedReportingOverflow(by: minimumSize)
        guard !overflow, needed <= remaining else {
            throw failure(
                "\(what) declares \(count) elements, more than the \(remaining) remaining bytes can hold", at: offset)
        }
    }

    private mutating func readUTF8(count n: Int, _ what: String) throws -> String {
        let at = position
        let p = try take(n, what)
        guard let s = String(validating: UnsafeRawBufferPointer(start: p, count: n), as: UTF8.self) else {
            throw failure("\(what) is not valid UTF-8", at: at)
        }
        return s
    }

    /// A NUL-terminated UTF-8 string (protocol name, field name).
    private mutating func readZeroTerminated(_ what: String) throws -> String {
        let at = position
        guard let nul = raw[position..<end].firstIndex(of: 0) else {
            throw failure("\(what) has no terminating NUL byte", at: at)
        }
        let s = try readUTF8(count: nul - position, what)
        position += 1
        return s
    }

    private mutating func readShape(_ what: String) throws -> (shape: [Int], count: Int) {
        let at = position
        let ndim = try readDimension("the number of dimensions of \(what)")
        try checkCount(ndim, minimumSize: dimensionSize, "the shape of \(what)", at: at)
        var shape: [Int] = []
        shape.reserveCapacity(ndim)
        for _ in 0..<ndim { shape.append(try readDimension("a dimension of \(what)")) }
        guard let count = NDArray.elementCount(shape) else {
            throw failure("the shape \(shape) of \(what) has more elements than can exist", at: at)
        }
        return (shape, count)
    }

    // MARK: - Structure

    /// The protocol header: `mYm` or `dj0`, NUL-terminated.
    mutating func readProtocol() throws {
        guard let nul = raw.firstIndex(of: 0), nul <= 16 else {
            throw failure("the data does not start with a blob header (mYm or dj0)", at: 0)
        }
        let header = Array(raw[0...nul])
        guard header == BlobFormat.mYmHeader || header == BlobFormat.dj0Header else {
            let name = String(decoding: raw[0..<nul], as: UTF8.self)
            throw failure("unknown blob protocol \"\(name)\" (expected mYm or dj0)", at: 0)
        }
        position = nul + 1
    }

    /// One value; with a `length`, the value must take exactly that many bytes (`read_blob(n_bytes)`).
    mutating func readBlob(length: Int? = nil) throws -> BlobValue {
        let start = position
        depth += 1
        defer { depth -= 1 }
        guard depth <= maxDepth else {
            throw failure("values are nested more than \(maxDepth) levels deep", at: start)
        }
        guard let length else { return try readValue() }
        guard length <= remaining else {
            throw failure("an element declares \(length) bytes but only \(remaining) remain", at: start)
        }
        let outerEnd = end
        end = start + length
        let value = try readValue()
        guard position == end else {
            throw failure("an element declares \(length) bytes but its content takes \(position - start)", at: start)
        }
        end = outerEnd
        return value
    }

    /// A value preceded by its length (elements of containers).
    private mutating func readPrefixed(_ what: String) throws -> BlobValue {
        let length = try readDimension("the length of \(what)")
        return try readBlob(length: length)
    }

    private mutating func readValue() throws -> BlobValue {
        let at = position
        let byte = try read(UInt8.self, "a value's type code")
        guard let code = BlobFormat.Code(rawValue: byte) else {
            let shown = (0x20..<0x7F).contains(byte) ? "\"\(Character(UnicodeScalar(byte)))\" " : ""
            throw failure("unknown data structure code \(shown)(0x\(String(byte, radix: 16)))", at: at)
        }
        switch code {
        case .array: return try readArray()
        case .sparse: throw failure("MATLAB sparse arrays are not supported (DataJoint-Python cannot read them either)", at: at)
        case .matStruct: return try readStruct()
        case .cell: return try readCell()
        case .none: return .none
        case .tuple: return .tuple(try readItems("a tuple"))
        case .list: return .list(try readItems("a list"))
        case .set: return .set(try readItems("a set"))
        case .dict: return try readDict()
        case .string: return .string(try readUTF8(count: try readDimension("the length of a str"), "a str"))
        case .bytes:
            let n = try readDimension("the length of a bytes value")
            return .bytes(Data(bytes: try take(n, "a bytes value"), count: n))
        case .int: return try readInt()
        case .bool: return .bool(try read(UInt8.self, "a bool") != 0)
        case .complex:
            let re = Double(bitPattern: try read(UInt64.self, "a complex"))
            let im = Double(bitPattern: try read(UInt64.self, "a complex"))
            return .complex(ComplexNumber(re, im))
        case .float: return .float(Double(bitPattern: try read(UInt64.self, "a float")))
        case .recordArray: return try readRecordArray()
        case .decimal: return try readDecimal()
        case .datetime: return try readDateTime()
        case .uuid:
            let p = try take(16, "a UUID")
            var u = UUID().uuid
            Swift.withUnsafeMutableBytes(of: &u) { $0.copyMemory(from: UnsafeRawBufferPointer(start: p, count: 16)) }
            return .uuid(UUID(uuid: u))
        }
    }

    // MARK: - Python values

    private mutating func readItems(_ what: String) throws -> [BlobValue] {
        let at = position
        let count = try readDimension("the length of \(what)")
        try checkCount(count, minimumSize: dimensionSize + 1, what, at: at)
        var items: [BlobValue] = []
        items.reserveCapacity(count)
        for _ in 0..<count { items.append(try readPrefixed("an element of \(what)")) }
        return items
    }

    /// A dict; a repeated key keeps its first position and its last value, as Python's `dict()` does.
    private mutating func readDict() throws -> BlobValue {
        let at = position
        let count = try readDimension("the length of a dict")
        try checkCount(count, minimumSize: 2 * (dimensionSize + 1), "a dict", at: at)
        var pairs: [(key: BlobValue, value: BlobValue)] = []
        pairs.reserveCapacity(count)
        var seen: [BlobValue: Int] = [:]
        for _ in 0..<count {
            let key = try readPrefixed("a dict key")
            let value = try readPrefixed("a dict value")
            if let existing = seen[key] {
                pairs[existing].value = value
            } else {
                seen[key] = pairs.count
                pairs.append((key, value))
            }
        }
        return .dict(pairs)
    }

    /// `read_int`: a `uint16` byte count, then little-endian two's complement.
    private mutating func readInt() throws -> BlobValue {
        let n = Int(try read(UInt16.self, "the length of an int"))
        let p = try take(n, "an int")
        if n <= 8 {
            var v: UInt64 = 0
            for i in 0..<n { v |= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) << (8 * UInt64(i)) }
            if n > 0, n < 8, p.load(fromByteOffset: n - 1, as: UInt8.self) & 0x80 != 0 {
                v |= UInt64.max << (8 * UInt64(n))  // sign extension
            }
            return .int(Int64(bitPattern: v))
        }
        return .integer(BigInteger(twosComplementLittleEndian: UnsafeRawBufferPointer(start: p, count: n)))
    }

    private mutating func readDecimal() throws -> BlobValue {
        let n = try readDimension("the length of a Decimal")
        let at = position
        let text = try readUTF8(count: n, "a Decimal")
        guard let valid = DecimalText.validated(text) else {
            throw failure("\"\(text)\" is not a valid Decimal", at: at)
        }
        return .decimal(valid)
    }

    /// `read_datetime`: `int32` YYYYMMDD and `int64` HHMMSSffffff, each -1 when absent.
    private mutating func readDateTime() throws -> BlobValue {
        let at = position
        let d = Int(try read(Int32.self, "a datetime"))
        let t = Int(try read(Int64.self, "a datetime"))
        var date: CalendarDate?
        var time: TimeOfDay?
        if d >= 0 {
            guard let valid = CalendarDate(year: d / 10000, month: (d / 100) % 100, day: d % 100) else {
                throw failure("\(d) is not a valid date (YYYYMMDD)", at: at)
            }
            date = valid
        }
        if t >= 0 {
            guard let valid = TimeOfDay(
                hour: (t / 10_000_000_000) % 100, minute: (t / 100_000_000) % 100, second: (t / 1_000_000) % 100,
                microsecond: t % 1_000_000)
            else { throw failure("\(t) is not a valid time (HHMMSSffffff)", at: at + 4) }
            time = valid
        }
        switch (date, time) {
        case (let date?, let time?):
            return .datetime(DateTime(date: date, time: time))
        case (let date?, nil): return .date(date)
        case (nil, let time?): return .time(time)
        case (nil, nil): return .none
        }
    }

    // MARK: - Arrays

    /// `read_array`: ndim, shape, class id, complex flag, then column-major elements.
    private mutating func readArray() throws -> BlobValue {
        let (shape, count) = try readShape("an array")
        let classAt = position
        let classID = try read(UInt32.self, "an array's class id")
        let isComplex = try read(UInt32.self, "an array's complex flag") != 0
        if classID == BlobFormat.ClassID.void {
            let at = position
            try checkCount(count, minimumSize: dimensionSize + 1, "an object array", at: at)
            var elements: [BlobValue] = []
            elements.reserveCapacity(count)
            for _ in 0..<count { elements.append(try readPrefixed("an element of an object array")) }
            return .array(NDArray(dtype: .object, shape: shape, storage: .objects(reordered(elements, shape))))
        }
        if classID == BlobFormat.ClassID.char {
            return .array(try readChar(shape: shape, count: count))
        }
        guard let dtype = BlobFormat.numericDType(classID: classID) else {
            if let name = BlobFormat.unsupportedClassName(classID) {
                throw failure("arrays of MATLAB class \(name) are not supported", at: classAt)
            }
            throw failure("unknown array class id \(classID)", at: classAt)
        }
        let itemSize = dtype.itemSize!
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: isComplex ? 2 * itemSize : itemSize)
        guard !overflow, byteCount <= remaining else {
            throw failure(
                "an array of shape \(shape) and dtype \(dtype)\(isComplex ? " (complex)" : "") needs "
                    + (overflow ? "more bytes than can exist" : "\(byteCount) bytes") + " but only \(remaining) remain",
                at: position)
        }
        if isComplex {
            return .array(try readComplexData(dtype: dtype, shape: shape, count: count))
        }
        let source = try take(count * itemSize, "array data")
        var data: Data
        if shape.filter({ $0 != 1 }).count <= 1, dtype != .bool, let owner, 2 * count * itemSize >= raw.count,
            Int(bitPattern: source) % min(itemSize, 8) == 0
        {
            // The order is the same, the elements are aligned and the array is most of the blob: its elements stay
            // where they were inflated.
            data = Data(
                bytesNoCopy: UnsafeMutableRawPointer(mutating: source), count: count * itemSize,
                deallocator: .custom { _, _ in withExtendedLifetime(owner) {} })
        } else if shape.filter({ $0 != 1 }).count <= 1 {
            data = Data(bytes: source, count: count * itemSize)  // the order is the same: one copy
        } else {
            data = Data(count: count * itemSize)
            data.withUnsafeMutableBytes { out in
                NDArrayLayout.reverseAxes(from: source, to: out.baseAddress!, shape: shape.reversed(), itemSize: itemSize)
            }
        }
        if dtype == .bool {
            data.withUnsafeMutableBytes { out in
                for i in out.indices where out[i] > 1 { out[i] = 1 }
            }
        }
        return .array(NDArray(dtype: dtype, shape: shape, storage: .bytes(data)))
    }

    /// A complex array: all real parts, then all imaginary parts. `float32` parts give `complex64`; other parts are
    /// converted to `complex128`, as NumPy's `real + 1j * imag` does.
    private mutating func readComplexData(dtype: DType, shape: [Int], count: Int) throws -> NDArray {
        if case .datetime64 = dtype {
            throw failure("a datetime64 array cannot be complex", at: position)
        }
        let partSize = dtype.itemSize!
        let real = try take(count * partSize, "the real parts of a complex array")
        let imaginary = try take(count * partSize, "the imaginary parts of a complex array")
        let target: DType = dtype == .float32 ? .complex64 : .complex128
        let outPart = target == .complex64 ? 4 : 8
        var interleaved = [UInt8](repeating: 0, count: count * 2 * outPart)
        interleaved.withUnsafeMutableBytes { out in
            for i in 0..<count {
                let o = out.baseAddress! + 2 * i * outPart
                if dtype == .float32 || dtype == .float64 {
                    o.copyMemory(from: real + i * partSize, byteCount: partSize)
                    (o + outPart).copyMemory(from: imaginary + i * partSize, byteCount: partSize)
                } else {
                    let re = NDArrayScalar.load(dtype, from: real + i * partSize).double
                    let im = NDArrayScalar.load(dtype, from: imaginary + i * partSize).double
                    o.storeBytes(of: re, as: Double.self)
                    o.storeBytes(of: im, toByteOffset: 8, as: Double.self)
                }
            }
        }
        var data = Data(count: interleaved.count)
        if count > 0 {
            data.withUnsafeMutableBytes { out in
                interleaved.withUnsafeBytes { src in
                    NDArrayLayout.reverseAxes(
                        from: src.baseAddress!, to: out.baseAddress!, shape: shape.reversed(), itemSize: 2 * outPart)
                }
            }
        }
        return NDArray(dtype: target, shape: shape, storage: .bytes(data))
    }

    /// A MATLAB `char` array: 16-bit code units. As in DataJoint-Python, a row (1-D, or 2-D with one row) becomes a
    /// one-element `str` array holding the whole text, and anything else a `str` array of single characters.
    private mutating func readChar(shape: [Int], count: Int) throws -> NDArray {
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: 2)
        guard !overflow, byteCount <= remaining else {
            throw truncated("a char array of shape \(shape)", needs: overflow ? Int.max : byteCount)
        }
        let p = try take(byteCount, "char data")
        let units = (0..<count).map { UInt16(littleEndian: p.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) }
        if shape.count == 1 || (shape.count == 2 && shape[0] == 1) {
            return NDArray(strings: [String(decoding: units, as: UTF16.self)], shape: [1])
        }
        let characters = units.map { String(decoding: [$0], as: UTF16.self) }
        return NDArray(strings: reordered(characters, shape), shape: shape)
    }

    /// Column-major elements put in row-major order.
    private func reordered<T>(_ columnMajor: [T], _ shape: [Int]) -> [T] {
        let order = NDArrayLayout.rowMajorIndicesInColumnMajorOrder(shape)
        if order.enumerated().allSatisfy({ $0.offset == $0.element }) { return columnMajor }
        var result = columnMajor
        for (f, c) in order.enumerated() { result[c] = columnMajor[f] }
        return result
    }

    /// What DataJoint-Python returns for a struct or structured array without fields: `numpy.array(None)`.
    private static let fieldlessValue = BlobValue.array(NDArray(objects: [.none], shape: []))

    private mutating func readFieldNames(_ count: Int, _ what: String) throws -> [String] {
        try checkCount(count, minimumSize: 1, "the field names of \(what)", at: position)
        var names: [String] = []
        names.reserveCapacity(count)
        for _ in 0..<count {
            let at = position
            let name = try readZeroTerminated("a field name of \(what)")
            guard !names.contains(name) else { throw failure("field \"\(name)\" occurs more than once", at: at) }
            names.append(name)
        }
        return names
    }

    /// `read_struct`: ndim, shape, field count, names, then each record's fields (records in column-major order).
    private mutating func readStruct() throws -> BlobValue {
        let (shape, count) = try readShape("a struct array")
        let fieldCount = Int(try read(UInt32.self, "the number of fields of a struct array"))
        guard fieldCount > 0 else { return BlobReader.fieldlessValue }
        let names = try readFieldNames(fieldCount, "a struct array")
        let at = position
        let (total, overflow) = count.multipliedReportingOverflow(by: fieldCount)
        guard !overflow else { throw failure("a struct array of shape \(shape) is too large", at: at) }
        try checkCount(total, minimumSize: dimensionSize + 1, "a struct array", at: at)
        var columnMajor: [BlobValue] = []
        columnMajor.reserveCapacity(total)
        for _ in 0..<total { columnMajor.append(try readPrefixed("a field value of a struct array")) }
        var values = columnMajor
        for (f, c) in NDArrayLayout.rowMajorIndicesInColumnMajorOrder(shape).enumerated() where f != c {
            for k in 0..<fieldCount { values[c * fieldCount + k] = columnMajor[f * fieldCount + k] }
        }
        return .matStruct(MatStruct(fieldNames: names, shape: shape, values: values))
    }

    /// `read_cell_array`: ndim, shape, then the elements in column-major order. An empty cell array has shape `[0]`,
    /// as in DataJoint-Python.
    private mutating func readCell() throws -> BlobValue {
        let (shape, count) = try readShape("a cell array")
        try checkCount(count, minimumSize: dimensionSize + 1, "a cell array", at: position)
        var elements: [BlobValue] = []
        elements.reserveCapacity(count)
        for _ in 0..<count { elements.append(try readPrefixed("an element of a cell array")) }
        if count == 0 { return .cell(MatCell([], shape: [0])) }
        return .cell(MatCell(reordered(elements, shape), shape: shape))
    }

    /// `read_recarray`: field count, names, then one array (or nested structured array) per field.
    private mutating func readRecordArray() throws -> BlobValue {
        let fieldCount = Int(try read(UInt32.self, "the number of fields of a structured array"))
        guard fieldCount > 0 else { return BlobReader.fieldlessValue }
        let names = try readFieldNames(fieldCount, "a structured array")
        var fields: [RecordArray.Field] = []
        fields.reserveCapacity(fieldCount)
        for name in names {
            let at = position
            let column: RecordArray.Column
            switch try readBlob() {
            case .array(let a): column = .array(a)
            case .recordArray(let r): column = .records(r)
            case let other:
                throw failure("field \"\(name)\" of a structured array holds a \(other.pythonTypeName), not an array", at: at)
            }
            if let first = fields.first, first.column.shape != column.shape {
                throw failure(
                    "field \"\(name)\" of a structured array has shape \(column.shape), but field \"\(first.name)\" has \(first.column.shape)",
                    at: at)
            }
            fields.append(RecordArray.Field(name, column))
        }
        return .recordArray(RecordArray(fields))
    }
}
