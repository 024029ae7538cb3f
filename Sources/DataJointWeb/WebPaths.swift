/// The addresses of the web view's pages and of the JSON API behind them, with names percent-encoded.
///
/// Pages: `/`, `/schemas/S`, `/schemas/S/tables/T`, `/schemas/S/jobs`. API: `/api/schemas`, `/api/schemas/S`,
/// `/api/schemas/S/tables/T`, `/api/schemas/S/tables/T/rows`, `/api/schemas/S/jobs`, `/api/schemas/S/diagram.svg`.
enum WebPaths {
    static let home = "/"
    static let apiSchemas = "/api/schemas"

    static func schema(_ schema: String) -> String { "/schemas/\(segment(schema))" }
    static func table(_ schema: String, _ table: String, _ parameters: [(String, String)] = []) -> String {
        "/schemas/\(segment(schema))/tables/\(segment(table))" + query(parameters)
    }
    static func jobs(_ schema: String) -> String { "/schemas/\(segment(schema))/jobs" }

    static func apiSchema(_ schema: String) -> String { "/api/schemas/\(segment(schema))" }
    static func apiTable(_ schema: String, _ table: String) -> String {
        "/api/schemas/\(segment(schema))/tables/\(segment(table))"
    }
    static func apiRows(_ schema: String, _ table: String, _ parameters: [(String, String)] = []) -> String {
        apiTable(schema, table) + "/rows" + query(parameters)
    }
    static func apiJobs(_ schema: String) -> String { "/api/schemas/\(segment(schema))/jobs" }
    static func apiDiagram(_ schema: String) -> String { "/api/schemas/\(segment(schema))/diagram.svg" }

    /// The page of a table named `schema.table`, as `TableDetails` names neighbours.
    static func table(qualified name: String) -> String {
        let (schema, table) = split(qualified: name)
        return self.table(schema, table)
    }

    /// `schema.table` split at its first dot.
    static func split(qualified name: String) -> (schema: String, table: String) {
        guard let dot = name.firstIndex(of: ".") else { return ("", name) }
        return (String(name[..<dot]), String(name[name.index(after: dot)...]))
    }

    private static func segment(_ name: String) -> String { QueryParameters.component(name) }

    private static func query(_ parameters: [(String, String)]) -> String {
        parameters.isEmpty ? "" : "?" + QueryParameters.encode(parameters)
    }
}
