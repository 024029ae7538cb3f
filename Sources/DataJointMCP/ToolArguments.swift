import DataJoint
import Foundation
import MCP

/// The arguments of one tool call, checked against the tool's parameters: unknown names, missing required values,
/// wrong JSON types and numbers out of range are `DataJointError`s of kind `.invalidValue` that say what is expected.
struct ToolArguments: Sendable {
    let tool: PipelineTool
    private let values: [String: MCP.Value]

    init(_ tool: PipelineTool, _ values: [String: MCP.Value]?) throws {
        self.tool = tool
        // A null argument means the argument is left out.
        self.values = (values ?? [:]).filter { !$0.value.isNull }
        let known = tool.parameters.map(\.name)
        if let unknown = self.values.keys.sorted().first(where: { !known.contains($0) }) {
            let expected = known.isEmpty ? "no arguments" : "arguments " + known.map { "`\($0)`" }.joined(separator: ", ")
            throw DataJointError(.invalidValue, "\(tool.name) has no argument `\(unknown)`; it takes \(expected)")
        }
        for parameter in tool.parameters where parameter.required && self.values[parameter.name] == nil {
            throw DataJointError(.invalidValue, "\(tool.name) needs the argument `\(parameter.name)`: \(parameter.description)")
        }
    }

    /// A text argument, nil when left out.
    func string(_ name: String) throws -> String? {
        guard let value = values[name] else { return nil }
        guard let text = value.stringValue else { throw mistyped(name, value, expected: "a string") }
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw DataJointError(.invalidValue, "\(tool.name): `\(name)` is empty")
        }
        return text
    }

    /// A required text argument (its presence is checked on creation).
    func requiredString(_ name: String) throws -> String {
        guard let text = try string(name) else {
            throw DataJointError(.invalidValue, "\(tool.name) needs the argument `\(name)`")
        }
        return text
    }

    /// An integer argument within the parameter's bounds, or its default (nil without one).
    func integer(_ name: String) throws -> Int? {
        guard case .integer(let minimum, let maximum, let defaultValue)? = parameter(name)?.kind else { return nil }
        guard let value = values[name] else { return defaultValue }
        let number: Int
        switch value {
        case .int(let int): number = int
        case .double(let double) where double.rounded() == double && abs(double) < 1e15: number = Int(double)
        default: throw mistyped(name, value, expected: "an integer")
        }
        if let minimum, number < minimum { throw outOfRange(name, number, minimum, maximum) }
        if let maximum, number > maximum { throw outOfRange(name, number, minimum, maximum) }
        return number
    }

    /// A boolean argument, or its default.
    func boolean(_ name: String) throws -> Bool {
        guard case .boolean(let defaultValue)? = parameter(name)?.kind else { return false }
        guard let value = values[name] else { return defaultValue }
        guard let bool = value.boolValue else { throw mistyped(name, value, expected: "true or false") }
        return bool
    }

    /// A list-of-text argument, empty when left out.
    func strings(_ name: String) throws -> [String] {
        guard let value = values[name] else { return [] }
        guard let items = value.arrayValue else { throw mistyped(name, value, expected: "a list of strings") }
        return try items.map { item in
            guard let text = item.stringValue else { throw mistyped(name, value, expected: "a list of strings") }
            return text
        }
    }

    private func parameter(_ name: String) -> ToolParameter? {
        tool.parameters.first { $0.name == name }
    }

    private func mistyped(_ name: String, _ value: MCP.Value, expected: String) -> DataJointError {
        DataJointError(.invalidValue, "\(tool.name): `\(name)` must be \(expected), not \(value)")
    }

    private func outOfRange(_ name: String, _ number: Int, _ minimum: Int?, _ maximum: Int?) -> DataJointError {
        let range =
            switch (minimum, maximum) {
            case let (minimum?, maximum?): "from \(minimum) to \(maximum)"
            case let (minimum?, nil): "\(minimum) or more"
            case let (nil, maximum?): "\(maximum) or less"
            case (nil, nil): "an integer"
            }
        return DataJointError(.invalidValue, "\(tool.name): `\(name)` must be \(range) (got \(number))")
    }
}
