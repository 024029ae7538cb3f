import DataJoint

/// `/schemas/S/tables/T`: the table's definition, heading and neighbours, and a page of rows with a query box.
///
/// The query box takes text in the query language (`Session & {'subject_id': 1}`, `SessionStats & 'n_trials > 5'`),
/// evaluated in the table's schema; an error in it is shown on the page, which still renders.
enum TablePage {
    /// - Parameters:
    ///   - rows: the page of rows, or the error that the query text or ordering caused.
    static func render(_ details: TableDetails, request: RowsRequest, rows: Result<QueryPage, any Error>) -> HTML {
        let schema = details.schema
        let comment: HTML = details.comment.isEmpty ? .empty : "<p>\(details.comment)</p>"
        var neighbours: [HTML] = [
            "<tr><th>parents</th><td>\(HTMLFragments.tableLinks(details.parents, home: schema))</td></tr>",
            "<tr><th>children</th><td>\(HTMLFragments.tableLinks(details.children, home: schema))</td></tr>",
        ]
        if !details.parts.isEmpty {
            neighbours.append("<tr><th>parts</th><td>\(HTMLFragments.tableLinks(details.parts, home: schema))</td></tr>")
        }
        if let master = details.master {
            neighbours.append("<tr><th>master</th><td>\(HTMLFragments.tableLink(qualified: master, home: schema))</td></tr>")
        }
        let attributes = details.attributes.map { attribute -> [HTML] in
            [
                HTMLFragments.cell(attribute.name, class: attribute.inPrimaryKey ? "cell key" : "cell"),
                HTMLFragments.cell(attribute.type, class: "cell"),
                HTMLFragments.cell(attribute.inPrimaryKey ? "primary key" : (attribute.nullable ? "nullable" : "")),
                HTMLFragments.cell(attribute.defaultValue ?? "", class: "cell"),
                HTMLFragments.cell(attribute.comment),
            ]
        }
        return PageLayout.document(
            title: "\(schema).\(details.className)",
            crumbs: [.init(title: schema, link: WebPaths.schema(schema)), .init(title: details.className, link: nil)],
            apiLink: WebPaths.apiTable(schema, details.table),
            content: """
                <h1>\(details.className) <span class="tier">\(details.tier)</span></h1>
                \(comment)
                <p class="muted">\(details.schema).\(details.table) · \(details.rows) rows</p>
                <table>\(neighbours)</table>
                <h2>Definition</h2>
                <pre>\(details.definition)</pre>
                <h2>Attributes</h2>
                \(HTMLFragments.table(header: ["name", "type", "", "default", "comment"], rows: attributes))
                <h2>Rows</h2>
                \(queryForm(details, request: request))
                \(rowsSection(details, request: request, rows: rows))
                """)
    }

    private static func queryForm(_ details: TableDetails, request: RowsRequest) -> HTML {
        """
        <form class="query" method="get" action="\(WebPaths.table(details.schema, details.table))">
        <input type="text" name="q" value="\(request.queryText ?? "")" placeholder="\("a query of this schema, e.g. \(details.className) & 'attribute > 5'")" aria-label="query">
        <button type="submit">Run</button>
        </form>
        \(request.queryText == nil ? HTML.empty : "<p><a href=\"\(WebPaths.table(details.schema, details.table))\">← all rows of \(details.className)</a></p>")
        """
    }

    private static func rowsSection(_ details: TableDetails, request: RowsRequest, rows: Result<QueryPage, any Error>)
        -> HTML
    {
        let page: QueryPage
        switch rows {
        case .failure(let error): return HTMLFragments.error(HTMLFragments.message(of: error))
        case .success(let result): page = result
        }
        let link = { (offset: Int, orderBy: [String]) -> String in
            WebPaths.table(details.schema, details.table, parameters(request, offset: offset, orderBy: orderBy))
        }
        let header = page.columns.map { column -> HTML in
            let current = request.orderBy.first
            let descending = current == column.name
            let target = descending ? "\(column.name) DESC" : column.name
            let arrow = current == column.name ? " ▲" : (current == "\(column.name) DESC" ? " ▼" : "")
            if column.placeholder { return "\(column.name)" }
            return "<a href=\"\(link(0, [target]))\" title=\"\(column.type)\">\(column.name)</a>\(arrow)"
        }
        let keyColumns = page.columns.map(\.inPrimaryKey)
        let body = page.rows.map { row in
            row.enumerated().map { index, value in HTMLFragments.value(value, key: keyColumns[index]) }
        }
        let first = page.rows.isEmpty ? 0 : page.offset + 1
        let last = page.offset + page.rows.count
        let previous: HTML =
            page.offset > 0
            ? "<a href=\"\(link(max(0, page.offset - page.limit), request.orderBy))\">← previous</a>" : .empty
        let next: HTML = page.truncated ? "<a href=\"\(link(last, request.orderBy))\">next →</a>" : .empty
        let shown: HTML =
            page.rows.isEmpty
            ? (page.total == 0 ? "no rows" : "no rows past \(page.total)") : "rows \(first)–\(last) of \(page.total)"
        let pager: HTML = "<div class=\"pager\"><span>\(shown)</span>\(previous)\(next)</div>"
        let table = HTMLFragments.table(
            header: header, rows: body, headerClasses: page.columns.map { $0.inPrimaryKey ? "key" : nil })
        return "\(pager)\(table)\(pager)"
    }

    /// The query parameters of another page of the same rows.
    private static func parameters(_ request: RowsRequest, offset: Int, orderBy: [String]) -> [(String, String)] {
        var result: [(String, String)] = []
        if let text = request.queryText { result.append(("q", text)) }
        if !orderBy.isEmpty { result.append(("order_by", orderBy.joined(separator: ","))) }
        result.append(("limit", String(request.limit)))
        if offset > 0 { result.append(("offset", String(offset))) }
        return result
    }
}
