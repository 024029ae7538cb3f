import Foundation
import Testing

@testable import DataJointCore

/// Property tests: whatever is encoded decodes to the same value (up to the conversions the format makes).
@Suite("Blob round trips")
struct BlobRoundTripTests {
    static let shapes: [[Int]] = [[], [0], [1], [7], [2, 3], [3, 1], [1, 4], [0, 3], [2, 0, 3], [2, 3, 4], [3, 1, 2, 2]]

    private func roundTrip(_ value: BlobValue, compress: Bool = false) throws -> BlobValue {
        try BlobDecoder().decode(try BlobEncoder(compress: compress).encode(value))
    }

    @Test("arrays of every dtype and shape", arguments: BlobRandomValues.numericDTypes)
    func numericArrays(_ dtype: DType) throws {
        var random = BlobRandomValues(seed: 0xD7_0000 + UInt64(BlobRandomValues.numericDTypes.firstIndex(of: dtype)!))
        for shape in Self.shapes {
            for _ in 0..<3 {
                let array = random.numericArray(dtype, shape: shape)
                let back = try roundTrip(.array(array))
                #expect(back == .array(array), "\(dtype) \(shape)")
                #expect(try roundTrip(.array(array), compress: true) == .array(array))
            }
        }
    }

    @Test("the column-major bytes are those NumPy writes: element (i, j, k) at i + j·n0 + k·n0·n1")
    func columnMajorLayout() throws {
        let shape = [2, 3, 4]
        let array = NDArray((0..<24).map { Int16($0) }, shape: shape)
        let blob = try BlobEncoder(compress: false).encode(.array(array))
        let data = blob.suffix(48)
        let stored = data.withUnsafeBytes { raw in (0..<24).map { raw.loadUnaligned(fromByteOffset: 2 * $0, as: Int16.self) } }
        for i in 0..<2 {
            for j in 0..<3 {
                for k in 0..<4 {
                    #expect(stored[i + j * 2 + k * 6] == Int16(i * 12 + j * 4 + k))
                }
            }
        }
        // Large matrices go through the tiled transposition both ways.
        let big = NDArray((0..<(300 * 70)).map { Double($0) }, shape: [300, 70])
        let bigBlob = try BlobEncoder(compress: false).encode(.array(big))
        bigBlob.suffix(300 * 70 * 8).withUnsafeBytes { raw in
            #expect(raw.loadUnaligned(fromByteOffset: 8 * (5 + 7 * 300), as: Double.self) == Double(5 * 70 + 7))
        }
        #expect(try BlobDecoder().decode(bigBlob) == .array(big))
    }

    @Test("random nested values", arguments: 0..<8)
    func nestedValues(_ seed: Int) throws {
        var random = BlobRandomValues(seed: UInt64(seed) &* 0x9E37_79B9 &+ 17)
        for _ in 0..<60 {
            let value = random.value(depth: 4)
            let expected = BlobTestSupport.roundTripped(value)
            let blob = try BlobEncoder(compress: false).encode(value)
            let back = try BlobDecoder().decode(blob)
            #expect(back == expected, "\(value)")
            // Encoding what was decoded gives the same bytes, except where the format converts a type.
            if back == value { #expect(try BlobEncoder(compress: false).encode(back) == blob) }
            // Compressed or not, the value is the same.
            #expect(try BlobDecoder().decode(try BlobEncoder(compress: true).encode(value)) == expected)
        }
    }

    @Test("the protocol is mYm only for MATLAB-compatible values")
    func protocolHeader() throws {
        func header(_ v: BlobValue) throws -> String {
            String(decoding: try BlobEncoder(compress: false).encode(v).prefix(3), as: UTF8.self)
        }
        #expect(try header(.array(NDArray([1.0, 2.0]))) == "mYm")
        #expect(try header(.array(NDArray([Int8](), shape: [0, 2]))) == "mYm")
        #expect(try header(.array(NDArray(matlabChar: "abc"))) == "mYm")
        #expect(try header(.cell(MatCell([.array(NDArray([1.0]))]))) == "mYm")
        #expect(try header(.matStruct(MatStruct(["x": .array(NDArray([1.0]))]))) == "mYm")
        #expect(try header(.scalar(1.0)) == "dj0")  // 0-dimensional arrays are not MATLAB's
        #expect(try header(.array(NDArray(datetime64: [1], unit: .days))) == "dj0")
        #expect(try header(.array(NDArray(strings: ["a"]))) == "dj0")
        #expect(try header(.cell(MatCell([1]))) == "dj0")  // a Python int inside
        #expect(try header(.matStruct(MatStruct(["x": "text"]))) == "dj0")
        #expect(try header(.recordArray(RecordArray([.init("a", NDArray([1.0]))])))  == "dj0")
        #expect(try header(1) == "dj0")
    }

    @Test("integers take the length Python gives them")
    func integers() throws {
        let cases: [(BlobValue, String)] = [
            (0, "0a010000"), (127, "0a01007f"), (128, "0a02008000"), (-128, "0a020080ff"), (-129, "0a02007fff"),
            (.int(.min), "0a09000000000000000080ff"), (.int(.max), "0a0800ffffffffffffff7f"),
            (.integer(BigInteger("1180591620717411303424")!), "0a0900000000000000000040"),
        ]
        for (value, hex) in cases {
            let blob = try BlobEncoder(compress: false).encode(value)
            #expect(BlobTestSupport.hex(blob.dropFirst(4)) == hex, "\(value)")
            #expect(try BlobDecoder().decode(blob) == value)
        }
        let huge = BigInteger("-" + String(repeating: "9", count: 500))!
        #expect(try roundTrip(.bigInt(huge)) == .bigInt(huge))
        #expect(huge.description == "-" + String(repeating: "9", count: 500))
        let tooBig = BigInteger(twosComplementLittleEndian: [UInt8](repeating: 0xFF, count: 70_000) + [0x7F])
        #expect(throws: DataJointError.self) { try BlobEncoder().encode(.bigInt(tooBig)) }
    }

    @Test("dates and times")
    func temporal() throws {
        let time = TimeOfDay(hour: 12, minute: 30)!
        let blob = try BlobEncoder(compress: false).encode(.time(time))
        #expect(BlobTestSupport.hex(blob) == "646a300074ffffffff000e5fa31c000000")  // datetime.time(12, 30)
        #expect(try BlobDecoder().decode(blob) == .time(time))
        let midnight = DateTime(date: CalendarDate(year: 1, month: 1, day: 1)!)!
        #expect(try roundTrip(.datetime(midnight)) == .datetime(midnight))
        // Both parts absent: None, as in Python.
        #expect(try BlobDecoder().decode(BlobTestSupport.data(hex: "646a300074ffffffffffffffffffffffff")) == .none)
    }

    @Test("MATLAB char arrays read as DataJoint-Python reads them")
    func charArrays() throws {
        let row = try roundTrip(.array(NDArray(matlabChar: "héllo ✓")))
        #expect(row == .array(NDArray(strings: ["héllo ✓"], shape: [1])))
        #expect(row.stringValue == "héllo ✓")
        // The bytes of numpy.array([b'a', b'b'], dtype='S1'): mYm, 16-bit characters.
        let ab = NDArray([UInt16(97), 98]).withDType(.char)
        #expect(BlobTestSupport.hex(try BlobEncoder(compress: false).encode(.array(ab)))
            == "6d596d004101000000000000000200000000000000040000000000000061006200")
        // A 2 × 2 char matrix reads as single characters, row-major.
        let matrix = NDArray([UInt16(97), 98, 99, 100], shape: [2, 2]).withDType(.char)
        #expect(try roundTrip(.array(matrix))
            == .array(NDArray(strings: ["a", "b", "c", "d"], shape: [2, 2])))
        // DataJoint-Python's bytes for [[b'a', b'b'], [b'c', b'd']] hold the characters in row-major order, which it
        // reads back as [['a', 'c'], ['b', 'd']]; so does this decoder.
        let python = BlobTestSupport.data(
            hex: "6d596d004102000000000000000200000000000000020000000000000004000000000000006100620063006400")
        #expect(try BlobDecoder().decode(python) == .array(NDArray(strings: ["a", "c", "b", "d"], shape: [2, 2])))
    }

    @Test("structs, cells and structured arrays")
    func matlabStructures() throws {
        let s = MatStruct(fieldNames: ["a", "b"], records: [[1.0, "x"], [2.0, "y"], [3.0, "z"]], shape: [3, 1])
        #expect(try roundTrip(.matStruct(s)) == .matStruct(s))
        // DataJoint-Python's bytes for a one-record struct with fields a=1.0, b='x'.
        let python = BlobTestSupport.data(
            hex: "646a30005301000000000000000100000000000000020000006100620009000000000000000d000000000000f03f0a0000000000000005010000000000000078")
        let decoded = try BlobDecoder().decode(python)
        #expect(decoded == .matStruct(MatStruct(fieldNames: ["a", "b"], shape: [1], values: [1.0, "x"])))
        #expect(decoded["b"] == "x")
        #expect(try BlobEncoder(compress: false).encode(decoded) == python)

        let cell = MatCell([.array(NDArray([1.0])), "hi"], shape: [2])
        let cellBlob = try BlobEncoder(compress: false).encode(.cell(cell))
        #expect(BlobTestSupport.hex(cellBlob)
            == "646a30004301000000000000000200000000000000210000000000000041010000000000000001000000000000000600000000000000000000000000f03f0b000000000000000502000000000000006869")
        #expect(try BlobDecoder().decode(cellBlob) == .cell(cell))
        #expect(try roundTrip(.cell(MatCell([], shape: [0, 0]))) == .cell(MatCell([], shape: [0])))

        let records = RecordArray([.init("x", NDArray([Int32(1), 3])), .init("y", NDArray([2.0, 4.0]))])
        let recordBlob = try BlobEncoder(compress: false).encode(.recordArray(records))
        #expect(BlobTestSupport.hex(recordBlob)
            == "646a300046020000007800790041010000000000000002000000000000000c0000000000000001000000030000004101000000000000000200000000000000060000000000000000000000000000400000000000001040")
        #expect(try BlobDecoder().decode(recordBlob) == .recordArray(records))
        // Without fields, both read as numpy.array(None).
        #expect(try roundTrip(.matStruct(MatStruct(fieldNames: [], shape: [1, 1], values: [])))
            == .array(NDArray(objects: [.none], shape: [])))
    }

    @Test("sets compare without order; dicts keep theirs and a repeated key keeps its last value")
    func setsAndDicts() throws {
        #expect(BlobValue.set([1, 2, 3]) == .set([3, 1, 2]))
        #expect(BlobValue.set([1, 2, 3]).hashValue == BlobValue.set([3, 2, 1]).hashValue)
        #expect(BlobValue(dictionaryLiteral: ("a", 1), ("b", 2)) != ["b": 2, "a": 1])
        // {'a': 1, 'b': 2, 'a': 3} written by hand: Python reads {'a': 3, 'b': 2}.
        var writer = BlobWriter(maxDepth: 10)
        try writer.write(.dict([("a", 1), ("b", 2), ("a", 3)]))
        let blob = Data(BlobFormat.dj0Header + writer.bytes)
        #expect(try BlobDecoder().decode(blob) == ["a": 3, "b": 2])
    }

    @Test("nesting up to the limit works, deeper throws")
    func depth() throws {
        var value: BlobValue = 1
        for _ in 0..<(BlobDecoder.defaultMaxDepth - 1) { value = .list([value]) }
        #expect(try roundTrip(value) == value)
        let deeper = BlobValue.list([value])
        #expect(throws: DataJointError.self) { try BlobEncoder().encode(deeper) }
        let blob = try BlobEncoder(maxDepth: 1000).encode(deeper)
        #expect(throws: DataJointError.self) { try BlobDecoder().decode(blob) }
        #expect(try BlobDecoder(maxDepth: 1000).decode(blob) == deeper)
    }

    @Test("32-bit mYm dimensions")
    func dims32() throws {
        // A 2 × 1 double array as the 32-bit mYm library writes it.
        let blob = BlobTestSupport.data(
            hex: "6d596d0041" + "02000000" + "02000000" + "01000000" + "06000000" + "00000000"
                + "000000000000f03f" + "0000000000000040")
        #expect(try BlobDecoder(uses32BitDimensions: true).decode(blob) == .array(NDArray([1.0, 2.0], shape: [2, 1])))
        #expect(throws: DataJointError.self) { try BlobDecoder().decode(blob) }
    }

    @Test("compression follows the reference rule")
    func compression() throws {
        let small = BlobValue.array(NDArray([Double](repeating: 0, count: 100)))  // 829 bytes: never compressed
        #expect(try BlobEncoder().encode(small).starts(with: Array("mYm\0".utf8)))
        let zeros = BlobValue.array(NDArray([Double](repeating: 0, count: 1000)))
        let zipped = try BlobEncoder().encode(zeros)
        #expect(zipped.starts(with: Array("ZL123\0".utf8)))
        #expect(zipped.count < 100)
        #expect(try BlobDecoder().decode(zipped) == zeros)
        // Random bytes do not compress, so they stay plain.
        var random = BlobRandomValues(seed: 3)
        let noise = BlobValue.array(random.numericArray(.uint8, shape: [5000]))
        let plain = try BlobEncoder().encode(noise)
        #expect(plain.starts(with: Array("mYm\0".utf8)))
    }

    @Test("blobs up to 64 KiB are deflated at the default level (Python's bytes), larger ones at the fastest level")
    func compressionLevels() throws {
        // The zlib stream follows `ZL123\0` and the 8-byte length; its second byte names the level used.
        let small = try BlobEncoder().encode(.array(NDArray([Double](repeating: 0, count: 1000))))
        #expect(Array(small[14..<16]) == [0x78, 0x9C])
        let signal = BlobValue.array(NDArray((0..<131_072).map { Double($0) * 0.001 }))  // 1 MB
        let large = try BlobEncoder().encode(signal)
        #expect(large.starts(with: Array("ZL123\0".utf8)))
        #expect(Array(large[14..<16]) == [0x78, 0x01])
        #expect(large.count < 1_048_576 / 2)
        #expect(try BlobDecoder().decode(large) == signal)
    }

    @Test("a large blob is stored compressed only where a sample shows that compression pays")
    func compressionWherePays() throws {
        var random = BlobRandomValues(seed: 11)
        let noise = NDArray((0..<131_072).map { _ in Double.random(in: -1..<1, using: &random.rng) })
        let plain = try BlobEncoder().encode(.array(noise))
        #expect(plain == (try BlobEncoder(compress: false).encode(.array(noise))), "noise stays as it is")
        #expect(try BlobDecoder().decode(plain) == .array(noise))
        let bytes = BlobValue.bytes(Data((0..<200_000).map { _ in UInt8.random(in: 0...255, using: &random.rng) }))
        #expect(try BlobEncoder().encode(bytes).starts(with: Array("dj0\0".utf8)))
        // Half noise, half a smooth signal: the sample sees both, and the whole shrinks enough to be worth it.
        let mixed = NDArray(noise.values(as: Double.self).prefix(65_536) + (0..<65_536).map { Double($0) * 0.5 })
        let zipped = try BlobEncoder().encode(.array(mixed))
        #expect(zipped.starts(with: Array("ZL123\0".utf8)))
        #expect(zipped.count < 1_048_576 * 9 / 10)
        #expect(try BlobDecoder().decode(zipped) == .array(mixed))
    }
}

extension BlobValue {
    /// A `str` array as it comes back from a blob: an object array of `str`.
    var objectsForStrings: BlobValue {
        guard case .array(let a) = self, a.dtype == .unicode else { return self }
        return .array(NDArray(objects: a.strings!.map { .string($0) }, shape: a.shape))
    }
}
