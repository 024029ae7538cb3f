/// Turns a parsed definition into a `TableDeclaration` by resolving its foreign keys against existing tables,
/// and computes the lineage of its attributes.
struct DeclarationResolver {
    /// Finds the table a foreign-key reference names (`Parent`, `master`, `Master.Part`, `schema.Parent`).
    let resolve: (String, String) async throws -> TableInfo
    let settings: Settings
    /// The longest table name the backend accepts, also the longest attribute name (an identifier like it).
    let maxTableNameLength: Int
    /// The most columns a table of the backend may have.
    let maxColumns: Int
    let codecs: CodecRegistry

    struct Result {
        var declaration: TableDeclaration
        var lineage: [String: String]
    }

    func resolve(_ definition: TableDefinition, name: SQLTableName, tier: Tier) async throws -> Result {
        guard name.table.count <= maxTableNameLength else {
            throw DataJointError(
                .declaration, "Table name `\(name.table)` exceeds the max length of \(maxTableNameLength)")
        }
        var columns: [Attribute] = []
        var storedComments: [String: String] = [:]
        var primaryKey: [String] = []
        var foreignKeys: [ForeignKeyConstraint] = []
        var indexes: [IndexConstraint] = []
        var lineage: [String: String] = [:]
        var foreignKeyColumns = Set<String>()
        var inheritedColumns: [String: SQLTableName] = [:]

        for line in definition.lines {
            switch line {
            case .attribute(let a):
                if columns.contains(where: { $0.name == a.name }) {
                    throw DataJointError.declaration("Attribute `\(a.name)` is declared twice", line: a.line)
                }
                try checkLength(ofAttribute: a.name, line: a.line)
                var attribute = Attribute(
                    name: a.name, type: a.type, typeText: a.typeText, inPrimaryKey: a.inPrimaryKey,
                    nullable: a.nullable, defaultValue: a.defaultValue, comment: a.comment)
                storedComments[a.name] = attribute.storedComment
                if case .codec(let codec, let store) = a.type {
                    if a.inPrimaryKey {
                        throw DataJointError.declaration("A codec attribute (<\(codec)>) cannot be in the primary key", line: a.line)
                    }
                    // The column holds the codec's stored type; the comment keeps `:<codec>:`.
                    do {
                        attribute.type = try codecs.resolve(name: codec, store: store).storage
                    } catch let error as DataJointError {
                        throw DataJointError.declaration(error.message, line: a.line)
                    }
                }
                columns.append(attribute)
                if a.inPrimaryKey {
                    primaryKey.append(a.name)
                    lineage[a.name] = "\(name.schema).\(name.table).\(a.name)"
                }
            case .foreignKey(let fk):
                let parent: TableInfo
                do {
                    parent = try await resolve(fk.reference, fk.line)
                } catch let error as DataJointError where error.kind == .missingTable {
                    throw DataJointError.declaration(
                        "Foreign key reference \(fk.reference) could not be resolved: \(error.message)", line: fk.line)
                }
                let parentKey = parent.heading.primaryKey
                guard !parentKey.isEmpty else {
                    throw DataJointError.declaration(
                        "\(fk.reference) is a singleton table (no primary key) and cannot be referenced", line: fk.line)
                }
                var renameMap: [String: String] = [:]  // parent attribute -> child attribute
                for rename in fk.renames {
                    try checkLength(ofAttribute: rename.newName, line: fk.line)
                    guard parentKey.contains(rename.originalName) else {
                        throw DataJointError.declaration(
                            "`\(rename.originalName)` is not a primary-key attribute of \(fk.reference)", line: fk.line)
                    }
                    renameMap[rename.originalName] = rename.newName
                }
                var childColumns: [String] = []
                for parentName in parentKey {
                    let parentAttribute = parent.heading[parentName]!
                    let childName = renameMap[parentName] ?? parentName
                    childColumns.append(childName)
                    foreignKeyColumns.insert(childName)
                    let parentLineage = parentAttribute.lineage
                        ?? "\(parent.name.schema).\(parent.name.table).\(parentName)"
                    if columns.contains(where: { $0.name == childName }) {
                        continue
                    }
                    columns.append(
                        Attribute(
                            name: childName, type: parentAttribute.type, typeText: parentAttribute.typeText,
                            inPrimaryKey: fk.inPrimaryKey, nullable: fk.nullable,
                            defaultValue: fk.nullable ? .null : nil, comment: parentAttribute.comment))
                    storedComments[childName] = parentAttribute.comment
                    inheritedColumns[childName] = parent.name
                    lineage[childName] = parentLineage
                    if fk.inPrimaryKey { primaryKey.append(childName) }
                }
                foreignKeys.append(
                    ForeignKeyConstraint(columns: childColumns, referencedTable: parent.name, referencedColumns: parentKey))
                if fk.unique { indexes.append(IndexConstraint(unique: true, columns: childColumns)) }
            case .index(let index):
                for column in index.columns where !column.hasPrefix("(") {
                    guard columns.contains(where: { $0.name == column }) else {
                        throw DataJointError.declaration("Index attribute `\(column)` is not declared", line: index.line)
                    }
                }
                indexes.append(IndexConstraint(unique: index.unique, columns: index.columns))
            }
        }

        if tier.isAutoPopulated, !settings.allowNewPrimaryKeyFieldsInComputedTables {
            let native = primaryKey.filter { !foreignKeyColumns.contains($0) }
            if !native.isEmpty {
                throw DataJointError(
                    .declaration,
                    "Table `\(name.table)` is \(tier.rawValue): its primary key must come entirely from foreign keys, "
                        + "but \(native.map { "`\($0)`" }.joined(separator: ", ")) is declared directly. Make it a "
                        + "secondary attribute, move it to a part table, or set "
                        + "jobs.allow_new_pk_fields_in_computed_tables")
            }
        }

        if primaryKey.isEmpty {
            // As in the reference, the sentinel key of a singleton table is the last column.
            let singleton = Attribute(
                name: "_singleton", type: .bool, inPrimaryKey: true, defaultValue: .literal("1"),
                comment: "singleton primary key")
            columns.append(singleton)
            storedComments[singleton.name] = singleton.storedComment
            primaryKey = [singleton.name]
            lineage[singleton.name] = "\(name.schema).\(name.table).\(singleton.name)"

        }
        if tier.isAutoPopulated, settings.jobs.addJobMetadata {
            // Hidden columns that populate fills with when and how long each row was computed (jobs.add_job_metadata).
            for column in JobMetadata.columns {
                columns.append(column)
                storedComments[column.name] = column.storedComment
            }
        }
        guard columns.count <= maxColumns else {
            throw DataJointError(
                .declaration,
                "Table `\(name.table)` has too many columns: \(columns.count) (hidden columns included), and the "
                    + "database accepts at most \(maxColumns) in a table. Split the attributes over part tables or "
                    + "tables with the same primary key, or store them together in one <blob> or json attribute")
        }
        let declaration = TableDeclaration(
            name: name, comment: definition.comment, columns: columns, primaryKey: primaryKey,
            foreignKeys: foreignKeys, indexes: indexes, storedComments: storedComments, inheritedColumns: inheritedColumns)
        return Result(declaration: declaration, lineage: lineage)
    }

    /// Refuses an attribute name longer than the database keeps (PostgreSQL would silently cut it short).
    func checkLength(ofAttribute name: String, line: String) throws {
        guard name.count <= maxTableNameLength else {
            throw DataJointError.declaration(
                "Attribute name `\(name)` is too long: \(name.count) characters, and the database accepts at most "
                    + "\(maxTableNameLength)", line: line)
        }
    }
}
