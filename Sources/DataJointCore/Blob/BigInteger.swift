/// An integer of any size: a Python `int` that does not fit in `Int64`.
///
/// The blob format stores Python integers in up to 65535 bytes of two's complement; ``BlobValue/int(_:)`` carries the
/// ones that fit in `Int64` and ``BlobValue/bigInt(_:)`` the others. This type only carries and prints such values; it
/// does no arithmetic.
public struct BigInteger: Sendable, Hashable, CustomStringConvertible, LosslessStringConvertible {
    /// True for values below zero.
    public let isNegative: Bool
    /// The absolute value in 32-bit limbs, least significant first, without trailing zero limbs (zero is `[]`).
    let magnitude: [UInt32]

    init(isNegative: Bool, magnitude: [UInt32]) {
        var limbs = magnitude
        while limbs.last == 0 { limbs.removeLast() }
        self.isNegative = isNegative && !limbs.isEmpty
        self.magnitude = limbs
    }

    /// The value of `value`.
    public init(_ value: Int64) {
        let m = value.magnitude
        self.init(isNegative: value < 0, magnitude: [UInt32(truncatingIfNeeded: m), UInt32(truncatingIfNeeded: m >> 32)])
    }

    /// The value of `value`.
    public init(_ value: UInt64) {
        self.init(isNegative: false, magnitude: [UInt32(truncatingIfNeeded: value), UInt32(truncatingIfNeeded: value >> 32)])
    }

    /// Reads little-endian two's complement bytes, as the blob format and Python's `int.from_bytes(…, "little",
    /// signed=True)` do. No bytes is zero.
    public init<Bytes: Collection>(twosComplementLittleEndian bytes: Bytes) where Bytes.Element == UInt8 {
        let raw = Array(bytes)
        let negative = (raw.last ?? 0) & 0x80 != 0
        var limbs = [UInt32](repeating: 0, count: (raw.count + 3) / 4)
        if negative {
            // magnitude = ~bytes + 1
            var carry: UInt32 = 1
            for (i, byte) in raw.enumerated() {
                let sum = UInt32(~byte) + carry
                carry = sum >> 8
                limbs[i / 4] |= (sum & 0xFF) << (8 * UInt32(i % 4))
            }
        } else {
            for (i, byte) in raw.enumerated() { limbs[i / 4] |= UInt32(byte) << (8 * UInt32(i % 4)) }
        }
        self.init(isNegative: negative, magnitude: limbs)
    }

    /// Parses decimal digits with an optional sign (`-123456789012345678901234567890`).
    public init?(_ text: String) {
        var digits = Substring(text)
        var negative = false
        if let sign = digits.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        var limbs: [UInt32] = []
        for ch in digits.utf8 {
            // limbs = limbs * 10 + digit
            var carry = UInt64(ch - 48)
            for i in limbs.indices {
                let v = UInt64(limbs[i]) * 10 + carry
                limbs[i] = UInt32(truncatingIfNeeded: v)
                carry = v >> 32
            }
            if carry > 0 { limbs.append(UInt32(carry)) }
        }
        self.init(isNegative: negative, magnitude: limbs)
    }

    /// The value as `Int64`, or `nil` if it does not fit.
    public var int64Value: Int64? {
        guard magnitude.count <= 2 else { return nil }
        let m = magnitude.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (32 * UInt64($1.offset)) }
        if isNegative {
            if m <= UInt64(Int64.max) { return -Int64(m) }
            return m == UInt64(Int64.max) + 1 ? .min : nil
        }
        return m <= UInt64(Int64.max) ? Int64(m) : nil
    }

    /// The number of bits of the absolute value (Python's `int.bit_length()`).
    public var bitLength: Int {
        guard let top = magnitude.last else { return 0 }
        return (magnitude.count - 1) * 32 + (32 - top.leadingZeroBitCount)
    }

    /// The value in `count` bytes of little-endian two's complement (`count` must be large enough).
    func twosComplementBytes(count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        for i in 0..<count {
            let limb = i / 4 < magnitude.count ? magnitude[i / 4] : 0
            bytes[i] = UInt8(truncatingIfNeeded: limb >> (8 * UInt32(i % 4)))
        }
        if isNegative {
            var carry: UInt16 = 1
            for i in 0..<count {
                let sum = UInt16(~bytes[i]) + carry
                bytes[i] = UInt8(truncatingIfNeeded: sum)
                carry = sum >> 8
            }
        }
        return bytes
    }

    /// Decimal digits with a leading `-` for negative values.
    public var description: String {
        if magnitude.isEmpty { return "0" }
        var limbs = magnitude
        var chunks: [UInt32] = []  // base 10^9, least significant first
        while !limbs.isEmpty {
            var remainder: UInt64 = 0
            for i in stride(from: limbs.count - 1, through: 0, by: -1) {
                let v = remainder << 32 | UInt64(limbs[i])
                limbs[i] = UInt32(v / 1_000_000_000)
                remainder = v % 1_000_000_000
            }
            chunks.append(UInt32(remainder))
            while limbs.last == 0 { limbs.removeLast() }
        }
        var text = isNegative ? "-" : ""
        text += String(chunks.last!)
        for chunk in chunks.dropLast().reversed() {
            let s = String(chunk)
            text += String(repeating: "0", count: 9 - s.count) + s
        }
        return text
    }
}
