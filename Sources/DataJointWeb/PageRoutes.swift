import DataJoint
import Hummingbird

/// The HTML pages: `/` (schemas), `/schemas/S` (diagram and tables), `/schemas/S/tables/T` (definition, heading,
/// rows with a query box), `/schemas/S/jobs` (progress and errors). Each page shows what its API route returns.
struct PageRoutes: Sendable {
    let pipeline: WebPipeline

    func add(to router: Router<BasicRequestContext>) {
        let pipeline = self.pipeline
        router.get("/") { _, _ in
            WebResponses.html(SchemaListPage.render(try await pipeline.schemas()))
        }
        router.get("/schemas/:schema") { _, context in
            let name = try context.decoded("schema")
            let overview = try await pipeline.overview(ofSchema: name)
            let diagram: Result<String, any Error>
            do {
                diagram = .success(try await pipeline.diagramSVG(ofSchema: name))
            } catch {
                diagram = .failure(error)
            }
            return WebResponses.html(SchemaPage.render(overview, diagram: diagram))
        }
        router.get("/schemas/:schema/tables/:table") { request, context in
            let (schema, table) = (try context.decoded("schema"), try context.decoded("table"))
            let details = try await pipeline.details(ofTable: table, inSchema: schema)
            let parameters = QueryParameters(request.uri.query)
            let rows: Result<QueryPage, any Error>
            var asked = RowsRequest.fallback(parameters, configuration: pipeline.configuration)
            do {
                asked = try RowsRequest(parameters, configuration: pipeline.configuration)
                rows = .success(try await pipeline.rows(ofTable: table, inSchema: schema, asked))
            } catch {
                rows = .failure(error)
            }
            // The page shows a failure of the query text or paging itself, with the status the API would answer.
            let status: HTTPResponse.Status = rows.failureStatus ?? .ok
            return WebResponses.html(TablePage.render(details, request: asked, rows: rows), status: status)
        }
        router.get("/schemas/:schema/jobs") { _, context in
            let schema = try context.decoded("schema")
            let jobs = try await pipeline.jobs(ofSchema: schema)
            return WebResponses.html(
                JobsPage.render(schema: schema, jobs, refreshSeconds: pipeline.configuration.jobsRefreshSeconds))
        }
    }
}

extension Result where Failure == any Error {
    /// The status of the failure, if this is one.
    fileprivate var failureStatus: HTTPResponse.Status? {
        if case .failure(let error) = self { return WebErrors.status(for: error) }
        return nil
    }
}
