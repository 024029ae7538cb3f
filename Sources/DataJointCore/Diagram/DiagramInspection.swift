extension Diagram {
    /// The number of rows of each restricted table: what a cascade would delete, what a restriction selects, what a
    /// trace reaches. Fails on a diagram without restrictions.
    public func counts() async throws -> [SQLTableName: Int] {
        guard mode != .plain else {
            throw DataJointError(
                .notAllowed, "counts() needs restrictions: make the diagram with Diagram.cascade, Diagram.trace or restrict()")
        }
        var result: [SQLTableName: Int] = [:]
        for name in orderedTables where restrictions[name] != nil {
            result[name] = try await restrictedTable(name).count()
        }
        return result
    }

    /// The diagram without tables that have no rows (after ``restrict(_:)``: no matching rows). Refused on cascade
    /// and trace diagrams, which must keep every table they reach.
    public func prune() async throws -> Diagram {
        switch mode {
        case .cascade, .trace:
            throw DataJointError(
                .notAllowed, "prune() cannot be used on a diagram made by cascade() or trace(): it must keep every table")
        case .plain, .restrict:
            break
        }
        var result = self
        if mode == .restrict {
            for name in restrictions.keys.sorted(by: DependencyGraph.nameOrder) where try await restrictedTable(name).count() == 0 {
                result.restrictions[name] = nil
                result.restrictedAttributes[name] = nil
                result.tables.remove(name)
            }
        } else {
            for name in tables.sorted(by: DependencyGraph.nameOrder) where try await connection.table(name).count() == 0 {
                result.tables.remove(name)
            }
        }
        return result
    }

    /// The shown tables in dependency order, each with the diagram's restriction (parents first; iterate reversed to
    /// go leaves first).
    public func restrictedTables() -> [Table] {
        orderedTables.map(restrictedTable)
    }

    /// A shown table with the diagram's restriction, found by class name (`Session`, `Session.Trial`), by
    /// `schema.Class`, or by database name (`session`, `schema.session`).
    public func table(_ name: String) throws -> Table {
        let matches = tables.filter { table in
            [table.className, "\(table.schema).\(table.className)", table.table, "\(table.schema).\(table.table)"]
                .contains(name)
        }
        return try restrictedTable(uniqueMatch(matches, for: name))
    }

    /// A shown table of a Swift table type, with the diagram's restriction.
    public func table<T: UserTable>(for type: T.Type) throws -> Table {
        let name = T.tier == .part
            ? String(reflecting: T.self).split(separator: ".").suffix(2).joined(separator: ".") : T.className
        return try table(name)
    }

    /// A shown table of a Swift table type, with the diagram's restriction: `trace[Session.self]`.
    public subscript<T: UserTable>(_ type: T.Type) -> Table {
        get throws { try table(for: type) }
    }

    private func uniqueMatch(_ matches: Set<SQLTableName>, for name: String) throws -> SQLTableName {
        let what = switch mode {
        case .trace: "upstream of the traced table (it is not one of its ancestors)"
        case .cascade: "reached by the cascade"
        default: "in the diagram"
        }
        guard let match = matches.first else {
            throw DataJointError(.missingTable, "Table \(name) is not \(what)")
        }
        guard matches.count == 1 else {
            let names = matches.map(\.description).sorted().joined(separator: ", ")
            throw DataJointError(.invalidValue, "Table name \(name) is ambiguous in the diagram (\(names)); name it as schema.Class")
        }
        return match
    }
}
