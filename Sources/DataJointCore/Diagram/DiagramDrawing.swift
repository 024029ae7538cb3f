/// What a ``Diagram`` looks like, independent of the format it is written in: nodes, edges and the clusters that
/// group nodes by schema. ``Diagram/drawing()`` computes it; ``dot(direction:theme:)`` and
/// ``mermaid(direction:theme:)`` write it.
///
/// The drawing follows DataJoint-Python 2.3.5:
/// - a node per shown table, labelled by its class name (a part whose master is shown by its own name only), styled
///   by tier, its label underlined when the table introduces a new primary-key dimension (a primary-key attribute
///   that no foreign key brings in);
/// - the shown tables of a schema that are not expanded become one collapsed node, "(N tables)"; a table expanded
///   in any diagram of a union stays expanded ("expanded wins");
/// - an edge per foreign key, from parent to child: solid for a primary foreign key, dashed for a secondary one,
///   thin for a one-to-many dependency and thick for a one-to-one, amber for a renamed foreign key with the
///   renames as its tooltip. Foreign keys that meet a collapsed node are merged into one edge per pair of nodes;
///   between two collapsed nodes the edge is a *bundle*, drawn in one neutral style;
/// - a cluster per schema labelled by the schema name, and inside it a shaded group around each master with its
///   parts.
public struct DiagramDrawing: Sendable, Hashable {
    /// A box of the drawing: one table, or the collapsed tables of a schema.
    public struct Node: Sendable, Hashable, Identifiable {
        /// What a node stands for.
        public enum Kind: Sendable, Hashable {
            /// One table, with its tier (nil for a table whose name follows no DataJoint tier).
            case table(SQLTableName, tier: Tier?)
            /// Tables of one schema drawn as one node.
            case collapsed([SQLTableName])
        }

        /// The node's name in DOT and (made safe) in Mermaid: the table's class name, prefixed by its schema when
        /// that is not the diagram's home schema; the schema name for a collapsed node.
        public let id: String
        /// The text shown in the node: the class name (`Session`), only the part name (`Trial`) for a part drawn
        /// with its master, "(N tables)" for a collapsed node.
        public let label: String
        public let kind: Kind
        /// The schema of the node's tables.
        public let schema: String
        /// True when the table adds a primary-key attribute of its own (beyond those its foreign keys bring):
        /// a new dimension of the pipeline, drawn with an underlined label.
        public let introducesDimension: Bool
        /// The ``id`` of the master node, for a part table drawn with its master.
        public let master: String?
        /// Text shown when hovering over the node in an SVG.
        public let tooltip: String
    }

    /// A line of the drawing from a parent node to a child node.
    public struct Edge: Sendable, Hashable {
        /// What an edge stands for.
        public enum Kind: Sendable, Hashable {
            /// One foreign key (or, where one end is collapsed, the first of the foreign keys merged into the edge,
            /// whose kind the edge is drawn with).
            case foreignKey(DependencyEdge)
            /// The foreign keys between two collapsed nodes: drawn in one neutral style, as cardinality, primary or
            /// secondary and renaming describe single foreign keys.
            case bundle
        }

        /// The ``Node/id`` of the parent node.
        public let from: String
        /// The ``Node/id`` of the child node.
        public let to: String
        public let kind: Kind
        /// Every foreign key the edge stands for.
        public let foreignKeys: [DependencyEdge]

        /// True when the edge is drawn solid: a foreign key of primary-key attributes only.
        public var isPrimary: Bool {
            if case .foreignKey(let key) = kind { return key.isPrimary }
            return true
        }

        /// True when the edge is drawn thin: a one-to-many dependency.
        public var isMultiValued: Bool {
            if case .foreignKey(let key) = kind { return key.isMultiValued }
            return false
        }

        /// True when the edge is drawn amber: a renamed foreign key.
        public var isRenamed: Bool {
            if case .foreignKey(let key) = kind { return key.isRenamed }
            return false
        }

        /// True for an edge between two collapsed nodes.
        public var isBundle: Bool { kind == .bundle }

        /// The renamed columns (`child ← parent`) of a renamed foreign key, shown when hovering over the edge.
        public var tooltip: String? {
            if case .foreignKey(let key) = kind, key.isRenamed { return key.renameDescription }
            return nil
        }
    }

    /// A master and its parts, drawn together on a shaded background.
    public struct Entity: Sendable, Hashable {
        /// The ``Node/id`` of the master.
        public let master: String
        /// The ``Node/id``s of the parts, in dependency order.
        public let parts: [String]
        /// The master and the parts that depend on no sibling part: laid out side by side, so that a part that
        /// depends on another part is drawn after it.
        public let sameRank: [String]
    }

    /// The nodes of one schema.
    public struct Cluster: Sendable, Hashable {
        /// What a cluster holds: a node, or a master with its parts.
        public enum Member: Sendable, Hashable {
            /// A node drawn on its own (its ``Node/id``).
            case node(String)
            /// A master with its parts.
            case entity(Entity)
        }

        /// The schema.
        public let schema: String
        /// The text on the cluster's frame: the schema name.
        public let label: String
        /// The nodes and master-part groups of the schema, in dependency order.
        public let members: [Member]

        /// The ``Node/id``s of the nodes drawn on their own (in no ``Entity``).
        public var nodes: [String] {
            members.compactMap { if case .node(let id) = $0 { id } else { nil } }
        }

        /// The masters of the schema drawn with their parts.
        public var entities: [Entity] {
            members.compactMap { if case .entity(let entity) = $0 { entity } else { nil } }
        }
    }

    /// Every node, in dependency order (parents first, parts right after their masters).
    public let nodes: [Node]
    /// Every edge, ordered by parent and then child.
    public let edges: [Edge]
    /// One cluster per schema, in the order of their first nodes.
    public let clusters: [Cluster]

    /// The node with the given id.
    public func node(_ id: String) -> Node? { nodes.first { $0.id == id } }
}
