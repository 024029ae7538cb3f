import DataJoint

/// `/schemas/S`: the schema's diagram and its tables in dependency order with tier, row count and comment.
enum SchemaPage {
    /// - Parameter diagram: the diagram as SVG, or the error that kept Graphviz from drawing it.
    static func render(_ overview: SchemaOverview, diagram: Result<String, any Error>) -> HTML {
        let schema = overview.name
        let rows = overview.tables.map { table -> [HTML] in
            let indent: HTML = table.tier == Tier.part.rawValue ? "<span class=\"muted\">↳ </span>" : .empty
            return [
                "<td>\(indent)<a href=\"\(WebPaths.table(schema, table.table))\">\(table.className)</a></td>",
                HTMLFragments.cell(table.tier, class: "tier"),
                HTMLFragments.number(table.rows),
                HTMLFragments.cell(table.comment),
            ]
        }
        let tables: HTML =
            overview.tables.isEmpty
            ? "<p class=\"muted\">No tables in this schema yet.</p>"
            : HTMLFragments.table(header: ["table", "tier", "rows", "comment"], rows: rows)
        let drawing: HTML
        switch diagram {
        case .success(let svg): drawing = "<div class=\"diagram\">\(inlineSVG(svg))</div>"
        case .failure(let error):
            drawing = "<p class=\"muted\">The diagram could not be drawn:</p>\(HTMLFragments.error(HTMLFragments.message(of: error)))"
        }
        return PageLayout.document(
            title: schema, crumbs: [.init(title: schema, link: nil)], apiLink: WebPaths.apiSchema(schema),
            content: """
                <h1>\(schema)</h1>
                <p><a href="\(WebPaths.jobs(schema))">Jobs: progress and errors</a> ·
                <a href="\(WebPaths.apiDiagram(schema))">diagram.svg</a></p>
                <h2>Diagram</h2>
                \(drawing)
                <h2>Tables</h2>
                \(tables)
                """)
    }

    /// The `<svg>` element of an SVG document (without the XML declaration and doctype, which do not belong inside
    /// HTML). Graphviz writes it from the pipeline's table names, escaping them as XML.
    static func inlineSVG(_ document: String) -> HTML {
        guard let start = document.range(of: "<svg") else { return .empty }
        return .trusted(String(document[start.lowerBound...]))
    }
}
