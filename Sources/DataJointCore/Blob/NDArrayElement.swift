/// A Swift type that can be an element of a numeric ``NDArray``: its memory layout is the layout of ``dtype``, so
/// arrays of it are copied to and from an array's byte buffer in bulk.
///
/// Conforming types: `Bool`, `Int8`, `Int16`, `Int32`, `Int64`, `Int` (as `int64`), `UInt8`, `UInt16`, `UInt32`,
/// `UInt64`, `UInt` (as `uint64`), `Float`, `Double`, `ComplexNumber<Float>`, `ComplexNumber<Double>`.
/// Do not conform other types: the bulk copies rely on the layout.
public protocol NDArrayElement: Sendable, Hashable {
    /// The NumPy type whose element layout this Swift type has.
    static var dtype: DType { get }
}

extension Bool: NDArrayElement { public static var dtype: DType { .bool } }
extension Int8: NDArrayElement { public static var dtype: DType { .int8 } }
extension Int16: NDArrayElement { public static var dtype: DType { .int16 } }
extension Int32: NDArrayElement { public static var dtype: DType { .int32 } }
extension Int64: NDArrayElement { public static var dtype: DType { .int64 } }
extension UInt8: NDArrayElement { public static var dtype: DType { .uint8 } }
extension UInt16: NDArrayElement { public static var dtype: DType { .uint16 } }
extension UInt32: NDArrayElement { public static var dtype: DType { .uint32 } }
extension UInt64: NDArrayElement { public static var dtype: DType { .uint64 } }
extension Float: NDArrayElement { public static var dtype: DType { .float32 } }
extension Double: NDArrayElement { public static var dtype: DType { .float64 } }

#if _pointerBitWidth(_64)
extension Int: NDArrayElement { public static var dtype: DType { .int64 } }
extension UInt: NDArrayElement { public static var dtype: DType { .uint64 } }
#else
extension Int: NDArrayElement { public static var dtype: DType { .int32 } }
extension UInt: NDArrayElement { public static var dtype: DType { .uint32 } }
#endif

#if _endian(big)
#error("The blob format is little-endian and NDArray copies element bytes as they are in memory.")
#endif

/// The real types that can be the parts of a complex ``NDArray`` element: `Float` (`complex64`) and `Double`
/// (`complex128`).
public protocol ComplexNumberComponent: BinaryFloatingPoint, Sendable, Hashable {
    /// The complex dtype whose parts are of this type.
    static var complexDType: DType { get }
}

extension Float: ComplexNumberComponent { public static var complexDType: DType { .complex64 } }
extension Double: ComplexNumberComponent { public static var complexDType: DType { .complex128 } }

extension ComplexNumber: NDArrayElement where Real: ComplexNumberComponent {
    public static var dtype: DType { Real.complexDType }
}
