import Foundation

/// Works out a ``TableAlteration``: compares a table as the database has it with the declaration of a new definition,
/// as DataJoint-Python's `declare.alter` and `_make_attribute_alter` do, and refuses what they refuse (changes of the
/// primary key, foreign keys and indexes).
///
/// A secondary attribute is renamed by giving it its new name and starting its comment with the old name in braces:
/// `mass : float64  # {weight} body mass` renames `weight` to `mass` and keeps its values (the braces are not stored).
struct AlterationPlanner {
    let info: TableInfo
    let codecs: CodecRegistry

    /// The table as it is, columns in their physical order: the primary key, the secondary attributes, then a
    /// singleton table's `_singleton` and the hidden job-metadata columns (as they were declared).
    func currentDeclaration() throws -> TableDeclaration {
        let all = info.heading.allAttributes
        let singleton = all.filter { $0.name == "_singleton" }
        let hidden = all.filter { $0.isHidden && $0.name != "_singleton" }
        let ordered = all.filter { !$0.isHidden && $0.inPrimaryKey } + all.filter { !$0.isHidden && !$0.inPrimaryKey }
            + singleton + hidden
        var columns: [Attribute] = []
        var comments: [String: String] = [:]
        for attribute in ordered {
            var column = attribute
            comments[column.name] = column.storedComment
            if case .codec(let name, let store) = column.type {
                column.type = try codecs.resolve(name: name, store: store).storage
            }
            columns.append(column)
        }
        var inherited: [String: SQLTableName] = [:]
        for fk in info.foreignKeys { for column in fk.columns { inherited[column] = fk.referencedTable } }
        return TableDeclaration(
            name: info.name, comment: info.comment, columns: columns, primaryKey: info.heading.primaryKeyColumns,
            foreignKeys: info.foreignKeys, indexes: info.indexes, storedComments: comments, inheritedColumns: inherited)
    }

    /// Compares the table with `resolved` (the declaration of the new definition).
    func plan(_ resolved: TableDeclaration, referencing: [ReferencingForeignKey]) throws -> TableAlteration {
        let current = try currentDeclaration()
        let table = "`\(info.name.schema)`.`\(info.name.table)`"
        var target = resolved
        // Hidden columns stay as they are (job metadata is added by `addJobMetadataColumns`, never dropped here).
        target.columns.removeAll { $0.isHidden && $0.name != "_singleton" }
        for column in current.columns where column.isHidden && column.name != "_singleton" {
            target.columns.append(column)
            target.storedComments[column.name] = current.storedComments[column.name]
        }

        // What cannot change.
        if target.primaryKey != current.primaryKey {
            throw DataJointError(
                .notAllowed,
                "Cannot alter the primary key of \(table): it is (\(current.primaryKey.joined(separator: ", "))) and "
                    + "the new definition makes it (\(target.primaryKey.joined(separator: ", "))). Nothing was changed; "
                    + "declare a new table and copy the rows to change a primary key")
        }
        let foreignKeyColumns = Set(current.foreignKeys.flatMap(\.columns))
        let oldReferences = Set(current.foreignKeys), newReferences = Set(target.foreignKeys)
        if oldReferences != newReferences {
            let added = newReferences.subtracting(oldReferences).map { "-> \($0.referencedTable.className(relativeTo: info.name.schema))" }
            let removed = oldReferences.subtracting(newReferences).map { "-> \($0.referencedTable.className(relativeTo: info.name.schema))" }
            throw DataJointError(
                .notAllowed,
                "Cannot alter the foreign keys of \(table)"
                    + (added.isEmpty ? "" : "; added: " + added.sorted().joined(separator: ", "))
                    + (removed.isEmpty ? "" : "; removed: " + removed.sorted().joined(separator: ", "))
                    + ". Nothing was changed; alter changes secondary attributes and comments only")
        }
        for name in foreignKeyColumns {
            if let old = current.columns.first(where: { $0.name == name }), let new = target.columns.first(where: { $0.name == name }),
                old.nullable != new.nullable
            {
                throw DataJointError(
                    .notAllowed,
                    "Cannot alter the foreign keys of \(table): the nullability of `\(name)` changes. Nothing was changed")
            }
        }
        func indexText(_ i: IndexConstraint) -> String { (i.unique ? "unique index(" : "index(") + i.columns.joined(separator: ", ") + ")" }
        let oldIndexes = current.indexes.map(indexText).sorted(), newIndexes = target.indexes.map(indexText).sorted()
        if oldIndexes != newIndexes {
            throw DataJointError(
                .notAllowed,
                "Cannot alter the indexes of \(table): they are [\(oldIndexes.joined(separator: "; "))] and the new "
                    + "definition has [\(newIndexes.joined(separator: "; "))]. Nothing was changed")
        }
        for name in current.primaryKey where !foreignKeyColumns.contains(name) {
            guard let old = current.columns.first(where: { $0.name == name }),
                let new = target.columns.first(where: { $0.name == name })
            else { continue }
            if !AlterationPlanner.sameDefinition(old, new) || old.comment != new.comment {
                throw DataJointError(
                    .notAllowed,
                    "Cannot alter the primary key of \(table): attribute `\(name)` changes. Nothing was changed")
            }
        }

        // Renames: a secondary attribute whose comment starts with `{old_name}`.
        let changeable = Set(current.columns.filter { !$0.inPrimaryKey && !$0.isHidden && !foreignKeyColumns.contains($0.name) }.map(\.name))
        let currentNames = Set(current.columns.map(\.name))
        var renamedFrom: [String: String] = [:]  // target name -> current name
        for index in target.columns.indices {
            let column = target.columns[index]
            guard !column.inPrimaryKey, !foreignKeyColumns.contains(column.name),
                let (old, rest) = AlterationPlanner.renameMarker(column.comment)
            else { continue }
            target.columns[index].comment = rest
            target.storedComments[column.name] = target.columns[index].storedComment
            if old == column.name { continue }
            if currentNames.contains(column.name) {
                // Renamed already (the definition still carries the marker), or a clash.
                if changeable.contains(old) {
                    throw DataJointError(
                        .notAllowed,
                        "Cannot rename `\(old)` of \(table) to `\(column.name)`: both exist. Nothing was changed")
                }
                continue
            }
            guard changeable.contains(old) else {
                throw DataJointError(
                    .notAllowed,
                    "Cannot rename attribute `\(old)` of \(table) to `\(column.name)`: \(table) has no secondary "
                        + "attribute `\(old)`. Nothing was changed")
            }
            if renamedFrom.values.contains(old) {
                throw DataJointError(.notAllowed, "Attribute `\(old)` of \(table) is renamed twice. Nothing was changed")
            }
            renamedFrom[column.name] = old
        }

        // Drops, then adds and changes in the target's order; positions as MySQL places columns (FIRST / AFTER).
        let targetNames = Set(target.columns.map(\.name))
        let renamedOld = Set(renamedFrom.values)
        var changes: [ColumnChange] = []
        var order: [String] = []  // the current physical order, followed along as changes apply
        for column in current.columns {
            if changeable.contains(column.name), !targetNames.contains(column.name), !renamedOld.contains(column.name) {
                changes.append(
                    ColumnChange(
                        kind: .drop, column: column, storedComment: current.storedComments[column.name] ?? column.storedComment,
                        previous: column, position: nil))
            } else {
                order.append(column.name)
            }
        }
        for (i, column) in target.columns.enumerated() {
            let wanted: ColumnPosition = i == 0 ? .first : .after(target.columns[i - 1].name)
            let oldName = renamedFrom[column.name] ?? column.name
            let stored = target.storedComments[column.name] ?? column.storedComment
            guard let at = order.firstIndex(of: oldName), let previous = current.columns.first(where: { $0.name == oldName }) else {
                if column.inPrimaryKey || foreignKeyColumns.contains(column.name) {
                    throw DataJointError(.notAllowed, "internal: key attribute `\(column.name)` of \(table) is missing")
                }
                changes.append(ColumnChange(kind: .add, column: column, storedComment: stored, previous: nil, position: wanted))
                order.insert(column.name, at: AlterationPlanner.index(after: wanted, in: order))
                continue
            }
            let place: ColumnPosition = at == 0 ? .first : .after(order[at - 1])
            let moved = place != wanted
            var changed = column
            if AlterationPlanner.sameDefinition(previous, column) {
                // Keep what the database reports where the definitions mean the same (`1.0` and `1`).
                changed.type = previous.type
                changed.typeText = previous.typeText
                changed.defaultValue = previous.defaultValue
                changed.nullable = previous.nullable
            }
            let keyOrHidden = column.inPrimaryKey || foreignKeyColumns.contains(column.name) || column.isHidden
            let redefined = !keyOrHidden && (oldName != column.name || changed != previous)
            guard redefined || moved else { continue }
            if keyOrHidden {
                changed = previous  // moved only
            }
            changes.append(
                ColumnChange(
                    kind: .modify, column: changed,
                    storedComment: keyOrHidden ? (current.storedComments[oldName] ?? previous.storedComment) : stored,
                    previous: previous, position: moved ? wanted : nil))
            order.remove(at: at)
            order.insert(column.name, at: AlterationPlanner.index(after: wanted, in: order))
        }
        // Target columns as they will be stored (types as the database reports them where unchanged).
        for change in changes where change.kind != .drop {
            if let i = target.columns.firstIndex(where: { $0.name == change.column.name }) { target.columns[i] = change.column }
            target.storedComments[change.column.name] = change.storedComment
        }
        for (i, column) in target.columns.enumerated() where !changes.contains(where: { $0.column.name == column.name }) {
            // Unchanged columns keep their current declaration exactly.
            if let old = current.columns.first(where: { $0.name == column.name }) {
                target.columns[i] = old
                target.storedComments[column.name] = current.storedComments[column.name]
            }
        }
        return TableAlteration(
            current: current, target: target, changes: changes, commentChanged: target.comment != current.comment,
            referencingForeignKeys: referencing)
    }

    /// The index in `order` where a column placed at `position` goes.
    static func index(after position: ColumnPosition, in order: [String]) -> Int {
        switch position {
        case .first: 0
        case .after(let name): (order.firstIndex(of: name).map { $0 + 1 }) ?? order.count
        }
    }

    /// `{old_name} rest of comment` -> (`old_name`, `rest of comment`).
    static func renameMarker(_ comment: String) -> (String, String)? {
        let trimmed = comment.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("{"), let close = trimmed.firstIndex(of: "}") else { return nil }
        let name = trimmed[trimmed.index(after: trimmed.startIndex)..<close].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return nil }
        return (name, trimmed[trimmed.index(after: close)...].trimmingCharacters(in: .whitespaces))
    }

    /// True when two declarations of an attribute give the same column: type, nullability and default (defaults
    /// compared by meaning: `1.0` and `1`, `true` and `1`).
    static func sameDefinition(_ a: Attribute, _ b: Attribute) -> Bool {
        guard a.nullable == b.nullable, (a.type == b.type && a.typeText == b.typeText) || sameNativeType(a.type, b.type)
        else { return false }
        return sameDefault(a.defaultValue, b.defaultValue)
    }

    static func sameNativeType(_ a: AttributeType, _ b: AttributeType) -> Bool {
        guard case .native(let x, _) = a, case .native(let y, _) = b else { return false }
        func normal(_ s: String) -> String { s.lowercased().filter { !$0.isWhitespace } }
        return normal(x) == normal(y)
    }

    static func sameDefault(_ a: DefaultValue?, _ b: DefaultValue?) -> Bool {
        if a == b { return true }
        guard let a, let b else { return false }
        func text(_ d: DefaultValue) -> String? {
            switch d {
            case .null: nil
            case .currentTimestamp, .currentTimestampPrecision: "CURRENT_TIMESTAMP"
            case .string(let s): s
            case .literal(let l): l
            case .bool(let b): b ? "1" : "0"
            }
        }
        guard let x = text(a), let y = text(b) else { return false }
        if x == y { return true }
        func number(_ s: String) -> Double? {
            switch s.lowercased() {
            case "true": 1
            case "false": 0
            default: Double(s)
            }
        }
        if let p = number(x), let q = number(y) { return p == q }
        return false
    }
}
