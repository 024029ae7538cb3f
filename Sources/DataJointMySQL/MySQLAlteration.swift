import DataJointCore

extension MySQLDialect {
    /// Changes a table with one `ALTER TABLE` statement, as DataJoint-Python's `alter` does: `DROP`, `ADD ... AFTER`,
    /// `MODIFY` and `CHANGE` (a rename) with `FIRST` / `AFTER` where the column moves, and `COMMENT=` for the table.
    ///
    /// MySQL/MariaDB commit DDL at once, but one `ALTER TABLE` is atomic: with the strict `sql_mode` DataJoint
    /// sessions use, a value that does not convert to its column's new type (text into a number, text too long)
    /// makes the whole statement fail, and the table stays as it was.
    public func alterTable(_ alteration: TableAlteration) throws -> AlterationPlan {
        var clauses: [String] = []
        for change in alteration.changes {
            let place: String
            switch change.position {
            case nil: place = ""
            case .first?: place = " FIRST"
            case .after(let name)?: place = " AFTER " + quote(name)
            }
            switch change.kind {
            case .drop:
                clauses.append("DROP " + quote(change.column.name))
            case .add:
                clauses.append("ADD " + (try columnDefinition(change.column, storedComment: change.storedComment)) + place)
            case .modify:
                let definition = try columnDefinition(change.column, storedComment: change.storedComment)
                if change.isRename, let previous = change.previous {
                    clauses.append("CHANGE " + quote(previous.name) + " " + definition + place)
                } else {
                    clauses.append("MODIFY " + definition + place)
                }
            }
        }
        if alteration.commentChanged {
            clauses.append("COMMENT=" + commentLiteral(alteration.target.comment))
        }
        return AlterationPlan(
            steps: [.execute(RenderedSQL("ALTER TABLE " + qualifiedName(alteration.target.name) + "\n\t" + clauses.joined(separator: ",\n\t")))])
    }
}
