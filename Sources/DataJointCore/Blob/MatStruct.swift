/// A MATLAB struct array (DataJoint-Python's `MatStruct`): an array of records that all have the same named fields,
/// each field holding any ``BlobValue``.
///
/// Records are kept in row-major order, and the values of record `r` are `values[r * fieldNames.count ..<
/// (r + 1) * fieldNames.count]`, in the order of ``fieldNames``.
public struct MatStruct: Sendable, Hashable {
    /// The field names, in order.
    public let fieldNames: [String]
    /// The shape of the struct array; a MATLAB scalar struct has shape `[1, 1]`.
    public let shape: [Int]
    /// The field values of all records: record-major, records in row-major order.
    public let values: [BlobValue]

    /// A struct array of `shape` with the given field values (record-major, records row-major).
    /// Traps if `values.count` is not the number of records times the number of fields.
    public init(fieldNames: [String], shape: [Int], values: [BlobValue]) {
        let n = NDArray.elementCount(shape)
        precondition(n != nil && n! * fieldNames.count == values.count,
            "a struct of shape \(shape) with \(fieldNames.count) fields needs \((n ?? 0) * fieldNames.count) values")
        self.fieldNames = fieldNames
        self.shape = shape
        self.values = values
    }

    /// A scalar struct (shape `[1, 1]`, as MATLAB has it) with one record.
    public init(_ record: KeyValuePairs<String, BlobValue>) {
        self.init(fieldNames: record.map(\.key), shape: [1, 1], values: record.map(\.value))
    }

    /// A struct array of `shape` from records that each give a value for every field, in the order of `fieldNames`.
    /// Traps if a record has the wrong number of values or `shape` does not hold `records.count` records.
    public init(fieldNames: [String], records: [[BlobValue]], shape: [Int]? = nil) {
        precondition(records.allSatisfy { $0.count == fieldNames.count }, "every record needs \(fieldNames.count) values")
        self.init(fieldNames: fieldNames, shape: shape ?? [1, records.count], values: records.flatMap { $0 })
    }

    /// The number of records.
    public var count: Int { NDArray.elementCount(shape) ?? 0 }

    /// The value of `field` in record `record` (row-major position), or `nil` if there is no such field.
    public subscript(record: Int, field: String) -> BlobValue? {
        guard let f = fieldNames.firstIndex(of: field) else { return nil }
        return values[record * fieldNames.count + f]
    }

    /// The values of `field` in all records, or `nil` if there is no such field.
    public subscript(field: String) -> [BlobValue]? {
        guard let f = fieldNames.firstIndex(of: field) else { return nil }
        return (0..<count).map { values[$0 * fieldNames.count + f] }
    }

    /// Record `index` (row-major position) as ordered field-value pairs.
    public func record(_ index: Int) -> [(name: String, value: BlobValue)] {
        let base = index * fieldNames.count
        return fieldNames.enumerated().map { ($0.element, values[base + $0.offset]) }
    }
}
