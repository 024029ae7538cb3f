import DataJoint
import Foundation
import MCP

/// The results of tool calls: a JSON document or text as one text content, or an error result whose text is the
/// error's message (the tool's own failures, not the protocol's, so that the agent reads them and tries again).
enum ToolResult {
    /// A JSON document as compact text with sorted keys.
    static func json(_ document: JSON) -> CallTool.Result {
        text(document.encodedText())
    }

    /// Plain text.
    static func text(_ text: String) -> CallTool.Result {
        CallTool.Result(content: [.text(text: text, annotations: nil, _meta: nil)], isError: false)
    }

    /// The failure of a call: a `DataJointError`'s kind and message (query text errors point at the position with a
    /// caret line), or any other error's description.
    static func failure(_ error: any Error) -> CallTool.Result {
        let message =
            if let error = error as? DataJointError {
                "error (\(error.kind.rawValue)): \(error.message)"
            } else {
                "error: \(error)"
            }
        return CallTool.Result(
            content: [.text(text: ResultSizing.capped(message, at: ResultSizing.definitionLength), annotations: nil, _meta: nil)],
            isError: true)
    }

    /// A core front-end value (`TableOverview`, `TableDetails`, `JobsOverview`, ...) as a JSON object.
    static func object(_ value: some Encodable) throws -> [String: JSON] {
        guard case .object(let object) = try JSON(parsing: frontEndJSON(value)) else {
            throw DataJointError(.codec, "\(type(of: value)) is not encoded as a JSON object")
        }
        return object
    }
}
