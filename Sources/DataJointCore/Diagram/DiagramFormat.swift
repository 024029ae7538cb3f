/// A file format a ``Diagram`` can be written in.
public enum DiagramFormat: String, Sendable, Hashable, CaseIterable {
    /// Scalable vector graphics, rendered by Graphviz.
    case svg
    /// A PNG image, rendered by Graphviz.
    case png
    /// Graphviz's DOT language (no Graphviz needed).
    case dot
    /// A Mermaid flowchart (no Graphviz needed).
    case mermaid

    /// The format a file name's extension names: `.svg`, `.png`, `.dot` or `.gv`, `.mmd` or `.mermaid`.
    public init?(fileExtension: String) {
        switch fileExtension.lowercased() {
        case "svg": self = .svg
        case "png": self = .png
        case "dot", "gv": self = .dot
        case "mmd", "mermaid": self = .mermaid
        default: return nil
        }
    }

    /// True for the formats that need Graphviz's `dot` program.
    public var needsGraphviz: Bool { self == .svg || self == .png }
}
