import Foundation

@testable import DataJointCore

/// Random blob values from a seeded generator, for the round-trip property tests.
struct BlobRandomValues {
    var rng: SeededGenerator

    init(seed: UInt64) { rng = SeededGenerator(seed: seed) }

    static let numericDTypes: [DType] = [
        .bool, .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64, .float32, .float64, .complex64,
        .complex128, .datetime64(.days), .datetime64(.nanoseconds), .datetime64(.years),
    ]

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }

    mutating func shape() -> [Int] {
        switch int(0...9) {
        case 0: return []
        case 1: return [0]
        case 2: return [int(0...3), 0, int(1...3)]
        case 3, 4: return [int(1...40)]
        case 5, 6: return [int(1...9), int(1...9)]
        case 7: return [int(1...5), int(1...5), int(1...5)]
        case 8: return [1, int(1...7)]
        default: return [int(1...3), int(1...3), int(1...3), int(1...3)]
        }
    }

    mutating func double() -> Double {
        switch int(0...9) {
        case 0: return [.nan, .infinity, -.infinity, -0.0, 0, .leastNonzeroMagnitude, .greatestFiniteMagnitude][int(0...6)]
        case 1: return Double(bitPattern: rng.next())
        default: return Double.random(in: -1e6...1e6, using: &rng)
        }
    }

    /// A numeric array of `dtype` and `shape` with random element bytes (bools 0/1).
    mutating func numericArray(_ dtype: DType, shape: [Int]) -> NDArray {
        let n = shape.reduce(1, *)
        var bytes = [UInt8](repeating: 0, count: n * dtype.itemSize!)
        for i in bytes.indices { bytes[i] = dtype == .bool ? UInt8(rng.next() & 1) : UInt8(truncatingIfNeeded: rng.next()) }
        if dtype == .float64 || dtype == .complex128 {
            // Mostly ordinary numbers, with some special values.
            bytes.withUnsafeMutableBytes { raw in
                for i in 0..<(raw.count / 8) where chance(0.7) {
                    raw.storeBytes(of: double(), toByteOffset: i * 8, as: Double.self)
                }
            }
        }
        return try! NDArray(dtype: dtype, shape: shape, bytes: Data(bytes))
    }

    mutating func string() -> String {
        let alphabet = Array("abcXYZ019 _-✓é漢字😀\n\t\"'\\") + ["\u{0}"]
        return String((0..<int(0...12)).map { _ in alphabet[int(0...(alphabet.count - 1))] })
    }

    mutating func fieldName() -> String {
        let alphabet = Array("abcdefghxyz_019")
        return "f" + String((0..<int(0...6)).map { _ in alphabet[int(0...(alphabet.count - 1))] })
    }

    mutating func fieldNames() -> [String] {
        var names: [String] = []
        while names.count < int(1...4) {
            let n = fieldName()
            if !names.contains(n) { names.append(n) }
        }
        return names
    }

    mutating func scalar() -> BlobValue {
        switch int(0...16) {
        case 0: return .none
        case 1: return .bool(chance(0.5))
        case 2: return .int(Int64(bitPattern: rng.next()) >> UInt64(int(0...63)))
        case 3: return .int([Int64.min, Int64.max, 0, -1, 127, 128, -128, -129, 255, 256][int(0...9)])
        case 4:
            let digits = (0..<int(19...60)).map { _ in String(int(0...9)) }.joined()
            return .integer(BigInteger((chance(0.5) ? "-" : "") + "9" + digits)!)
        case 5: return .float(double())
        case 6: return .complex(ComplexNumber(double(), double()))
        case 7: return .string(string())
        case 8: return .bytes(Data((0..<int(0...20)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }))
        case 9:
            let date = CalendarDate(year: int(1...9999), month: int(1...12), day: int(1...28))!
            return .datetime(DateTime(date: date, hour: int(0...23), minute: int(0...59), second: int(0...59),
                microsecond: int(0...999_999))!)
        case 10: return .date(CalendarDate(year: int(1...9999), month: int(1...12), day: int(1...28))!)
        case 11: return .time(TimeOfDay(hour: int(0...23), minute: int(0...59), second: int(0...59),
            microsecond: chance(0.5) ? 0 : int(0...999_999))!)
        case 12:
            var u = UUID().uuid
            withUnsafeMutableBytes(of: &u) { for i in 0..<16 { $0[i] = UInt8(truncatingIfNeeded: rng.next()) } }
            return .uuid(UUID(uuid: u))
        case 13: return .decimal(["3.14", "-0.000100", "1E+2", "NaN", "-Infinity", "12345678901234567890.5", "0"][int(0...6)])
        case 14: return .scalar(Float(double()))
        case 15: return .scalar(UInt64(rng.next()))
        default: return .array(numericArray(Self.numericDTypes[int(0...(Self.numericDTypes.count - 1))], shape: []))
        }
    }

    /// A random value, nested at most `depth` levels.
    mutating func value(depth: Int) -> BlobValue {
        if depth <= 0 || chance(0.35) { return chance(0.8) ? scalar() : .array(randomArray(depth: 0)) }
        switch int(0...8) {
        case 0: return .list((0..<int(0...4)).map { _ in value(depth: depth - 1) })
        case 1: return .tuple((0..<int(0...4)).map { _ in value(depth: depth - 1) })
        case 2:
            var items: [BlobValue] = []
            for _ in 0..<int(0...4) {
                let v = scalar()
                if !items.contains(v) { items.append(v) }
            }
            return .set(items)
        case 3:
            var pairs: [(key: BlobValue, value: BlobValue)] = []
            for _ in 0..<int(0...4) {
                let key: BlobValue = chance(0.7) ? .string(fieldName()) : scalar()
                if !pairs.contains(where: { $0.key == key }) { pairs.append((key, value(depth: depth - 1))) }
            }
            return .dict(pairs)
        case 4: return .array(randomArray(depth: depth - 1))
        case 5:
            let names = fieldNames()
            let shape = [[1, 1], [1, int(0...3)], [int(1...3), int(1...3)], [int(0...4)]][int(0...3)]
            let n = shape.reduce(1, *) * names.count
            return .matStruct(MatStruct(fieldNames: names, shape: shape, values: (0..<n).map { _ in value(depth: depth - 1) }))
        case 6:
            let shape = [[1, int(0...4)], [int(1...3), int(1...3)], [int(1...2), int(1...2), int(1...2)]][int(0...2)]
            return .cell(MatCell((0..<shape.reduce(1, *)).map { _ in value(depth: depth - 1) }, shape: shape))
        case 7: return .recordArray(recordArray(depth: depth - 1))
        default: return .array(NDArray(strings: (0..<3).map { _ in string() }, shape: [3]))
        }
    }

    mutating func randomArray(depth: Int) -> NDArray {
        let shape = shape()
        if depth > 0 && chance(0.3) {
            return NDArray(objects: (0..<shape.reduce(1, *)).map { _ in value(depth: depth - 1) }, shape: shape)
        }
        if chance(0.1) { return NDArray(strings: (0..<shape.reduce(1, *)).map { _ in string() }, shape: shape) }
        return numericArray(Self.numericDTypes[int(0...(Self.numericDTypes.count - 1))], shape: shape)
    }

    mutating func recordArray(depth: Int) -> RecordArray {
        let shape = [[int(0...5)], [int(1...3), int(1...3)], []][int(0...2)]
        return RecordArray(fieldNames().map { name in
            if depth > 0 && chance(0.2) {
                let nested = recordArray(depth: depth - 1)
                if nested.shape == shape { return RecordArray.Field(name, .records(nested)) }
            }
            return RecordArray.Field(name, numericArray(Self.numericDTypes[int(0...(Self.numericDTypes.count - 1))], shape: shape))
        })
    }
}
