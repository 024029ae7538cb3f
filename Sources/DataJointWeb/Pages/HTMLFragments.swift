import DataJoint

/// Pieces that several pages share: bordered tables, error boxes, cells of values, links to tables.
enum HTMLFragments {
    /// A bordered table with a header row. Cells are markup (escape text with `"\(text)"`).
    static func table(header: [HTML], rows: [[HTML]], headerClasses: [String?] = []) -> HTML {
        let head = header.enumerated().map { index, title -> HTML in
            let cls = index < headerClasses.count ? headerClasses[index] : nil
            return cls.map { "<th class=\"\($0)\">\(title)</th>" } ?? "<th>\(title)</th>"
        }
        let body = rows.map { cells -> HTML in "<tr>\(cells)</tr>\n" }
        return "<table><thead><tr>\(head)</tr></thead><tbody>\n\(body)</tbody></table>"
    }

    /// A cell of text.
    static func cell(_ text: String, class cls: String? = nil) -> HTML {
        cls.map { "<td class=\"\($0)\">\(text)</td>" } ?? "<td>\(text)</td>"
    }

    /// A cell of a number, right-aligned.
    static func number(_ value: Int) -> HTML {
        "<td class=\"num\">\(value)</td>"
    }

    /// A cell of a query result: NULL in grey, numbers right-aligned, text as it is, arrays and objects as JSON.
    static func value(_ json: JSON, key: Bool = false) -> HTML {
        let keyClass = key ? " key" : ""
        switch json {
        case .null: return "<td class=\"cell null\(keyClass)\">NULL</td>"
        case .int(let number): return "<td class=\"cell num\(keyClass)\">\(String(number))</td>"
        case .double(let number): return "<td class=\"cell num\(keyClass)\">\(String(number))</td>"
        case .bool(let flag): return "<td class=\"cell\(keyClass)\">\(flag ? "true" : "false")</td>"
        case .string(let text): return "<td class=\"cell\(keyClass)\">\(text)</td>"
        case .array, .object: return "<td class=\"cell\(keyClass)\">\(json.encodedText())</td>"
        }
    }

    /// A box with an error message, kept as written (line breaks and the caret under the position).
    static func error(_ message: String) -> HTML {
        "<div class=\"error\" role=\"alert\">\(message)</div>"
    }

    /// The message of an error: a DataJointError's own, or the error's description.
    static func message(of error: any Error) -> String {
        (error as? DataJointError)?.message ?? "\(error)"
    }

    /// A link to the page of a table named `schema.table`, shown by class name (`Session.Trial`, or
    /// `other.Subject` for a table of another schema than `home`).
    static func tableLink(qualified name: String, home: String) -> HTML {
        let (schema, table) = WebPaths.split(qualified: name)
        let className = SQLTableName(schema: schema, table: table).className(relativeTo: home)
        return "<a href=\"\(WebPaths.table(schema, table))\">\(className)</a>"
    }

    /// Links to tables named `schema.table`, comma-separated, or a dash when there are none.
    static func tableLinks(_ names: [String], home: String) -> HTML {
        guard !names.isEmpty else { return "<span class=\"muted\">none</span>" }
        let links = names.map { tableLink(qualified: $0, home: home) }
        return links.enumerated().map { index, link -> HTML in index == 0 ? link : ", \(link)" }.joined()
    }
}
