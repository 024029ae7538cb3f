/// One foreign key of the dependency graph: `child` references `parent`.
///
/// A child may reference the same parent through several foreign keys (for example two renamed references); each
/// is its own edge.
public struct DependencyEdge: Sendable, Hashable {
    /// The referenced table.
    public let parent: SQLTableName
    /// The referencing table.
    public let child: SQLTableName
    /// The child's foreign-key columns, in key order.
    public let columns: [String]
    /// The parent's columns that `columns` reference, in the same order.
    public let referencedColumns: [String]
    /// True when every foreign-key column is in the child's primary key.
    public let isPrimary: Bool
    /// True when the child has primary-key attributes beyond this foreign key's (a one-to-many dependency).
    public let isMultiValued: Bool

    public init(
        parent: SQLTableName, child: SQLTableName, columns: [String], referencedColumns: [String], isPrimary: Bool,
        isMultiValued: Bool
    ) {
        self.parent = parent
        self.child = child
        self.columns = columns
        self.referencedColumns = referencedColumns
        self.isPrimary = isPrimary
        self.isMultiValued = isMultiValued
    }

    /// True when some column is renamed (`-> Parent.proj(new_name='old_name')`).
    public var isRenamed: Bool { columns != referencedColumns }

    /// The child's column for each parent column it references, in key order.
    public var attributeMap: [(child: String, parent: String)] {
        Array(zip(columns, referencedColumns)).map { (child: $0.0, parent: $0.1) }
    }

    /// The renamed columns as `child ← parent` text, for tooltips and messages.
    public var renameDescription: String {
        attributeMap.filter { $0.child != $0.parent }.map { "\($0.child) ← \($0.parent)" }.joined(separator: "; ")
    }
}
