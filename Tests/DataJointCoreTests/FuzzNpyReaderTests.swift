import Foundation
import PropertyBased
import ReliabilitySupport
import Testing

@testable import DataJointCore

/// The `.npy` reader against generated arrays, generated headers and damaged files: arrays round-trip, anything
/// else is refused with a `.codec` error, and no header makes it trap or allocate what the file cannot back.
@Suite("Fuzz: .npy reader")
struct FuzzNpyReaderTests {
    static let dtypes: [DType] = [
        .bool, .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64, .float32, .float64, .complex64,
        .complex128, .datetime64(.milliseconds), .datetime64(.days),
    ]

    /// A random numeric or string array of a small random shape.
    static func array(_ rng: inout any SeededRandomNumberGenerator) -> NDArray {
        let ndim = Int.random(in: 0...3, using: &rng)
        let shape = (0..<ndim).map { _ in Int.random(in: 0...4, using: &rng) }
        let count = shape.reduce(1, *)
        if Int.random(in: 0...5, using: &rng) == 0 {
            let alphabet = Array("ab é漢😀\u{301}")
            let strings = (0..<count).map { _ in
                String((0..<Int.random(in: 0...5, using: &rng)).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] })
            }
            return NDArray(strings: strings, shape: shape)
        }
        let dtype = dtypes[Int.random(in: 0..<dtypes.count, using: &rng)]
        let itemSize = dtype.itemSize ?? 1
        let bytes = (0..<(count * itemSize)).map { _ in dtype == .bool ? UInt8.random(in: 0...1, using: &rng) : UInt8.random(in: 0...255, using: &rng) }
        do {
            return try NDArray(dtype: dtype, shape: shape, bytes: Data(bytes))
        } catch {
            Issue.record("cannot make a \(dtype) array of shape \(shape): \(error)")
            return NDArray(scalar: 0.0)
        }
    }

    /// Seeds: encoded arrays, and files as numpy writes them in Fortran order, big-endian, and format 2.0.
    static let mutator: FuzzMutator = {
        var rng: any SeededRandomNumberGenerator = Xoshiro(seed: (1, 2, 3, 4))
        var seeds: [[UInt8]] = (0..<30).compactMap { _ in (try? NpyFormat.encode(array(&rng))).map { [UInt8]($0) } }
        seeds.append(file("{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3), }", body: Array(0..<24)))
        seeds.append(file("{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", body: Array(0..<16)))
        seeds.append(file("{'descr': '>U2', 'fortran_order': True, 'shape': (1, 2), }", body: [0, 0, 0, 0x61, 0, 0, 0, 0x62] + [UInt8](repeating: 0, count: 8)))
        seeds.append(file("{'descr': '<c16', 'fortran_order': True, 'shape': (1, 1), }", body: [UInt8](repeating: 7, count: 16)))
        seeds.append(file("{'descr': '<M8[us]', 'fortran_order': False, 'shape': (), }", body: [UInt8](repeating: 1, count: 8), major: 2))
        let tokens = [
            "'descr': ", "'fortran_order': ", "'shape': ", "True", "False", "(", ")", ",", "'", "<", ">", "|", "U", "f8",
            "c16", "M8[ns]", "b1", "9223372036854775807", "4611686018427387904", "L", "\u{93}NUMPY",
        ]
        return FuzzMutator(seeds: seeds, tokens: tokens.map { Array($0.utf8) }, maximumLength: 1 << 14)
    }()

    /// An `.npy` file with `header` (padded as numpy pads it) and `body`.
    static func file(_ header: String, body: [UInt8], major: UInt8 = 1) -> [UInt8] {
        var text = Array(header.utf8)
        let prefix = major == 1 ? 10 : 12
        text += [UInt8](repeating: 0x20, count: (64 - (prefix + text.count + 1) % 64) % 64)
        text.append(0x0A)
        var bytes = NpyFormat.magic + [major, 0, UInt8(text.count & 0xFF), UInt8(text.count >> 8)]
        if major != 1 { bytes += [0, 0] }
        return bytes + text + body
    }

    @Test("generated arrays round-trip through .npy bytes")
    func roundTrip() async {
        var tally = FuzzTally()
        await propertyCheck(count: ReliabilityLog.iterations(standard: 500), input: Generator { rng in Self.array(&rng) }) { array in
            let back = tally.feed("\(array.dtype) \(array.shape)") { try NpyFormat.decode(try NpyFormat.encode(array)) }
            guard let back else {
                Issue.record("a generated array was refused: \(array.dtype) \(array.shape)")
                return
            }
            #expect(back == array, "\(array.dtype) \(array.shape)")
        }
        #expect(tally.accepted == tally.tried)
        tally.record(".npy format: generated arrays written and read", accepted: "round-tripped")
    }

    @Test("generated headers with any descr, shape and body length are read or refused with a codec error")
    func generatedHeaders() async {
        var tally = FuzzTally()
        let descrs = ["<f8", ">f8", "|b1", "<i2", ">c8", "<c16", "<M8[ms]", "<U0", "<U1", ">U3", "<U99999999999", "<U4611686018427387904",
            "|O", "<V8", "f8", "<f8junk", "", "<U", "<U-1"]
        let dims = ["0", "1", "2", "3", "17", "-1", "4294967296", "3037000500", "9223372036854775807", "9223372036854775808",
            "1L", "x", " "]
        let files = Generator { rng -> [UInt8] in
            let descr = descrs[Int.random(in: 0..<descrs.count, using: &rng)]
            let shape = (0..<Int.random(in: 0...4, using: &rng)).map { _ in dims[Int.random(in: 0..<dims.count, using: &rng)] }
            let fortran = Bool.random(using: &rng) ? "True" : "False"
            let header = "{'descr': '\(descr)', 'fortran_order': \(fortran), 'shape': (\(shape.joined(separator: ", ")),), }"
            let body = (0..<Int.random(in: 0...96, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            return Self.file(header, body: body, major: UInt8.random(in: 1...3, using: &rng))
        }
        await propertyCheck(count: ReliabilityLog.iterations(standard: 2000), input: files) { bytes in
            tally.feed(String(decoding: bytes, as: UTF8.self), kinds: [.codec]) { try NpyFormat.decode(Data(bytes)) }
        }
        tally.record(".npy reader: generated headers (extreme shapes and widths) with random bodies", accepted: "read")
    }

    @Test("damaged .npy files are read or refused with a codec error")
    func mutatedFiles() async {
        var tally = FuzzTally()
        await propertyCheck(count: ReliabilityLog.iterations(standard: 3000), input: Fuzz.mutations(Self.mutator)) { bytes in
            let array = tally.feed(Fuzz.hex(bytes), kinds: [.codec]) { try NpyFormat.decode(Data(bytes)) }
            // What reads can be used: printed, read as Swift types, written again.
            if let array {
                FuzzBlobDecoderTests.readAsSwiftTypes(.array(array))
                var again = FuzzTally()
                again.feed("re-encoding the array of \(Fuzz.hex(bytes))") { try NpyFormat.encode(array) }
                #expect(again.wrong == 0)
            }
        }
        tally.record(".npy reader: mutated files (generated, Fortran-order, big-endian, format 2.0)", accepted: "read")
    }
}
