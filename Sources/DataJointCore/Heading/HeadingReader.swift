import Foundation

/// Rebuilds a table's heading from the database catalog and the column comments, without any Swift source.
struct HeadingReader {
    let connection: Connection

    /// Reads a table; nil if it does not exist.
    func read(_ name: SQLTableName) async throws -> TableInfo? {
        var visited: [SQLTableName: TableInfo] = [:]
        return try await read(name, visited: &visited)
    }

    private func read(_ name: SQLTableName, visited: inout [SQLTableName: TableInfo]) async throws -> TableInfo? {
        if let known = visited[name] { return known }
        let catalog = connection.catalog
        guard let described = try await connection.withSession({ try await catalog.describe(name, $0) }) else {
            return nil
        }
        var attributes: [Attribute] = []
        for column in described.columns {
            var typeText: String?
            var comment = column.comment
            if let (markedType, rest) = HeadingReader.splitTypeMarker(column.comment) {
                typeText = markedType
                comment = rest
            }
            var type = typeText.flatMap(AttributeType.init(parsing:))
            if type == nil, let fk = described.foreignKeys.first(where: { $0.columns.contains(column.name) }) {
                // Foreign-key columns inherit the parent's declared type (their comment carries no marker).
                let position = fk.columns.firstIndex(of: column.name)!
                if fk.referencedTable != name, let parent = try await read(fk.referencedTable, visited: &visited),
                    let parentAttribute = parent.heading.column(fk.referencedColumns[position])
                {
                    type = parentAttribute.type
                    typeText = parentAttribute.typeText
                }
            }
            let resolved = type ?? HeadingReader.nativeType(column.sqlType)
            let inKey = described.primaryKey.contains(column.name)
            attributes.append(
                Attribute(
                    name: column.name, type: resolved, typeText: typeText ?? resolved.description,
                    inPrimaryKey: inKey, nullable: column.nullable,
                    defaultValue: HeadingReader.defaultValue(column.defaultSQL, nullable: column.nullable, type: resolved),
                    comment: comment))
        }
        // Order: primary key first, as declared.
        let ordered = attributes.filter(\.inPrimaryKey) + attributes.filter { !$0.inPrimaryKey }
        let stored = try await LineageTable(connection: connection, schema: name.schema).storedLineages(ofTable: name.table)
        let lineageAvailable = stored != nil
        let lineage = stored ?? [:]
        let withLineage = ordered.map { attribute -> Attribute in
            var copy = attribute
            copy.lineage = lineage[attribute.name]
            return copy
        }
        let info = TableInfo(
            name: name, tier: Tier.of(tableName: name.table) ?? .manual,
            heading: Heading(withLineage, lineageAvailable: lineageAvailable),
            foreignKeys: described.foreignKeys, indexes: described.indexes, comment: described.comment)
        visited[name] = info
        return info
    }

    /// Splits a stored comment `:type:comment` into the type and the user comment. Colons inside quotes
    /// (enum values) or angle brackets do not end the type.
    static func splitTypeMarker(_ stored: String) -> (String, String)? {
        guard stored.hasPrefix(":"),
            let end = stored.firstIndexOutsideQuotes(from: stored.index(after: stored.startIndex), skippingAngleBrackets: true, where: { stored[$0] == ":" })
        else { return nil }
        let type = String(stored[stored.index(after: stored.startIndex)..<end])
        return type.isEmpty ? nil : (type, String(stored[stored.index(after: end)...]))
    }

    /// `'a::b'::character varying` -> `'a::b'`: removes a PostgreSQL cast that follows the value, outside quotes.
    static func strippingTrailingCast(_ text: String) -> String {
        guard let cast = text.firstIndexOutsideQuotes(from: text.startIndex, where: { text[$0...].hasPrefix("::") }) else {
            return text
        }
        return String(text[..<cast]).trimmingCharacters(in: .whitespaces)
    }

    static func nativeType(_ sqlType: String) -> AttributeType {
        if let parsed = AttributeType(parsing: sqlType) { return parsed }
        let lower = sqlType.lowercased()
        let category: AttributeType.NativeCategory
        if lower.contains("int") {
            category = .integer
        } else if lower.contains("real") || lower.contains("floa") || lower.contains("doub") {
            category = .float
        } else if lower.contains("blob") || lower.contains("binary") || lower == "bytea" {
            category = .blob
        } else if lower.contains("numeric") || lower.contains("decimal") {
            category = .numeric
        } else if lower.contains("time") || lower.contains("date") {
            category = .temporal
        } else {
            category = .text
        }
        return .native(sqlType, category)
    }

    static func defaultValue(_ sql: String?, nullable: Bool, type: AttributeType) -> DefaultValue? {
        if nullable { return .null }
        guard var text = sql?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        text = HeadingReader.strippingTrailingCast(text)
        let upper = text.uppercased()
        if upper == "NULL" { return nil }
        if upper.hasPrefix("CURRENT_TIMESTAMP") || upper == "NOW()" { return .currentTimestamp }
        if text.count >= 2, let q = text.first, q == "'" || q == "\"", text.last == q {
            let inner = String(text.dropFirst().dropLast()).replacingOccurrences(of: String(q) + String(q), with: String(q))
            if type == .bool, inner == "1" || inner == "0" { return .bool(inner == "1") }
            if type.isNumeric, inner.range(of: #"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"#, options: .regularExpression) != nil {
                return .literal(inner)
            }
            return .string(inner)
        }
        if type == .bool, text == "1" || text == "0" { return .bool(text == "1") }
        if upper == "TRUE" || upper == "FALSE" { return .bool(upper == "TRUE") }
        return .literal(text)
    }
}
