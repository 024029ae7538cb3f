extension QueryConvertible {
    /// A readable text table of the first rows (primary-key attributes marked `*`) and the total row count,
    /// like the reference's display of a query.
    public func preview(limit: Int? = nil) async throws -> String {
        let query = try await compiled()
        let shown = limit ?? query.connection.settings.displayLimit
        let rows = try await Self.fetch(query, nil, orderBy: [], limit: shown, offset: nil)
        let total = try await count()
        let header = query.heading.attributes.map { ($0.inPrimaryKey ? "*" : "") + $0.name }
        let width = query.connection.settings.displayWidth
        func cell(_ value: Value) -> String {
            let text: String
            switch value {
            case .null: text = "NULL"
            case .bytes(let d): text = "=BLOB= (\(d.count) B)"
            default: text = value.description
            }
            return text.count > width ? String(text.prefix(max(1, width - 1))) + "…" : text
        }
        let body = rows.map { row in row.values.map(cell) }
        var widths = header.map(\.count)
        for line in body {
            for (i, text) in line.enumerated() { widths[i] = max(widths[i], text.count) }
        }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .replacingOccurrences(of: #"\s+$"#, with: "", options: .regularExpression)
        }
        var out = [line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
        out += body.map(line)
        if total > rows.count { out.append(" ...") }
        out.append(" (Total: \(total))")
        return out.joined(separator: "\n") + "\n"
    }
}
