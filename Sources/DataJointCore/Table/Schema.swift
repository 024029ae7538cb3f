import Foundation
import Synchronization

/// A DataJoint schema: a named namespace of tables in the database.
///
/// Obtain one with `connection.schema("lab", tables: ...)`, which creates the schema if needed and declares
/// the given tables in order. Tables are then reached with `schema[Subject.self]` or, without any Swift
/// source, with `schema.table("subject")`.
public final class Schema: Sendable {
    /// The schema (database) name.
    public let name: String
    /// The connection the schema lives on.
    public let connection: Connection
    private let registered = Mutex<[String: String]>([:])  // Swift class name -> table name
    private let registeredTypes = Mutex<[ObjectIdentifier: String]>([:])  // Swift type -> table name
    private let declaredTypes = Mutex<[String: any UserTable.Type]>([:])  // table name -> Swift type

    init(name: String, connection: Connection) {
        self.name = name
        self.connection = connection
    }

    /// Checks a schema name: ASCII letters, digits and underscores, at most `maxLength` characters (the backend's
    /// limit on identifiers; PostgreSQL would silently cut a longer name short).
    static func validateName(_ name: String, maxLength: Int = 64) throws {
        guard name.range(of: #"^[A-Za-z_][A-Za-z0-9_]*\z"#, options: .regularExpression) != nil else {
            throw DataJointError(
                .declaration,
                "Invalid schema name `\(name)`: use letters, digits and underscores, starting with a letter")
        }
        guard name.count <= maxLength else {
            throw DataJointError(
                .declaration,
                "Invalid schema name `\(name)`: it has \(name.count) characters, and the database accepts at most \(maxLength)")
        }
    }

    /// True if the schema exists in the database.
    public func exists() async throws -> Bool {
        try await connection.schemaNames().contains(name)
    }

    /// Names of the DataJoint tables of the schema (hidden `~` tables excluded), sorted.
    public func tableNames() async throws -> [String] {
        let catalog = connection.catalog
        let name = self.name
        return try await connection.withSession { try await catalog.tables(inSchema: name, $0) }
            .filter { Tier.of(tableName: $0) != nil }.sorted()
    }

    /// The table of a Swift table type.
    public subscript<T: UserTable>(_ type: T.Type) -> Table {
        if let known = registeredTypes.withLock({ $0[ObjectIdentifier(T.self)] }) {
            return Table(schema: self, tableName: known, userType: T.self)
        }
        if T.tier == .part {
            // Not declared in this process: name the part by its enclosing type, e.g. `Session.Trial`.
            let path = String(reflecting: T.self).split(separator: ".").suffix(2).joined(separator: ".")
            return Table(schema: self, tableName: path, userType: T.self)
        }
        let tableName = (try? T.tableName()) ?? T.className
        return Table(schema: self, tableName: tableName, userType: T.self)
    }

    /// The Swift type declared for a table of this schema through this schema value, if any.
    public func declaredType(ofTable tableName: String) -> (any UserTable.Type)? {
        declaredTypes.withLock { $0[tableName] }
    }

    /// A table found by its database name (`session`, `#lookup`, `__computed`) or by its class name
    /// (`Session`, `Session.Trial`), read from the database alone.
    public func table(_ name: String) -> Table {
        let tableName = resolveName(name)
        return Table(schema: self, tableName: tableName, userType: declaredType(ofTable: tableName))
    }

    /// Maps a class name (`Session`, `Session.Trial`) to a table name, using declared types and the catalog cache.
    func resolveName(_ name: String) -> String {
        if Tier.of(tableName: name) != nil, name.first?.isUppercase != true { return name }
        if let known = registered.withLock({ $0[name] }) { return known }
        return name
    }

    /// Declares tables in order (a master's parts right after it). Tables that exist are left as they are;
    /// a Lookup's `contents` are inserted if missing.
    public func declare(_ tables: [any UserTable.Type]) async throws {
        for type in tables {
            try await declare(type, master: nil)
            for part in type.parts {
                try await declare(part, master: type)
            }
        }
    }

    private func declare(_ type: any UserTable.Type, master: (any UserTable.Type)?) async throws {
        let tableName: String
        if let master {
            guard type.tier == .part else {
                throw DataJointError(.declaration, "\(type.className) is listed in \(master.className).parts but is not a Part")
            }
            tableName = try master.tableName() + "__" + snakeCase(fromCamelCase: type.className)
            registered.withLock { $0[master.className + "." + type.className] = tableName }
        } else {
            if type.tier == .part {
                throw DataJointError(
                    .declaration, "Part table \(type.className) must be declared through its master's `parts`")
            }
            tableName = try type.tableName()
        }
        registered.withLock { $0[type.className] = tableName }
        registeredTypes.withLock { $0[ObjectIdentifier(type)] = tableName }
        declaredTypes.withLock { $0[tableName] = type }
        if try await loadInfo(tableName) == nil {
            guard connection.settings.createTables else {
                throw DataJointError(
                    .missingTable,
                    "Table `\(name)`.`\(tableName)` (\(type.className)) is not declared and database.create_tables is "
                        + "false; declare it with create_tables enabled")
            }
            try await declareTable(
                named: tableName, definition: type.definition, tier: type.tier,
                masterTable: try master?.tableName())
        }
        if let lookup = type as? any Lookup.Type, !lookup.contents.isEmpty {
            try await Table(schema: self, tableName: tableName, userType: type)
                .insert(lookup.contents, skipDuplicates: true)
        }
    }

    /// Declares one table from a definition string.
    /// `warnNativeTypes: false` for tables DataJoint itself defines (the jobs tables declare key columns with their
    /// SQL type, as DataJoint-Python does).
    func declareTable(
        named tableName: String, definition: String, tier: Tier, masterTable: String?, warnNativeTypes: Bool = true
    ) async throws {
        let (parsed, result) = try await resolveDefinition(definition, tableName: tableName, tier: tier, masterTable: masterTable)
        for case .attribute(let attribute) in parsed.lines where warnNativeTypes {
            guard case .native(let text, let category) = attribute.type else { continue }
            let advice = category == .blob
                ? "It stores raw bytes only; use bytes for raw binary data or a codec such as <blob> for serialized values."
                : "Consider a core DataJoint type (int32, float64, varchar(n), datetime, ...) for portability."
            connection.logger.warning(
                "Native type '\(text)' is used in attribute '\(attribute.name)' of `\(name)`.`\(tableName)`. \(advice)")
        }
        let statements = try connection.dialect.createTable(result.declaration)
        let lineage = LineageTable(connection: connection, schema: name)
        let connection = self.connection
        // One transaction: a failed declaration leaves the database as it was.
        try await connection.transaction {
            try await lineage.ensure()
            for statement in statements { try await connection.execute(statement) }
            try await lineage.replace(table: tableName, entries: result.lineage)
        }
        forget(tableName)
    }

    /// Parses a definition and resolves it against the tables of the database into the declaration of table
    /// `tableName`.
    func resolveDefinition(
        _ definition: String, tableName: String, tier: Tier, masterTable: String?
    ) async throws -> (TableDefinition, DeclarationResolver.Result) {
        let parsed = try DefinitionParser().parse(definition)
        let resolver = DeclarationResolver(
            resolve: { reference, line in try await self.resolveReference(reference, masterTable: masterTable) },
            settings: connection.settings, maxTableNameLength: connection.dialect.maxTableNameLength,
            maxColumns: connection.dialect.maxColumnsPerTable,
            codecs: connection.codecs)
        let result = try await resolver.resolve(parsed, name: SQLTableName(schema: name, table: tableName), tier: tier)
        return (parsed, result)
    }

    /// Finds the table a foreign-key reference names.
    func resolveReference(_ reference: String, masterTable: String?) async throws -> TableInfo {
        if reference == "master" {
            guard let masterTable else {
                throw DataJointError(.missingTable, "`-> master` is only valid in a part table")
            }
            return try await info(masterTable)
        }
        let parts = reference.split(separator: ".").map(String.init)
        var candidates: [(schema: String, classPath: [String])] = [(name, parts)]
        if parts.count >= 2, parts[0].first?.isLowercase == true {
            candidates = [(parts[0], Array(parts.dropFirst()))]
        }
        for (schemaName, path) in candidates {
            let other = schemaName == name ? self : Schema(name: schemaName, connection: connection)
            if path.count == 1, let known = registered.withLock({ $0[path[0]] }), schemaName == name {
                if let info = try await other.loadInfo(known) { return info }
            }
            let existing = Set(try await other.tableNames())
            guard let masterBase = try? snakeCase(fromCamelCase: path[0]) else { continue }
            for prefix in ["", "#", "_", "__"] where existing.contains(prefix + masterBase) {
                var tableName = prefix + masterBase
                if path.count == 2 {
                    guard let partBase = try? snakeCase(fromCamelCase: path[1]) else { continue }
                    tableName += "__" + partBase
                } else if path.count > 2 {
                    continue
                }
                if existing.contains(tableName), let info = try await other.loadInfo(tableName) { return info }
            }
        }
        throw DataJointError(.missingTable, "no table named \(reference) exists in schema `\(name)`")
    }

    /// The table's description from the cache or the catalog; nil if it does not exist.
    func loadInfo(_ tableName: String) async throws -> TableInfo? {
        let key = SQLTableName(schema: name, table: tableName)
        if let cached = connection.tableInfoCache.withLock({ $0[key] }) { return cached }
        guard let info = try await HeadingReader(connection: connection).read(key) else { return nil }
        connection.tableInfoCache.withLock { $0[key] = info }
        return info
    }

    /// The table's description; throws if it does not exist.
    func info(_ tableName: String) async throws -> TableInfo {
        guard let info = try await loadInfo(tableName) else {
            throw DataJointError(.missingTable, "table `\(tableName)` does not exist in schema `\(name)`")
        }
        return info
    }

    /// Drops cached table descriptions of the connection (after any DDL: dependents in other schemas may change too).
    func forget(_ tableName: String? = nil) {
        connection.tableInfoCache.withLock { $0.removeAll() }
        connection.forgetDependencies()
    }

    /// Drops the schema with all its tables. Refused if tables of other schemas depend on it.
    public func drop(confirm: Bool = false) async throws {
        if connection.settings.safemode, !confirm {
            throw DataJointError(.notAllowed, "Dropping schema `\(name)` needs confirm: true (safemode is on)")
        }
        let catalog = connection.catalog
        let name = self.name
        let tables = try await connection.withSession { try await catalog.tables(inSchema: name, $0) }
        for table in tables {
            let refs = try await connection.withSession {
                try await catalog.foreignKeys(referencing: SQLTableName(schema: name, table: table), $0)
            }
            if let outside = refs.first(where: { $0.child.schema != name }) {
                throw DataJointError(
                    .integrity,
                    "Cannot drop schema `\(name)`: table `\(outside.child.schema)`.`\(outside.child.table)` "
                        + "depends on `\(name)`.`\(table)`. Drop the dependent schema first")
            }
        }
        try await connection.withSession { try await catalog.dropSchema(name, $0) }
        forget()
    }
}

extension Connection {
    /// Opens a schema, creating it if needed, and declares the given tables in order.
    ///
    /// ```swift
    /// let lab = try await db.schema("lab", tables: Subject.self, Session.self)
    /// ```
    public func schema(_ name: String, tables: any UserTable.Type..., create: Bool = true) async throws -> Schema {
        try await schema(name, tables: tables, create: create)
    }

    /// Opens a schema, creating it if needed, and declares the given tables in order.
    public func schema(_ name: String, tables: [any UserTable.Type], create: Bool = true) async throws -> Schema {
        try Schema.validateName(name, maxLength: dialect.maxTableNameLength)
        let schema = Schema(name: name, connection: self)
        if try await !schema.exists() {
            guard create else {
                throw DataJointError(.missingTable, "schema `\(name)` does not exist in \(driver.targetDescription)")
            }
            let catalog = self.catalog
            try await withSession { try await catalog.createSchema(name, $0) }
        }
        try await schema.declare(tables)
        return schema
    }
}
