/// A complex number with real and imaginary parts of type `Real`, laid out as NumPy lays out `complex64`
/// (`ComplexNumber<Float>`) and `complex128` (`ComplexNumber<Double>`): real part first.
public struct ComplexNumber<Real: BinaryFloatingPoint & Sendable & Hashable>: Sendable, Hashable,
    CustomStringConvertible
{
    /// The real part.
    public var real: Real
    /// The imaginary part.
    public var imaginary: Real

    /// Creates `real + imaginary·j`.
    public init(_ real: Real, _ imaginary: Real = 0) {
        self.real = real
        self.imaginary = imaginary
    }

    /// Python's notation, e.g. `(1.0+2.0j)`.
    public var description: String {
        let sign = imaginary.sign == .minus ? "-" : "+"
        return "(\(real)\(sign)\(imaginary.magnitude)j)"
    }

    /// Bitwise equality of both parts, so that NaN equals itself and `Hashable` holds (see ``BlobValue``).
    public static func == (a: ComplexNumber, b: ComplexNumber) -> Bool {
        BlobBits.same(a.real, b.real) && BlobBits.same(a.imaginary, b.imaginary)
    }

    public func hash(into hasher: inout Hasher) {
        BlobBits.hash(real, into: &hasher)
        BlobBits.hash(imaginary, into: &hasher)
    }
}

/// Bitwise comparison and hashing of floating-point values, used by the blob value model.
enum BlobBits {
    static func same<F: BinaryFloatingPoint>(_ a: F, _ b: F) -> Bool {
        if let a = a as? Double, let b = b as? Double { return a.bitPattern == b.bitPattern }
        if let a = a as? Float, let b = b as? Float { return a.bitPattern == b.bitPattern }
        return a == b || (a.isNaN && b.isNaN)
    }

    static func hash<F: BinaryFloatingPoint>(_ value: F, into hasher: inout Hasher) {
        if let d = value as? Double {
            hasher.combine(d.bitPattern)
        } else if let f = value as? Float {
            hasher.combine(f.bitPattern)
        } else {
            hasher.combine(Double(value).bitPattern)
        }
    }
}
