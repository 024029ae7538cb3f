import DataJoint
import Foundation

/// A request for one page of rows: `limit`, `offset`, `order_by` (attribute names with `ASC`/`DESC`, comma-separated
/// or repeated) and `q` (query text).
struct RowsRequest: Sendable, Equatable {
    var limit: Int
    var offset: Int
    /// The orderings as given; `QueryConvertible.page(limit:offset:orderBy:)` checks them against the
    /// heading.
    var orderBy: [String]
    /// Query text to evaluate instead of the table; nil for the table itself.
    var queryText: String?

    /// The page that `parameters` ask for.
    ///
    /// - Throws: `DataJointError` `.invalidValue` for a limit or offset that is not a number in range.
    init(_ parameters: QueryParameters, configuration: WebServerConfiguration) throws {
        limit = try Self.number(parameters["limit"], name: "limit", default: configuration.pageSize)
        guard limit <= configuration.maximumPageSize else {
            throw DataJointError(
                .invalidValue, "`limit` may be at most \(configuration.maximumPageSize) rows (got \(limit))")
        }
        offset = try Self.number(parameters["offset"], name: "offset", default: 0)
        orderBy = parameters.all("order_by")
            .flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        let text = parameters["q"]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        queryText = text.isEmpty ? nil : text
    }

    /// The first page of the query text in `parameters`: what a page shows when the other parameters are wrong.
    static func fallback(_ parameters: QueryParameters, configuration: WebServerConfiguration) -> RowsRequest {
        let text = parameters["q"]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return RowsRequest(limit: configuration.pageSize, offset: 0, orderBy: [], queryText: text.isEmpty ? nil : text)
    }

    init(limit: Int, offset: Int, orderBy: [String], queryText: String?) {
        self.limit = limit
        self.offset = offset
        self.orderBy = orderBy
        self.queryText = queryText
    }

    private static func number(_ text: String?, name: String, default value: Int) throws -> Int {
        guard let text, !text.isEmpty else { return value }
        guard let number = Int(text), number >= 0 else {
            throw DataJointError(.invalidValue, "`\(name)` must be a whole number of 0 or more (got `\(text)`)")
        }
        return number
    }
}
