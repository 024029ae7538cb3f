/// What the database knows about one table: its name, tier, heading, keys and comment.
public struct TableInfo: Sendable {
    public var name: SQLTableName
    public var tier: Tier
    public var heading: Heading
    /// Foreign keys of this table to its parents.
    public var foreignKeys: [ForeignKeyConstraint]
    /// Secondary indexes.
    public var indexes: [IndexConstraint]
    /// The table comment.
    public var comment: String
}
