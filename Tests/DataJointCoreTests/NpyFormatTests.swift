import Foundation
import Testing

@testable import DataJointCore

@Suite("The .npy format")
struct NpyFormatTests {
    static let arrays: [NDArray] = [
        NDArray([1.5, -2.25, 3, 4, 5, 6], shape: [2, 3]),
        NDArray([Float](arrayLiteral: 0.1, 0.2), shape: [2]),
        NDArray([Int8](arrayLiteral: -128, 127), shape: [2, 1]),
        NDArray([UInt64](arrayLiteral: 0, UInt64.max), shape: [2]),
        NDArray([true, false, true, true], shape: [2, 2]),
        NDArray([Int32](arrayLiteral: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24), shape: [2, 3, 4]),
        NDArray(scalar: 42.0),
        NDArray([Double](), shape: [0, 3]),
        NDArray(datetime64: [0, 1_700_000_000_000], unit: .milliseconds),
        NDArray(strings: ["a", "héllo", ""], shape: [3]),
    ]

    @Test("arrays round-trip through .npy bytes")
    func roundTrip() throws {
        for array in Self.arrays {
            #expect(try NpyFormat.decode(try NpyFormat.encode(array)) == array, "\(array.dtype) \(array.shape)")
            // The header (with magic, version and length) fills whole 64-byte blocks, as numpy aligns it.
            let encoded = try NpyFormat.encode(array)
            #expect((10 + Int(encoded[8]) + Int(encoded[9]) << 8) % 64 == 0)
        }
        let header = try NpyFormat.encode(Self.arrays[0]).prefix(128)
        #expect(String(decoding: header.dropFirst(10), as: UTF8.self).hasPrefix("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"))
        #expect(header.last == 0x0A)
    }

    @Test("object arrays and malformed files are refused with a DataJointError")
    func refusals() throws {
        #expect(throws: DataJointError.self) { try NpyFormat.encode(NDArray(objects: [.int(1)])) }
        let valid = try NpyFormat.encode(Self.arrays[0])
        for length in [0, 5, 9, 20, valid.count - 1] {
            let error = #expect(throws: DataJointError.self) { try NpyFormat.decode(valid.prefix(length)) }
            #expect(error?.kind == .codec)
        }
        var wrongType = valid
        wrongType.replaceSubrange(20..<23, with: Data("<x9".utf8))
        #expect(throws: DataJointError.self) { try NpyFormat.decode(wrongType) }
    }

    @Test("a header whose shape times item size or string width overflows is refused, not trapped on")
    func overflowingSizes() {
        for header in [
            "{'descr': '<U4611686018427387904', 'fortran_order': False, 'shape': (3,), }",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (2305843009213693952,), }",
            "{'descr': '<c16', 'fortran_order': True, 'shape': (3037000500, 3037000500), }",
        ] {
            let file = FuzzNpyReaderTests.file(header, body: [UInt8](repeating: 0, count: 64))
            let error = #expect(throws: DataJointError.self, "\(header)") { try NpyFormat.decode(Data(file)) }
            #expect(error?.kind == .codec)
            #expect(error?.message.contains("too large") == true, "\(error?.message ?? "")")
        }
    }

    @Test(
        "bytes identical to numpy.save, and numpy's files (Fortran order, big-endian) read back",
        .enabled(if: BlobReferenceTests.pythonAvailable, "DataJoint-Python is not installed (set DJ_TEST_PYTHON; scripts/test does)"))
    func matchesNumpy() throws {
        let script = """
            import numpy as np, io, sys, json
            arrays = [
                np.array([[1.5, -2.25, 3], [4, 5, 6]]), np.array([0.1, 0.2], dtype='float32'),
                np.array([[-128], [127]], dtype='int8'), np.array([0, 2**64 - 1], dtype='uint64'),
                np.array([[True, False], [True, True]]), np.arange(1, 25, dtype='int32').reshape(2, 3, 4),
                np.array(42.0), np.zeros((0, 3)), np.array([0, 1700000000000], dtype='datetime64[ms]'),
                np.array(['a', 'héllo', '']),
                np.asfortranarray(np.arange(1, 25, dtype='int32').reshape(2, 3, 4)),
                np.arange(6, dtype='>i4').reshape(2, 3),
                np.asfortranarray(np.array([['ab', 'c'], ['d', 'efg']])),
            ]
            out = []
            for a in arrays:
                b = io.BytesIO(); np.save(b, a, allow_pickle=False); out.append(b.getvalue().hex())
            print(json.dumps(out))
            """
        let output = try BlobReferenceTests.run(["-c", script], input: Data())
        let files = try #require(try JSONSerialization.jsonObject(with: output) as? [String])
        func bytes(_ hex: String) -> Data {
            var data = Data()
            var index = hex.startIndex
            while index < hex.endIndex {
                let next = hex.index(index, offsetBy: 2)
                data.append(UInt8(hex[index..<next], radix: 16)!)
                index = next
            }
            return data
        }
        for (array, hex) in zip(Self.arrays, files) {
            #expect(try NpyFormat.encode(array) == bytes(hex), "\(array.dtype) \(array.shape)")
            #expect(try NpyFormat.decode(bytes(hex)) == array, "\(array.dtype) \(array.shape)")
        }
        let fortran = try NpyFormat.decode(bytes(files[10]))
        #expect(fortran == Self.arrays[5])
        #expect(try NpyFormat.decode(bytes(files[11])) == NDArray([Int32](arrayLiteral: 0, 1, 2, 3, 4, 5), shape: [2, 3]))
        #expect(try NpyFormat.decode(bytes(files[12])) == NDArray(strings: ["ab", "c", "d", "efg"], shape: [2, 2]))
    }
}
