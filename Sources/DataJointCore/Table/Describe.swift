extension Table {
    /// The table's definition, reconstructed from the database. Declaring it again gives the same table.
    public func describe() async throws -> String {
        let info = try await info()
        return DefinitionWriter(info: info).definition()
    }
}

/// Writes a definition in the DataJoint definition language from a table's description.
struct DefinitionWriter {
    let info: TableInfo

    func definition() -> String {
        var text = info.comment.isEmpty ? "" : "# \(info.comment)\n"
        var inKey = true
        var written = Set<String>()
        var remainingIndexes = info.indexes
        for attribute in info.heading.attributes {
            if inKey, !attribute.inPrimaryKey {
                text += "---\n"
                inKey = false
            }
            if written.contains(attribute.name) { continue }
            if let fk = info.foreignKeys.first(where: { $0.columns.contains(attribute.name) }) {
                // A foreign key is written once, where its first column appears.
                fk.columns.forEach { written.insert($0) }
                var options: [String] = []
                if fk.columns.contains(where: { info.heading[$0]?.nullable == true }) { options.append("nullable") }
                if let i = remainingIndexes.firstIndex(where: { $0.columns == fk.columns && $0.unique }) {
                    options.append("unique")
                    remainingIndexes.remove(at: i)
                }
                let optionText = options.isEmpty ? "" : " [" + options.joined(separator: ", ") + "]"
                var reference = DefinitionWriter.className(of: fk.referencedTable, from: info.name)
                if fk.isRenamed {
                    let renames = zip(fk.columns, fk.referencedColumns).filter { $0 != $1 }
                        .map { "\($0)='\($1)'" }.joined(separator: ", ")
                    reference += ".proj(\(renames))"
                }
                text += "->\(optionText) \(reference)\n"
                continue
            }
            written.insert(attribute.name)
            var left = attribute.name
            if let d = attribute.defaultValue { left += " = \(d)" }
            let comment = attribute.comment.isEmpty ? "" : "  # \(attribute.comment)"
            text += left.padding(toLength: max(left.count, 20), withPad: " ", startingAt: 0)
                + " : " + attribute.typeText + comment + "\n"
        }
        for index in remainingIndexes {
            text += (index.unique ? "unique index(" : "index(") + index.columns.joined(separator: ", ") + ")\n"
        }
        return text
    }

    /// The class name that refers to a table in a definition: `Subject`, `Session.Trial`, or `other_schema.Subject`.
    static func className(of table: SQLTableName, from current: SQLTableName) -> String {
        table.className(relativeTo: current.schema)
    }
}
