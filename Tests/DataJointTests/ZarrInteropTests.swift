import DataJoint
import DataJointZarr
import Foundation
import Testing

/// `<zarr@>` shared with DataJoint-Python and Python's zarr: Python reads the arrays Swift stored, Swift reads the
/// arrays Python's zarr wrote (Zarr v3 and v2, several compressors, dtypes, byte orders and chunkings). The Python
/// side registers a `<zarr@>` codec as DataJoint-Python's plugin `dj-zarr-codecs` does (a `SchemaCodec` writing
/// with `zarr.create_array`). Needs the reference (`DJ_TEST_PYTHON`, with `zarr` installed: `scripts/test` does it)
/// and a server backend.
@Suite("<zarr@> shared with DataJoint-Python")
struct ZarrInteropTests {
    static var backends: [TestBackend] { StoreInteropTests.backends }

    struct ZiItem: Manual {
        // DataJoint-Python 2.3.5 cannot resolve `<codec@>` without a store name.
        static let definition = """
            item_id : int32
            ---
            arr : <zarr@main>
            """
    }

    /// What Swift stores, by item: Python must read exactly these values.
    static let swiftArrays: [Int: Value] = [
        1: .zarr(NDArray((0..<350).map { Double($0) * 0.25 - 3 }, shape: [50, 7]), chunks: [16, 4]),
        2: NDArray((0..<20).map { Int16($0 * 1000 - 9000) }, shape: [4, 5]).dataJointValue,
        3: NDArray([true, false, false, true, true, false]).dataJointValue,
        4: NDArray([0, UInt64(1) << 63, .max]).dataJointValue,
        5: NDArray([ComplexNumber(1.5, -2.0), ComplexNumber(0, 3), ComplexNumber(-1, 0), ComplexNumber(2, 2)], shape: [2, 2]).dataJointValue,
        6: NDArray(scalar: Float(2.5)).dataJointValue,
        7: NDArray([Int32](), shape: [0, 4]).dataJointValue,
        8: .zarr(NDArray((0..<27).map { Int8($0 * 9 - 120) }, shape: [3, 3, 3]), chunks: [2, 2, 2], compression: ZarrCompression.none),
        9: .zarr(NDArray((0..<1000).map { Float($0) / 7 }), chunks: [300], compression: .zlib(level: 3)),
        10: .zarr(NDArray((0..<500).map { Int32($0 * 37 - 9000) }, shape: [100, 5]), chunks: [30, 5], compression: .zstd(level: 3, checksum: true)),
    ]

    /// What Python's zarr writes, by item, with the Swift array it must read as. Item 7 has zarr's defaults (zstd).
    static let pythonArrays: [Int: NDArray] = [
        7: NDArray([0.0, 1.0, 2.0, 3.0, 4.0]),
        1: NDArray((0..<60).map { Float($0) * 0.5 - 3 }, shape: [10, 6]),
        2: NDArray((0..<21).map { Int64($0 - 10) * 3_000_000_000_000 }, shape: [7, 3]),
        3: NDArray((0..<20).map { Double($0) / 8 }, shape: [4, 5]),
        4: NDArray((0..<9).map { $0 % 2 == 1 }),
        5: NDArray([ComplexNumber(Float(1), 2), ComplexNumber(-3, 0.5), ComplexNumber(0, -1)]),
        6: NDArray((0..<25).map { UInt16($0 == 0 ? 1 : 7) }, shape: [5, 5]),
        8: NDArray((0..<12).map { UInt32($0) * 300_000_000 }, shape: [3, 4]),
        9: NDArray([Int32](arrayLiteral: -2_000_000_000, -1, 0, 2_000_000_000)),
    ]

    static func pythonScript(backend: TestBackend, stores: StoreFixture, theirs: String, ours: String) -> String {
        """
        import datajoint as dj, numpy as np, numcodecs, zarr, json
        from zarr.codecs import GzipCodec, BytesCodec
        from datajoint.builtin_codecs import SchemaCodec
        \(ReferenceProcess.connectionConfig(backend))
        dj.config['stores'] = {'default': 'main', 'main': {'protocol': 'file', 'location': '\(stores.path("main"))'}}

        class ZarrCodec(SchemaCodec):
            # <zarr@> as dj-zarr-codecs defines it; a dict value carries options for zarr.create_array.
            name = 'zarr'

            def validate(self, value):
                data = value['data'] if isinstance(value, dict) else value
                if not isinstance(data, (np.ndarray, zarr.Array)) or data.dtype == object:
                    raise dj.DataJointError('<zarr> needs a numeric array')

            def encode(self, value, *, key=None, context=None, store_name=None):
                options = dict(value) if isinstance(value, dict) else {'data': value}
                data = options.pop('data')
                schema, table, field, pk = self._extract_context(key, context)
                config = self._codec_config(key, context)
                path, _ = self._build_path(schema, table, field, pk, ext='.zarr', store_name=store_name, config=config)
                backend = self._get_backend(store_name, config=config)
                zarr.create_array(store=backend.get_fsmap(path), data=data, write_data=True,
                                  attributes={'datajoint': {'datajoint-python': {'version': dj.__version__}}}, **options)
                return {'path': path, 'store': store_name, 'shape': list(data.shape), 'dtype': str(data.dtype)}

            def decode(self, stored, *, key=None, context=None):
                backend = self._get_backend(stored.get('store'), config=self._codec_config(key, context))
                return zarr.open(backend.get_fsmap(stored['path']), mode='r')

        def plain(a):
            # Floats as repr text, which Swift parses back to the same bits.
            if a.dtype.kind == 'c':
                return [[repr(float(x.real)), repr(float(x.imag))] for x in a.ravel()]
            if a.dtype.kind == 'f':
                return [repr(float(x)) for x in a.ravel()]
            if a.dtype.kind == 'u' and a.dtype.itemsize == 8:
                return [str(int(x)) for x in a.ravel()]
            return a.ravel().tolist()

        # Swift's rows, read by DataJoint-Python through the codec.
        seen = {}
        for row in dj.VirtualModule('swift', '\(ours)').ZiItem.to_dicts():
            z = row['arr']
            a = np.asarray(z[...])
            seen[str(row['item_id'])] = {
                'shape': list(a.shape), 'dtype': str(a.dtype), 'chunks': list(z.chunks), 'values': plain(a),
                'format': z.metadata.zarr_format, 'writer': z.attrs.get('datajoint', {}).get('datajoint-swift', {}),
                'compressors': [type(c).__name__ for c in z.compressors],
            }

        # Python's rows: arrays written by zarr as other programs write them.
        if \(backend == .postgresql ? "True" : "False"):
            schema = dj.Schema('\(theirs)')
            @schema
            class ZiItem(dj.Manual):
                definition = '''\n\(ZiItem.definition)\n'''
            v3gzip = {'compressors': GzipCodec(level=5)}
            ZiItem.insert([
                dict(item_id=1, arr=dict(data=(np.arange(60, dtype='float32') * 0.5 - 3).reshape(10, 6), chunks=(4, 4), **v3gzip)),
                dict(item_id=2, arr=dict(data=((np.arange(21) - 10) * 3_000_000_000_000).reshape(7, 3), chunks=(3, 2),
                                         zarr_format=2, compressors=numcodecs.Zlib(level=1))),
                dict(item_id=3, arr=dict(data=(np.arange(20) / 8).astype('>f8').reshape(4, 5), chunks=(3, 3), order='F',
                                         zarr_format=2, compressors=numcodecs.GZip(level=3))),
                dict(item_id=4, arr=dict(data=np.arange(9) % 2 == 1, chunks=(4,), compressors=None)),
                dict(item_id=5, arr=dict(data=np.array([1+2j, -3+0.5j, complex(0, -1)], dtype='complex64'), **v3gzip)),
                dict(item_id=6, arr=dict(data=np.where(np.arange(25) == 0, 1, 7).astype('uint16').reshape(5, 5), chunks=(2, 2),
                                         fill_value=7, **v3gzip)),
                dict(item_id=7, arr=np.arange(5.0)),
                dict(item_id=8, arr=dict(data=(np.arange(12, dtype="uint32") * 300_000_000).reshape(3, 4), chunks=(2, 3),
                                         zarr_format=2, chunk_key_encoding={'name': 'v2', 'separator': '/'},
                                         compressors=numcodecs.Zlib(level=5))),
                dict(item_id=9, arr=dict(data=np.array([-2_000_000_000, -1, 0, 2_000_000_000], dtype='int32'),
                                         serializer=BytesCodec(endian='big'), **v3gzip)),
            ])
        print(json.dumps(seen))
        """
    }

    @Test("Python's zarr reads what Swift stored; Swift reads what Python's zarr wrote (v3 and v2)", arguments: backends)
    func bothDirections(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let stores = try StoreFixture()
            defer { stores.remove() }
            let db = try await TestDatabase.connect(settings: stores.settings)
            db.register(ZarrCodec())
            let (ours, theirs) = ("zi_swift", "zi_python")
            let table = try await db.schema(ours, tables: ZiItem.self)[ZiItem.self]
            let rows = Self.swiftArrays.sorted { $0.key < $1.key }.map { (id, value) -> Row in ["item_id": Value.int(Int64(id)), "arr": value] }
            try await table.insert(rows)

            let script = stores.root.appendingPathComponent("zarr_interop.py")
            try Self.pythonScript(backend: backend, stores: stores, theirs: theirs, ours: ours)
                .write(to: script, atomically: true, encoding: .utf8)
            let (status, output) = try await ReferenceProcess.run(StoreInteropTests.python, [script.path])
            try #require(status == 0, "DataJoint-Python failed:\n\(output.suffix(3000))")
            let line = try #require(output.split(separator: "\n").last)
            let seen = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: [String: Any]])

            // (1) What Python read of Swift's arrays: values, shape, dtype, chunks, and the writer in the attributes.
            #expect(seen.count == Self.swiftArrays.count)
            for (id, value) in Self.swiftArrays {
                let (array, chunks) = try #require(Self.arrayAndChunks(value))
                guard let item = seen[String(id)] else { Issue.record("Python did not read item \(id)"); continue }
                #expect(item["shape"] as? [Int] == array.shape, "item \(id)")
                #expect(item["dtype"] as? String == array.dtype.description, "item \(id)")
                #expect(item["format"] as? Int == 3, "item \(id)")
                if let chunks { #expect(item["chunks"] as? [Int] == chunks, "item \(id)") }
                #expect((item["writer"] as? [String: Any])?["codec_version"] as? Int == 1, "item \(id)")
                #expect(Self.matches(array, item["values"]), "item \(id): \(item["values"] ?? "none")")
            }
            #expect(seen["8"]?["compressors"] as? [String] == [])
            #expect(seen["1"]?["compressors"] as? [String] == ["GzipCodec"])
            #expect(seen["10"]?["compressors"] as? [String] == ["ZstdCodec"])

            // (2) What Swift reads of Python's arrays.
            guard backend == .postgresql else { return }
            let pythonRows = try await db.schema(theirs, create: false).table("zi_item").toDicts(orderBy: ["item_id"])
            #expect(pythonRows.count == 9)
            for row in pythonRows {
                guard case .int(let id)? = row["item_id"], let ref = ZarrArrayRef(dataJointValue: row["arr"] ?? .null) else {
                    Issue.record("no Zarr array in \(row)")
                    continue
                }
                guard let expected = Self.pythonArrays[Int(id)] else {
                    Issue.record("no expected array for Python's item \(id)")
                    continue
                }
                if id == 7 {
                    if case .zstd = try await ref.metadata().compression {} else { Issue.record("item 7 is not zstd-compressed") }
                }
                #expect(ref.shape == expected.shape && ref.dtype == expected.dtype, "item \(id)")
                #expect(try await ref.read() == expected, "item \(id)")
                // Slices of the multi-chunk arrays, with partial edge chunks.
                if id == 1 {
                    #expect(try await ref.chunks == [4, 4])
                    #expect(try await ref.chunkCounts == [3, 2])
                    func part(_ rows: Range<Int>, _ columns: Range<Int>) -> NDArray {
                        var out: [Float] = []
                        for r in rows { for c in columns { out.append(Float(r * 6 + c) * 0.5 - 3) } }
                        return NDArray(out, shape: [rows.count, columns.count])
                    }
                    #expect(try await ref.read(region: [3..<10, 2..<6]) == part(3..<10, 2..<6))
                    #expect(try await ref.chunk(at: [2, 1]) == part(8..<10, 4..<6))
                }
                if id == 2 || id == 3 {
                    #expect(try await ref.metadata().zarrFormat == 2)
                    let twoRows = id == 2 ? NDArray.rows(expected, 1..<3, as: Int64.self) : NDArray.rows(expected, 1..<3, as: Double.self)
                    #expect(try await ref.read(rows: 1..<3) == twoRows)
                }
            }
            // Both wrote the schema-addressed layout: `_schema/{schema}/{table}/{key}/{attribute}_{token}.zarr/`.
            #expect(stores.files("main").contains { $0.hasPrefix("_schema/\(theirs)/zi_item/item_id=1/arr_") && $0.hasSuffix(".zarr/zarr.json") })
            #expect(stores.files("main").contains { $0.hasPrefix("_schema/\(theirs)/zi_item/item_id=2/arr_") && $0.hasSuffix(".zarr/.zarray") })
        }
    }

    static func arrayAndChunks(_ value: Value) -> (NDArray, [Int]?)? {
        if case .custom(let custom) = value, let input = custom.as(ZarrArrayInput.self) { return (input.array, input.chunks) }
        return NDArray(dataJointValue: value).map { ($0, nil) }
    }

    /// Whether the elements the Python script printed (floats as text, complex as `[re, im]`, uint64 as text) are
    /// those of `array`.
    static func matches(_ array: NDArray, _ printed: Any?) -> Bool {
        switch array.dtype {
        case .complex64, .complex128:
            return (printed as? [[String]])?.map { $0.map { Double($0) } }
                == array.values(as: ComplexNumber<Double>.self).map { [$0.real, $0.imaginary] }
        case .uint64:
            return (printed as? [String]) == array.values(as: UInt64.self).map { String($0) }
        case .bool:
            return (printed as? [Bool]) == array.values(as: Bool.self)
        case .float32, .float64:
            return (printed as? [String])?.map { Double($0) } == array.doubles
        default:
            return (printed as? [Int64]) == array.values(as: Int64.self)
        }
    }
}

extension NDArray {
    /// Rows `range` of a 2-dimensional array of `T`.
    static func rows<T: NDArrayElement>(_ array: NDArray, _ range: Range<Int>, as _: T.Type) -> NDArray {
        let width = array.shape[1]
        let part = array.values(as: T.self)[(range.lowerBound * width)..<(range.upperBound * width)]
        return NDArray(Array(part), shape: [range.count, width])
    }
}
