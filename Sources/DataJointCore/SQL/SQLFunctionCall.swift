/// A function call found in a `SQLFragment`: token indices of its name, its parentheses and its arguments.
package struct SQLFunctionCall: Sendable, Hashable {
    package var nameIndex: Int
    package var openIndex: Int
    package var closeIndex: Int
    /// The token ranges of the arguments, split at top-level commas, with their whitespace. `f()` has one empty
    /// argument range.
    package var arguments: [Range<Int>]
}

/// A function call handed to a rewriting closure, its arguments already rewritten.
package struct SQLCall: Sendable, Hashable {
    /// The function name as written.
    package var name: String
    /// What was written between the name and `(` (usually nothing).
    package var gap: String
    /// The argument texts as written between the commas, whitespace included. `f()` has one empty argument.
    package var arguments: [String]

    package init(name: String, gap: String = "", arguments: [String]) {
        self.name = name
        self.gap = gap
        self.arguments = arguments
    }

    /// The function name in upper case, for case-insensitive matching.
    package var uppercasedName: String { name.uppercased() }
    /// The arguments without surrounding whitespace; empty for a call without arguments (`NOW()`).
    package var trimmedArguments: [String] {
        if arguments.count == 1, arguments[0].trimmedSQL.isEmpty { return [] }
        return arguments.map(\.trimmedSQL)
    }
    /// The text of the argument list between the parentheses.
    package var argumentText: String { arguments.joined(separator: ",") }
    /// The call as written (with its arguments rewritten).
    package var text: String { name + gap + "(" + argumentText + ")" }

    /// The call with another name and the same arguments, spaced as written.
    package func renamed(_ newName: String) -> String { newName + gap + "(" + argumentText + ")" }
}
