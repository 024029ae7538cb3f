/// A NumPy structured array or `recarray`: named columns of equal shape, each a plain array or another structured
/// array. (Blobs store it column by column.)
public struct RecordArray: Sendable, Hashable {
    /// One named column.
    public struct Field: Sendable, Hashable {
        /// The field name.
        public let name: String
        /// The values of this field for every record.
        public let column: Column

        /// A field named `name`.
        public init(_ name: String, _ column: Column) {
            self.name = name
            self.column = column
        }

        /// A field named `name` holding a plain array.
        public init(_ name: String, _ array: NDArray) {
            self.init(name, .array(array))
        }
    }

    /// The values of one field.
    public enum Column: Sendable, Hashable {
        /// A plain array (numeric, `str` or `object`).
        case array(NDArray)
        /// A nested structured array.
        indirect case records(RecordArray)

        /// The shape of the column.
        public var shape: [Int] {
            switch self {
            case .array(let a): a.shape
            case .records(let r): r.shape
            }
        }
    }

    /// The fields, in order.
    public let fields: [Field]

    /// A structured array of the given fields. Traps if there are no fields or their shapes differ.
    public init(_ fields: [Field]) {
        precondition(!fields.isEmpty, "a structured array needs at least one field")
        precondition(fields.allSatisfy { $0.column.shape == fields[0].column.shape }, "all fields need the same shape")
        self.fields = fields
    }

    /// The shape of the array (of every field).
    public var shape: [Int] { fields[0].column.shape }

    /// The field names, in order.
    public var names: [String] { fields.map(\.name) }

    /// The column of field `name`, or `nil` if there is no such field.
    public subscript(name: String) -> Column? {
        fields.first { $0.name == name }?.column
    }
}
