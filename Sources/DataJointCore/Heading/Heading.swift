/// The attributes of a table or query result, in order, with the primary key marked.
public struct Heading: Sendable, Hashable {
    /// All attributes including hidden ones.
    public private(set) var allAttributes: [Attribute]

    /// False when an operand's schema has no `~lineage` table: semantic matching is then skipped (with a warning).
    public var lineageAvailable: Bool

    public init(_ attributes: [Attribute], lineageAvailable: Bool = true) {
        allAttributes = attributes
        self.lineageAvailable = lineageAvailable
    }

    /// The visible attributes.
    public var attributes: [Attribute] { allAttributes.filter { !$0.isHidden } }
    /// Names of the visible attributes.
    public var names: [String] { attributes.map(\.name) }
    /// Names of the visible primary-key attributes.
    public var primaryKey: [String] { attributes.filter(\.inPrimaryKey).map(\.name) }
    /// Names of the visible secondary attributes.
    public var secondaryAttributes: [String] { attributes.filter { !$0.inPrimaryKey }.map(\.name) }
    /// Names of all primary-key columns, hidden ones included (e.g. `_singleton`).
    public var primaryKeyColumns: [String] { allAttributes.filter(\.inPrimaryKey).map(\.name) }

    /// The visible attribute with this name.
    public subscript(name: String) -> Attribute? {
        allAttributes.first { $0.name == name && !$0.isHidden }
    }

    /// Any attribute with this name, hidden ones included.
    func column(_ name: String) -> Attribute? {
        allAttributes.first { $0.name == name }
    }

    /// True when the heading has a visible attribute with this name.
    public func contains(_ name: String) -> Bool { self[name] != nil }
}
