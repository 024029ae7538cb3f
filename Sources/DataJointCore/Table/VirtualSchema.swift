/// An existing schema opened without its Swift declarations: every table, reachable by class name.
///
/// The tables are read from the database when the schema is opened (``Connection/virtualSchema(_:)``). Their tiers
/// come from the table-name prefixes (`#` Lookup, `_` Imported, `__` Computed, `master__part` Part, no prefix
/// Manual), as DataJoint-Python's virtual modules derive them.
///
/// ```swift
/// let lab = try await db.virtualSchema("lab")
/// let sessions = try lab.Session & "session_date > '2024-01-01'"
/// let trials = try lab["Session.Trial"]
/// for table in lab.tables { print(try await table.tableName(), try await table.count()) }
/// ```
@dynamicMemberLookup
public struct VirtualSchema: Sendable {
    /// The schema the tables belong to.
    public let schema: Schema
    /// The database names of the tables, in dependency order (every table after the tables it references, parts
    /// right after their masters).
    public let tableNames: [String]
    private let byClassName: [String: String]

    init(schema: Schema, tableNames: [String]) {
        self.schema = schema
        self.tableNames = tableNames
        var byClassName: [String: String] = [:]
        for name in tableNames { byClassName[SQLTableName(schema: schema.name, table: name).className] = name }
        self.byClassName = byClassName
    }

    /// The schema's name in the database.
    public var name: String { schema.name }

    /// The class names of the tables (`Subject`, `SessionStats`, `Session.Trial`), in dependency order.
    public var classNames: [String] {
        tableNames.map { SQLTableName(schema: schema.name, table: $0).className }
    }

    /// Every table, in dependency order.
    public var tables: [Table] { tableNames.map { schema.table($0) } }

    /// The database name of a table given by class name (`Session`, `Session.Trial`) or database name
    /// (`session`, `session__trial`, `#letter_grade`); nil when the schema has no such table.
    public func tableName(of name: String) -> String? {
        if tableNames.contains(name) { return name }
        return byClassName[name]
    }

    /// True when the schema has a table of that class name or database name.
    public func contains(_ name: String) -> Bool { tableName(of: name) != nil }

    /// A table by class name or database name.
    ///
    /// - Throws: `DataJointError(.missingTable)` naming the schema's tables when there is no such table.
    public func table(_ name: String) throws -> Table {
        guard let tableName = tableName(of: name) else {
            let known = classNames.isEmpty ? "it has no tables" : "its tables are " + classNames.joined(separator: ", ")
            throw DataJointError(.missingTable, "Schema `\(schema.name)` has no table `\(name)`: \(known)")
        }
        return schema.table(tableName)
    }

    /// A table by class name or database name: `lab["Session"]`, `lab["Session.Trial"]`.
    public subscript(_ name: String) -> Table {
        get throws { try table(name) }
    }

    /// A table by class name, as a member: `lab.Session`.
    public subscript(dynamicMember name: String) -> Table {
        get throws { try table(name) }
    }

    /// The tier of a table, from its name.
    public func tier(of name: String) throws -> Tier {
        let tableName = try table(name).requestedName
        guard let tier = Tier.of(tableName: tableName) else {
            throw DataJointError(.missingTable, "`\(tableName)` of schema `\(schema.name)` is not a DataJoint table")
        }
        return tier
    }

    /// The part tables of a master, in dependency order.
    public func parts(of master: String) throws -> [Table] {
        let masterName = try table(master).requestedName
        return tableNames.filter { Tier.masterName(ofPart: $0) == masterName }.map { schema.table($0) }
    }

    /// The master of a part table; nil for a table that is not a part.
    public func master(of part: String) throws -> Table? {
        let partName = try table(part).requestedName
        return Tier.masterName(ofPart: partName).map { schema.table($0) }
    }

    /// The jobs queues of the schema's Imported and Computed tables, in dependency order.
    public func jobs() async throws -> [Jobs] {
        var queues: [Jobs] = []
        for name in tableNames where Tier.of(tableName: name)?.isAutoPopulated == true {
            queues.append(try await schema.table(name).jobs())
        }
        return queues
    }
}

extension VirtualSchema: Sequence {
    /// The tables in dependency order.
    public func makeIterator() -> IndexingIterator<[Table]> { tables.makeIterator() }
}

extension Connection {
    /// Opens an existing schema with every table it holds, reachable by class name, without Swift declarations.
    ///
    /// - Throws: `DataJointError(.missingTable)` when the database has no schema of that name.
    public func virtualSchema(_ name: String) async throws -> VirtualSchema {
        try Schema.validateName(name)
        guard try await schemaNames().contains(name) else {
            throw DataJointError(.missingTable, "Schema `\(name)` does not exist in the database")
        }
        let schema = Schema(name: name, connection: self)
        return VirtualSchema(schema: schema, tableNames: try await schema.tableNames(order: .topological))
    }
}
