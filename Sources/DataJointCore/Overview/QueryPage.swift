/// One page of a query's rows, as the front-ends show it: columns, rows as JSON, and how many rows there are in all.
///
/// Large values (`<blob>`, `<attach>`, object and array codecs, bytes) are not fetched: their cells hold a
/// placeholder such as `"=<blob>="`, as DataJoint-Python's preview shows them.
public struct QueryPage: Sendable, Hashable, Codable {
    /// One column of the result.
    public struct Column: Sendable, Hashable, Codable {
        public var name: String
        /// The declared type.
        public var type: String
        public var inPrimaryKey: Bool
        /// True when the cells hold a placeholder instead of the value.
        public var placeholder: Bool
    }

    public var columns: [Column]
    /// The rows, each in column order.
    public var rows: [[JSON]]
    /// The number of rows of the whole query.
    public var total: Int
    public var offset: Int
    public var limit: Int
    /// True when rows exist past this page.
    public var truncated: Bool

    /// The rows as objects keyed by column name.
    public var objects: [[String: JSON]] {
        rows.map { Dictionary(uniqueKeysWithValues: zip(columns.map(\.name), $0)) }
    }
}

extension Attribute {
    /// True for values that a page shows as a placeholder: codecs, bytes and native blobs.
    var isShownAsPlaceholder: Bool {
        switch type {
        case .codec, .bytes, .native(_, .blob): true
        default: false
        }
    }
}

extension QueryConvertible {
    /// The rows `offset ..< offset + limit` of the query, ordered by `orderBy` (attribute names, each optionally
    /// followed by `ASC` or `DESC`, or `KEY`; default: the primary key), and the total row count.
    ///
    /// The orderings are checked against the heading, so that text from a web page or an agent never reaches the
    /// database as SQL.
    public func page(limit: Int, offset: Int = 0, orderBy: [String] = []) async throws -> QueryPage {
        guard limit >= 0, offset >= 0 else {
            throw DataJointError(.invalidValue, "a page needs a limit and an offset of 0 or more (got \(limit), \(offset))")
        }
        let query = try await queryExpression()
        let heading = try await query.heading()
        let orderings = try orderBy.map { try Self.checkedOrdering($0, heading: heading) }
        let shown = heading.attributes.filter { !$0.isShownAsPlaceholder }.map(\.name)
        let fetched = shown.count == heading.attributes.count ? query : query.proj(shown)
        let rows = limit == 0 ? [] : try await fetched.toDicts(orderBy: orderings.isEmpty ? ["KEY"] : orderings, limit: limit, offset: offset)
        let total = try await query.count()
        let columns = heading.attributes.map {
            QueryPage.Column(name: $0.name, type: $0.typeText, inPrimaryKey: $0.inPrimaryKey, placeholder: $0.isShownAsPlaceholder)
        }
        let cells = rows.map { row in
            columns.map { column in
                column.placeholder ? JSON.string("=\(column.type)=") : (row[column.name]?.jsonValue ?? .null)
            }
        }
        return QueryPage(
            columns: columns, rows: cells, total: total, offset: offset, limit: limit,
            truncated: offset + cells.count < total)
    }

    /// `name`, `name ASC`, `name DESC` or `KEY`, with `name` an attribute of `heading`.
    static func checkedOrdering(_ text: String, heading: Heading) throws -> String {
        let words = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard let name = words.first, words.count <= 2 else {
            throw DataJointError(.invalidValue, "an ordering is an attribute name, optionally followed by ASC or DESC (got `\(text)`)")
        }
        if words.count == 2, !["ASC", "DESC"].contains(words[1].uppercased()) {
            throw DataJointError(.invalidValue, "an ordering ends in ASC or DESC, not `\(words[1])` (in `\(text)`)")
        }
        guard name == "KEY" || heading.contains(name) else {
            throw DataJointError(
                .missingAttribute,
                "cannot order by `\(name)`: the result has attributes \(heading.names.joined(separator: ", "))")
        }
        return words.count == 2 ? "\(name) \(words[1].uppercased())" : name
    }
}
