import DataJoint

/// How large the tool results may grow, so that they fit an agent's context: lists carry their limit, their total
/// and whether they were cut; long text is cut at a stated length.
enum ResultSizing {
    /// Rows a query returns when no limit is given, and the most it may ask for.
    static let defaultRows = 50
    static let maxRows = 1000
    /// Rows a table preview returns when no limit is given.
    static let previewRows = 12
    /// Schemas and tables listed at most.
    static let maxListItems = 500
    /// Keys a populate restriction may match.
    static let maxRestrictionKeys = 10000
    /// Failed jobs shown per table by default, and the most that may be asked for.
    static let defaultErrors = 10
    static let maxErrors = 100
    /// Characters kept of a table definition, an error stack, an error message, a text cell, a diagram.
    static let definitionLength = 8000
    static let stackLength = 2000
    static let messageLength = 1000
    static let cellLength = 500
    static let diagramLength = 20000

    /// `text`, or its first `length` characters followed by a note of how long it was.
    static func capped(_ text: String, at length: Int) -> String {
        guard text.count > length else { return text }
        return String(text.prefix(length)) + "… [cut at \(length) of \(text.count) characters]"
    }

    /// A JSON text value cut at `length` characters; other values as they are.
    static func capped(_ value: JSON, at length: Int) -> JSON {
        guard case .string(let text) = value else { return value }
        return .string(capped(text, at: length))
    }

    /// An object with the first `limit` items under `key`, the number of items in all, the limit and whether items
    /// were left out.
    static func list(_ items: [JSON], under key: String, limit: Int = maxListItems) -> [String: JSON] {
        [
            key: .array(Array(items.prefix(limit))),
            "total": .int(Int64(items.count)),
            "limit": .int(Int64(limit)),
            "truncated": .bool(items.count > limit),
        ]
    }

    /// A page of rows as an agent reads it: columns, rows as objects keyed by column (text cut at
    /// ``ResultSizing/cellLength``), the total and whether rows were left out.
    static func sized(_ page: QueryPage) -> [String: JSON] {
        let columns: [JSON] = page.columns.map {
            [
                "name": .string($0.name), "type": .string($0.type), "inPrimaryKey": .bool($0.inPrimaryKey),
                "placeholder": .bool($0.placeholder),
            ]
        }
        let rows: [JSON] = page.objects.map { row in
            .object(row.mapValues { capped($0, at: cellLength) })
        }
        return [
            "columns": .array(columns), "rows": .array(rows), "total": .int(Int64(page.total)),
            "offset": .int(Int64(page.offset)), "limit": .int(Int64(page.limit)), "truncated": .bool(page.truncated),
        ]
    }

    /// A jobs overview with its error messages and stacks cut to size, and the error limit and whether errors were
    /// left out.
    static func sized(_ overview: JobsOverview, errorLimit: Int) throws -> [String: JSON] {
        var sized = overview
        sized.errors = overview.errors.map { failure in
            var failure = failure
            failure.message = capped(failure.message, at: messageLength)
            failure.stack = failure.stack.map { capped($0, at: stackLength) }
            return failure
        }
        var result = try ToolResult.object(sized)
        result["errorLimit"] = .int(Int64(errorLimit))
        result["errorsTruncated"] = .bool(overview.errorCount > overview.errors.count)
        return result
    }

    /// A table's details with its definition cut at ``definitionLength``.
    static func sized(_ details: TableDetails) throws -> [String: JSON] {
        var sized = details
        sized.definition = capped(details.definition, at: definitionLength)
        return try ToolResult.object(sized)
    }

    /// What a populate call did: counts, the keys still to compute, and the first failures with their messages cut
    /// to size.
    static func sized(_ report: PopulateReport, of table: SQLTableName, remaining: Int) -> [String: JSON] {
        let failures = report.errors.map { failure -> JSON in
            var key: [String: JSON] = [:]
            for (attribute, value) in failure.key { key[attribute] = value.jsonValue }
            return ["key": .object(key), "message": .string(capped(failure.message, at: messageLength))]
        }
        var result = list(failures, under: "errors", limit: defaultErrors)
        result["table"] = .string(table.description)
        result["computed"] = .int(Int64(report.success))
        result["failed"] = .int(Int64(report.error))
        result["skipped"] = .int(Int64(report.skip))
        result["remaining"] = .int(Int64(remaining))
        return result
    }
}
