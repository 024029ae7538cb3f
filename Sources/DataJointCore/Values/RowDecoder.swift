import Foundation

/// Decodes a `Decodable` struct from a `Row`, reading one attribute per property.
///
/// ```swift
/// struct Session: Codable { var subjectID: Int; var date: CalendarDate; var notes: String? }
/// let session = try RowDecoder().decode(Session.self, from: row)
/// ```
///
/// Properties are read with the `ValueConvertible` conversions (so an `Int` property accepts an integral
/// `.double`, a `Bool` accepts `.int` 0 or 1, a `CalendarDate` accepts ISO text). `Data`, `Decimal`,
/// `UUID`, `Date`, `CalendarDate`, `DateTime`, `JSON` and `Value` properties are read directly; other
/// nested `Decodable` values (arrays, dictionaries, nested structs) are decoded from a `.json` value.
/// An optional property is nil when its attribute is `.null` or absent. Custom `CodingKeys` name the
/// attributes.
public struct RowDecoder: Sendable {
    /// Creates a decoder.
    public init() {}

    /// Decodes a value of a keyed type (a struct with named properties) from a row.
    ///
    /// - Throws: `DataJointError(.missingAttribute)` when the row lacks an attribute the type needs;
    ///   `DataJointError(.invalidValue)` when an attribute's value cannot be decoded as the property's type.
    public func decode<T: Decodable>(_ type: T.Type, from row: Row) throws -> T {
        try T(from: RowTopDecoder(row: RowLookup(row), typeName: String(describing: T.self)))
    }
}

// MARK: - Conversions

extension RowCodingSupport {
    enum DirectDecoding<T> {
        case notDirect
        case converted(T)
        case failed
    }

    /// Converts values of the types read directly rather than through their `Decodable` conformance.
    static func directDecode<T>(_ type: T.Type, from value: Value) -> DirectDecoding<T> {
        func result(_ converted: T?) -> DirectDecoding<T> {
            converted.map { .converted($0) } ?? .failed
        }
        if T.self == Value.self { return .converted(value as! T) }
        if T.self == JSON.self {
            if case .json(let j) = value { return .converted(j as! T) }
            return .converted(JSON(value: value) as! T)
        }
        if T.self == Data.self {
            switch value {
            case .bytes(let d): return .converted(d as! T)
            case .string(let s): return result(Data(base64Encoded: s) as! T?)
            default: return .failed
            }
        }
        if T.self == Decimal.self {
            if let d = Decimal(dataJointValue: value) { return .converted(d as! T) }
            if case .double(let d) = value, d.isFinite {
                return result(Decimal(string: String(d), locale: Locale(identifier: "en_US_POSIX")) as! T?)
            }
            return .failed
        }
        if T.self == URL.self {
            guard case .string(let s) = value else { return .failed }
            return result(URL(string: s) as! T?)
        }
        if T.self == UInt64.self || T.self == UInt.self {
            guard let i = Int64(dataJointValue: value), i >= 0 else { return .failed }
            return T.self == UInt64.self ? .converted(UInt64(i) as! T) : result(UInt(exactly: i) as! T?)
        }
        if T.self == Date.self { return result(Date(dataJointValue: value) as! T?) }
        if T.self == UUID.self { return result(UUID(dataJointValue: value) as! T?) }
        if T.self == CalendarDate.self { return result(CalendarDate(dataJointValue: value) as! T?) }
        if T.self == DateTime.self { return result(DateTime(dataJointValue: value) as! T?) }
        return .notDirect
    }

    /// Types whose `Decodable` conformance reads a single primitive: decoding them goes no deeper.
    static func isPrimitive<T>(_ type: T.Type) -> Bool {
        T.self is any BinaryInteger.Type || T.self is any BinaryFloatingPoint.Type || T.self == Bool.self
            || T.self == String.self
    }

    /// Decodes a value of any `Decodable` type from an attribute value (or a value inside a JSON attribute).
    static func decode<T: Decodable>(_ type: T.Type, from value: Value, codingPath: [any CodingKey]) throws -> T {
        switch directDecode(T.self, from: value) {
        case .converted(let v): return v
        case .failed: throw mismatch(value, as: T.self, codingPath: codingPath)
        case .notDirect: break
        }
        if let convertible = T.self as? any ValueConvertible.Type,
            let v = convertible.init(dataJointValue: value)
        {
            return v as! T
        }
        if isPrimitive(T.self) { throw mismatch(value, as: T.self, codingPath: codingPath) }
        return try T(from: RowNestedDecoder(value: value, codingPath: codingPath, typeName: String(describing: T.self)))
    }

    static func mismatch(_ value: Value, as type: Any.Type, codingPath: [any CodingKey]) -> DataJointError {
        mismatch(value, as: String(describing: type), codingPath: codingPath)
    }

    static func mismatch(_ value: Value, as typeName: String, codingPath: [any CodingKey]) -> DataJointError {
        DataJointError(
            .invalidValue,
            "\(location(codingPath)) holds \(value.kindName) \(preview(value)), which cannot be decoded as \(typeName)"
        )
    }
}

// MARK: - Row level

/// The named values a keyed container reads: a row's attributes, or the members of a JSON object.
protocol KeyedValues {
    /// The names, in the order the container's `allKeys` lists them.
    var names: [String] { get }
    /// The value named `name`, or `nil` if there is none.
    func value(named name: String) -> Value?
    /// The error for `name`, which the type being decoded needs and these values lack.
    func missing(_ name: String, codingPath: [any CodingKey], typeName: String) -> DataJointError
}

/// A row's values indexed by name.
struct RowLookup: KeyedValues {
    let names: [String]
    let values: [String: Value]

    init(_ row: Row) {
        names = row.names
        values = Dictionary(zip(row.names, row.values), uniquingKeysWith: { first, _ in first })
    }

    func value(named name: String) -> Value? { values[name] }

    func missing(_ name: String, codingPath: [any CodingKey], typeName: String) -> DataJointError {
        DataJointError(
            .missingAttribute,
            "row has no attribute `\(name)` needed by \(typeName); it has \(names.joined(separator: ", "))"
        )
    }
}

/// The members of a JSON object, read as values.
struct JSONMembers: KeyedValues {
    let object: [String: JSON]

    var names: [String] { object.keys.sorted() }

    func value(named name: String) -> Value? { object[name]?.asValue }

    func missing(_ name: String, codingPath: [any CodingKey], typeName: String) -> DataJointError {
        DataJointError(
            .invalidValue,
            "\(RowCodingSupport.location(codingPath)) has no key `\(name)` needed by \(typeName); it has \(names.joined(separator: ", "))"
        )
    }
}

/// The top-level `Decoder`: only a keyed container is available.
struct RowTopDecoder: Decoder {
    let row: RowLookup
    let typeName: String
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(ValueKeyedDecodingContainer<Key, RowLookup>(values: row, codingPath: [], typeName: typeName))
    }

    private func notKeyed() -> DataJointError {
        DataJointError(
            .invalidValue,
            "\(typeName) cannot be decoded from a row: a row decodes only into a keyed type (a struct with named properties)"
        )
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw notKeyed() }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { throw notKeyed() }
}

/// The keyed container of a row (at the top level) or of a JSON object (inside an attribute).
struct ValueKeyedDecodingContainer<Key: CodingKey, Values: KeyedValues>: KeyedDecodingContainerProtocol {
    let values: Values
    let codingPath: [any CodingKey]
    let typeName: String

    var allKeys: [Key] { values.names.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { values.value(named: key.stringValue) != nil }

    private func value(_ key: Key) throws -> Value {
        guard let value = values.value(named: key.stringValue) else {
            throw values.missing(key.stringValue, codingPath: codingPath, typeName: typeName)
        }
        return value
    }

    func decodeNil(forKey key: Key) throws -> Bool { values.value(named: key.stringValue)?.isNull ?? true }

    /// Every type, primitives included (the protocol's primitive requirements default to this), decodes through
    /// one conversion.
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try RowCodingSupport.decode(T.self, from: value(key), codingPath: codingPath + [key])
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try nestedDecoder(key, value(key)).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try nestedDecoder(key, value(key)).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        RowNestedDecoder(
            value: values.value(named: RowCodingKey.superKey.stringValue) ?? .null,
            codingPath: codingPath + [RowCodingKey.superKey], typeName: "super")
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        nestedDecoder(key, values.value(named: key.stringValue) ?? .null)
    }

    private func nestedDecoder(_ key: Key, _ value: Value) -> RowNestedDecoder {
        RowNestedDecoder(value: value, codingPath: codingPath + [key], typeName: "\(typeName).\(key.stringValue)")
    }
}

// MARK: - Nested values

/// The `Decoder` for one attribute value or a value inside a JSON attribute.
struct RowNestedDecoder: Decoder {
    let value: Value
    let codingPath: [any CodingKey]
    /// The type being decoded, for error messages.
    let typeName: String
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// The value as a JSON document, also accepting JSON text.
    private func document() -> JSON? { value.jsonDocument }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object)? = document() else {
            throw RowCodingSupport.mismatch(value, as: typeName, codingPath: codingPath)
        }
        return KeyedDecodingContainer(
            ValueKeyedDecodingContainer<Key, JSONMembers>(
                values: JSONMembers(object: object), codingPath: codingPath, typeName: typeName))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items)? = document() else {
            throw RowCodingSupport.mismatch(value, as: typeName, codingPath: codingPath)
        }
        return JSONUnkeyedDecodingContainer(items: items, codingPath: codingPath, typeName: typeName)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        RowSingleValueDecodingContainer(value: value, codingPath: codingPath)
    }
}

struct JSONUnkeyedDecodingContainer: UnkeyedDecodingContainer {
    let items: [JSON]
    let codingPath: [any CodingKey]
    let typeName: String
    private(set) var currentIndex = 0

    init(items: [JSON], codingPath: [any CodingKey], typeName: String) {
        self.items = items
        self.codingPath = codingPath
        self.typeName = typeName
    }

    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    private var itemPath: [any CodingKey] { codingPath + [RowCodingKey(intValue: currentIndex)] }

    /// The next item, advancing past it.
    private mutating func next() throws -> (Value, [any CodingKey]) {
        guard !isAtEnd else {
            throw DataJointError(
                .invalidValue,
                "\(RowCodingSupport.location(codingPath)) has \(items.count) items, fewer than \(typeName) needs")
        }
        let result = (items[currentIndex].asValue, itemPath)
        currentIndex += 1
        return result
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, items[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (value, path) = try next()
        return try RowCodingSupport.decode(T.self, from: value, codingPath: path)
    }


    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        let (value, path) = try next()
        return try RowNestedDecoder(value: value, codingPath: path, typeName: typeName).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (value, path) = try next()
        return try RowNestedDecoder(value: value, codingPath: path, typeName: typeName).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (value, path) = try next()
        return RowNestedDecoder(value: value, codingPath: path, typeName: typeName)
    }
}

struct RowSingleValueDecodingContainer: SingleValueDecodingContainer {
    let value: Value
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool { value.isNull }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try RowCodingSupport.decode(T.self, from: value, codingPath: codingPath)
    }

}
