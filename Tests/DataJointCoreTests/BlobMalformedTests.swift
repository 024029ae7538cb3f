import Foundation
import Testing

@testable import DataJointCore

/// Malformed blobs throw a `.codec` error that says what is wrong and where; they never crash or allocate what the
/// data cannot back.
@Suite("Malformed blobs")
struct BlobMalformedTests {
    private func error(_ hex: String, _ decoder: BlobDecoder = BlobDecoder()) -> DataJointError? {
        do {
            _ = try decoder.decode(BlobTestSupport.data(hex: hex))
            return nil
        } catch let e as DataJointError {
            return e
        } catch {
            Issue.record("unexpected error type \(error)")
            return nil
        }
    }

    private func expectError(_ hex: String, _ fragments: String..., sourceLocation: SourceLocation = #_sourceLocation) {
        guard let e = error(hex) else {
            Issue.record("\(hex) decoded without error", sourceLocation: sourceLocation)
            return
        }
        #expect(e.kind == .codec, sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(e.message.contains(fragment), "\(e.message)", sourceLocation: sourceLocation)
        }
    }

    static let truncationVectors = [
        "int_scalar", "neg_int", "string", "float64_vector", "int32_matrix", "complex128", "list_mixed", "dict",
        "nested", "datetime", "uuid", "decimal", "string_array", "int64_scalar_np",
    ]

    @Test("a blob cut at any byte throws", arguments: truncationVectors)
    func truncatedAtEveryOffset(_ name: String) {
        let bytes = BlobTestSupport.vector(name).bytes
        for length in 0..<bytes.count {
            #expect(throws: DataJointError.self, "\(name) cut to \(length) bytes") {
                try BlobDecoder().decode(bytes.prefix(length))
            }
        }
    }

    @Test("a compressed blob cut at any of its first bytes, or anywhere in its stream, throws")
    func truncatedCompressed() {
        let bytes = BlobTestSupport.vector("float64_large_compressed").bytes
        let offsets = Array(0..<64) + stride(from: 64, to: bytes.count, by: 997).map { $0 }
        for length in offsets {
            #expect(throws: DataJointError.self, "cut to \(length) bytes") {
                try BlobDecoder().decode(bytes.prefix(length))
            }
        }
    }

    @Test("structures built by the round-trip generator, cut anywhere, throw")
    func truncatedRandom() throws {
        var random = BlobRandomValues(seed: 99)
        for _ in 0..<40 {
            let blob = try BlobEncoder(compress: false).encode(random.value(depth: 3))
            for length in 0..<blob.count {
                #expect(throws: DataJointError.self) { try BlobDecoder().decode(blob.prefix(length)) }
            }
        }
    }

    @Test("random byte flips throw or decode, never crash")
    func corrupted() throws {
        var random = BlobRandomValues(seed: 7)
        for _ in 0..<400 {
            var blob = [UInt8](try BlobEncoder(compress: false).encode(random.value(depth: 3)))
            for _ in 0..<3 {
                let i = random.int(0...(blob.count - 1))
                blob[i] = UInt8(truncatingIfNeeded: random.rng.next())
            }
            do { _ = try BlobDecoder().decode(Data(blob)) } catch let e as DataJointError { #expect(e.kind == .codec) }
        }
    }

    @Test("headers")
    func headers() {
        expectError("", "does not start with a blob header", "offset 0")
        expectError("6162630041", "unknown blob protocol \"abc\"")
        expectError("6d596d", "does not start with a blob header")
        expectError("6d596d00", "type code needs 1 byte but only 0 remain", "offset 4")
    }

    @Test("codes and classes")
    func codes() {
        expectError("646a300099", "unknown data structure code (0x99)", "offset 4")
        expectError("646a30007a", "unknown data structure code \"z\" (0x7a)")
        expectError("6d596d0050", "sparse arrays are not supported")
        // An 'A' array of class id 2 (STRUCT) and of class id 99.
        expectError("6d596d004101000000000000000100000000000000" + "02000000" + "00000000", "MATLAB class STRUCT")
        expectError("6d596d004101000000000000000100000000000000" + "63000000" + "00000000", "unknown array class id 99")
    }

    @Test("absurd sizes are refused before anything is allocated")
    func absurdSizes() {
        // An array of 2^40 doubles in a 50-byte blob.
        expectError("6d596d00410100000000000000" + "0000000000010000" + "06000000" + "00000000" + "0000",
            "needs 8796093022208 bytes but only 2 remain", "offset 29")
        // A shape whose product overflows.
        expectError("6d596d004102000000000000" + "00" + "ffffffffffffff00" + "ffffffffffffff00" + "0600000000000000",
            "more elements than can exist")
        // ndim of 2^60.
        expectError("6d596d0041" + "0000000000000010", "not a possible size")
        expectError("6d596d0041" + "0000000000010000", "declares 1099511627776 elements")
        // A list that claims 2^50 items, a string longer than the blob, a dict of 2^40 pairs.
        expectError("646a300002" + "0000000000000400", "a list declares 1125899906842624 elements")
        expectError("646a300005" + "ff00000000000000" + "6162", "a str needs 255 bytes but only 2 remain")
        expectError("646a300004" + "0000000000010000", "a dict declares")
        // A struct with 4 billion fields, a cell with 2^40 elements.
        expectError("646a3000530100000000000000010000000000000000ffffffff", "field names of a struct array declares")
        expectError("646a3000430100000000000000" + "0000000000010000", "a cell array declares")
        // An object array of 2^40 elements.
        expectError("646a3000410100000000000000" + "0000000000010000" + "05000000" + "00000000",
            "an object array declares")
    }

    @Test("empty arrays with huge dimensions read without overflow")
    func hugeEmptyShapes() throws {
        let huge = "0000000000000001"  // 2^56
        for classID in ["06000000", "05000000", "04000000"] {
            let blob = BlobTestSupport.data(hex: "6d596d0041" + "0300000000000000" + huge + huge + "0000000000000000"
                + classID + "00000000")
            guard case .array(let a) = try BlobDecoder().decode(blob) else {
                Issue.record("not an array")
                continue
            }
            #expect(a.count == 0 && a.shape == [1 << 56, 1 << 56, 0])
            if a.dtype == .float64 { #expect(a.values(as: Double.self).isEmpty) }
        }
        for code in ["43", "53"] {
            let extra = code == "53" ? "01000000" + "6100" : ""
            let blob = BlobTestSupport.data(hex: "646a3000" + code + "0300000000000000" + huge + huge + "0000000000000000" + extra)
            _ = try BlobDecoder().decode(blob)
        }
        let empty = NDArray(zeros: .float64, shape: [1 << 56, 1 << 56, 0])
        #expect(try BlobDecoder().decode(try BlobEncoder().encode(.array(empty))) == .array(empty))
    }

    @Test("random bytes after a header throw or decode, never crash")
    func randomBytes() {
        var random = BlobRandomValues(seed: 11)
        let codes: [UInt8] = [0x41, 0x53, 0x43, 0x46, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0A, 0x0B, 0x0C, 0x0D, 0x64, 0x74, 0x75, 0xFF]
        for _ in 0..<3000 {
            var blob = BlobFormat.dj0Header + [codes[random.int(0...(codes.count - 1))]]
            for _ in 0..<random.int(0...40) {
                // Small numbers are likelier than random ones, so that sizes sometimes fit.
                blob.append(random.chance(0.6) ? UInt8(random.int(0...3)) : UInt8(truncatingIfNeeded: random.rng.next()))
            }
            do { _ = try BlobDecoder().decode(Data(blob)) } catch let e as DataJointError { #expect(e.kind == .codec) } catch {
                Issue.record("unexpected error \(error)")
            }
        }
    }

    @Test("lengths of elements must match their content")
    func elementLengths() {
        // A list of one element that declares 5 bytes but holds None (1 byte) followed by junk.
        expectError("646a3000020100000000000000" + "0500000000000000" + "ff00000000", "declares 5 bytes but its content takes 1")
        // An element that declares more bytes than remain.
        expectError("646a3000020100000000000000" + "0900000000000000" + "ff", "declares 9 bytes but only 1 remain")
        // Content that reads past its element: a str of 3 bytes in an element of 4 bytes.
        expectError("646a3000020100000000000000" + "0400000000000000" + "0503000000", "in its enclosing element")
        // Trailing bytes after the value.
        expectError("646a3000ff00", "declares 2 bytes but its content takes 1")
    }

    @Test("text, dates, decimals and structures are validated")
    func contents() {
        expectError("646a3000050200000000000000c328", "a str is not valid UTF-8", "offset 13")
        expectError("646a3000" + "74" + "0d0c3401" + "ffffffffffffffff", "20188173 is not a valid date")
        expectError("646a3000" + "74" + "ffffffff" + "004429353a000000", "250000000000 is not a valid time")
        expectError("646a3000" + "64" + "0300000000000000" + "312e78", "\"1.x\" is not a valid Decimal")
        expectError("646a3000" + "53" + "0100000000000000" + "0100000000000000" + "01000000" + "6162", "no terminating NUL")
        expectError("646a3000" + "46" + "02000000" + "610061" + "00" + "ff", "field \"a\" occurs more than once")
        // A structured array whose field holds None instead of an array.
        expectError("646a3000" + "46" + "01000000" + "6100" + "ff", "field \"a\" of a structured array holds a NoneType")
        // A complex datetime64 array.
        expectError("646a3000410100000000000000010000000000000003000100" + "01000000" + "0000000000000000" + "0000000000000000",
            "cannot be complex")
    }

    @Test("compressed data must inflate to the declared size")
    func compressedSizes() throws {
        let zeros = try BlobEncoder().encode(.array(NDArray([Double](repeating: 0, count: 1000))))
        let zlibStream = zeros.dropFirst(14)
        func withSize(_ n: UInt64) -> String {
            "5a4c31323300" + BlobTestSupport.hex(withUnsafeBytes(of: n.littleEndian) { Data($0) }) + BlobTestSupport.hex(zlibStream)
        }
        expectError(withSize(1 << 50), "inflates to 8029 bytes, but the header declares 1125899906842624")
        expectError(withSize(1 << 62), "the uncompressed length is 4611686018427387904, which is not a possible size")
        expectError(withSize(100), "inflates to more than the declared 100 bytes")
        expectError("5a4c31323300" + "0500000000000000" + "0102030405", "is corrupt")
        expectError("5a4c31323300" + "05000000", "needs 8 bytes but only 4 remain")
        // The inflated payload is checked as any blob, with offsets in the decompressed data.
        var broken = [UInt8](BlobFormat.mYmHeader) + [0x41] + [UInt8](repeating: 0xEE, count: 2000)
        broken[5] = 1
        let zipped = try broken.withUnsafeBytes { try BlobCompression.compress($0) }
        var blob = Data(BlobFormat.zlibHeader)
        withUnsafeBytes(of: UInt64(broken.count).littleEndian) { blob.append(contentsOf: $0) }
        blob.append(contentsOf: zipped)
        #expect(throws: DataJointError.self) { try BlobDecoder().decode(blob) }
        do {
            _ = try BlobDecoder().decode(blob)
        } catch let e as DataJointError {
            #expect(e.message.contains("of the decompressed blob"), "\(e.message)")
        }
    }
}
