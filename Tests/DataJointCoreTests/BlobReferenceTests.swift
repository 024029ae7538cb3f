import Foundation
import Testing

@testable import DataJointCore

/// Checks against the live reference: DataJoint-Python 2.3.5 packs Python values and unpacks the blobs this package
/// writes. Runs when the interpreter in `DJ_TEST_PYTHON` (set by `scripts/test`) or `/tmp/djpy/bin/python` imports
/// datajoint.
@Suite("Blob format against DataJoint-Python")
struct BlobReferenceTests {
    static let python = ProcessInfo.processInfo.environment["DJ_TEST_PYTHON"] ?? "/tmp/djpy/bin/python"

    static let pythonAvailable: Bool = {
        guard FileManager.default.isExecutableFile(atPath: python) else { return false }
        return (try? run(["-c", "import datajoint.blob"], input: Data())) != nil
    }()

    /// Runs the interpreter in a scratch directory (so that nothing there shadows a module) and returns its output.
    static func run(_ arguments: [String], input: Data) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = arguments
        process.currentDirectoryURL = FileManager.default.temporaryDirectory
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONWARNINGS"] = "ignore"
        process.environment = environment
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let writer = Thread {
            stdin.fileHandleForWriting.write(input)
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let errorData = LockedData()
        let errorReader = Thread { errorData.set(stderr.fileHandleForReading.readDataToEndOfFile()) }
        errorReader.start()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            Thread.sleep(forTimeInterval: 0.1)
            throw BlobTestSupport.Failure(
                "python exited with \(process.terminationStatus): \(String(decoding: errorData.get(), as: UTF8.self))")
        }
        return output
    }

    final class LockedData: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        func set(_ d: Data) { lock.withLock { data = d } }
        func get() -> Data { lock.withLock { data } }
    }

    /// Packs Python expressions and unpacks hex blobs; prints typed JSON trees (the format of vectors.json, with
    /// `matstruct`, `matcell`, `recarray` and `time` added).
    static let script = #"""
        import sys, json, base64, datetime, uuid
        from decimal import Decimal
        import numpy as np
        import datajoint.blob as blob
        from datajoint.blob import MatCell, MatStruct

        def struct(shape, names, records):
            a = np.empty(len(records), dtype=[(n, object) for n in names])
            for i, r in enumerate(records):
                for n, v in zip(names, r):
                    a[i][n] = v
            return a.reshape(shape).view(MatStruct)

        def cell(shape, items):
            c = np.empty(len(items), dtype=object)
            for i, x in enumerate(items):
                c[i] = x
            return c.reshape(shape).view(MatCell)

        def f(x):
            x = float(x)
            if x != x: return "nan"
            if x in (float("inf"), float("-inf")): return "inf" if x > 0 else "-inf"
            return x

        def dtname(d):
            return "<U" if d.kind == "U" else d.name

        def elem(d, v):
            k = d.kind
            if k == "b": return bool(v)
            if k in "iu": return int(v)
            if k == "f": return f(v)
            if k == "c": return [f(v.real), f(v.imag)]
            if k == "M": return int(np.asarray(v).astype("int64"))
            if k == "U": return str(v)
            if k == "O": return typed(v)
            raise TypeError(d)

        def typed(v):
            if isinstance(v, MatStruct):
                names = list(v.dtype.names)
                return {"type": "matstruct", "shape": list(v.shape), "fields": names,
                        "values": [typed(rec[n]) for rec in v.reshape(-1) for n in names]}
            if isinstance(v, MatCell):
                return {"type": "matcell", "shape": list(v.shape), "items": [typed(e) for e in v.reshape(-1)]}
            if isinstance(v, np.ndarray) and v.dtype.fields:
                return {"type": "recarray", "fields": [[n, typed(v[n] if v[n].dtype.fields else np.asarray(v[n]))]
                                                         for n in v.dtype.names]}
            if isinstance(v, np.generic):
                v = np.asarray(v)
            if isinstance(v, np.ndarray):
                if v.ndim == 0 and v.dtype.kind != "O":
                    return {"type": "numpy_scalar", "dtype": dtname(v.dtype), "value": elem(v.dtype, v[()])}
                return {"type": "ndarray", "dtype": dtname(v.dtype), "shape": list(v.shape),
                        "data_row_major": [elem(v.dtype, x) for x in v.reshape(-1)]}
            if v is None: return {"type": "none"}
            if isinstance(v, bool): return {"type": "bool", "value": v}
            if isinstance(v, int): return {"type": "int", "value": str(v)}
            if isinstance(v, float): return {"type": "float", "value": f(v)}
            if isinstance(v, complex): return {"type": "complex", "value": [f(v.real), f(v.imag)]}
            if isinstance(v, str): return {"type": "str", "value": v}
            if isinstance(v, bytes): return {"type": "bytes", "base64": base64.b64encode(v).decode()}
            if isinstance(v, datetime.datetime): return {"type": "datetime", "value": v.isoformat()}
            if isinstance(v, datetime.date): return {"type": "date", "value": v.isoformat()}
            if isinstance(v, datetime.time): return {"type": "time", "value": v.isoformat()}
            if isinstance(v, uuid.UUID): return {"type": "uuid", "value": str(v)}
            if isinstance(v, Decimal): return {"type": "decimal", "value": str(v)}
            if isinstance(v, list): return {"type": "list", "items": [typed(x) for x in v]}
            if isinstance(v, tuple): return {"type": "tuple", "items": [typed(x) for x in v]}
            if isinstance(v, (set, frozenset)): return {"type": "set", "items": [typed(x) for x in v]}
            if isinstance(v, dict): return {"type": "dict", "items": [[typed(k), typed(x)] for k, x in v.items()]}
            raise TypeError(type(v))

        request = json.load(sys.stdin)
        out = {"packed": [], "unpacked": []}
        for expression in request["pack"]:
            obj = eval(expression)
            plain = blob.pack(obj, compress=False)
            out["packed"].append({"hex": plain.hex(), "zhex": blob.pack(obj, compress=True).hex(),
                                  "value": typed(blob.unpack(plain))})
        for h in request["unpack"]:
            try:
                out["unpacked"].append(typed(blob.unpack(bytes.fromhex(h))))
            except Exception as e:
                out["unpacked"].append({"type": "error", "value": repr(e)})
        json.dump(out, sys.stdout)
        """#

    /// Python expressions and the Swift values that stand for the same Python values.
    static let cases: [(python: String, swift: BlobValue)] = {
        let charHi = NDArray([UInt16(104), 105]).withDType(.char)
        let nested: BlobValue = .dict([
            (1, "a"), (.tuple([2, 3]), [nil, true]), ("x", ["y": .bytes(Data("z".utf8))]),
        ])
        var cases: [(python: String, swift: BlobValue)] = []
        cases.append(("np.arange(24, dtype=np.int16).reshape(2, 3, 4)", .array(NDArray((0..<24).map { Int16($0) }, shape: [2, 3, 4]))))
        cases.append(("np.array([[1+2j, 3-4j], [0.5j, -1]], dtype=np.complex64)",
                .array(NDArray([ComplexNumber<Float>(1, 2), ComplexNumber(3, -4), ComplexNumber(0, 0.5), ComplexNumber(-1, 0)],
                    shape: [2, 2]))))
        cases.append(("np.float32(2.5)", .scalar(Float(2.5))))
        cases.append(("np.int8(-3)", .scalar(Int8(-3))))
        cases.append(("np.uint16(65535)", .scalar(UInt16.max)))
        cases.append(("np.bool_(True)", .scalar(true)))
        cases.append(("np.array(['2024-01-01', '2024-03-02'], dtype='datetime64[D]')",
                .array(NDArray(datetime64: [19723, 19784], unit: .days))))
        cases.append(("np.datetime64('2024-01-01T12:00:00.123456789', 'ns')",
                .array(NDArray(datetime64: [1_704_110_400_123_456_789], unit: .nanoseconds, shape: []))))
        cases.append(("2**100", .integer(BigInteger("1267650600228229401496703205376")!)))
        cases.append(("-(2**63)", .int(.min)))
        cases.append(("-(2**200) + 1", .integer(BigInteger("-1606938044258990275541962092341162602522202993782792835301375")!)))
        cases.append(("{1: 'a', (2, 3): [None, True], 'x': {'y': b'z'}}", nested))
        cases.append(("{1, 2, 3}", .set([1, 2, 3])))
        cases.append(("datetime.time(23, 59, 59, 999999)", .time(TimeOfDay(hour: 23, minute: 59, second: 59, microsecond: 999_999)!)))
        cases.append(("datetime.time(0, 0)", .time(TimeOfDay(hour: 0)!)))
        cases.append(("datetime.datetime(1, 1, 1)", .datetime(DateTime(date: CalendarDate(year: 1, month: 1, day: 1)!)!)))
        cases.append(("datetime.date(9999, 12, 31)", .date(CalendarDate(year: 9999, month: 12, day: 31)!)))
        cases.append(("Decimal('-1.50E+3')", .decimal("-1.50E+3")))
        cases.append(("uuid.UUID(int=0)", .uuid(UUID(uuidString: "00000000-0000-0000-0000-000000000000")!)))
        cases.append(("struct([2, 1], ['a', 'b'], [(np.array([1.0, 2.0]), 'x'), ((1, 2), None)])",
                .matStruct(MatStruct(fieldNames: ["a", "b"], shape: [2, 1],
                    values: [.array(NDArray([1.0, 2.0])), "x", .tuple([1, 2]), nil]))))
        cases.append(("struct([1, 3], ['v'], [(np.array([1.0]),), (np.array([2.0]),), (np.array([3.0]),)])",
                .matStruct(MatStruct(fieldNames: ["v"], shape: [1, 3],
                    values: [.array(NDArray([1.0])), .array(NDArray([2.0])), .array(NDArray([3.0]))]))))
        cases.append(("cell([2, 2], [np.array([1.0]), 'two', 3, None])",
                .cell(MatCell([.array(NDArray([1.0])), "two", 3, nil], shape: [2, 2]))))
        cases.append(("cell([1, 2], [np.eye(2), np.array([[1, 2, 3]], dtype=np.uint8)])",
                .cell(MatCell([.array(NDArray([1.0, 0, 0, 1], shape: [2, 2])),
                    .array(NDArray([UInt8(1), 2, 3], shape: [1, 3]))], shape: [1, 2]))))
        cases.append(("np.rec.fromarrays([np.array([1, 2], dtype=np.int32), np.array([1.5, 2.5])], names='x,y')",
                .recordArray(RecordArray([.init("x", NDArray([Int32(1), 2])), .init("y", NDArray([1.5, 2.5]))]))))
        cases.append(("np.array(['ab', 'c'])", .array(NDArray(strings: ["ab", "c"]))))
        cases.append(("np.array([['ab', 'c'], ['d', 'efg']])", .array(NDArray(strings: ["ab", "c", "d", "efg"], shape: [2, 2]))))
        cases.append(("np.array([[1, 'a'], [None, 2.5]], dtype=object)", .array(NDArray(objects: [1, "a", nil, 2.5], shape: [2, 2]))))
        cases.append(("np.zeros((2, 0, 3))", .array(NDArray(zeros: .float64, shape: [2, 0, 3]))))
        cases.append(("np.array([True, False]).reshape(2, 1)", .array(NDArray([true, false], shape: [2, 1]))))
        cases.append(("np.array([[2**63, 1], [2, 3]], dtype=np.uint64)", .array(NDArray([UInt64(1) << 63, 1, 2, 3], shape: [2, 2]))))
        cases.append(("np.arange(6.0).reshape(2, 3).T", .array(NDArray([0.0, 3, 1, 4, 2, 5], shape: [3, 2]))))
        cases.append(("np.linspace(0, 1, 5000)", .array(NDArray((0..<5000).map { $0 == 4999 ? 1.0 : Double($0) * (1.0 / 4999) }))))
        cases.append(("np.arange(3000, dtype=np.int32).reshape(30, 100) % 7", .array(NDArray((0..<3000).map { Int32($0 % 7) }, shape: [30, 100]))))
        cases.append(("[float('nan'), -0.0, float('-inf'), complex(1, -0.0)]", [.float(.nan), .float(-0.0), .float(-.infinity), .complex(ComplexNumber(1, -0.0))]))
        cases.append(("(1.5,)", .tuple([1.5])))
        cases.append(("['', b'', [], {}, (), set()]", ["", .bytes(Data()), [], [:], .tuple([]), .set([])]))
        cases.append(("np.array([b'h', b'i'], dtype='S1')", .array(charHi)))
        cases.append(("{'trial': [{'t': 0.1, 'ok': True}], 'rate': 30.0, 'label': 'left ✓'}",
                ["trial": [["t": 0.1, "ok": true]], "rate": 30.0, "label": "left ✓"]))
        return cases
    }()

    /// Swift-only values that DataJoint-Python must read: what it makes of them is compared with this decoder.
    static let swiftOnly: [BlobValue] = {
        var random = BlobRandomValues(seed: 2024)
        let numeric = BlobRandomValues.numericDTypes.map { dtype -> BlobValue in
            guard dtype.isComplex else { return .array(random.numericArray(dtype, shape: [2, 3, 2])) }
            // Finite parts only: DataJoint-Python rebuilds complex values as `real + 1j * imag`, which turns the real
            // part into NaN when the imaginary part is infinite, and -0.0 into 0.0.
            let parts = (0..<12).map { _ in ComplexNumber(Double.random(in: 1...1e6, using: &random.rng),
                Double.random(in: -1e6...1e6, using: &random.rng)) }
            return .array(NDArray(parts, shape: [2, 3, 2]).converted(to: dtype))
        }
        return numeric + [
            // ASCII only: DataJoint-Python fails on other MATLAB characters (UnicodeDecodeError).
            .array(NDArray(matlabChar: "hello")),
            .matStruct(MatStruct(fieldNames: [], shape: [1, 1], values: [])),
            .cell(MatCell([], shape: [0, 0])),
            .recordArray(RecordArray([
                .init("inner", .records(RecordArray([.init("a", NDArray([1.0, 2.0]))]))),
                .init("b", NDArray([Int64(3), 4])),
            ])),
        ]
    }()

    /// Reads blobs (each preceded by its length as `uint64`) from stdin and prints, for each, what DataJoint-Python
    /// unpacks: dtype, shape and the element bytes in base64.
    static let readArraysScript = #"""
        import sys, json, base64, struct
        import datajoint.blob as blob
        data = sys.stdin.buffer.read()
        out, at = [], 0
        while at < len(data):
            (n,) = struct.unpack("<Q", data[at:at + 8])
            a = blob.unpack(data[at + 8:at + 8 + n])
            at += 8 + n
            out.append({"dtype": a.dtype.name, "shape": list(a.shape), "base64": base64.b64encode(a.tobytes()).decode()})
        json.dump(out, sys.stdout)
        """#

    @Test(
        "DataJoint-Python reads large blobs whether Swift compressed them or found that compression does not pay",
        .enabled(if: pythonAvailable, "DataJoint-Python is not installed (set DJ_TEST_PYTHON; scripts/test does)"))
    func pythonReadsCompressedAndUncompressedLargeBlobs() throws {
        var random = BlobRandomValues(seed: 17)
        // A smooth signal deflates to about a third; uniform noise in all 52 mantissa bits barely deflates.
        let smooth = NDArray((0..<131_072).map { Double($0) * 0.001 + 0.5 })
        let noise = NDArray((0..<131_072).map { _ in Double.random(in: -1..<1, using: &random.rng) })
        let smallNoise = NDArray((0..<2_000).map { _ in Double.random(in: -1..<1, using: &random.rng) })
        let arrays = [smooth, noise, smallNoise]
        let blobs = try arrays.map { try BlobEncoder().encode(.array($0)) }
        #expect(blobs[0].starts(with: Array("ZL123\0".utf8)) && blobs[0].count < 1_048_576 / 2)
        #expect(blobs[1].starts(with: Array("mYm\0".utf8)), "noise is stored uncompressed")
        #expect(blobs[1] == (try BlobEncoder(compress: false).encode(.array(noise))))
        var input = Data()
        for blob in blobs {
            withUnsafeBytes(of: UInt64(blob.count).littleEndian) { input.append(contentsOf: $0) }
            input.append(blob)
        }
        let output = try Self.run(["-c", Self.readArraysScript], input: input)
        let read = try JSONSerialization.jsonObject(with: output) as! [[String: Any]]
        #expect(read.count == arrays.count)
        for (array, python) in zip(arrays, read) {
            #expect(python["dtype"] as? String == "float64")
            #expect(python["shape"] as? [Int] == array.shape)
            let bytes = Data(base64Encoded: python["base64"] as! String)
            #expect(bytes == array.values(as: Double.self).withUnsafeBytes { Data($0) })
        }
    }

    @Test(
        "Swift writes the bytes DataJoint-Python writes, and each reads the other's blobs",
        .enabled(if: pythonAvailable, "DataJoint-Python is not installed (set DJ_TEST_PYTHON; scripts/test does)"))
    func againstReference() throws {
        // Last, large arrays compressed as the codec does (above 64 KiB at zlib's fastest level, not Python's).
        let large: [BlobValue] = [
            .array(NDArray((0..<131_072).map { Double($0) * 0.001 })),
            .array(NDArray((0..<40_000).map { Int32($0 % 97) }, shape: [200, 200])),
        ]
        let swiftBlobs = try (Self.cases.map(\.swift) + Self.swiftOnly).map { try BlobEncoder(compress: false).encode($0) }
            + large.map { try BlobEncoder().encode($0) }
        #expect(swiftBlobs.suffix(large.count).allSatisfy { $0.starts(with: Array("ZL123\0".utf8)) })
        let request: [String: Any] = [
            "pack": Self.cases.map(\.python), "unpack": swiftBlobs.map(BlobTestSupport.hex),
        ]
        let output = try Self.run(
            ["-c", Self.script], input: try JSONSerialization.data(withJSONObject: request))
        let answer = try BlobTestJSON.parse(output) as! [String: Any]
        let packed = answer["packed"] as! [[String: Any]]
        let unpacked = answer["unpacked"] as! [Any]
        #expect(packed.count == Self.cases.count && unpacked.count == swiftBlobs.count)

        for (i, (expression, value)) in Self.cases.enumerated() {
            let pythonBytes = BlobTestSupport.data(hex: packed[i]["hex"] as! String)
            let pythonCompressed = BlobTestSupport.data(hex: packed[i]["zhex"] as! String)
            // Byte identity, uncompressed and compressed.
            #expect(swiftBlobs[i] == pythonBytes,
                "\(expression): Swift \(BlobTestSupport.hex(swiftBlobs[i]).prefix(300)) Python \(BlobTestSupport.hex(pythonBytes).prefix(300))")
            #expect(try BlobEncoder(compress: true).encode(value) == pythonCompressed, "\(expression) compressed")
            // What Python reads from its own blob is what Swift reads from it.
            let pythonReads = try BlobTestSupport.value(fromTypedJSON: packed[i]["value"]!)
            #expect(try BlobDecoder().decode(pythonBytes) == pythonReads, "\(expression)")
            #expect(try BlobDecoder().decode(pythonCompressed) == pythonReads, "\(expression)")
        }
        for (i, blob) in swiftBlobs.enumerated() {
            // What Python reads from a Swift blob is what Swift reads from it.
            if let node = unpacked[i] as? [String: Any], node["type"] as? String == "error" {
                Issue.record("DataJoint-Python cannot read Swift blob \(i): \(node["value"]!)")
                continue
            }
            let pythonReads = try BlobTestSupport.value(fromTypedJSON: unpacked[i])
            let swiftReads = try BlobDecoder().decode(blob)
            #expect(swiftReads == pythonReads, "blob \(i): Swift reads \(swiftReads), Python reads \(pythonReads)")
        }
    }
}
