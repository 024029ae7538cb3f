import Foundation

/// Where the values of rows that name the same attributes in the same order go (see `RowValidator.layout`).
struct RowLayout {
    /// One visible attribute of the heading, in heading order.
    enum Slot {
        /// The row supplies the attribute (index in the heading's attributes) at `position`.
        case value(attribute: Int, position: Int, type: AttributeType, nullable: Bool)
        /// A primary-key attribute the row lacks.
        case missingKey(attribute: Int)
        /// An attribute without a default that the row lacks.
        case missingValue(attribute: Int)

        /// The index of the slot's attribute in the heading's attributes.
        var attribute: Int {
            switch self {
            case .value(let attribute, _, _, _), .missingKey(let attribute), .missingValue(let attribute): attribute
            }
        }
    }

    /// The row's attribute names, as given.
    let names: [String]
    /// The attributes the row supplies, in heading order: the columns of the row's validated values.
    let columns: [String]
    let slots: [Slot]
    /// Positions in `columns` of attributes that are not nullable but have a default: NULL there means the default.
    let defaultedColumns: [Int]

    /// A validated row's columns and values, without the columns whose value is NULL but whose attribute is not
    /// nullable and has a default: the database fills in the default (`CURRENT_TIMESTAMP` included).
    func withDefaultsApplied(_ values: [Value]) -> (columns: [String], values: [Value]) {
        let omitted = defaultedColumns.filter { values[$0].isNull }
        guard !omitted.isEmpty else { return (columns, values) }
        let kept = columns.indices.filter { !omitted.contains($0) }
        return (kept.map { columns[$0] }, kept.map { values[$0] })
    }
}
