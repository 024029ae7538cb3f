import DataJoint
import DataJointWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

@Suite("Web view")
struct WebViewTests {
    typealias P = WebViewPipeline

    /// A web view of the test pipeline (the schema as given, unless `all`).
    static func server(
        _ lab: Schema, all: Bool = false, configuration: WebServerConfiguration = .init()
    ) throws -> PipelineWebServer {
        try PipelineWebServer(connection: lab.connection, schemas: all ? nil : [lab], configuration: configuration)
    }

    /// Runs `body` with the test pipeline on `backend` and a client of its web view, which reads through a read-only
    /// connection as `dj serve` does.
    static func withView(
        _ backend: TestBackend, configuration: WebServerConfiguration = .init(),
        _ body: @escaping @Sendable (Schema, WebClient) async throws -> Void
    ) async throws {
        try await backend.withDatabase { db in
            let lab = try await P.make(db).readOnly()
            try await server(lab, configuration: configuration).withClient { client in try await body(lab, client) }
        }
    }

    @Test("the list of schemas and the schema page: diagram, tables in dependency order with tier, rows, comment",
          arguments: TestBackend.all)
    func schemaPages(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let lab = try await P.make(db).readOnly()
            _ = try await db.schema("web_other", tables: [], create: true)
            try await Self.server(lab).withClient { client in
                let home = try await client.get("/")
                #expect(home.status == .ok)
                #expect(home.headers[.contentType] == "text/html; charset=utf-8")
                #expect(home.body.contains("<a href=\"/schemas/web_lab\">web_lab</a>"))
                #expect(!home.body.contains("web_other"))
                let schemas = try await client.get("/api/schemas").json()
                #expect(schemas["schemas"]?.elements == [.object(["name": "web_lab", "tables": .int(4)])])

                let page = try await client.get("/schemas/web_lab")
                #expect(page.status == .ok)
                #expect(page.body.contains("<svg"), "the diagram is drawn inline")
                let order = ["WvSubject</a>", "WvSession</a>", "WvSession.Trial</a>", "WvStats</a>"].map {
                    page.body.range(of: $0)?.lowerBound
                }
                #expect(order.allSatisfy { $0 != nil } && order == order.sorted { $0! < $1! }, "tables in dependency order")
                #expect(page.body.contains("<a href=\"/schemas/web_lab/tables/__wv_stats\">WvStats</a>"))
                #expect(page.body.contains("<td class=\"tier\">computed</td><td class=\"num\">5</td><td>trials per session</td>"))
                #expect(page.body.contains("<td class=\"num\">12</td>"), "12 trials")
                #expect(page.body.contains("animals &lt;b&gt;&amp;&quot;&#39;"), "the comment is escaped")
                #expect(!page.body.contains("<b>&"), "no markup of the comment reaches the page")
                #expect(page.body.contains("href=\"/schemas/web_lab/jobs\""))

                let overview = try await client.get("/api/schemas/web_lab").json()
                #expect(overview["name"] == "web_lab")
                #expect(overview["tables"]?.elements.map { $0["className"] } == ["WvSubject", "WvSession", "WvSession.Trial", "WvStats"])
                #expect(overview["tables"]?.elements.map { $0["rows"] } == [.int(3), .int(6), .int(12), .int(5)])
                #expect(overview["tables"]?[0]?["comment"] == "animals <b>&\"'", "JSON carries the text as it is")

                // A schema not given to the server is not shown.
                #expect(try await client.get("/schemas/web_other").status == .notFound)
            }
            // Without a list, every schema of the connection is shown.
            try await Self.server(lab, all: true).withClient { client in
                let names = try await client.get("/api/schemas").json()["schemas"]?.elements.compactMap { $0["name"] }
                #expect(names == ["web_lab", "web_other"])
                #expect(try await client.get("/schemas/web_other").status == .ok)
                #expect(try await client.get("/").body.contains("<a href=\"/schemas/web_other\">web_other</a>"))
            }
        }
    }

    @Test("the diagram as SVG; without Graphviz the schema page shows why and still lists the tables",
          arguments: TestBackend.all)
    func diagram(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let lab = try await P.make(db).readOnly()
            try await Self.server(lab).withClient { client in
                let svg = try await client.get("/api/schemas/web_lab/diagram.svg")
                #expect(svg.status == .ok)
                #expect(svg.headers[.contentType] == "image/svg+xml; charset=utf-8")
                #expect(svg.body.contains("<svg") && svg.body.contains("WvStats"))
            }
            let missing = WebServerConfiguration(graphviz: Graphviz(path: "/nonexistent/graphviz/dot"))
            try await Self.server(lab, configuration: missing).withClient { client in
                let page = try await client.get("/schemas/web_lab")
                #expect(page.status == .ok)
                #expect(page.body.contains("The diagram could not be drawn"))
                #expect(page.body.contains("graphviz"))
                #expect(page.body.contains("WvSession.Trial</a>"))
                let svg = try await client.get("/api/schemas/web_lab/diagram.svg")
                #expect(svg.status == .internalServerError)
                #expect(try svg.json()["error"]?["kind"] == "configuration")
            }
        }
    }

    @Test("the table page: definition, heading, neighbours, rows with values escaped and blobs as placeholders",
          arguments: TestBackend.all)
    func tablePage(backend: TestBackend) async throws {
        try await Self.withView(backend) { lab, client in
            let subject = try await client.get("/schemas/web_lab/tables/WvSubject")
            #expect(subject.status == .ok)
            #expect(subject.body.contains("<pre>"))
            let text = subject.body.replacingOccurrences(of: " +", with: " ", options: .regularExpression)
            #expect(text.contains("<pre># animals &lt;b&gt;&amp;&quot;&#39;\nsubject_id : int32\n---\nname : varchar(60)"))
            #expect(subject.body.contains("the animal&#39;s name"))
            #expect(subject.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(!subject.body.contains("<script"), "no row value becomes markup")
            #expect(subject.body.contains("=&lt;blob&gt;="), "blobs are shown as a placeholder")
            #expect(subject.body.contains("<a href=\"/schemas/web_lab/tables/wv_session\">WvSession</a>"), "child")
            #expect(subject.body.contains("rows 1–3 of 3"))

            let session = try await client.get("/schemas/web_lab/tables/wv_session")
            #expect(session.status == .ok)
            #expect(session.body.contains("<a href=\"/schemas/web_lab/tables/wv_subject\">WvSubject</a>"), "parent")
            #expect(session.body.contains("<a href=\"/schemas/web_lab/tables/wv_session__trial\">WvSession.Trial</a>"), "part")
            let trial = try await client.get("/schemas/web_lab/tables/WvSession.Trial")
            #expect(trial.body.contains("<tr><th>master</th><td><a href=\"/schemas/web_lab/tables/wv_session\">WvSession</a></td></tr>"))

            let details = try await client.get("/api/schemas/web_lab/tables/WvSubject").json()
            #expect(details["className"] == "WvSubject" && details["tier"] == "manual" && details["rows"] == .int(3))
            #expect(details["attributes"]?.elements.map { $0["name"] } == ["subject_id", "name", "photo"])
            #expect(details["children"]?.elements == ["web_lab.wv_session"])
            guard case .string(let definition)? = details["definition"] else {
                Issue.record("no definition")
                return
            }
            #expect(definition.hasPrefix("# animals <b>&\"'\nsubject_id "))

            let rows = try await client.get("/api/schemas/web_lab/tables/WvSubject/rows").json()
            #expect(rows["columns"]?.elements.map { $0["name"] } == ["subject_id", "name", "photo"])
            #expect(rows["total"] == .int(3) && rows["truncated"] == .bool(false))
            #expect(rows["rows"]?[1] == [.int(2), "<script>alert(1)</script>", "=<blob>="])
        }
    }

    @Test("paging: limit and offset links, ordering by a column, and bad paging parameters answered with 400",
          arguments: TestBackend.all)
    func paging(backend: TestBackend) async throws {
        try await Self.withView(backend) { lab, client in
            let api = "/api/schemas/web_lab/tables/wv_session__trial/rows"
            let first = try await client.get(api + "?limit=5").json()
            #expect(first["rows"]?.elements.count == 5 && first["total"] == .int(12) && first["truncated"] == .bool(true))
            let last = try await client.get(api + "?limit=5&offset=10").json()
            #expect(last["rows"]?.elements.count == 2 && last["offset"] == .int(10) && last["truncated"] == .bool(false))
            let ordered = try await client.get(api + "?limit=3&order_by=response+DESC,subject_id").json()
            #expect(ordered["rows"]?.elements.map { $0[3] } == [2, 1.5, 1.5])

            for (query, kind) in [
                ("order_by=nope", "missingAttribute"), ("order_by=response%3B+DROP+TABLE+x", "invalidValue"),
                ("limit=-1", "invalidValue"), ("limit=abc", "invalidValue"), ("limit=5000", "invalidValue"),
                ("offset=x", "invalidValue"),
            ] {
                let response = try await client.get(api + "?" + query)
                #expect(response.status == .badRequest, "\(query)")
                #expect(try response.json()["error"]?["kind"] == .string(kind), "\(query)")
            }
            #expect(try await client.get("/api/schemas/web_lab/tables/WvSession.Trial").status == .ok)
            #expect(try await lab.table("wv_session__trial").count() == 12, "nothing was dropped")

            let page = try await client.get("/schemas/web_lab/tables/WvSession.Trial?limit=5")
            #expect(page.body.contains("rows 1–5 of 12"))
            #expect(page.body.contains("href=\"/schemas/web_lab/tables/wv_session__trial?limit=5&amp;offset=5\">next →</a>"))
            #expect(!page.body.contains("previous"))
            let middle = try await client.get("/schemas/web_lab/tables/WvSession.Trial?limit=5&offset=5&order_by=response")
            #expect(middle.body.contains("rows 6–10 of 12"))
            #expect(middle.body.contains("?order_by=response&amp;limit=5\">← previous</a>"))
            #expect(middle.body.contains("?order_by=response&amp;limit=5&amp;offset=10\">next →</a>"))
            let past = try await client.get("/schemas/web_lab/tables/WvSession.Trial?limit=5&offset=20")
            #expect(past.body.contains("no rows past 12") && past.body.contains("offset=15\">← previous</a>"))
            let none = try await client.get("/schemas/web_lab/tables/WvSession?q=WvSession+%26+%27session_idx+%3E+9%27")
            #expect(none.status == .ok && none.body.contains("<span>no rows</span>"))
            // A wrong ordering: the page still renders, with the message.
            let wrong = try await client.get("/schemas/web_lab/tables/WvSession.Trial?order_by=nope")
            #expect(wrong.status == .badRequest)
            #expect(wrong.body.contains("cannot order by `nope`"))
            #expect(wrong.body.contains("<h2>Definition</h2>"))
        }
    }

    @Test("the query box: text in the query language restricts the rows; an error is shown with its position, escaped",
          arguments: TestBackend.all)
    func queryBox(backend: TestBackend) async throws {
        try await Self.withView(backend) { lab, client in
            let api = "/api/schemas/web_lab/tables/WvSession/rows?q="
            let restricted = try await client.get(api + "WvSession+%26+%7B%27subject_id%27%3A+1%7D").json()
            #expect(restricted["total"] == .int(4))
            let computed = try await client.get(api + "WvStats+%26+%27n_trials+%3E+2%27").json()
            #expect(computed["total"] == .int(2))
            #expect(computed["columns"]?.elements.map { $0["name"] } == ["subject_id", "session_idx", "n_trials"])

            let page = try await client.get("/schemas/web_lab/tables/WvSession?q=WvSession+%26+%7B%27subject_id%27%3A+1%7D")
            #expect(page.status == .ok)
            #expect(page.body.contains("value=\"WvSession &amp; {&#39;subject_id&#39;: 1}\""), "the box keeps the text")
            #expect(page.body.contains("rows 1–4 of 4"))

            let broken = try await client.get(api + "WvSession+%26+%26+1")
            #expect(broken.status == .badRequest)
            #expect(try broken.json()["error"]?["kind"] == "query")
            let error = try await client.get("/schemas/web_lab/tables/WvSession?q=WvSession+%26+%26+1")
            #expect(error.status == .badRequest)
            #expect(error.body.contains("<div class=\"error\" role=\"alert\">"))
            #expect(error.body.contains("^"), "the message points at the position")
            #expect(error.body.contains("WvSession &amp; &amp; 1"))
            #expect(error.body.contains("<h2>Definition</h2>"), "the rest of the page renders")

            let script = try await client.get("/schemas/web_lab/tables/WvSession?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
            #expect(script.status == .badRequest)
            #expect(!script.body.contains("<script"), "query text never becomes markup")
            #expect(script.body.contains("&lt;script&gt;"))
            let unknown = try await client.get(api + "NoSuchTable")
            #expect(unknown.status == .badRequest)
        }
    }

    @Test("the jobs page: progress of each computed table, queue counts, errors with message and stack; it reloads",
          arguments: TestBackend.all)
    func jobsPage(backend: TestBackend) async throws {
        try await Self.withView(backend) { lab, client in
            let jobs = try await client.get("/api/schemas/web_lab/jobs").json()
            #expect(jobs["schema"] == "web_lab")
            let stats = try #require(jobs["tables"]?[0])
            #expect(jobs["tables"]?.elements.count == 1)
            #expect(stats["className"] == "WvStats" && stats["hasQueue"] == .bool(true))
            #expect(stats["computed"] == .int(5) && stats["remaining"] == .int(1) && stats["total"] == .int(6))
            #expect(stats["queue"]?["error"] == .int(1) && stats["errorCount"] == .int(1))
            #expect(stats["errors"]?[0]?["key"] == .object(["subject_id": .int(1), "session_idx": .int(2)]))
            guard case .string(let message)? = stats["errors"]?[0]?["message"] else {
                Issue.record("no error message: \(stats)")
                return
            }
            #expect(message.contains("session 2 has <bad> data & more"))

            let page = try await client.get("/schemas/web_lab/jobs")
            #expect(page.status == .ok)
            #expect(page.body.contains("<meta http-equiv=\"refresh\" content=\"5\">"))
            #expect(page.body.contains("<a href=\"/schemas/web_lab/tables/__wv_stats\">WvStats</a>"))
            #expect(page.body.contains("<td class=\"num\">5</td><td class=\"num\">1</td><td class=\"num\">6</td>"))
            #expect(page.body.contains("session 2 has &lt;bad&gt; data &amp; more"))
            #expect(page.body.contains("<details><summary>stack</summary><pre>"))
            #expect(!page.body.contains("<bad>"))
            #expect(page.body.contains("{&quot;session_idx&quot;:2,&quot;subject_id&quot;:1}"))
        }
    }

    @Test("with a token, every request needs it: bearer header, cookie, or ?token= which sets the cookie",
          arguments: TestBackend.all)
    func token(backend: TestBackend) async throws {
        try await Self.withView(backend, configuration: .init(token: "tok-123")) { lab, client in
            let denied = try await client.get("/")
            #expect(denied.status == .unauthorized)
            #expect(denied.headers[.wwwAuthenticate] == "Bearer realm=\"DataJoint\"")
            #expect(denied.body.contains("Authorization: Bearer TOKEN") && !denied.body.contains("tok-123"))
            let deniedAPI = try await client.get("/api/schemas/web_lab")
            #expect(deniedAPI.status == .unauthorized)
            #expect(try deniedAPI.json()["error"]?["kind"] == "unauthorized")
            #expect(try await client.get("/no/such/page").status == .unauthorized)

            #expect(try await client.get("/", headers: [.authorization: "Bearer tok-123"]).status == .ok)
            #expect(try await client.get("/api/schemas/web_lab", headers: [.authorization: "bearer tok-123"]).status == .ok)
            #expect(try await client.get("/", headers: [.authorization: "Bearer tok-12"]).status == .unauthorized)
            #expect(try await client.get("/", headers: [.authorization: "Bearer tok-1234"]).status == .unauthorized)
            #expect(try await client.get("/", headers: [.authorization: "Basic tok-123"]).status == .unauthorized)
            #expect(try await client.get("/", headers: [.cookie: "a=b; dj_token=tok-123"]).status == .ok)
            #expect(try await client.get("/", headers: [.cookie: "dj_token=nope"]).status == .unauthorized)

            let login = try await client.get("/schemas/web_lab?token=tok-123")
            #expect(login.status == .ok)
            #expect(login.headers[.setCookie] == "dj_token=tok-123; Path=/; HttpOnly; SameSite=Strict")
            #expect(login.body.contains("WvStats"))
            #expect(try await client.get("/?token=wrong").status == .unauthorized)

            #expect(try await client.send("/", method: .post).status == .unauthorized)
            let post = try await client.send("/", method: .post, headers: [.authorization: "Bearer tok-123"])
            #expect(post.status == .methodNotAllowed)
        }
    }

    @Test("unknown schemas, tables and addresses are 404 with a message; only GET and HEAD are answered",
          arguments: TestBackend.all)
    func notFoundAndReadOnly(backend: TestBackend) async throws {
        try await Self.withView(backend) { lab, client in
            let schema = try await client.get("/schemas/nope")
            #expect(schema.status == .notFound)
            #expect(schema.body.contains("schema `nope` is not shown here"))
            let table = try await client.get("/schemas/web_lab/tables/NoSuch")
            #expect(table.status == .notFound)
            #expect(table.body.contains("NoSuch"))
            for path in ["/api/schemas/nope", "/api/schemas/web_lab/tables/NoSuch", "/api/schemas/web_lab/tables/NoSuch/rows",
                         "/api/schemas/nope/jobs", "/schemas/nope/jobs"] {
                let response = try await client.get(path)
                #expect(response.status == .notFound, "\(path)")
            }
            #expect(try await client.get("/api/schemas/nope").json()["error"]?["kind"] == "missingTable")
            let page = try await client.get("/no/such/page")
            #expect(page.status == .notFound)
            #expect(page.body.contains("there is no page at this address"))
            #expect(try await client.get("/api/nothing").json()["error"]?["kind"] == "notFound")

            for method in [HTTPRequest.Method.post, .put, .delete, .patch] {
                for path in ["/", "/api/schemas", "/schemas/web_lab/tables/WvSubject", "/no/such/page"] {
                    let response = try await client.send(path, method: method)
                    #expect(response.status == .methodNotAllowed, "\(method) \(path)")
                    #expect(response.headers[.allow] == "GET, HEAD")
                }
            }
            #expect(try await lab.table("wv_subject").count() == 3)
            let head = try await client.send("/schemas/web_lab", method: .head)
            #expect(head.status == .ok && head.body.isEmpty)
            #expect(try await client.send("/api/schemas/web_lab/jobs", method: .head).status == .ok)
        }
    }

    @Test("a host other than loopback is refused without a token")
    func hostNeedsToken() async throws {
        let db = try await TestDatabase.connect()
        for host in ["0.0.0.0", "192.168.1.5", "::", "example.org"] {
            #expect(throws: DataJointError.self, "\(host)") {
                try PipelineWebServer(connection: db, configuration: .init(host: host))
            }
            #expect(throws: DataJointError.self, "\(host) with an empty token") {
                try PipelineWebServer(connection: db, configuration: .init(host: host, token: ""))
            }
            _ = try PipelineWebServer(connection: db, configuration: .init(host: host, token: "secret"))
        }
        do {
            _ = try PipelineWebServer(connection: db, configuration: .init(host: "0.0.0.0"))
        } catch let error as DataJointError {
            #expect(error.kind == .configuration)
            #expect(error.message.contains("--token") && error.message.contains("DJ_SERVE_TOKEN"))
        }
        for host in ["127.0.0.1", "127.0.0.2", "localhost", "::1"] {
            _ = try PipelineWebServer(connection: db, configuration: .init(host: host))
        }
        #expect(throws: DataJointError.self) { try PipelineWebServer(connection: db, configuration: .init(port: 70000)) }
        try await db.close()
    }

    @Test("dj serve shows the program's schemas on a loopback port, prints the address, takes DJ_SERVE_TOKEN, and stops on SIGTERM",
          arguments: TestBackend.all)
    func serveCommand(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let demo = try await DJTool.demo(for: backend)
            defer { demo.remove() }
            let (directory, environment) = (demo.directory, demo.environment)

            let refused = try await DJTool.run(["serve", "--host", "0.0.0.0"], in: directory, environment: environment)
            #expect(refused.status == 1)
            #expect(refused.errors.contains("refusing to serve on `0.0.0.0` without a token"), "\(refused.errors)")
            let missing = try await DJTool.run(["serve", "--schema", "nope"], in: directory, environment: environment)
            #expect(missing.status == 1)
            #expect(missing.errors.contains("schema `nope` does not exist"), "\(missing.errors)")

            // The token may come from DJ_SERVE_TOKEN.
            var serving = environment
            serving["DJ_SERVE_TOKEN"] = "env-token"
            let server = try DJTool.start(["serve", "--port", "0"], in: directory, environment: serving)
            var url: String?
            for _ in 0..<600 where url == nil {
                try await Task.sleep(for: .milliseconds(100))
                url = server.outputSoFar().split(separator: " ").first { $0.hasPrefix("http://127.0.0.1:") }.map(String.init)
            }
            guard let url else {
                kill(server.pid, SIGKILL)
                Issue.record("dj serve printed no address: \(server.outputSoFar()) \(try await server.wait().errors)")
                return
            }
            #expect(server.outputSoFar().hasPrefix("Serving demo at http://127.0.0.1:"))
            let session = URLSession(configuration: .ephemeral)
            let (_, denied) = try await session.data(from: URL(string: url + "api/schemas/demo")!)
            #expect((denied as? HTTPURLResponse)?.statusCode == 401)
            var request = URLRequest(url: URL(string: url + "api/schemas/demo")!)
            request.setValue("Bearer env-token", forHTTPHeaderField: "Authorization")
            let (data, response) = try await session.data(for: request)
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
            let overview = try JSON(parsing: String(decoding: data, as: UTF8.self))
            #expect(overview["tables"]?.elements.map { $0["className"] }.contains("SessionStats") == true)
            let (page, _) = try await session.data(from: URL(string: url + "schemas/demo/jobs?token=env-token")!)
            #expect(String(decoding: page, as: UTF8.self).contains("SessionStats"))
            session.invalidateAndCancel()
            kill(server.pid, SIGTERM)
            let end = try await server.wait()
            #expect(end.status == 0, "\(end.errors)")
            #expect(String(decoding: end.output, as: UTF8.self).hasSuffix("Stopped.\n"))
        }
    }
}
