import Foundation

/// Encodes an `Encodable` struct into a `Row`, one attribute per property.
///
/// ```swift
/// struct Session: Codable { var subjectID: Int; var date: CalendarDate; var notes: String? }
/// let row = try RowEncoder().encode(Session(subjectID: 1, date: today, notes: nil))
/// // {subjectID: 1, date: 2024-05-01}
/// ```
///
/// Attributes appear in encoding order (declaration order for synthesized conformances).
/// Properties map to values as follows:
/// - signed integers and `UInt8`...`UInt32` give `.int`; `UInt` and `UInt64` give `.int` when they fit in
///   `Int64` and throw otherwise;
/// - `Double` and `Float` give `.double`, `Bool` gives `.bool`, `String` gives `.string`;
/// - `Data`, `Decimal`, `UUID`, `CalendarDate`, `DateTime` and `JSON` give `.bytes`, `.decimal`, `.uuid`,
///   `.date`, `.datetime` and `.json`; a `Date` gives `.datetime` (its UTC wall-clock time); a `Value` is
///   stored as it is;
/// - any other value (arrays, dictionaries, nested structs) is stored as `.json`.
///
/// A nil optional is left out of the row by synthesized conformances (which use `encodeIfPresent`), so the
/// table's default applies; a value encoded with `encodeNil` gives `.null`.
public struct RowEncoder: Sendable {
    /// Creates an encoder.
    public init() {}

    /// Encodes a value that encodes as a keyed container (a struct with named properties) into a row.
    ///
    /// - Throws: `DataJointError(.invalidValue)` when the value does not encode as a keyed container or one
    ///   of its values cannot be represented (an unsigned integer beyond `Int64.max`, a non-finite float
    ///   inside a JSON attribute).
    public func encode<T: Encodable>(_ value: T) throws -> Row {
        let root = RowEncodingNode()
        try RowEncodingNode.encode(value, into: root, codingPath: [])
        guard root.kind == .object else {
            throw DataJointError(
                .invalidValue, "\(T.self) must encode as a keyed container (a struct with named properties)")
        }
        var values: [Value] = []
        values.reserveCapacity(root.keys.count)
        for key in root.keys {
            values.append(try root.children[key]!.attributeValue(codingPath: [RowCodingKey(key)]))
        }
        return Row(names: root.keys, values: values)
    }
}

// MARK: - Shared coding support

/// A coding key for indices, `super` and attribute names.
struct RowCodingKey: CodingKey {
    let stringValue: String
    let intValue: Int?

    init(stringValue: String) {
        self.stringValue = stringValue
        intValue = nil
    }

    init(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }

    init(_ name: String) { self.init(stringValue: name) }

    static let superKey = RowCodingKey("super")
}

/// Helpers shared by `RowEncoder` and `RowDecoder`.
enum RowCodingSupport {
    /// A coding path as `a.b[2].c`.
    static func describe(_ path: [any CodingKey]) -> String {
        var out = ""
        for key in path {
            if let i = key.intValue, key.stringValue == String(i) {
                out += "[\(i)]"
            } else {
                if !out.isEmpty { out += "." }
                out += key.stringValue
            }
        }
        return out
    }

    /// "attribute `a`" or "`a.b[2]` in attribute `a`".
    static func location(_ path: [any CodingKey]) -> String {
        guard let first = path.first else { return "the row" }
        if path.count == 1 { return "attribute `\(first.stringValue)`" }
        return "`\(describe(path))` in attribute `\(first.stringValue)`"
    }

    /// A value as shown in an error message: strings quoted, long values cut.
    static func preview(_ value: Value) -> String {
        var text: String
        switch value {
        case .string(let s): text = "\"\(s)\""
        default: text = value.description
        }
        if text.count > 80 { text = String(text.prefix(77)) + "..." }
        return text
    }

    /// An integer as `.int`, or an error when it does not fit in `Int64`.
    static func integer<I: BinaryInteger>(_ value: I, codingPath: [any CodingKey]) throws -> Value {
        guard let i = Int64(exactly: value) else {
            throw DataJointError(
                .invalidValue,
                "\(location(codingPath)) holds \(value), which does not fit in a 64-bit signed integer")
        }
        return .int(i)
    }

    /// A `Float` as `.double`, keeping its shortest decimal form (so `0.1` stays `0.1`).
    static func float(_ value: Float) -> Value {
        .double(value.isFinite ? Double(String(value)) ?? Double(value) : Double(value))
    }

    /// The value of types stored directly rather than through their own `Encodable` conformance.
    static func directValue<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws -> Value? {
        switch value {
        case let v as Value: return v
        case let j as JSON: return .json(j)
        case let d as Date: return .datetime(DateTime(d))
        case let d as CalendarDate: return .date(d)
        case let d as DateTime: return .datetime(d)
        case let u as UUID: return .uuid(u)
        case let d as Data: return .bytes(d)
        case let d as Decimal: return .decimal(d)
        case let u as URL: return .string(u.absoluteString)
        case let f as Float: return float(f)
        case let u as UInt64: return try integer(u, codingPath: codingPath)
        case let u as UInt: return try integer(u, codingPath: codingPath)
        case let c as any ValueConvertible: return c.dataJointValue
        default: return nil
        }
    }
}

// MARK: - Encoding tree

/// What a value encoded to: nothing yet, a scalar, an array or an object (with keys in encoding order).
final class RowEncodingNode {
    enum Kind { case empty, scalar, array, object }

    private(set) var kind: Kind = .empty
    private(set) var scalar: Value = .null
    private(set) var items: [RowEncodingNode] = []
    private(set) var keys: [String] = []
    private(set) var children: [String: RowEncodingNode] = [:]

    func setScalar(_ value: Value) {
        kind = .scalar
        scalar = value
        items = []
        keys = []
        children = [:]
    }

    func becomeObject() {
        guard kind != .object else { return }
        kind = .object
        scalar = .null
        items = []
    }

    func becomeArray() {
        guard kind != .array else { return }
        kind = .array
        scalar = .null
        keys = []
        children = [:]
    }

    /// A fresh child under `key`; a key encoded twice keeps its first position and its last value.
    func newChild(forKey key: String) -> RowEncodingNode {
        becomeObject()
        let child = RowEncodingNode()
        if children.updateValue(child, forKey: key) == nil { keys.append(key) }
        return child
    }

    func appendChild() -> RowEncodingNode {
        becomeArray()
        let child = RowEncodingNode()
        items.append(child)
        return child
    }

    /// Encodes `value` into `node`: directly for the special types, else through its `Encodable` conformance.
    static func encode<T: Encodable>(_ value: T, into node: RowEncodingNode, codingPath: [any CodingKey]) throws {
        if let direct = try RowCodingSupport.directValue(value, codingPath: codingPath) {
            node.setScalar(direct)
        } else {
            try value.encode(to: RowValueEncoder(node: node, codingPath: codingPath))
        }
    }

    /// The node as an attribute value: scalars as they are, containers as JSON.
    func attributeValue(codingPath: [any CodingKey]) throws -> Value {
        if kind == .scalar { return scalar }
        return .json(try json(codingPath: codingPath))
    }

    /// The node as a JSON document. A value that encoded nothing gives an empty object.
    func json(codingPath: [any CodingKey]) throws -> JSON {
        switch kind {
        case .empty:
            return .object([:])
        case .scalar:
            if case .double(let d) = scalar, !d.isFinite {
                throw DataJointError(
                    .invalidValue,
                    "\(RowCodingSupport.location(codingPath)) holds \(d), which JSON cannot represent")
            }
            return JSON(value: scalar)
        case .array:
            var out: [JSON] = []
            out.reserveCapacity(items.count)
            for (i, item) in items.enumerated() {
                out.append(try item.json(codingPath: codingPath + [RowCodingKey(intValue: i)]))
            }
            return .array(out)
        case .object:
            var out: [String: JSON] = [:]
            out.reserveCapacity(keys.count)
            for key in keys {
                out[key] = try children[key]!.json(codingPath: codingPath + [RowCodingKey(key)])
            }
            return .object(out)
        }
    }
}

// MARK: - Encoder

/// The `Encoder` that writes one value into a `RowEncodingNode`.
struct RowValueEncoder: Encoder {
    let node: RowEncodingNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.becomeObject()
        return KeyedEncodingContainer(RowKeyedEncodingContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.becomeArray()
        return RowUnkeyedEncodingContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        RowSingleValueEncodingContainer(node: node, codingPath: codingPath)
    }
}

struct RowKeyedEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: RowEncodingNode
    let codingPath: [any CodingKey]

    private func put(_ value: Value, _ key: Key) {
        node.newChild(forKey: key.stringValue).setScalar(value)
    }

    private func path(_ key: Key) -> [any CodingKey] { codingPath + [key] }

    mutating func encodeNil(forKey key: Key) throws { put(.null, key) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try RowEncodingNode.encode(value, into: node.newChild(forKey: key.stringValue), codingPath: path(key))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let child = node.newChild(forKey: key.stringValue)
        child.becomeObject()
        return KeyedEncodingContainer(RowKeyedEncodingContainer<NestedKey>(node: child, codingPath: path(key)))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = node.newChild(forKey: key.stringValue)
        child.becomeArray()
        return RowUnkeyedEncodingContainer(node: child, codingPath: path(key))
    }

    mutating func superEncoder() -> any Encoder {
        RowValueEncoder(
            node: node.newChild(forKey: RowCodingKey.superKey.stringValue),
            codingPath: codingPath + [RowCodingKey.superKey])
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        RowValueEncoder(node: node.newChild(forKey: key.stringValue), codingPath: path(key))
    }
}

struct RowUnkeyedEncodingContainer: UnkeyedEncodingContainer {
    let node: RowEncodingNode
    let codingPath: [any CodingKey]
    var count: Int { node.items.count }

    private func nextPath() -> [any CodingKey] { codingPath + [RowCodingKey(intValue: count)] }
    private func put(_ value: Value) { node.appendChild().setScalar(value) }

    mutating func encodeNil() throws { put(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let path = nextPath()
        try RowEncodingNode.encode(value, into: node.appendChild(), codingPath: path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey>
    {
        let path = nextPath()
        let child = node.appendChild()
        child.becomeObject()
        return KeyedEncodingContainer(RowKeyedEncodingContainer<NestedKey>(node: child, codingPath: path))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let path = nextPath()
        let child = node.appendChild()
        child.becomeArray()
        return RowUnkeyedEncodingContainer(node: child, codingPath: path)
    }

    mutating func superEncoder() -> any Encoder {
        let path = nextPath()
        return RowValueEncoder(node: node.appendChild(), codingPath: path)
    }
}

struct RowSingleValueEncodingContainer: SingleValueEncodingContainer {
    let node: RowEncodingNode
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.setScalar(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try RowEncodingNode.encode(value, into: node, codingPath: codingPath)
    }
}
