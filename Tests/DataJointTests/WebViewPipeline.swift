import DataJoint
import DataJointWeb
import Foundation
import Hummingbird
import HummingbirdTesting

/// A small pipeline for the web view tests: subjects (one named like a script, a table comment full of markup
/// characters, a blob column), sessions with a part table of trials, and a computed table whose make fails for
/// session 2, so that its jobs queue holds an error.
enum WebViewPipeline {
    static let schemaName = "web_lab"

    struct WvSubject: Manual {
        static let definition = """
            # animals <b>&"'
            subject_id : int32
            ---
            name : varchar(60)   # the animal's name
            photo = null : <blob>
            """
    }

    struct WvSession: Manual {
        static let definition = """
            # recording sessions
            -> WvSubject
            session_idx : int16
            ---
            note = "" : varchar(100)
            """
        static var parts: [any Part.Type] { [Trial.self] }

        struct Trial: Part {
            static let definition = """
                -> master
                trial : int16
                ---
                response : float64
                """
        }
    }

    struct WvStats: Computed {
        static let definition = """
            # trials per session
            -> WvSession
            ---
            n_trials : int32
            """

        static func make(_ key: Row, _ ctx: MakeContext) async throws {
            if key["session_idx"] == .int(2) { throw DataJointError(.invalidValue, "session 2 has <bad> data & more") }
            let trials = try await (ctx[WvSession.Trial.self] & key).count()
            try await ctx.insert1(key + ["n_trials": trials])
        }
    }

    static let tables: [any UserTable.Type] = [WvSubject.self, WvSession.self, WvStats.self]

    /// Declares and fills the pipeline: 3 subjects, 6 sessions (subject 1 has sessions 1...4), trials, and the stats
    /// populated through the jobs queue (session 2 fails).
    static func make(_ db: Connection) async throws -> Schema {
        let lab = try await db.schema(schemaName, tables: tables)
        try await lab[WvSubject.self].insert([
            ["subject_id": 1, "name": "Mickey"],
            ["subject_id": 2, "name": "<script>alert(1)</script>"],
            ["subject_id": 3, "name": "Minnie"],
        ])
        var sessions: [Row] = []
        var trials: [Row] = []
        for (subject, index) in [(1, 1), (1, 2), (1, 3), (1, 4), (2, 1), (3, 1)] {
            sessions.append(["subject_id": subject, "session_idx": index, "note": "s\(subject)-\(index)"])
            for trial in 1...index {
                let response = Double(trial) / 2
                trials.append(["subject_id": subject, "session_idx": index, "trial": trial, "response": response])
            }
        }
        try await lab[WvSession.self].insert(sessions)
        try await lab[WvSession.Trial.self].insert(trials)
        _ = try await lab[WvStats.self].populate(suppressErrors: true, reserveJobs: true)
        return lab
    }
}

extension Schema {
    /// The schema of the same name on a new read-only connection to the test's database (as `dj serve` reads).
    func readOnly() async throws -> Schema {
        try await TestDatabase.connect(readOnly: true).schema(name, tables: [], create: false)
    }
}

/// A response of the web view, with its body as text.
struct WebResponse {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let body: String

    init(_ response: TestResponse) {
        status = response.status
        headers = response.headers
        body = String(buffer: response.body)
    }

    /// The body as JSON.
    func json() throws -> JSON { try JSON(parsing: body) }
}

extension PipelineWebServer {
    /// Runs `body` with a client of this server's router (no socket).
    func withClient(_ body: @Sendable (WebClient) async throws -> Void) async throws {
        try await makeApplication().test(.router) { client in try await body(WebClient(client: client)) }
    }
}

/// Sends requests to a web view under test.
struct WebClient: Sendable {
    let client: any TestClientProtocol

    func get(_ uri: String, headers: HTTPFields = [:]) async throws -> WebResponse {
        try await send(uri, method: .get, headers: headers)
    }

    func send(_ uri: String, method: HTTPRequest.Method, headers: HTTPFields = [:]) async throws -> WebResponse {
        WebResponse(try await client.executeRequest(uri: uri, method: method, headers: headers, body: nil))
    }
}

extension JSON {
    /// The member `key` of an object (nil otherwise).
    subscript(_ key: String) -> JSON? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The element at `index` of an array (nil otherwise).
    subscript(_ index: Int) -> JSON? {
        if case .array(let elements) = self, elements.indices.contains(index) { return elements[index] }
        return nil
    }

    /// The elements of an array (empty otherwise).
    var elements: [JSON] {
        if case .array(let elements) = self { return elements }
        return []
    }
}
