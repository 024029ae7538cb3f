import Foundation
import Testing

@testable import DataJointCore

/// Helpers shared by the blob tests: the typed-JSON trees of the reference vectors, hex, seeded random values.
enum BlobTestSupport {
    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    // MARK: - Hex

    static func data(hex: String) -> Data {
        var out = Data(capacity: hex.utf8.count / 2)
        var high: UInt8?
        for c in hex.utf8 {
            let v: UInt8 = c <= 57 ? c - 48 : (c | 0x20) - 87
            if let h = high {
                out.append(h << 4 | v)
                high = nil
            } else {
                high = v
            }
        }
        return out
    }

    static func hex(_ data: Data) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(data.count * 2)
        for b in data {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: - Reference vectors

    struct Vector {
        let name: String
        let packed: BlobValue
        let unpacked: BlobValue
        let bytes: Data
        let compressed: Bool
    }

    static let vectors: [Vector] = {
        do {
            guard let url = Bundle.module.url(forResource: "Resources/blob/vectors.json", withExtension: nil) else {
                throw Failure("Resources/blob/vectors.json is missing from the test bundle")
            }
            let entries = try BlobTestJSON.parse(Data(contentsOf: url)) as! [[String: Any]]
            return try entries.map { e in
                Vector(
                    name: e["name"] as! String, packed: try value(fromTypedJSON: e["packed_value"]!),
                    unpacked: try value(fromTypedJSON: e["unpacked_value"]!), bytes: data(hex: e["hex"] as! String),
                    compressed: e["compressed"] as! Bool)
            }
        } catch {
            Issue.record("cannot load the blob vectors: \(error)")
            return []
        }
    }()

    static func vector(_ name: String) -> Vector {
        vectors.first { $0.name == name }!
    }

    // MARK: - Typed JSON trees

    /// A `Double` from a JSON number, or from "nan", "inf", "-inf" and `float.hex()` text.
    static func double(_ any: Any) throws -> Double {
        if let s = any as? String {
            switch s {
            case "nan": return .nan
            case "inf": return .infinity
            case "-inf": return -.infinity
            default:
                guard let d = Double(s) else { throw Failure("not a float: \(s)") }
                return d
            }
        }
        guard let n = any as? BlobTestJSON.Number, let d = Double(n.text) else { throw Failure("not a number: \(any)") }
        return d
    }

    static func int64(_ any: Any) throws -> Int64 {
        if let s = any as? String, let v = Int64(s) { return v }
        guard let n = any as? BlobTestJSON.Number, let v = Int64(n.text) else { throw Failure("not an integer: \(any)") }
        return v
    }

    static func uint64(_ any: Any) throws -> UInt64 {
        if let s = any as? String, let v = UInt64(s) { return v }
        guard let n = any as? BlobTestJSON.Number, let v = UInt64(n.text) else { throw Failure("not an integer: \(any)") }
        return v
    }

    /// The value of a typed JSON tree (the format of `vectors.json`, extended with `matstruct`, `matcell`, `recarray`
    /// and `time` for the live reference test).
    static func value(fromTypedJSON any: Any) throws -> BlobValue {
        guard let node = any as? [String: Any], let type = node["type"] as? String else {
            throw Failure("not a typed node: \(any)")
        }
        switch type {
        case "none": return .none
        case "bool": return .bool(node["value"] as! Bool)
        case "int":
            guard let big = BigInteger(node["value"] as! String) else { throw Failure("bad int \(node)") }
            return .integer(big)
        case "float": return .float(try double(node["value"]!))
        case "complex":
            let parts = node["value"] as! [Any]
            return .complex(ComplexNumber(try double(parts[0]), try double(parts[1])))
        case "str": return .string(node["value"] as! String)
        case "bytes": return .bytes(Data(base64Encoded: node["base64"] as! String)!)
        case "datetime":
            guard let d = DateTime(iso: node["value"] as! String) else { throw Failure("bad datetime \(node)") }
            return .datetime(d)
        case "date": return .date(CalendarDate(iso: node["value"] as! String)!)
        case "time": return .time(TimeOfDay(iso: node["value"] as! String)!)
        case "uuid": return .uuid(UUID(uuidString: node["value"] as! String)!)
        case "decimal": return .decimal(node["value"] as! String)
        case "list": return .list(try (node["items"] as! [Any]).map(value(fromTypedJSON:)))
        case "tuple": return .tuple(try (node["items"] as! [Any]).map(value(fromTypedJSON:)))
        case "set": return .set(try (node["items"] as! [Any]).map(value(fromTypedJSON:)))
        case "dict":
            return .dict(try (node["items"] as! [[Any]]).map {
                (key: try value(fromTypedJSON: $0[0]), value: try value(fromTypedJSON: $0[1]))
            })
        case "ndarray":
            return .array(try array(dtypeName: node["dtype"] as! String, shape: try ints(node["shape"]!),
                data: node["data_row_major"] as! [Any]))
        case "numpy_scalar":
            return .array(try array(dtypeName: node["dtype"] as! String, shape: [], data: [node["value"]!]))
        case "matstruct":
            return .matStruct(MatStruct(fieldNames: node["fields"] as! [String], shape: try ints(node["shape"]!),
                values: try (node["values"] as! [Any]).map(value(fromTypedJSON:))))
        case "matcell":
            return .cell(MatCell(try (node["items"] as! [Any]).map(value(fromTypedJSON:)), shape: try ints(node["shape"]!)))
        case "recarray":
            return .recordArray(try recordArray(node))
        default:
            throw Failure("unknown node type \(type)")
        }
    }

    static func ints(_ any: Any) throws -> [Int] {
        try (any as! [Any]).map { Int(try int64($0)) }
    }

    static func recordArray(_ node: [String: Any]) throws -> RecordArray {
        RecordArray(try (node["fields"] as! [[Any]]).map { pair in
            let name = pair[0] as! String
            let column = pair[1] as! [String: Any]
            if column["type"] as? String == "recarray" { return RecordArray.Field(name, .records(try recordArray(column))) }
            guard case .array(let a) = try value(fromTypedJSON: column) else { throw Failure("bad recarray field") }
            return RecordArray.Field(name, a)
        })
    }

    static func array(dtypeName: String, shape: [Int], data: [Any]) throws -> NDArray {
        guard let dtype = DType(numpyName: dtypeName) else { throw Failure("unknown dtype \(dtypeName)") }
        switch dtype {
        case .bool: return NDArray(data.map { $0 as! Bool }, shape: shape)
        case .int8: return NDArray(try data.map { Int8(try int64($0)) }, shape: shape)
        case .int16: return NDArray(try data.map { Int16(try int64($0)) }, shape: shape)
        case .int32: return NDArray(try data.map { Int32(try int64($0)) }, shape: shape)
        case .int64: return NDArray(try data.map { try int64($0) }, shape: shape)
        case .uint8: return NDArray(try data.map { UInt8(try uint64($0)) }, shape: shape)
        case .uint16: return NDArray(try data.map { UInt16(try uint64($0)) }, shape: shape)
        case .uint32: return NDArray(try data.map { UInt32(try uint64($0)) }, shape: shape)
        case .uint64: return NDArray(try data.map { try uint64($0) }, shape: shape)
        case .float32: return NDArray(try data.map { Float(try double($0)) }, shape: shape)
        case .float64: return NDArray(try data.map { try double($0) }, shape: shape)
        case .complex64:
            return NDArray(try data.map {
                let p = $0 as! [Any]
                return ComplexNumber(Float(try double(p[0])), Float(try double(p[1])))
            }, shape: shape)
        case .complex128:
            return NDArray(try data.map {
                let p = $0 as! [Any]
                return ComplexNumber(try double(p[0]), try double(p[1]))
            }, shape: shape)
        case .datetime64(let unit): return NDArray(datetime64: try data.map { try int64($0) }, unit: unit, shape: shape)
        case .char: return NDArray(try data.map { UInt16(try int64($0)) }, shape: shape).withDType(.char)
        case .unicode: return NDArray(strings: data.map { $0 as! String }, shape: shape)
        case .object: return NDArray(objects: try data.map(value(fromTypedJSON:)), shape: shape)
        }
    }

    // MARK: - What a round trip gives back

    /// The value a decoder gives back for `value`: `str` arrays come back as object arrays of `str`, MATLAB char
    /// rows as one-element `str` arrays, empty cells with shape `[0]`.
    static func roundTripped(_ value: BlobValue) -> BlobValue {
        switch value {
        case .array(let a):
            switch a.dtype {
            case .unicode:
                return .array(NDArray(objects: a.strings!.map { .string($0) }, shape: a.shape))
            case .object:
                return .array(NDArray(objects: a.elements.map(roundTripped), shape: a.shape))
            case .char:
                let units = a.values(as: UInt16.self)
                if a.ndim == 1 || (a.ndim == 2 && a.shape[0] == 1) {
                    return .array(NDArray(strings: [String(decoding: units, as: UTF16.self)], shape: [1]))
                }
                return .array(NDArray(strings: units.map { String(decoding: [$0], as: UTF16.self) }, shape: a.shape))
            default: return value
            }
        case .list(let v): return .list(v.map(roundTripped))
        case .tuple(let v): return .tuple(v.map(roundTripped))
        case .set(let v): return .set(v.map(roundTripped))
        case .dict(let pairs): return .dict(pairs.map { (key: roundTripped($0.key), value: roundTripped($0.value)) })
        case .matStruct(let s):
            if s.fieldNames.isEmpty { return .array(NDArray(objects: [.none], shape: [])) }
            return .matStruct(MatStruct(fieldNames: s.fieldNames, shape: s.shape, values: s.values.map(roundTripped)))
        case .cell(let c):
            if c.count == 0 { return .cell(MatCell([], shape: [0])) }
            return .cell(MatCell(c.elements.map(roundTripped), shape: c.shape))
        case .recordArray(let r):
            return .recordArray(RecordArray(r.fields.map { field in
                switch field.column {
                case .array(let a):
                    guard case .array(let back) = roundTripped(.array(a)) else { fatalError() }
                    return RecordArray.Field(field.name, back)
                case .records(let nested):
                    guard case .recordArray(let back) = roundTripped(.recordArray(nested)) else { fatalError() }
                    return RecordArray.Field(field.name, .records(back))
                }
            }))
        default: return value
        }
    }
}

extension NDArray {
    /// The same bytes under another dtype of the same item size (tests only).
    func withDType(_ newType: DType) -> NDArray {
        NDArray(dtype: newType, shape: shape, storage: storage)
    }
}

/// A seeded generator (SplitMix64), so that property tests are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
