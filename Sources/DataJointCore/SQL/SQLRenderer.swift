/// Writes SQL syntax trees as text for one dialect, collecting bound parameters in order.
public struct SQLRenderer {
    public let dialect: any Dialect
    public private(set) var sql = ""
    public private(set) var binds: [Value] = []

    public init(dialect: any Dialect) {
        self.dialect = dialect
    }

    /// Appends SQL text.
    public mutating func append(_ text: String) { sql += text }

    /// Appends a parameter placeholder and records its value.
    public mutating func bind(_ value: Value) {
        binds.append(value)
        sql += dialect.placeholder(binds.count)
    }

    public mutating func write(_ statement: SQLStatement) {
        switch statement {
        case .select(let s): write(s)
        case .insert(let i): write(i)
        case .update(let u): write(u)
        case .delete(let d): write(d)
        }
    }

    public mutating func write(_ select: SQLSelect) {
        append(select.distinct ? "SELECT DISTINCT " : "SELECT ")
        if select.columns.isEmpty {
            append("*")
        } else {
            for (i, (expr, alias)) in select.columns.enumerated() {
                if i > 0 { append(", ") }
                write(expr)
                if let alias { append(" AS " + dialect.quote(alias)) }
            }
        }
        append(" FROM ")
        write(select.source)
        if let w = select.whereClause {
            append(" WHERE ")
            write(w)
        }
        if !select.groupBy.isEmpty {
            append(" GROUP BY ")
            writeList(select.groupBy)
        }
        if let h = select.having {
            append(" HAVING ")
            write(h)
        }
        if !select.orderBy.isEmpty {
            append(" ORDER BY ")
            for (i, o) in select.orderBy.enumerated() {
                if i > 0 { append(", ") }
                write(o.expression)
                if o.descending { append(" DESC") }
            }
        }
        append(dialect.limitClause(limit: select.limit, offset: select.offset))
        for part in select.union {
            append(" UNION ")
            write(part)
        }
    }

    public mutating func write(_ source: SQLSource) {
        switch source {
        case .table(let name, let alias):
            append(dialect.qualifiedName(name))
            if let alias { append(" AS " + dialect.quote(alias)) }
        case .subquery(let select, let alias):
            append("(")
            write(select)
            append(") AS " + dialect.quote(alias))
        case .joinUsing(let l, let r, let columns, let left):
            write(l)
            if columns.isEmpty {
                append(left ? " LEFT JOIN " : " CROSS JOIN ")
                write(r)
                if left { append(" ON (1=1)") }
            } else {
                append(left ? " LEFT JOIN " : " JOIN ")
                write(r)
                append(" USING (" + columns.map(dialect.quote).joined(separator: ", ") + ")")
            }
        case .join(let l, let r, let on, let left):
            write(l)
            append(left ? " LEFT JOIN " : (on == nil ? " CROSS JOIN " : " JOIN "))
            write(r)
            if let on {
                append(" ON ")
                write(on)
            }
        }
    }

    public mutating func write(_ insert: SQLInsert) {
        let syntax = dialect.insertConflictSyntax
        if case .ignore = insert.onConflict, syntax == .sqliteOnConflict {
            append("INSERT OR IGNORE")
        } else {
            append("INSERT")
        }
        append(" INTO " + dialect.qualifiedName(insert.table) + " (")
        append(insert.columns.map(dialect.quote).joined(separator: ", "))
        append(") ")
        switch insert.rows {
        case .values(let rows):
            append("VALUES ")
            for (r, row) in rows.enumerated() {
                append(r > 0 ? ", (" : "(")
                for (i, v) in row.enumerated() {
                    if i > 0 { append(", ") }
                    bind(v)
                }
                append(")")
            }
        case .select(let select):
            write(select)
        }
        writeConflictClause(of: insert, syntax)
    }

    /// The clause after the rows of an INSERT that skips or replaces rows whose key exists.
    mutating func writeConflictClause(of insert: SQLInsert, _ syntax: InsertConflictSyntax) {
        let quote = dialect.quote
        switch (insert.onConflict, syntax) {
        case (.fail, _), (.ignore, .sqliteOnConflict):
            return
        case (.ignore, .onConflict):
            append(" ON CONFLICT DO NOTHING")
        case (.ignore, .onDuplicateKeyUpdate):
            writeNoOpUpdate(of: insert)
        case (.replace(let key), .onDuplicateKeyUpdate):
            let others = insert.columns.filter { !key.contains($0) }
            guard !others.isEmpty else { return writeNoOpUpdate(of: insert) }
            append(" ON DUPLICATE KEY UPDATE " + others.map { "\(quote($0))=VALUES(\(quote($0)))" }.joined(separator: ", "))
        case (.replace(let key), .onConflict), (.replace(let key), .sqliteOnConflict):
            let sqlite = syntax == .sqliteOnConflict
            if sqlite, case .select(let select) = insert.rows, SQLRenderer.endsWithFrom(select) { append(" WHERE true") }
            append(" ON CONFLICT (" + key.map(quote).joined(separator: ", ") + ")")
            let others = insert.columns.filter { !key.contains($0) }
            let excluded = sqlite ? "excluded" : "EXCLUDED"
            append(
                others.isEmpty
                    ? " DO NOTHING"
                    : " DO UPDATE SET " + others.map { "\(quote($0)) = \(excluded).\(quote($0))" }.joined(separator: ", "))
        }
    }

    /// True when a SELECT's text ends with its FROM clause, where SQLite would read a following `ON CONFLICT` as a
    /// join's `ON`.
    static func endsWithFrom(_ select: SQLSelect) -> Bool {
        // The parts of a UNION follow the first part's own clauses.
        if let last = select.union.last { return endsWithFrom(last) }
        return select.whereClause == nil && select.groupBy.isEmpty && select.having == nil && select.orderBy.isEmpty
            && select.limit == nil && select.offset == nil
    }

    /// MySQL's way to skip a duplicate: an update of the first column to itself.
    mutating func writeNoOpUpdate(of insert: SQLInsert) {
        guard let first = insert.columns.first.map(dialect.quote) else { return }
        append(" ON DUPLICATE KEY UPDATE \(first)=\(dialect.qualifiedName(insert.table)).\(first)")
    }

    public mutating func write(_ update: SQLUpdate) {
        append("UPDATE " + dialect.qualifiedName(update.table) + " SET ")
        for (i, a) in update.assignments.enumerated() {
            if i > 0 { append(", ") }
            append(dialect.quote(a.column) + " = ")
            write(a.value)
        }
        if let w = update.whereClause {
            append(" WHERE ")
            write(w)
        }
    }

    public mutating func write(_ delete: SQLDelete) {
        append("DELETE FROM " + dialect.qualifiedName(delete.table))
        if let w = delete.whereClause {
            append(" WHERE ")
            write(w)
        }
    }

    mutating func writeList(_ list: [SQLExpression]) {
        for (i, e) in list.enumerated() {
            if i > 0 { append(", ") }
            write(e)
        }
    }

    public mutating func write(_ expression: SQLExpression) {
        switch expression {
        case .column(let name, let table):
            if let table { append(dialect.quote(table) + ".") }
            append(dialect.quote(name))
        case .bind(let v):
            bind(v)
        case .raw(let text):
            append("(" + text + ")")
        case .fragment(let text, let values):
            append("(")
            for piece in SQLParameterMarker.split(text) {
                switch piece {
                case .text(let t): append(t)
                case .value(let index): bind(index < values.count ? values[index] : .null)
                }
            }
            append(")")
        case .truth(let b):
            append(b ? "(1=1)" : "(1=0)")
        case .binary(let l, let op, let r):
            write(l)
            append(" \(op) ")
            write(r)
        case .and(let terms):
            if terms.isEmpty { append("(1=1)"); return }
            append("(")
            for (i, t) in terms.enumerated() {
                if i > 0 { append(" AND ") }
                write(t)
            }
            append(")")
        case .or(let terms):
            if terms.isEmpty { append("(1=0)"); return }
            append("(")
            for (i, t) in terms.enumerated() {
                if i > 0 { append(" OR ") }
                write(t)
            }
            append(")")
        case .not(let e):
            append("NOT (")
            write(e)
            append(")")
        case .isNull(let e):
            write(e)
            append(" IS NULL")
        case .inList(let e, let list):
            if list.isEmpty { append("(1=0)"); return }
            write(e)
            append(" IN (")
            writeList(list)
            append(")")
        case .tuple(let items):
            append("(")
            writeList(items)
            append(")")
        case .inSelect(let cols, let select):
            append(cols.count == 1 ? "" : "(")
            writeList(cols)
            append(cols.count == 1 ? " IN (" : ") IN (")
            write(select)
            append(")")
        case .exists(let select):
            append("EXISTS (")
            write(select)
            append(")")
        case .function(let name, let args):
            append(name + "(")
            writeList(args)
            append(")")
        case .star:
            append("*")
        }
    }
}
