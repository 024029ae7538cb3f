/// A view of the dependency graph: a set of tables to show, drawn as a graph, and optionally restrictions carried
/// through the graph to preview a delete (``cascade(_:partIntegrity:)``), select an export (``restrict(_:)``) or
/// read what a row was computed from (``trace(_:)``).
///
/// ```swift
/// let diagram = try await Diagram(lab)                   // the whole schema
/// let around = try await Diagram(lab[Session.self]) + 1 - 1   // a table with its children and parents
/// print(diagram.mermaid())
/// try await Diagram.cascade(lab[Subject.self] & ["subject_id": 1]).counts()
/// ```
public struct Diagram: Sendable {
    /// What the diagram's restrictions mean.
    public enum Mode: Sendable, Equatable {
        /// No restrictions: a picture of the graph.
        case plain
        /// The rows a delete of the seed would remove (OR where paths converge).
        case cascade(PartIntegrity)
        /// Rows that satisfy every restriction applied with ``restrict(_:)`` (AND where paths converge).
        case restrict
        /// The rows upstream of the seed's rows (OR where paths converge).
        case trace
    }

    /// The connection the diagram's tables live on.
    public let connection: Connection
    /// The dependency graph the diagram is a view of.
    public let graph: DependencyGraph
    /// The tables the diagram shows.
    public internal(set) var tables: Set<SQLTableName>
    /// Tables drawn as themselves; the other shown tables are drawn collapsed, one node per schema.
    var expanded: Set<SQLTableName>
    /// The schema whose tables are labelled by bare class names; other schemas' tables get the schema as prefix.
    public internal(set) var homeSchema: String?
    /// What the restrictions mean.
    public internal(set) var mode: Mode = .plain
    /// Restrictions per table: alternatives (OR) for cascade and trace, conditions (AND) for restrict.
    var restrictions: [SQLTableName: [Restriction]] = [:]
    /// The attributes each table's restriction names, when known (decides how a restriction crosses a foreign key).
    var restrictedAttributes: [SQLTableName: RestrictionScope] = [:]

    init(connection: Connection, graph: DependencyGraph, tables: Set<SQLTableName>, homeSchema: String?) {
        self.connection = connection
        self.graph = graph
        self.tables = tables
        expanded = tables
        self.homeSchema = homeSchema
    }

    /// Every table of a schema.
    public init(_ schema: Schema) async throws {
        let graph = try await schema.connection.dependencies(of: [schema.name])
        self.init(
            connection: schema.connection, graph: graph, tables: graph.tables.filter { $0.schema == schema.name },
            homeSchema: schema.name)
    }

    /// One table.
    public init(_ table: Table) async throws {
        let name = try await table.fullName()
        let graph = try await table.connection.dependencies(of: [name.schema])
        self.init(connection: table.connection, graph: graph, tables: [name], homeSchema: name.schema)
    }

    /// The union of the diagrams of several schemas and tables (the reference's `from_sequence`).
    public init(_ sources: [any DiagramSource]) async throws {
        guard let first = sources.first else {
            throw DataJointError(.invalidValue, "A diagram needs at least one schema or table")
        }
        var result = try await first.diagram()
        for source in sources.dropFirst() { result = try result.union(await source.diagram()) }
        self = result
    }

    /// The shown tables drawn collapsed into one node per schema (see ``collapsed()``).
    public var collapsedTables: Set<SQLTableName> { tables.subtracting(expanded) }

    /// The shown tables in dependency order (parents first, parts right after their masters).
    public var orderedTables: [SQLTableName] { graph.topologicalOrder(tables) }

    /// The label of a table: its class name, prefixed by its schema when that is not the diagram's home schema.
    public func label(of table: SQLTableName) -> String { table.className(relativeTo: homeSchema) }
}

/// Anything a ``Diagram`` can be made of: a ``Schema`` or a ``Table``.
public protocol DiagramSource: Sendable {
    /// The diagram of this source alone.
    func diagram() async throws -> Diagram
}

extension Schema: DiagramSource {
    public func diagram() async throws -> Diagram { try await Diagram(self) }
}

extension Table: DiagramSource {
    public func diagram() async throws -> Diagram { try await Diagram(self) }
}
