import Foundation

/// An ordered collection of attribute names and values: a fetched row, a row to insert, or a restriction.
///
/// ```swift
/// let row: Row = ["subject_id": 1, "species": "mouse"]
/// let id: Int = try row.get("subject_id")
/// ```
public struct Row: Sendable, Hashable, RandomAccessCollection, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    /// Attribute names, in order.
    public private(set) var names: [String]
    /// Values, in the order of `names`.
    public private(set) var values: [DataJointCore.Value]

    public init() {
        names = []
        values = []
    }

    /// Creates a row from parallel arrays of names and values.
    public init(names: [String], values: [DataJointCore.Value]) {
        precondition(names.count == values.count, "a row needs one value per name")
        self.names = names
        self.values = values
    }

    /// Creates a row from name-value pairs; a later duplicate name replaces an earlier one.
    public init(_ pairs: [(String, any ValueConvertible)]) {
        self.init()
        for (name, value) in pairs { self[name] = value.dataJointValue }
    }

    public init(dictionaryLiteral elements: (String, any ValueConvertible)...) {
        self.init(elements)
    }

    /// Creates a row from a dictionary (in the dictionary's key order, sorted for determinism).
    public init(_ dictionary: [String: any ValueConvertible]) {
        self.init(dictionary.keys.sorted().map { ($0, dictionary[$0]!) })
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { names.count }
    public subscript(position: Int) -> (name: String, value: DataJointCore.Value) { (names[position], values[position]) }

    /// The value of an attribute, or nil when the row has no such attribute. Setting nil removes it.
    public subscript(name: String) -> DataJointCore.Value? {
        get { names.firstIndex(of: name).map { values[$0] } }
        set {
            if let i = names.firstIndex(of: name) {
                if let newValue {
                    values[i] = newValue
                } else {
                    names.remove(at: i)
                    values.remove(at: i)
                }
            } else if let newValue {
                names.append(name)
                values.append(newValue)
            }
        }
    }

    /// True if the row has a value for `name`.
    public func contains(_ name: String) -> Bool { names.contains(name) }

    /// The value of an attribute converted to a Swift type.
    public func get<T: ValueConvertible>(_ name: String, as type: T.Type = T.self) throws -> T {
        guard let value = self[name] else {
            throw DataJointError(.missingAttribute, "row has no attribute `\(name)`; it has \(names.joined(separator: ", "))")
        }
        guard let converted = T(dataJointValue: value) else {
            throw DataJointError(.invalidValue, "attribute `\(name)` holds \(value.kindName) \(value), not \(T.self)")
        }
        return converted
    }

    /// The row restricted to the given attributes, in the given order (names the row lacks are skipped).
    public func project(_ attributes: [String]) -> Row {
        var out = Row()
        for name in attributes {
            if let v = self[name] {
                out.names.append(name)
                out.values.append(v)
            }
        }
        return out
    }

    /// The two rows merged; values of the right-hand row win.
    public static func + (lhs: Row, rhs: Row) -> Row {
        var out = lhs
        for (n, v) in zip(rhs.names, rhs.values) { out[n] = v }
        return out
    }

    public var description: String {
        "{" + zip(names, values).map { "\($0): \($1)" }.joined(separator: ", ") + "}"
    }

    /// Rows are equal when they have the same names with the same values, in any order.
    public static func == (a: Row, b: Row) -> Bool {
        guard a.names.count == b.names.count else { return false }
        for (n, v) in zip(a.names, a.values) where b[n] != v { return false }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        for n in names.sorted() {
            hasher.combine(n)
            hasher.combine(self[n])
        }
    }
}
