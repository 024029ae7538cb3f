/// Everything the front-ends show about one table: its definition, heading, and neighbours in the pipeline.
public struct TableDetails: Sendable, Hashable, Codable {
    /// One attribute of the heading.
    public struct AttributeDetails: Sendable, Hashable, Codable {
        public var name: String
        /// The declared type (`int32`, `<blob>`, `varchar(30)`).
        public var type: String
        public var inPrimaryKey: Bool
        public var nullable: Bool
        /// The default as written in a definition, if any.
        public var defaultValue: String?
        public var comment: String
    }

    public var schema: String
    public var table: String
    public var className: String
    public var tier: String
    public var comment: String
    /// The definition reconstructed from the database (`describe()`).
    public var definition: String
    public var attributes: [AttributeDetails]
    /// The tables this one references, as `schema.table`.
    public var parents: [String]
    /// The tables that reference this one, as `schema.table`.
    public var children: [String]
    /// The part tables of this master, as `schema.table`.
    public var parts: [String]
    /// The master of this part table, as `schema.table`.
    public var master: String?
    /// The number of rows.
    public var rows: Int
}

extension Table {
    /// The table's definition, heading, parents, children, parts and master. Reads only.
    public func details() async throws -> TableDetails {
        let info = try await info()
        let graph = try await dependencyGraph()
        let attributes = info.heading.attributes.map { attribute in
            TableDetails.AttributeDetails(
                name: attribute.name, type: attribute.typeText, inPrimaryKey: attribute.inPrimaryKey,
                nullable: attribute.nullable, defaultValue: attribute.defaultValue?.description, comment: attribute.comment)
        }
        return TableDetails(
            schema: info.name.schema, table: info.name.table, className: info.name.className, tier: info.tier.rawValue,
            comment: info.comment, definition: try await describe(), attributes: attributes,
            parents: graph.parents(of: info.name).map(\.description),
            children: graph.children(of: info.name).map(\.description),
            parts: graph.parts(of: info.name).map(\.description),
            master: graph.master(of: info.name)?.description,
            rows: try await unrestricted().count())
    }
}
