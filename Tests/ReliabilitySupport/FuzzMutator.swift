// Random damage to valid inputs, for the mutation fuzz tests of parsers and decoders.

/// Mutates a valid input (bytes or text) the way a fuzzer does: bit flips, random and boundary bytes, inserted,
/// deleted and duplicated slices, truncation, splices with another seed, lengths replaced by boundary numbers,
/// tokens of the input's own language inserted, and numbers in text replaced by extreme ones.
///
/// Everything is drawn from the generator passed in, so a seeded generator gives the same mutations again.
public struct FuzzMutator: Sendable {
    /// Valid inputs to start from and to splice with.
    public let seeds: [[UInt8]]
    /// Fragments of the input language (keywords, delimiters, magic bytes) inserted or overwritten at random.
    public let tokens: [[UInt8]]
    /// The most bytes a mutated input may have, so no input is expensive for its own sake.
    public let maximumLength: Int

    public init(seeds: [[UInt8]], tokens: [[UInt8]] = [], maximumLength: Int = 1 << 16) {
        precondition(!seeds.isEmpty, "a mutator needs at least one seed")
        self.seeds = seeds
        self.tokens = tokens
        self.maximumLength = maximumLength
    }

    /// A mutator of text seeds, with tokens of the text's language.
    public init(texts: [String], tokens: [String] = [], maximumLength: Int = 1 << 16) {
        self.init(seeds: texts.map { Array($0.utf8) }, tokens: tokens.map { Array($0.utf8) }, maximumLength: maximumLength)
    }

    /// Little-endian numbers that break size and length fields: 0, 1, -1, the signed and unsigned extremes of 8, 16,
    /// 32 and 64 bits, and powers of two that overflow when multiplied.
    public static let boundaryNumbers: [UInt64] = [
        0, 1, 2, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 1 << 32, 1 << 40,
        1 << 56, 1 << 60, 1 << 62, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, 0xFFFF_FFFF_FFFF_FFFF,
    ]

    /// Decimal texts that break numbers in text formats.
    public static let boundaryNumberTexts: [String] = [
        "0", "-0", "1", "-1", "255", "65535", "2147483648", "4294967295", "-9223372036854775808", "9223372036854775807",
        "9223372036854775808", "18446744073709551616", "99999999999999999999999999", "1e308", "1e309", "-1e309", "1e-400",
        "NaN", "0x10", "1.5", "",
    ]

    /// A seed with one to four mutations applied (half the time one, which keeps most of its structure).
    public func mutated(using rng: inout some RandomNumberGenerator) -> [UInt8] {
        var input = seeds[Int.random(in: 0..<seeds.count, using: &rng)]
        for _ in 0..<(Bool.random(using: &rng) ? 1 : Int.random(in: 2...4, using: &rng)) {
            input = mutate(input, using: &rng)
        }
        return input.count > maximumLength ? Array(input.prefix(maximumLength)) : input
    }

    /// The input with one random mutation.
    public func mutate(_ input: [UInt8], using rng: inout some RandomNumberGenerator) -> [UInt8] {
        var bytes = input
        func position(_ extra: Int = 0) -> Int { Int.random(in: 0...(bytes.count - 1 + extra), using: &rng) }
        func slice() -> Range<Int> {
            let start = position()
            let length = Int.random(in: 1...min(bytes.count - start, 64), using: &rng)
            return start..<(start + length)
        }
        func randomBytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) } }

        let operation = Int.random(in: 0...12, using: &rng)
        if bytes.isEmpty, operation < 9 {
            return randomBytes(Int.random(in: 1...8, using: &rng))
        }
        switch operation {
        case 0:  // flip one bit
            let i = position()
            bytes[i] ^= 1 << UInt8.random(in: 0...7, using: &rng)
        case 1:  // one random byte
            bytes[position()] = UInt8.random(in: 0...255, using: &rng)
        case 2:  // one byte at a boundary
            bytes[position()] = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0x20, 0x0A, 0x22, 0x27, 0x5C][Int.random(in: 0...9, using: &rng)]
        case 3:  // insert random bytes
            bytes.insert(contentsOf: randomBytes(Int.random(in: 1...16, using: &rng)), at: position(1))
        case 4:  // delete a slice
            bytes.removeSubrange(slice())
        case 5:  // duplicate a slice somewhere
            let copy = Array(bytes[slice()])
            let times = Int.random(in: 1...8, using: &rng)
            bytes.insert(contentsOf: Array([[UInt8]](repeating: copy, count: times).joined()), at: position(1))
        case 6:  // truncate
            bytes.removeSubrange(position()...)
        case 7:  // a 4- or 8-byte little-endian boundary number over the bytes at a random place
            var n = Self.boundaryNumbers[Int.random(in: 0..<Self.boundaryNumbers.count, using: &rng)]
            if Bool.random(using: &rng) { n = n &- 1 }
            let width = Bool.random(using: &rng) ? 4 : 8
            let at = position()
            for k in 0..<width where at + k < bytes.count {
                bytes[at + k] = UInt8(truncatingIfNeeded: n >> (8 * UInt64(k)))
            }
        case 8:  // swap two slices' order: move a slice elsewhere
            let range = slice()
            let moved = Array(bytes[range])
            bytes.removeSubrange(range)
            bytes.insert(contentsOf: moved, at: Int.random(in: 0...bytes.count, using: &rng))
        case 9:  // splice: a prefix of this input and a suffix of another seed
            let other = seeds[Int.random(in: 0..<seeds.count, using: &rng)]
            let cut = Int.random(in: 0...bytes.count, using: &rng)
            let from = Int.random(in: 0...other.count, using: &rng)
            bytes = Array(bytes[..<cut]) + Array(other[from...])
        case 10:  // a token of the language inserted
            guard !tokens.isEmpty else { return randomBytes(Int.random(in: 0...8, using: &rng)) + bytes }
            let token = tokens[Int.random(in: 0..<tokens.count, using: &rng)]
            bytes.insert(contentsOf: token, at: Int.random(in: 0...bytes.count, using: &rng))
        case 11:  // a token of the language over existing bytes
            guard !tokens.isEmpty, !bytes.isEmpty else { return bytes + randomBytes(1) }
            let token = tokens[Int.random(in: 0..<tokens.count, using: &rng)]
            let at = Int.random(in: 0..<bytes.count, using: &rng)
            bytes.replaceSubrange(at..<min(bytes.count, at + token.count), with: token)
        default:  // a decimal number in text replaced by an extreme one
            let digits = bytes.indices.filter { bytes[$0] >= 0x30 && bytes[$0] <= 0x39 }
            let text = Array(Self.boundaryNumberTexts[Int.random(in: 0..<Self.boundaryNumberTexts.count, using: &rng)].utf8)
            guard let start = digits.isEmpty ? nil : digits[Int.random(in: 0..<digits.count, using: &rng)] else {
                bytes.insert(contentsOf: text, at: Int.random(in: 0...bytes.count, using: &rng))
                break
            }
            var end = start
            while end < bytes.count, bytes[end] >= 0x30 && bytes[end] <= 0x39 { end += 1 }
            bytes.replaceSubrange(start..<end, with: text)
        }
        return bytes
    }
}
