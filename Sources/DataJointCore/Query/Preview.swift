extension QueryConvertible {
    /// A readable text table of the first rows (primary-key attributes marked `*`) and the total row count,
    /// like the reference's display of a query.
    public func preview(limit: Int? = nil) async throws -> String {
        let query = try await compiled()
        let shown = limit ?? query.connection.settings.displayLimit
        let rows = try await Self.fetch(query, nil, orderBy: [], limit: shown, offset: nil)
        let total = try await Self.count(query)
        let width = query.connection.settings.displayWidth
        var table = TextTable(heading: query.heading, rows: rows)
        // Long values are cut to the display width; blobs show their size.
        table.rows = zip(rows, table.rows).map { row, cells in
            zip(row.values, cells).map { value, text in
                let shown = if case .bytes(let d) = value { "=BLOB= (\(d.count) B)" } else { text }
                return shown.count > width ? String(shown.prefix(max(1, width - 1))) + "…" : shown
            }
        }
        var out = [table.render()]
        if total > rows.count { out.append(" ...") }
        out.append(" (Total: \(total))")
        return out.joined(separator: "\n") + "\n"
    }
}
