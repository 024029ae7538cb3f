import Foundation

/// Byte order of stored array elements. ``NDArray`` holds little-endian elements; formats that may store big-endian
/// ones (`.npy`, Zarr) convert with ``swap(_:unit:)``.
public enum ByteOrder {
    /// Reverses the bytes of each `unit`-byte piece of `data` in place (big-endian to little-endian and back). The
    /// unit is the element size, or half of it for complex numbers; units of one byte are left as they are.
    public static func swap(_ data: inout Data, unit: Int) {
        data.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return }
            let count = raw.count / max(unit, 1)
            switch unit {
            case 2: swap(base, count, UInt16.self)
            case 4: swap(base, count, UInt32.self)
            case 8: swap(base, count, UInt64.self)
            default: break
            }
        }
    }

    private static func swap<T: FixedWidthInteger>(_ base: UnsafeMutableRawPointer, _ count: Int, _: T.Type) {
        for i in 0..<count {
            let p = base + i * MemoryLayout<T>.size
            p.storeBytes(of: p.loadUnaligned(as: T.self).byteSwapped, as: T.self)
        }
    }
}
