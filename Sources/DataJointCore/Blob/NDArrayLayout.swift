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
        // Walk the destination sequentially: its fastest index is source axis 0, then axis 1, and so on.
        var walk = ColumnMajorWalk(shape: shape)
        let inner = shape[0]
        let innerStride = walk.strides[0] * size
        var out = dst
        let total = shape.reduce(1, *)
        var written = 0
        while written < total {
            var p = src + walk.offset * size
            for _ in 0..<inner {
                out.storeBytes(of: p.loadUnaligned(as: T.self), as: T.self)
                out += size
                p += innerStride
            }
            written += inner
            walk.advance(fromAxis: 1)  // the loop above went along axis 0
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
        var walk = ColumnMajorWalk(shape: shape)
        var result = [Int]()
        result.reserveCapacity(count)
        for _ in 0..<count {
            result.append(walk.offset)
            walk.advance(fromAxis: 0)
        }
        return result
    }

    /// The positions of an array in column-major order (axis 0 fastest), with the row-major element offset of each.
    private struct ColumnMajorWalk {
        let shape: [Int]
        /// Row-major strides, in elements.
        let strides: [Int]
        /// The index on each axis of the current position.
        private var counter: [Int]
        /// The row-major offset, in elements, of the current position.
        private(set) var offset = 0

        init(shape: [Int]) {
            self.shape = shape
            var strides = [Int](repeating: 1, count: shape.count)
            for axis in stride(from: shape.count - 2, through: 0, by: -1) {
                strides[axis] = strides[axis + 1] * shape[axis + 1]
            }
            self.strides = strides
            counter = [Int](repeating: 0, count: shape.count)
        }

        /// Steps to the next position in column-major order, counting on the axes from `first` up (a caller that walks
        /// the axes below `first` itself passes the first axis it does not walk).
        mutating func advance(fromAxis first: Int) {
            var axis = first
            while axis < shape.count {
                counter[axis] += 1
                offset += strides[axis]
                if counter[axis] < shape[axis] { return }
                offset -= strides[axis] * shape[axis]
                counter[axis] = 0
                axis += 1
            }
        }
    }
}
