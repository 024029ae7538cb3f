/// `/`: the schemas the view shows, each with its number of tables.
enum SchemaListPage {
    static func render(_ schemas: [SchemaSummary]) -> HTML {
        let rows = schemas.map { schema -> [HTML] in
            [
                "<td><a href=\"\(WebPaths.schema(schema.name))\">\(schema.name)</a></td>",
                HTMLFragments.number(schema.tables),
                "<td><a href=\"\(WebPaths.jobs(schema.name))\">jobs</a></td>",
            ]
        }
        let list: HTML =
            schemas.isEmpty
            ? "<p class=\"muted\">No schemas in this database yet.</p>"
            : HTMLFragments.table(header: ["schema", "tables", ""], rows: rows)
        return PageLayout.document(
            title: "Schemas", crumbs: [], apiLink: WebPaths.apiSchemas,
            content: """
                <h1>Schemas</h1>
                \(list)
                """)
    }
}
