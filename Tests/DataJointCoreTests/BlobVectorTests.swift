import Foundation
import Testing

@testable import DataJointCore

/// Conformance with the blobs DataJoint-Python 2.3.5 wrote (`Resources/blob/vectors.json`).
@Suite("Blob reference vectors")
struct BlobVectorTests {
    static let names = BlobTestSupport.vectors.map(\.name)

    @Test("the vectors load")
    func vectorsLoad() {
        #expect(BlobTestSupport.vectors.count == 25)
    }

    @Test("every vector decodes to what DataJoint-Python unpacks", arguments: names)
    func decodes(_ name: String) throws {
        let vector = BlobTestSupport.vector(name)
        let decoded = try BlobDecoder().decode(vector.bytes)
        #expect(decoded == vector.unpacked, "\(name): \(decoded) != \(vector.unpacked)")
    }

    @Test("every uncompressed vector encodes to exactly the reference bytes", arguments: names)
    func encodes(_ name: String) throws {
        let vector = BlobTestSupport.vector(name)
        if vector.compressed {
            // A compressed blob must decode to the same value (README of the vectors); below 64 KiB of uncompressed
            // blob, where zlib runs at Python's level, the bytes are also the reference's (same zlib version).
            let encoded = try BlobEncoder(compress: true).encode(vector.packed)
            #expect(encoded.starts(with: Array("ZL123\0".utf8)))
            #expect(try BlobDecoder().decode(encoded) == vector.unpacked)
            if try BlobEncoder(compress: false).encode(vector.packed).count < 1 << 16 {
                #expect(encoded == vector.bytes, "zlib output differs: \(encoded.count) bytes vs \(vector.bytes.count)")
            }
        } else {
            let encoded = try BlobEncoder(compress: false).encode(vector.packed)
            #expect(BlobTestSupport.hex(encoded) == BlobTestSupport.hex(vector.bytes))
            // The codec compresses by default; these are all below the threshold, so nothing changes.
            #expect(try BlobEncoder().encode(vector.packed) == vector.bytes)
        }
    }

    @Test("re-encoding what was decoded gives the reference bytes")
    func reencodes() throws {
        for vector in BlobTestSupport.vectors where !vector.compressed && vector.packed == vector.unpacked {
            let decoded = try BlobDecoder().decode(vector.bytes)
            #expect(try BlobEncoder(compress: false).encode(decoded) == vector.bytes, "\(vector.name)")
        }
    }

    @Test("the compressed vector holds linspace(0, 1, 20000) as float64")
    func compressedVector() throws {
        let vector = BlobTestSupport.vector("float64_large_compressed")
        guard case .array(let a) = try BlobDecoder().decode(vector.bytes) else {
            Issue.record("not an array")
            return
        }
        #expect(a.dtype == .float64 && a.shape == [20000])
        let values = a.values(as: Double.self)
        #expect(values.first == 0 && values.last == 1)
        #expect(abs(values[10000] - 10000.0 / 19999.0) < 1e-15)
        // Uncompressed, the same value is the plain mYm array.
        let plain = try BlobEncoder(compress: false).encode(.array(a))
        #expect(plain.count == 4 + 1 + 16 + 8 + 160_000)
        #expect(plain.starts(with: Array("mYm\0A".utf8)))
    }

    @Test("Swift values give the bytes of the equivalent Python values")
    func swiftValues() throws {
        func hex<T: BlobConvertible>(_ v: T) throws -> String { BlobTestSupport.hex(try Blob.pack(v)) }
        #expect(try hex(7) == BlobTestSupport.hex(BlobTestSupport.vector("int_scalar").bytes))
        #expect(try hex(Int64(-123_456_789_012)) == BlobTestSupport.hex(BlobTestSupport.vector("neg_int").bytes))
        #expect(try hex(3.25) == BlobTestSupport.hex(BlobTestSupport.vector("float_scalar").bytes))
        #expect(try hex(true) == BlobTestSupport.hex(BlobTestSupport.vector("bool_true").bytes))
        #expect(try hex(Optional<Int>.none) == BlobTestSupport.hex(BlobTestSupport.vector("none").bytes))
        #expect(try hex("DataJoint ✓") == BlobTestSupport.hex(BlobTestSupport.vector("string").bytes))
        #expect(try hex(Data([0, 1, 0xFE, 0x61, 0x62, 0x63])) == BlobTestSupport.hex(BlobTestSupport.vector("bytes").bytes))
        #expect(try hex([1.0, 2.5, -3.0]) == BlobTestSupport.hex(BlobTestSupport.vector("float64_vector").bytes))
        #expect(try hex(NDArray([Int32](0..<6), shape: [2, 3]))
            == BlobTestSupport.hex(BlobTestSupport.vector("int32_matrix").bytes))
        #expect(try hex([true, false, true]) == BlobTestSupport.hex(BlobTestSupport.vector("bool_array").bytes))
        #expect(try hex(["a": 1, "b": [1.5, 2.5], "c": "x"] as BlobValue)
            == BlobTestSupport.hex(BlobTestSupport.vector("dict").bytes))
        #expect(try hex(["trial": [["t": 0.1, "ok": true], ["t": 0.2, "ok": false]]] as BlobValue)
            == BlobTestSupport.hex(BlobTestSupport.vector("nested").bytes))
        #expect(try hex([1, "two", 3.0, nil] as BlobValue) == BlobTestSupport.hex(BlobTestSupport.vector("list_mixed").bytes))
        #expect(try hex(BlobValue.tuple([1, 2])) == BlobTestSupport.hex(BlobTestSupport.vector("tuple").bytes))
        #expect(try hex(UUID(uuidString: "12345678-1234-5678-1234-567812345678")!)
            == BlobTestSupport.hex(BlobTestSupport.vector("uuid").bytes))
        #expect(try hex(Decimal(string: "3.14")!) == BlobTestSupport.hex(BlobTestSupport.vector("decimal").bytes))
        #expect(try hex(CalendarDate(year: 2024, month: 1, day: 15)!) == BlobTestSupport.hex(BlobTestSupport.vector("date").bytes))
        #expect(try hex(DateTime(iso: "2024-01-15T10:30:45.123456")!)
            == BlobTestSupport.hex(BlobTestSupport.vector("datetime").bytes))
        // A Date is the UTC wall-clock time.
        let instant = Date(timeIntervalSince1970: 1_705_314_645.123456)
        #expect(try hex(instant) == BlobTestSupport.hex(BlobTestSupport.vector("datetime").bytes))
        #expect(try hex(NDArray(strings: ["ab", "cde"])) == BlobTestSupport.hex(BlobTestSupport.vector("string_array").bytes))
        #expect(try hex(BlobValue.scalar(Int64(-5))) == BlobTestSupport.hex(BlobTestSupport.vector("int64_scalar_np").bytes))
        #expect(try hex(NDArray([Float]())) == BlobTestSupport.hex(BlobTestSupport.vector("float32_empty").bytes))
    }
}
