extension SQLTableName {
    /// The class name of the table, derived from its database name: `Subject` for `subject`, `SessionStats` for
    /// `__session_stats`, `Session.Trial` for `session__trial`.
    public var className: String {
        func camel(_ base: String) -> String {
            base.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        }
        var name = table
        while name.hasPrefix("_") || name.hasPrefix("#") { name.removeFirst() }
        return name.components(separatedBy: "__").map(camel).joined(separator: ".")
    }

    /// The class name as seen from `schema`: bare for tables of that schema, `schema.Class` for others.
    public func className(relativeTo schema: String?) -> String {
        self.schema == schema ? className : "\(self.schema).\(className)"
    }

    /// The table's tier, from its name; nil for tables that are not DataJoint tables.
    public var tier: Tier? { Tier.of(tableName: table) }
}

extension SQLTableName: CustomStringConvertible {
    /// `schema.table`.
    public var description: String { "\(schema).\(table)" }
}
