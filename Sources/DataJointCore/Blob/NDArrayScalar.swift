/// One element of a byte-stored ``NDArray``, widened to a common type for conversions between dtypes.
enum NDArrayScalar {
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case complex(Double, Double)

    /// Reads one element of `dtype` at `pointer` (no alignment needed).
    static func load(_ dtype: DType, from p: UnsafeRawPointer) -> NDArrayScalar {
        switch dtype {
        case .bool: .bool(p.load(as: UInt8.self) != 0)
        case .int8: .int(Int64(p.load(as: Int8.self)))
        case .int16: .int(Int64(p.loadUnaligned(as: Int16.self)))
        case .int32: .int(Int64(p.loadUnaligned(as: Int32.self)))
        case .int64, .datetime64: .int(p.loadUnaligned(as: Int64.self))
        case .uint8: .uint(UInt64(p.load(as: UInt8.self)))
        case .uint16, .char: .uint(UInt64(p.loadUnaligned(as: UInt16.self)))
        case .uint32: .uint(UInt64(p.loadUnaligned(as: UInt32.self)))
        case .uint64: .uint(p.loadUnaligned(as: UInt64.self))
        case .float32: .double(Double(p.loadUnaligned(as: Float.self)))
        case .float64: .double(p.loadUnaligned(as: Double.self))
        case .complex64:
            .complex(Double(p.loadUnaligned(as: Float.self)), Double(p.loadUnaligned(fromByteOffset: 4, as: Float.self)))
        case .complex128:
            .complex(p.loadUnaligned(as: Double.self), p.loadUnaligned(fromByteOffset: 8, as: Double.self))
        case .unicode, .object: preconditionFailure("\(dtype) elements are not numeric")
        }
    }

    /// The value as a `Double` (the real part of a complex number).
    var double: Double {
        switch self {
        case .bool(let b): b ? 1 : 0
        case .int(let v): Double(v)
        case .uint(let v): Double(v)
        case .double(let v): v
        case .complex(let re, _): re
        }
    }

    /// The value as a signed integer: floats truncate toward zero and saturate, NaN gives 0, unsigned values wrap.
    var int64: Int64 {
        switch self {
        case .bool(let b): b ? 1 : 0
        case .int(let v): v
        case .uint(let v): Int64(truncatingIfNeeded: v)
        case .double(let v), .complex(let v, _): NDArrayScalar.saturating(v)
        }
    }

    private static func saturating(_ v: Double) -> Int64 {
        if v.isNaN { return 0 }
        if v >= 9_223_372_036_854_775_807.0 { return .max }
        if v <= -9_223_372_036_854_775_808.0 { return .min }
        return Int64(v)
    }

    /// The value as an unsigned integer: floats truncate toward zero and saturate at 0 and `UInt64.max`.
    var uint64: UInt64 {
        switch self {
        case .uint(let v): return v
        case .double(let v), .complex(let v, _):
            if v.isNaN || v <= 0 { return 0 }
            if v >= 18_446_744_073_709_551_615.0 { return .max }
            return UInt64(v)
        default: return UInt64(bitPattern: int64)
        }
    }

    var isNonZero: Bool {
        switch self {
        case .bool(let b): b
        case .int(let v): v != 0
        case .uint(let v): v != 0
        case .double(let v): v != 0
        case .complex(let re, let im): re != 0 || im != 0
        }
    }

    /// Writes the value as one element of `dtype` at `pointer` (no alignment needed).
    func store(as dtype: DType, to p: UnsafeMutableRawPointer) {
        switch dtype {
        case .bool: p.storeBytes(of: isNonZero ? 1 : 0, as: UInt8.self)
        case .int8: p.storeBytes(of: Int8(truncatingIfNeeded: int64), as: Int8.self)
        case .int16: p.storeBytes(of: Int16(truncatingIfNeeded: int64), as: Int16.self)
        case .int32: p.storeBytes(of: Int32(truncatingIfNeeded: int64), as: Int32.self)
        case .int64, .datetime64: p.storeBytes(of: int64, as: Int64.self)
        case .uint8: p.storeBytes(of: UInt8(truncatingIfNeeded: uint64), as: UInt8.self)
        case .uint16, .char: p.storeBytes(of: UInt16(truncatingIfNeeded: uint64), as: UInt16.self)
        case .uint32: p.storeBytes(of: UInt32(truncatingIfNeeded: uint64), as: UInt32.self)
        case .uint64: p.storeBytes(of: uint64, as: UInt64.self)
        case .float32: p.storeBytes(of: Float(double), as: Float.self)
        case .float64: p.storeBytes(of: double, as: Double.self)
        case .complex64:
            p.storeBytes(of: Float(double), as: Float.self)
            p.storeBytes(of: Float(imaginary), toByteOffset: 4, as: Float.self)
        case .complex128:
            p.storeBytes(of: double, as: Double.self)
            p.storeBytes(of: imaginary, toByteOffset: 8, as: Double.self)
        case .unicode, .object: preconditionFailure("\(dtype) elements are not numeric")
        }
    }

    private var imaginary: Double {
        if case .complex(_, let im) = self { return im }
        return 0
    }
}
