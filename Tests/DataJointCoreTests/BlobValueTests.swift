import Foundation
import Testing

@testable import DataJointCore

/// The value model: `NDArray`, `BlobValue`, and the conversions of Swift values.
@Suite("Blob values")
struct BlobValueTests {
    @Test("NDArray: shape, typed access and element subscripts")
    func ndarray() throws {
        let m = NDArray([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], shape: [2, 3])
        #expect(m.dtype == .float64 && m.shape == [2, 3] && m.count == 6 && m.ndim == 2 && !m.isScalar)
        #expect(m[0, 0] == 1 && m[1, 2] == 6 && m[0, 2] == 3)
        #expect(m[1, 0, as: Int32.self] == 4)
        #expect(m.values(as: Double.self) == [1, 2, 3, 4, 5, 6])
        #expect(m.doubles == [1, 2, 3, 4, 5, 6])
        #expect(m.element(at: [1, 1]) == 5.0)
        #expect(m.reshaped([3, 2])[2, 1] == 6)
        #expect(m.bytes?.count == 48)

        let ints = NDArray([Int32(-1), 2, 300], shape: [3])
        #expect(ints.values(as: Int32.self) == [-1, 2, 300])
        #expect(ints.values(as: Double.self) == [-1, 2, 300])
        #expect(ints.values(as: Int8.self) == [-1, 2, 44])  // wraps, as NumPy's astype does
        #expect(ints.values(as: Bool.self) == [true, true, true])
        #expect(ints.element(at: [0]) == -1)

        let floats = NDArray([-1.7, .nan, 1e300, 2.5])
        #expect(floats.values(as: Int64.self) == [-1, 0, .max, 2])  // truncate, NaN → 0, saturate
        #expect(floats.values(as: UInt8.self) == [0, 0, 255, 2])

        let complex = NDArray([ComplexNumber(1.0, 2.0), ComplexNumber(-0.0, -0.5)])
        #expect(complex.dtype == .complex128)
        #expect(complex.values(as: ComplexNumber<Float>.self) == [ComplexNumber(1, 2), ComplexNumber(-0.0, -0.5)])
        #expect(complex[0] == 1)
        #expect(complex.element(at: [1]) == .complex(ComplexNumber(-0.0, -0.5)))

        let scalar = NDArray(scalar: UInt64.max)
        #expect(scalar.isScalar && scalar.count == 1)
        #expect(scalar.element(at: []) == .bigInt(BigInteger(UInt64.max)))
        #expect(BlobValue.array(scalar).description.contains("18446744073709551615"))

        let dates = NDArray(datetime64: [19723, 19724], unit: .days)
        #expect(dates.dtype == .datetime64(.days) && dates.values(as: Int64.self) == [19723, 19724])

        let strings = NDArray(strings: ["a", "bc"], shape: [2, 1])
        #expect(strings.strings == ["a", "bc"] && strings.element(at: [1, 0]) == "bc")
        #expect(NDArray(objects: ["x", 1]).strings == nil)
        #expect(NDArray(zeros: .int16, shape: [2, 2]).values(as: Int16.self) == [0, 0, 0, 0])

        #expect(throws: DataJointError.self) { try NDArray(dtype: .float64, shape: [2], bytes: Data(count: 15)) }
        let fromBytes = try NDArray(dtype: .bool, shape: [3], bytes: Data([0, 7, 1]))
        #expect(fromBytes.values(as: Bool.self) == [false, true, true])
    }

    @Test("a datetime64 array prints its counts of units (it recursed until the stack overflowed)")
    func datetime64Description() {
        #expect(NDArray(datetime64: [19723, -1], unit: .days).description == "NDArray(datetime64[D], shape: [2], [19723, -1])")
        #expect(BlobValue.array(NDArray(datetime64: [7], unit: .nanoseconds, shape: [])).description.contains("[7]"))
    }

    @Test("NDArray equality is bitwise")
    func ndarrayEquality() {
        #expect(NDArray([Double.nan]) == NDArray([Double.nan]))
        #expect(NDArray([-0.0]) != NDArray([0.0]))
        #expect(NDArray([1.0, 2.0], shape: [2]) != NDArray([1.0, 2.0], shape: [1, 2]))
        #expect(NDArray([Int64(1)]) != NDArray([1.0]))
        #expect(BlobValue.float(.nan) == .float(.nan))
        #expect(BlobValue.int(5) == .bigInt(BigInteger(Int64(5))))
        #expect(Set([BlobValue.int(5), .bigInt(BigInteger(Int64(5)))]).count == 1)
    }

    @Test("BlobValue equality and hashing follow the same rules")
    func blobValueEquality() {
        let huge = BigInteger(UInt64.max)
        let equal: [(BlobValue, BlobValue)] = [
            (.float(.nan), .float(.nan)), (.bigInt(huge), .bigInt(huge)), (.int(-7), .bigInt(BigInteger(Int64(-7)))),
            (.set([1, 2, 2]), .set([2, 1, 1])), (["a": 1, "b": 2], ["a": 1, "b": 2]),
            (.decimal("1.0"), .decimal("1.0")), ([.list([1]), .tuple([2])], [.list([1]), .tuple([2])]),
        ]
        for (a, b) in equal {
            #expect(a == b, "\(a) == \(b)")
            #expect(a.hashValue == b.hashValue, "hash of \(a) and \(b)")
        }
        let unequal: [(BlobValue, BlobValue)] = [
            (.float(-0.0), .float(0.0)), (.int(1), .float(1)), (.int(1), .bool(true)), (.bigInt(huge), .int(-1)),
            (.list([1, 2]), .tuple([1, 2])), (.list([1, 2]), .list([2, 1])), (.set([1, 2]), .set([1, 2, 2])),
            (["a": 1, "b": 2], ["b": 2, "a": 1]), (["a": 1], ["a": 2]), (.string("1.0"), .decimal("1.0")),
            (.none, .list([])), (.bytes(Data()), .string("")),
        ]
        for (a, b) in unequal {
            #expect(a != b, "\(a) != \(b)")
        }
    }

    @Test("DType names")
    func dtypeNames() {
        #expect(DType(numpyName: "<f8") == .float64)
        #expect(DType(numpyName: "float32") == .float32)
        #expect(DType(numpyName: "<U3") == .unicode)
        #expect(DType(numpyName: "datetime64[ns]") == .datetime64(.nanoseconds))
        #expect(DType(numpyName: "|b1") == .bool)
        #expect(DType(numpyName: "float128") == nil)
        #expect(DType.datetime64(.milliseconds).description == "datetime64[ms]")
    }

    @Test("literals read like Python")
    func literals() {
        let value: BlobValue = ["trial": [1, 2, 3], "rate": 30.0, "label": "left", "ok": true, "meta": nil]
        guard case .dict(let pairs) = value else {
            Issue.record("not a dict")
            return
        }
        #expect(pairs.map(\.key) == ["trial", "rate", "label", "ok", "meta"])
        #expect(value["trial"] == .list([1, 2, 3]))
        #expect(value["rate"]?.doubleValue == 30)
        #expect(value["label"]?.stringValue == "left")
        #expect(value["meta"]?.isNone == true)
        #expect(value["missing"] == nil)
        #expect(value["trial"]?[2]?.intValue == 3)
        #expect(value.description == "{'trial': [1, 2, 3], 'rate': 30.0, 'label': 'left', 'ok': True, 'meta': None}")
    }

    @Test("Swift values become the Python values a user expects")
    func conversions() throws {
        #expect(BlobValue(42) == .int(42))
        #expect(BlobValue(UInt64.max) == .bigInt(BigInteger(UInt64.max)))
        #expect(BlobValue(2.5) == .float(2.5))
        #expect(BlobValue(Float(2.5)) == .float(2.5))
        #expect(BlobValue("x") == .string("x"))
        #expect(BlobValue([1.0, 2.0]) == .array(NDArray([1.0, 2.0])))
        #expect(BlobValue([1, 2]) == .array(NDArray([Int64(1), 2])))
        #expect(BlobValue([UInt8(1), 2]) == .array(NDArray([UInt8(1), 2])))
        #expect(BlobValue(["a", "b"]) == .list(["a", "b"]))
        #expect(BlobValue(["b": 2, "a": 1]) == ["a": 1, "b": 2])  // keys sorted
        #expect(BlobValue(["b": 2.0, "a": 1.0]) == ["a": 1.0, "b": 2.0])
        #expect(BlobValue(Optional<Double>.none) == .none)
        #expect(BlobValue(Set(["x"])) == .set(["x"]))
        #expect(BlobValue(Decimal(string: "12.50")!) == .decimal("12.5"))
        #expect(BlobValue(UUID(uuidString: "12345678-1234-5678-1234-567812345678")!).description
            == "UUID('12345678-1234-5678-1234-567812345678')")
        let instant = Date(timeIntervalSince1970: 86_400.5)
        #expect(BlobValue(instant) == .datetime(DateTime(iso: "1970-01-02 00:00:00.5")!))
    }

    @Test("Swift values come back from blobs")
    func decoding() throws {
        #expect(try Blob.unpack(try Blob.pack([1.5, 2.5]), as: [Double].self) == [1.5, 2.5])
        #expect(try Blob.unpack(try Blob.pack(NDArray([Int16(1), 2], shape: [2, 1])), as: [Int].self) == [1, 2])
        #expect(try Blob.unpack(try Blob.pack(BlobValue.list([1, 2])), as: [Int].self) == [1, 2])
        #expect(try Blob.unpack(try Blob.pack(["a": 1, "b": 2]), as: [String: Int].self) == ["a": 1, "b": 2])
        #expect(try Blob.unpack(try Blob.pack(["x", "y"]), as: [String].self) == ["x", "y"])
        #expect(try Blob.unpack(try Blob.pack(NDArray(strings: ["x", "y"])), as: [String].self) == ["x", "y"])
        #expect(try Blob.unpack(try Blob.pack(BlobValue.scalar(Int64(-5))), as: Int.self) == -5)
        #expect(try Blob.unpack(try Blob.pack(BlobValue.scalar(Float(2))), as: Double.self) == 2)
        #expect(try Blob.unpack(try Blob.pack(Optional<Int>.none), as: Int?.self) == nil)
        #expect(try Blob.unpack(try Blob.pack(Decimal(string: "3.14")!), as: Decimal.self) == Decimal(string: "3.14"))
        let instant = Date(timeIntervalSince1970: 1_705_314_645.123456)
        let back = try Blob.unpack(try Blob.pack(instant), as: Date.self)
        #expect(abs(back.timeIntervalSince(instant)) < 1e-6)
        #expect(try Blob.unpack(try Blob.pack(NDArray(matlabChar: "abc")), as: String.self) == "abc")
        #expect(throws: DataJointError.self) { try Blob.unpack(try Blob.pack("x"), as: Int.self) }
        #expect(throws: DataJointError.self) { try Blob.unpack(try Blob.pack(300), as: UInt8.self) }
        // A matrix is not a vector.
        #expect(throws: DataJointError.self) {
            try Blob.unpack(try Blob.pack(NDArray([1.0, 2, 3, 4], shape: [2, 2])), as: [Double].self)
        }
    }

    @Test("MATLAB structures and structured arrays")
    func structures() {
        let s = MatStruct(fieldNames: ["x", "y"], records: [[1, "a"], [2, "b"]])
        #expect(s.shape == [1, 2] && s.count == 2)
        #expect(s[1, "y"] == "b" && s[0, "z"] == nil)
        #expect(s["x"] == [1, 2])
        #expect(s.record(1).map(\.name) == ["x", "y"])
        let scalar = BlobValue.matStruct(MatStruct(["x": 1.0]))
        #expect(scalar["x"]?.doubleValue == 1)
        let cell = MatCell([1, "two"])
        #expect(cell.shape == [1, 2] && cell[1] == "two")
        #expect(BlobValue.cell(cell)[0] == 1)
        let r = RecordArray([.init("a", NDArray([1.0, 2.0])), .init("b", NDArray([Int32(3), 4]))])
        #expect(r.shape == [2] && r.names == ["a", "b"])
        #expect(r["b"] == .array(NDArray([Int32(3), 4])))
    }

    @Test("BigInteger prints and parses decimal")
    func bigInteger() {
        for text in ["0", "1", "-1", "9223372036854775807", "-9223372036854775808", "18446744073709551616",
            "-340282366920938463463374607431768211457", "1000000000000000000000000000000"]
        {
            #expect(BigInteger(text)?.description == text)
        }
        #expect(BigInteger("9223372036854775807")?.int64Value == .max)
        #expect(BigInteger("-9223372036854775808")?.int64Value == .min)
        #expect(BigInteger("9223372036854775808")?.int64Value == nil)
        #expect(BigInteger("12a") == nil)
        #expect(BigInteger(twosComplementLittleEndian: [0x00, 0x80]).description == "-32768")
        #expect(BigInteger(twosComplementLittleEndian: [UInt8]()).description == "0")
    }

    @Test("TimeOfDay")
    func timeOfDay() {
        #expect(TimeOfDay(iso: "12:30")?.description == "12:30:00")
        #expect(TimeOfDay(iso: "23:59:59.5")?.microsecond == 500_000)
        #expect(TimeOfDay(iso: "23:59:59.5")?.description == "23:59:59.500000")
        #expect(TimeOfDay(iso: "24:00") == nil)
        #expect(TimeOfDay(hour: 1)! < TimeOfDay(hour: 1, minute: 0, second: 0, microsecond: 1)!)
        #expect(TimeOfDay(iso: "12:00:00.1234567") == nil)
    }

    @Test("DateTime reads its time as TimeOfDay does, with up to nine fractional digits")
    func dateTimeText() throws {
        let date = try #require(CalendarDate(iso: "2024-02-29"))
        #expect(DateTime(iso: "2024-02-29T12:30Z") == DateTime(date: date, time: TimeOfDay(hour: 12, minute: 30)!))
        #expect(DateTime(iso: "2024-02-29 23:59:59.123456789")?.microsecond == 123_456)
        #expect(DateTime(iso: "2024-02-29 24:00:00") == nil)
        #expect(DateTime(iso: "2024-02-29 12:00:00.1234567890") == nil)
        // Digits other than ASCII ones are not a fraction of a second (they used to stop the process).
        #expect(DateTime(iso: "2024-02-29 12:00:00.\u{0663}") == nil)
        #expect(DateTime(date: date, hour: 0, minute: 60) == nil)
        #expect(throws: DataJointError.self) { try JSONDecoder().decode([DateTime].self, from: Data(#"["noon"]"#.utf8)) }
        let encoded = try JSONEncoder().encode([DateTime(date: date, time: TimeOfDay(hour: 6, microsecond: 5)!)])
        #expect(String(decoding: encoded, as: UTF8.self) == #"["2024-02-29 06:00:00.000005"]"#)
    }
}
