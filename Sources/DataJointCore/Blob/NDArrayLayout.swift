/// Conversion between row-major (C) and column-major (Fortran) element order, done on raw bytes with tight loops.
///
/// ``NDArray`` keeps its elements in row-major order; the blob format stores them in column-major order. The
/// column-major bytes of an array of shape `s` are the row-major bytes of its transpose (shape `s` reversed), so one
/// operation, reversing the axes, converts in both directions.
enum NDArrayLayout {
    /// Writes into `destination` the elements of the row-major array `source` (of `shape`, elements of `itemSize`
    /// bytes) with its axes reversed, that is, `source` in column-major order. To read column-major bytes of shape
    /// `s` into row-major order, pass `s.reversed()`. Neither buffer needs to be aligned.
    static func reverseAxes(
        from source: UnsafeRawPointer, to destination: UnsafeMutableRawPointer, shape: [Int], itemSize: Int
    ) {
        guard let count = NDArray.elementCount(shape), count > 0 else { return }
        // Axes of length 1 do not change the order; dropping them often leaves a plain copy or a 2-D transpose.
        let dims = shape.filter { $0 != 1 }
        if dims.count <= 1 {
            destination.copyMemory(from: source, byteCount: count * itemSize)
            return
        }
        switch itemSize {
        case 1: reverse(source, destination, dims, UInt8.self)
        case 2: reverse(source, destination, dims, UInt16.self)
        case 4: reverse(source, destination, dims, UInt32.self)
        case 8: reverse(source, destination, dims, UInt64.self)
        case 16: reverse(source, destination, dims, Pair.self)
        default: preconditionFailure("unsupported item size \(itemSize)")
        }
    }

    /// A 16-byte element (complex128).
    private struct Pair { var a: UInt64, b: UInt64 }

    private static func reverse<T>(
        _ src: UnsafeRawPointer, _ dst: UnsafeMutableRawPointer, _ shape: [Int], _: T.Type
    ) {
        let size = MemoryLayout<T>.size
        if shape.count == 2 {
            transpose2D(src, dst, rows: shape[0], columns: shape[1], T.self)
            return
        }
        // Row-major strides (in elements) of the source.
        let n = shape.count
        var strides = [Int](repeating: 1, count: n)
        for axis in stride(from: n - 2, through: 0, by: -1) { strides[axis] = strides[axis + 1] * shape[axis + 1] }
        // Walk the destination sequentially: its fastest index is source axis 0, then axis 1, and so on.
        let inner = shape[0]
        let innerStride = strides[0] * size
        var counter = [Int](repeating: 0, count: n)  // indices of source axes 1..<n
        var base = 0  // source offset (elements) of the current line
        var out = dst
        let total = shape.reduce(1, *)
        var written = 0
        while written < total {
            var p = src + base * size
            for _ in 0..<inner {
                out.storeBytes(of: p.loadUnaligned(as: T.self), as: T.self)
                out += size
                p += innerStride
            }
            written += inner
            var axis = 1
            while axis < n {
                counter[axis] += 1
                base += strides[axis]
                if counter[axis] < shape[axis] { break }
                base -= strides[axis] * shape[axis]
                counter[axis] = 0
                axis += 1
            }
        }
    }

    /// `dst` (columns × rows, row-major) = transpose of `src` (rows × columns, row-major), in cache-sized tiles.
    private static func transpose2D<T>(
        _ src: UnsafeRawPointer, _ dst: UnsafeMutableRawPointer, rows: Int, columns: Int, _: T.Type
    ) {
        let size = MemoryLayout<T>.size
        let tile = 32
        var i0 = 0
        while i0 < rows {
            let i1 = min(i0 + tile, rows)
            var j0 = 0
            while j0 < columns {
                let j1 = min(j0 + tile, columns)
                for j in j0..<j1 {
                    var out = dst + (j * rows + i0) * size
                    var p = src + (i0 * columns + j) * size
                    let step = columns * size
                    for _ in i0..<i1 {
                        out.storeBytes(of: p.loadUnaligned(as: T.self), as: T.self)
                        out += size
                        p += step
                    }
                }
                j0 = j1
            }
            i0 = i1
        }
    }
}

extension NDArrayLayout {
    /// For each position in column-major order of an array of `shape`, its row-major position: the permutation that
    /// orders the elements of `object`, `str` and struct arrays.
    static func rowMajorIndicesInColumnMajorOrder(_ shape: [Int]) -> [Int] {
        let count = NDArray.elementCount(shape) ?? 0
        if count == 0 || shape.filter({ $0 != 1 }).count <= 1 { return Array(0..<count) }
        let n = shape.count
        var strides = [Int](repeating: 1, count: n)
        for axis in stride(from: n - 2, through: 0, by: -1) { strides[axis] = strides[axis + 1] * shape[axis + 1] }
        var result = [Int]()
        result.reserveCapacity(count)
        var counter = [Int](repeating: 0, count: n)
        var flat = 0
        for _ in 0..<count {
            result.append(flat)
            var axis = 0
            while axis < n {
                counter[axis] += 1
                flat += strides[axis]
                if counter[axis] < shape[axis] { break }
                flat -= strides[axis] * shape[axis]
                counter[axis] = 0
                axis += 1
            }
        }
        return result
    }
}
