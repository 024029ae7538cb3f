import Foundation

extension Value {
    /// The value as JSON, for the front-ends (web view, MCP server, `dj query --format json`): numbers and text as
    /// themselves, dates as ISO text, decimals as their exact text, bytes and codec values (blobs, arrays, objects)
    /// as a short description, since their content is not meant to be shown in a page or an agent's context.
    public var jsonValue: JSON {
        switch self {
        case .null: .null
        case .bool(let b): .bool(b)
        case .int(let i): .int(i)
        case .double(let d): d.isFinite ? .double(d) : .string(Value.formatDouble(d))
        case .decimal(let d): .string(d.description)
        case .string(let s): .string(s)
        case .bytes(let data): .string("<\(data.count) bytes>")
        case .date(let d): .string(d.description)
        case .datetime(let d): .string(d.description)
        case .uuid(let u): .string(u.uuidString.lowercased())
        case .json(let j): j
        case .custom(let c): .string(c.description)
        }
    }
}

extension JSON {
    /// Compact JSON text of the document, keys sorted.
    public func encodedText(pretty: Bool = false) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(self), as: UTF8.self)) ?? "null"
    }
}

/// Encodes a front-end result (`SchemaOverview`, `QueryPage`, ...) as JSON text with sorted keys.
public func frontEndJSON(_ value: some Encodable, pretty: Bool = false) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
    do {
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    } catch {
        throw DataJointError(.codec, "could not encode a result as JSON: \(error)")
    }
}
