/// A table of a schema, possibly restricted. Tables are values: restricting one gives a new value,
/// and `insert`, `delete`, `update1` and the fetch methods act on the database.
public struct Table: Sendable, Restrictable {
    /// The schema the table belongs to.
    public let schema: Schema
    /// The table name as given (a database table name or a class name).
    public let requestedName: String
    /// The Swift type that declared the table, when known.
    public let userType: (any UserTable.Type)?
    /// Restrictions applied to this table value.
    public internal(set) var restrictions: [Restriction] = []

    init(schema: Schema, tableName: String, userType: (any UserTable.Type)?) {
        self.schema = schema
        self.requestedName = tableName
        self.userType = userType
    }

    /// The connection of the table's schema.
    public var connection: Connection { schema.connection }

    /// The table's description from the database: name, tier, heading, keys.
    public func info() async throws -> TableInfo {
        if requestedName.first?.isUppercase == true {
            // A class name such as `Session` or `Session.Trial`.
            return try await schema.resolveReference(requestedName, masterTable: nil)
        }
        if let info = try await schema.loadInfo(requestedName) { return info }
        throw DataJointError(.missingTable, "table `\(requestedName)` does not exist in schema `\(schema.name)`")
    }

    /// The heading of the table.
    public func heading() async throws -> Heading { try await info().heading }

    /// The table's database name.
    public func tableName() async throws -> String { try await info().name.table }

    public func queryExpression() async throws -> QueryExpression {
        let info = try await info()
        var node = QueryNode.base(info.name, info.heading, connection)
        for restriction in restrictions { node = .restrict(node, restriction, semanticCheck: true) }
        return QueryExpression(node)
    }

    /// The WHERE condition selecting this table value's rows of the base table (nil: all rows).
    func baseWhereClause() async throws -> SQLExpression? {
        let compiled = try await QueryCompiler.compile(try await queryExpression().node)
        guard compiled.isPlain, compiled.baseTable != nil else {
            throw DataJointError(.query, "internal: a restricted table did not compile to a restriction of its base table")
        }
        return compiled.select.whereClause
    }

    /// True when the table exists in the database.
    public func isDeclared() async throws -> Bool {
        (try? await info()) != nil
    }

    /// The table with one more restriction.
    public func applying(_ restriction: Restriction) -> Table {
        var copy = self
        copy.restrictions.append(restriction)
        return copy
    }
}

extension Table: RestrictionConvertible {
    /// A table used as a condition restricts to rows matching it on common attributes.
    public var restriction: Restriction { .query(self) }
}
