extension QueryConvertible {
    /// A readable text table of the first rows (primary-key attributes marked `*`) and the total row count,
    /// like the reference's display of a query.
    ///
    /// - Parameters:
    ///   - limit: the most rows shown (default: the connection's `displayLimit` setting).
    ///   - width: the most characters of a cell; longer values are cut and end in `…` (default: the connection's
    ///     `displayWidth` setting).
    /// - Throws: `DataJointError` `.invalidValue` when `limit` is negative or `width` is less than 1.
    public func preview(limit: Int? = nil, width: Int? = nil) async throws -> String {
        if let limit, limit < 0 {
            throw DataJointError(.invalidValue, "preview(limit: \(limit)): the number of rows must not be negative")
        }
        if let width, width < 1 {
            throw DataJointError(.invalidValue, "preview(width: \(width)): a cell must be at least 1 character wide")
        }
        let query = try await compiled()
        let shown = limit ?? query.connection.settings.displayLimit
        let rows = try await Self.fetch(query, nil, orderBy: [], limit: shown, offset: nil)
        let total = try await Self.count(query)
        let width = width ?? query.connection.settings.displayWidth
        var table = TextTable(heading: query.heading, rows: rows)
        // Long values are cut to the display width; blobs show their size.
        table.rows = zip(rows, table.rows).map { row, cells in
            zip(row.values, cells).map { value, text in
                let shown = if case .bytes(let d) = value { "=BLOB= (\(d.count) B)" } else { text }
                return shown.count > width ? String(shown.prefix(max(0, width - 1))) + "…" : shown
            }
        }
        var out = [table.render()]
        if total > rows.count { out.append(" ...") }
        out.append(" (Total: \(total))")
        return out.joined(separator: "\n") + "\n"
    }
}
