import DataJointCore
import Foundation

/// The `fill_value` of a Zarr array: the value of the elements of chunks that were never written (Zarr writers skip
/// chunks that hold nothing else), as the element bytes of an `NDArray` (little-endian).
///
/// Zarr v3 writes `false`, integers, numbers or `"NaN"`, `"Infinity"`, `"-Infinity"`, `"0x…"` (the bits of a float, in
/// hexadecimal) and `[re, im]` for complex types; Zarr v2 writes the same numbers and strings, or `null` (no fill
/// value: read as zeros).
enum ZarrFillValue {
    /// The element bytes of `json` for elements of `dtype`.
    static func bytes(_ json: JSON?, dtype: DType) throws -> Data {
        var out = Data(count: dtype.itemSize!)
        guard let json, json != .null else { return out }
        func fail() -> DataJointError {
            DataJointError(.codec, "its fill_value \(json.serialized()) is not a value of type \(dtype)")
        }
        func store<T>(_ value: T, at offset: Int = 0) {
            out.withUnsafeMutableBytes { $0.storeBytes(of: value, toByteOffset: offset, as: T.self) }
        }
        switch dtype {
        case .bool:
            switch json {
            case .bool(let b): store(UInt8(b ? 1 : 0))
            case .int(let i) where i == 0 || i == 1: store(UInt8(i))
            default: throw fail()
            }
        case .int8, .int16, .int32, .int64:
            guard let i = integer(json) else { throw fail() }
            switch dtype {
            case .int8: guard let v = Int8(exactly: i) else { throw fail() }; store(v)
            case .int16: guard let v = Int16(exactly: i) else { throw fail() }; store(v.littleEndian)
            case .int32: guard let v = Int32(exactly: i) else { throw fail() }; store(v.littleEndian)
            default: store(i.littleEndian)
            }
        case .uint8, .uint16, .uint32, .uint64:
            guard let u = unsigned(json) else { throw fail() }
            switch dtype {
            case .uint8: guard let v = UInt8(exactly: u) else { throw fail() }; store(v)
            case .uint16: guard let v = UInt16(exactly: u) else { throw fail() }; store(v.littleEndian)
            case .uint32: guard let v = UInt32(exactly: u) else { throw fail() }; store(v.littleEndian)
            default: store(u.littleEndian)
            }
        case .float32:
            guard let f = try float(json, bits: 32) else { throw fail() }
            store(Float(f).bitPattern.littleEndian)
        case .float64:
            guard let f = try float(json, bits: 64) else { throw fail() }
            store(f.bitPattern.littleEndian)
        case .complex64, .complex128:
            let parts: [JSON]
            switch json {
            case .array(let a) where a.count == 2: parts = a
            default: parts = [json, .int(0)]  // a real number: imaginary part 0
            }
            let bits = dtype == .complex64 ? 32 : 64
            guard let re = try float(parts[0], bits: bits), let im = try float(parts[1], bits: bits) else { throw fail() }
            if dtype == .complex64 {
                store(Float(re).bitPattern.littleEndian)
                store(Float(im).bitPattern.littleEndian, at: 4)
            } else {
                store(re.bitPattern.littleEndian)
                store(im.bitPattern.littleEndian, at: 8)
            }
        default:
            throw fail()
        }
        return out
    }

    private static func integer(_ json: JSON) -> Int64? {
        switch json {
        case .int(let i): i
        case .double(let d): Int64(exactly: d)
        case .bool(let b): b ? 1 : 0
        default: nil
        }
    }

    private static func unsigned(_ json: JSON) -> UInt64? {
        switch json {
        case .int(let i): UInt64(exactly: i)
        case .double(let d): UInt64(exactly: d)
        case .bool(let b): b ? 1 : 0
        default: nil
        }
    }

    /// A float fill value; `"0x…"` gives the float whose bits it spells (32 or 64 bits wide).
    private static func float(_ json: JSON, bits: Int) throws -> Double? {
        switch json {
        case .int(let i): return Double(i)
        case .double(let d): return d
        case .string("NaN"): return .nan
        case .string("Infinity"): return .infinity
        case .string("-Infinity"): return -.infinity
        case .string(let s) where s.hasPrefix("0x"):
            guard let pattern = UInt64(s.dropFirst(2), radix: 16) else { return nil }
            if bits == 32 {
                guard let narrow = UInt32(exactly: pattern) else { return nil }
                return Double(Float(bitPattern: narrow))
            }
            return Double(bitPattern: pattern)
        default: return nil
        }
    }

    /// The `fill_value` this module writes: zero of `dtype` (`false`, `0`, `0.0`, `[0.0, 0.0]`).
    static func zero(_ dtype: DType) -> JSON {
        switch dtype {
        case .bool: .bool(false)
        case .float32, .float64: .double(0)
        case .complex64, .complex128: [.double(0), .double(0)]
        default: .int(0)
        }
    }
}
