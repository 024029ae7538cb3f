import DataJoint

/// `/schemas/S/jobs`: progress of every Imported and Computed table (computed, remaining, total, queue counts) and
/// the failed jobs with message and stack. The page reloads itself while it is open.
enum JobsPage {
    static let statuses = ["pending", "reserved", "success", "error", "ignore"]

    static func render(schema: String, _ tables: [JobsOverview], refreshSeconds: Int) -> HTML {
        let rows = tables.map { table -> [HTML] in
            let percent = table.total == 0 ? 100 : table.computed * 100 / table.total
            let queue: [HTML] = statuses.map { status in
                table.hasQueue ? HTMLFragments.number(table.queue[status] ?? 0) : HTMLFragments.cell("–", class: "muted")
            }
            return [
                "<td><a href=\"\(WebPaths.table(schema, table.table))\">\(table.className)</a></td>",
                "<td><span class=\"bar\"><span style=\"width: \(percent)%\"></span></span>\(percent)%</td>",
                HTMLFragments.number(table.computed), HTMLFragments.number(table.remaining),
                HTMLFragments.number(table.total),
            ] + queue
        }
        let progress: HTML =
            tables.isEmpty
            ? "<p class=\"muted\">This schema has no Imported or Computed tables.</p>"
            : HTMLFragments.table(
                header: ["table", "progress", "computed", "remaining", "total"] + statuses.map { "\($0)" }, rows: rows)
        let failures = tables.filter { !$0.errors.isEmpty }.map { errors(of: $0) }
        let errorSection: HTML = failures.isEmpty ? "<p class=\"muted\">No failed jobs.</p>" : failures.joined()
        return PageLayout.document(
            title: "\(schema) jobs",
            crumbs: [.init(title: schema, link: WebPaths.schema(schema)), .init(title: "jobs", link: nil)],
            apiLink: WebPaths.apiJobs(schema), refreshSeconds: refreshSeconds,
            content: """
                <h1>Jobs of \(schema)</h1>
                <p class="muted">Reloads every \(refreshSeconds) s. Queue counts appear once a table is populated with reserved jobs.</p>
                \(progress)
                <h2>Errors</h2>
                \(errorSection)
                """)
    }

    private static func errors(of table: JobsOverview) -> HTML {
        let rows = table.errors.map { failure -> [HTML] in
            let key = JSON.object(failure.key).encodedText()
            let stack: HTML = failure.stack.map { "<details><summary>stack</summary><pre>\($0)</pre></details>" } ?? .empty
            return [
                HTMLFragments.cell(key, class: "cell"), HTMLFragments.cell(failure.when ?? ""),
                HTMLFragments.cell(failure.host), "<td><div>\(failure.message)</div>\(stack)</td>",
            ]
        }
        let more: HTML =
            table.errorCount > table.errors.count
            ? "<p class=\"muted\">\(table.errors.count) of \(table.errorCount) failed jobs shown.</p>" : .empty
        return """
            <h3><a href="\(WebPaths.table(table.schema, table.table))">\(table.className)</a>: \(table.errorCount) failed</h3>
            \(HTMLFragments.table(header: ["key", "when", "host", "error"], rows: rows))
            \(more)
            """
    }
}
