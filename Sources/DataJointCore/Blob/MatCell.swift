/// A MATLAB cell array (DataJoint-Python's `MatCell`): an array whose elements are any ``BlobValue``s, possibly of
/// different kinds and sizes. Elements are kept in row-major order.
public struct MatCell: Sendable, Hashable {
    /// The shape of the cell array.
    public let shape: [Int]
    /// The elements in row-major order.
    public let elements: [BlobValue]

    /// A cell array of the given elements. With no `shape`, a MATLAB row cell (`[1, n]`).
    /// Traps if `shape` does not hold `elements.count` elements.
    public init(_ elements: [BlobValue], shape: [Int]? = nil) {
        let shape = shape ?? [1, elements.count]
        precondition(NDArray.elementCount(shape) == elements.count, "shape \(shape) does not hold \(elements.count) cells")
        self.shape = shape
        self.elements = elements
    }

    /// The number of elements.
    public var count: Int { elements.count }

    /// The element at row-major position `index`.
    public subscript(index: Int) -> BlobValue { elements[index] }
}
