import DataJointCore
import Foundation

/// The geometry of a regular chunk grid: which chunks a region needs, where their elements go, and the chunk shape
/// chosen for an array when the caller names none.
enum ZarrChunkGrid {
    /// The chunk shape for an array of `shape` whose elements have `itemSize` bytes: chunks of about `targetBytes`
    /// (uncompressed), cut along the first axis, and along the following axes too when one slice along the first
    /// axis is already larger than that. Lengths are at least 1 (an axis of length 0 gets chunks of 1).
    static func defaultChunks(shape: [Int], itemSize: Int, targetBytes: Int) -> [Int] {
        var chunks = shape.map { max($0, 1) }
        for axis in chunks.indices {
            // The bytes of one step along `axis` with the axes after it whole.
            let slab = chunks[(axis + 1)...].reduce(itemSize) { $0.multipliedReportingOverflow(by: $1).partialValue }
            if slab.multipliedReportingOverflow(by: chunks[axis]).partialValue <= targetBytes { break }
            if slab <= targetBytes {
                chunks[axis] = max(1, min(chunks[axis], targetBytes / slab))
                break
            }
            chunks[axis] = 1
        }
        return chunks
    }

    /// The positions of the chunks that hold part of `region` (one range per axis), in row-major order of the grid.
    static func chunks(covering region: [Range<Int>], chunkShape: [Int]) -> [[Int]] {
        if region.contains(where: \.isEmpty) { return [] }
        let first = zip(region, chunkShape).map { $0.lowerBound / $1 }
        let last = zip(region, chunkShape).map { ($0.upperBound - 1) / $1 }
        var result: [[Int]] = []
        var index = first
        while true {
            result.append(index)
            var axis = index.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] <= last[axis] { break }
                index[axis] = first[axis]
                axis -= 1
            }
            if axis < 0 { return result }
        }
    }

    /// Row-major strides, in elements, of an array of `shape`.
    static func strides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        for axis in stride(from: shape.count - 2, through: 0, by: -1) { strides[axis] = strides[axis + 1] * shape[axis + 1] }
        return strides
    }

    /// Column-major (Fortran) strides, in elements, of an array of `shape`.
    static func fortranStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        for axis in shape.indices.dropFirst() { strides[axis] = strides[axis - 1] * shape[axis - 1] }
        return strides
    }

    /// Copies a box of `extent` elements (`itemSize` bytes each) from `source`, starting at element offset
    /// `sourceOffset` and stepping by `sourceStrides`, to `destination`, starting at `destinationOffset` and stepping by
    /// `destinationStrides`. Runs that are contiguous in both are copied with one `memcpy`. A 0-dimensional box is one
    /// element.
    static func copyBox(
        from source: UnsafeRawPointer, sourceStrides: [Int], sourceOffset: Int,
        to destination: UnsafeMutableRawPointer, destinationStrides: [Int], destinationOffset: Int,
        extent: [Int], itemSize: Int
    ) {
        if extent.contains(0) { return }
        guard let innerLength = extent.last else {
            (destination + destinationOffset * itemSize).copyMemory(from: source + sourceOffset * itemSize, byteCount: itemSize)
            return
        }
        let inner = extent.count - 1
        let contiguous = sourceStrides[inner] == 1 && destinationStrides[inner] == 1
        var counter = [Int](repeating: 0, count: inner)
        var sourceAt = sourceOffset
        var destinationAt = destinationOffset
        while true {
            if contiguous {
                (destination + destinationAt * itemSize).copyMemory(
                    from: source + sourceAt * itemSize, byteCount: innerLength * itemSize)
            } else {
                var s = sourceAt
                var d = destinationAt
                for _ in 0..<innerLength {
                    (destination + d * itemSize).copyMemory(from: source + s * itemSize, byteCount: itemSize)
                    s += sourceStrides[inner]
                    d += destinationStrides[inner]
                }
            }
            // Next position on the outer axes (odometer).
            var axis = inner - 1
            while axis >= 0 {
                counter[axis] += 1
                sourceAt += sourceStrides[axis]
                destinationAt += destinationStrides[axis]
                if counter[axis] < extent[axis] { break }
                sourceAt -= sourceStrides[axis] * extent[axis]
                destinationAt -= destinationStrides[axis] * extent[axis]
                counter[axis] = 0
                axis -= 1
            }
            if axis < 0 { return }
        }
    }
}
