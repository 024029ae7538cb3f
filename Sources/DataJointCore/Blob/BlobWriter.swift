import Foundation

/// Writes the body of a blob (everything after the protocol header) and notes whether `dj0` features occur.
///
/// Follows `Blob.pack_blob` and its helpers in DataJoint-Python's `blob.py`, case by case.
struct BlobWriter {
    var bytes: [UInt8] = []
    /// Set when the value needs the `dj0` protocol.
    var usesDJ0 = false
    let maxDepth: Int
    private var depth = 0

    init(maxDepth: Int) {
        self.maxDepth = maxDepth
        bytes.reserveCapacity(256)
    }

    // MARK: - Primitives

    private mutating func append<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private mutating func append(code: BlobFormat.Code) {
        bytes.append(code.rawValue)
    }

    private mutating func appendLength(_ n: Int) {
        append(UInt64(n))
    }

    /// Writes `value` preceded by its length as `uint64`, as containers do for each element.
    private mutating func writePrefixed(_ value: BlobValue) throws {
        let start = bytes.count
        append(UInt64(0))
        try write(value)
        let length = UInt64(bytes.count - start - 8).littleEndian
        Swift.withUnsafeBytes(of: length) { raw in
            for i in 0..<8 { bytes[start + i] = raw[i] }
        }
    }

    private mutating func appendFieldNames(_ names: [String]) throws {
        for name in names {
            guard !name.utf8.contains(0) else {
                throw DataJointError(.codec, "Cannot pack field name \"\(name)\": blob field names cannot contain NUL")
            }
            bytes.append(contentsOf: name.utf8)
            bytes.append(0)
        }
    }

    // MARK: - Values

    /// Writes one value (`pack_blob`).
    mutating func write(_ value: BlobValue) throws {
        depth += 1
        defer { depth -= 1 }
        guard depth <= maxDepth else {
            throw DataJointError(.codec, "Cannot pack a value nested more than \(maxDepth) levels deep")
        }
        switch value {
        // The MATLAB-compatible structures do not by themselves need dj0.
        case .array(let a): try writeArray(a)
        case .matStruct(let s): try writeStruct(s)
        case .cell(let c): try writeCell(c)
        default:
            usesDJ0 = true
            switch value {
            case .none: append(code: .none)
            case .bool(let b):
                append(code: .bool)
                bytes.append(b ? 1 : 0)
            case .int(let v): writeInt(v)
            case .bigInt(let v): try writeBigInt(v)
            case .float(let v):
                append(code: .float)
                append(v.bitPattern)
            case .complex(let c):
                append(code: .complex)
                append(c.real.bitPattern)
                append(c.imaginary.bitPattern)
            case .string(let s):
                append(code: .string)
                appendLength(s.utf8.count)
                bytes.append(contentsOf: s.utf8)
            case .bytes(let d):
                append(code: .bytes)
                appendLength(d.count)
                bytes.append(contentsOf: d)
            case .list(let items): try writeSequence(.list, items)
            case .tuple(let items): try writeSequence(.tuple, items)
            case .set(let items): try writeSequence(.set, items)
            case .dict(let pairs):
                append(code: .dict)
                appendLength(pairs.count)
                for pair in pairs {
                    try writePrefixed(pair.key)
                    try writePrefixed(pair.value)
                }
            case .datetime(let d): writeDateTime(date: d.date, time: (d.hour, d.minute, d.second, d.microsecond))
            case .date(let d): writeDateTime(date: d, time: nil)
            case .time(let t): writeDateTime(date: nil, time: (t.hour, t.minute, t.second, t.microsecond))
            case .uuid(let u):
                append(code: .uuid)
                Swift.withUnsafeBytes(of: u.uuid) { bytes.append(contentsOf: $0) }
            case .decimal(let text):
                append(code: .decimal)
                appendLength(text.utf8.count)
                bytes.append(contentsOf: text.utf8)
            case .recordArray(let r): try writeRecordArray(r)
            case .array, .matStruct, .cell: preconditionFailure("handled above")
            }
        }
    }

    /// `pack_int`: the shortest length Python computes (`bit_length() // 8 + 1`), two's complement.
    private mutating func writeInt(_ v: Int64) {
        let bitLength = 64 - v.magnitude.leadingZeroBitCount
        let n = bitLength / 8 + 1
        append(code: .int)
        append(UInt16(n))
        for i in 0..<n {
            bytes.append(i < 8 ? UInt8(truncatingIfNeeded: v >> (8 * i)) : (v < 0 ? 0xFF : 0))
        }
    }

    private mutating func writeBigInt(_ v: BigInteger) throws {
        if let small = v.int64Value {
            writeInt(small)
            return
        }
        let n = v.bitLength / 8 + 1
        guard n <= BlobFormat.maxIntegerBytes else {
            throw DataJointError(.codec, "Cannot pack an integer of \(n) bytes: blob integers are limited to 65535 bytes")
        }
        append(code: .int)
        append(UInt16(n))
        bytes.append(contentsOf: v.twosComplementBytes(count: n))
    }

    private mutating func writeSequence(_ code: BlobFormat.Code, _ items: [BlobValue]) throws {
        append(code: code)
        appendLength(items.count)
        for item in items { try writePrefixed(item) }
    }

    /// `pack_datetime`: `int32` YYYYMMDD (or -1) and `int64` HHMMSSffffff (or -1).
    private mutating func writeDateTime(date: CalendarDate?, time: (Int, Int, Int, Int)?) {
        append(code: .datetime)
        append(Int32(date.map { ($0.year * 100 + $0.month) * 100 + $0.day } ?? -1))
        append(Int64(time.map { (($0.0 * 100 + $0.1) * 100 + $0.2) * 1_000_000 + $0.3 } ?? -1))
    }

    // MARK: - Arrays

    private mutating func appendShape(_ shape: [Int]) {
        append(UInt64(shape.count))
        for dim in shape { append(UInt64(dim)) }
    }

    /// `pack_array`: `A`, ndim, shape, class id, complex flag, then the elements in column-major order.
    private mutating func writeArray(_ a: NDArray) throws {
        append(code: .array)
        appendShape(a.shape)
        append(BlobFormat.classID(of: a.dtype))
        append(UInt32(a.dtype.isComplex ? 1 : 0))
        switch a.storage {
        case .strings(let strings):
            for i in NDArrayLayout.rowMajorIndicesInColumnMajorOrder(a.shape) {
                try writePrefixed(.string(strings[i]))
            }
            usesDJ0 = true
        case .objects(let objects):
            for i in NDArrayLayout.rowMajorIndicesInColumnMajorOrder(a.shape) {
                try writePrefixed(objects[i])
            }
            usesDJ0 = true
        case .bytes(let data):
            if case .datetime64 = a.dtype { usesDJ0 = true }
            if a.isScalar && a.dtype != .char { usesDJ0 = true }
            if a.dtype.isComplex {
                writeComplexPlanes(data, shape: a.shape, partSize: a.dtype.itemSize! / 2)
            } else {
                appendColumnMajor(data, shape: a.shape, itemSize: a.dtype.itemSize!)
            }
        }
    }

    /// Appends row-major element bytes in column-major order: one copy, or one transposition for 2+ dimensions.
    private mutating func appendColumnMajor(_ data: Data, shape: [Int], itemSize: Int) {
        if data.count > 1 << 16 {
            // One allocation for large arrays (small ones share the buffer's geometric growth).
            bytes.reserveCapacity(bytes.count + data.count + 64)
        }
        if shape.filter({ $0 != 1 }).count <= 1 {
            data.withUnsafeBytes { bytes.append(contentsOf: $0) }  // the order is the same: one copy
            return
        }
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: data.count))
        guard !data.isEmpty else { return }
        bytes.withUnsafeMutableBytes { out in
            data.withUnsafeBytes { src in
                NDArrayLayout.reverseAxes(
                    from: src.baseAddress!, to: out.baseAddress! + start, shape: shape, itemSize: itemSize)
            }
        }
    }

    /// Appends the real parts, then the imaginary parts, each in column-major order.
    private mutating func writeComplexPlanes(_ data: Data, shape: [Int], partSize: Int) {
        let n = data.count / (2 * partSize)
        guard n > 0 else { return }
        var columnMajor = [UInt8](repeating: 0, count: data.count)
        columnMajor.withUnsafeMutableBytes { out in
            data.withUnsafeBytes { src in
                NDArrayLayout.reverseAxes(from: src.baseAddress!, to: out.baseAddress!, shape: shape, itemSize: 2 * partSize)
            }
        }
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: data.count))
        bytes.withUnsafeMutableBytes { out in
            columnMajor.withUnsafeBytes { src in
                let real = out.baseAddress! + start
                let imaginary = real + n * partSize
                for i in 0..<n {
                    (real + i * partSize).copyMemory(from: src.baseAddress! + 2 * i * partSize, byteCount: partSize)
                    (imaginary + i * partSize).copyMemory(
                        from: src.baseAddress! + (2 * i + 1) * partSize, byteCount: partSize)
                }
            }
        }
    }

    /// `pack_struct`: `S`, ndim and shape, field count, NUL-terminated names, then each record's field values (records
    /// in column-major order), each prefixed with its length. A struct without fields is written without the name
    /// terminator, so that it reads back (DataJoint-Python writes a stray NUL there and cannot read its own blob).
    private mutating func writeStruct(_ s: MatStruct) throws {
        append(code: .matStruct)
        appendShape(s.shape)
        append(UInt32(s.fieldNames.count))
        guard !s.fieldNames.isEmpty else { return }
        try appendFieldNames(s.fieldNames)
        let fieldCount = s.fieldNames.count
        for record in NDArrayLayout.rowMajorIndicesInColumnMajorOrder(s.shape) {
            for f in 0..<fieldCount { try writePrefixed(s.values[record * fieldCount + f]) }
        }
    }

    /// `pack_cell_array`: `C`, ndim and shape, then the elements in column-major order, each prefixed with its length.
    private mutating func writeCell(_ c: MatCell) throws {
        append(code: .cell)
        appendShape(c.shape)
        for i in NDArrayLayout.rowMajorIndicesInColumnMajorOrder(c.shape) {
            try writePrefixed(c.elements[i])
        }
    }

    /// `pack_recarray`: `F`, field count (`uint32`), NUL-terminated names, then each column as an array or a nested
    /// structured array, without length prefixes.
    private mutating func writeRecordArray(_ r: RecordArray) throws {
        depth += 1
        defer { depth -= 1 }
        guard depth <= maxDepth else {
            throw DataJointError(.codec, "Cannot pack a value nested more than \(maxDepth) levels deep")
        }
        append(code: .recordArray)
        append(UInt32(r.fields.count))
        try appendFieldNames(r.names)
        for field in r.fields {
            switch field.column {
            case .array(let a): try writeArray(a)
            case .records(let nested): try writeRecordArray(nested)
            }
        }
    }
}
