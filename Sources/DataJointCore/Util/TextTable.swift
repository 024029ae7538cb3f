import Foundation

/// A plain-text table: a header line, a separator line, then one line per row, columns left-aligned.
///
/// ```
/// subject_id  species  sex
/// ----------  -------  ---
/// 1           mouse    F
/// ```
public struct TextTable: Sendable {
    public var header: [String]
    public var rows: [[String]]

    /// A table of strings; short rows are padded with empty cells.
    public init(header: [String], rows: [[String]]) {
        self.header = header
        self.rows = rows
    }

    /// A table of fetched rows with the given columns; values are shown with `Value.description`
    /// (NULL shown as `NULL`), attributes a row lacks as empty cells.
    public init(columns: [String], rows: [Row]) {
        self.header = columns
        self.rows = rows.map { row in columns.map { row[$0].map(TextTable.cell) ?? "" } }
    }

    /// A table of the rows of a query heading: primary-key columns are marked with `*` as in DataJoint previews.
    public init(heading: Heading, rows: [Row]) {
        self.header = heading.attributes.map { ($0.inPrimaryKey ? "*" : "") + $0.name }
        self.rows = rows.map { row in heading.names.map { row[$0].map(TextTable.cell) ?? "" } }
    }

    /// The text of one value in a cell: its description on a single line.
    public static func cell(_ value: Value) -> String {
        value.description
            .replacingOccurrences(of: "\r\n", with: " ")
            .replacingOccurrences(of: "\n", with: " ")
            .replacingOccurrences(of: "\t", with: " ")
    }

    /// The table as text, lines joined by newlines (no trailing newline).
    public func render(columnSeparator: String = "  ") -> String {
        let columnCount = max(header.count, rows.map(\.count).max() ?? 0)
        guard columnCount > 0 else { return "" }
        func cells(_ line: [String]) -> [String] {
            line + Array(repeating: "", count: columnCount - line.count)
        }
        let headerCells = cells(header)
        let bodyCells = rows.map(cells)
        var widths = headerCells.map(\.count)
        for line in bodyCells {
            for (i, cell) in line.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        func format(_ line: [String]) -> String {
            var text = ""
            for (i, cell) in line.enumerated() {
                if i > 0 { text += columnSeparator }
                text += cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }
            // Empty trailing cells would otherwise leave trailing spaces.
            while text.hasSuffix(" ") { text.removeLast() }
            return text
        }
        var lines = [format(headerCells), format(widths.map { String(repeating: "-", count: max($0, 1)) })]
        lines += bodyCells.map(format)
        return lines.joined(separator: "\n")
    }
}

extension TextTable: CustomStringConvertible {
    public var description: String { render() }
}
