import DataJoint
import Hummingbird

/// The JSON API behind the pages, one route per page plus the rows and the diagram:
///
/// - `GET /api/schemas`: `{"schemas": [{"name", "tables"}]}`
/// - `GET /api/schemas/S`: `SchemaOverview`
/// - `GET /api/schemas/S/tables/T`: `TableDetails`
/// - `GET /api/schemas/S/tables/T/rows?limit=&offset=&order_by=&q=`: `QueryPage`
/// - `GET /api/schemas/S/jobs`: `{"schema", "tables": [JobsOverview]}`
/// - `GET /api/schemas/S/diagram.svg`: the diagram drawn by Graphviz
struct APIRoutes: Sendable {
    let pipeline: WebPipeline

    /// The list of schemas.
    struct SchemaList: Encodable {
        let schemas: [SchemaSummary]
    }

    /// The jobs of a schema.
    struct SchemaJobs: Encodable {
        let schema: String
        let tables: [JobsOverview]
    }

    func add(to router: Router<BasicRequestContext>) {
        let pipeline = self.pipeline
        router.get("/api/schemas") { _, _ in
            try WebResponses.json(SchemaList(schemas: try await pipeline.schemas()))
        }
        router.get("/api/schemas/:schema") { _, context in
            try WebResponses.json(try await pipeline.overview(ofSchema: context.decoded("schema")))
        }
        router.get("/api/schemas/:schema/tables/:table") { _, context in
            try WebResponses.json(
                try await pipeline.details(ofTable: context.decoded("table"), inSchema: context.decoded("schema")))
        }
        router.get("/api/schemas/:schema/tables/:table/rows") { request, context in
            let rows = try RowsRequest(QueryParameters(request.uri.query), configuration: pipeline.configuration)
            return try WebResponses.json(
                try await pipeline.rows(ofTable: context.decoded("table"), inSchema: context.decoded("schema"), rows))
        }
        router.get("/api/schemas/:schema/jobs") { _, context in
            let schema = try context.decoded("schema")
            return try WebResponses.json(SchemaJobs(schema: schema, tables: try await pipeline.jobs(ofSchema: schema)))
        }
        router.get("/api/schemas/:schema/diagram.svg") { _, context in
            WebResponses.svg(try await pipeline.diagramSVG(ofSchema: context.decoded("schema")))
        }
    }
}

extension RequestContext {
    /// The path parameter `name`, percent-decoded (`%23letter_grade` is `#letter_grade`).
    func decoded(_ name: String) throws -> String {
        let raw = try parameters.require(name)
        return raw.removingPercentEncoding ?? raw
    }
}
