import Foundation

extension Diagram {
    /// The diagram as an SVG document, rendered by Graphviz's `dot` program (see ``Graphviz``).
    ///
    /// With the `auto` theme (the default of `display.diagram_theme`) the SVG is drawn in light colours and carries a
    /// style block that switches it to the dark colours when the viewer prefers a dark colour scheme.
    ///
    /// - Throws: ``DataJointError`` of kind `.configuration` when Graphviz is not installed (its message says how to
    ///   install it).
    public func svg(
        direction: DiagramDirection? = nil, theme: DiagramTheme? = nil, graphviz: Graphviz = Graphviz()
    ) async throws -> String {
        let theme = theme ?? connection.settings.diagramTheme
        let data = try await graphviz.render(dot(direction: direction, theme: theme), format: "svg")
        let svg = String(decoding: data, as: UTF8.self)
        guard theme == .auto, let start = svg.range(of: "<svg"), let end = svg[start.upperBound...].firstIndex(of: ">")
        else { return svg }
        let insertion = svg.index(after: end)
        return String(svg[..<insertion]) + "\n" + DiagramPalette.adaptiveStyleBlock() + String(svg[insertion...])
    }

    /// The diagram as a PNG image, rendered by Graphviz's `dot` program (see ``Graphviz``). The `auto` theme draws in
    /// light colours.
    ///
    /// - Throws: ``DataJointError`` of kind `.configuration` when Graphviz is not installed.
    public func png(
        direction: DiagramDirection? = nil, theme: DiagramTheme? = nil, graphviz: Graphviz = Graphviz()
    ) async throws -> Data {
        try await graphviz.render(dot(direction: direction, theme: theme), format: "png")
    }

    /// The diagram written in a format: SVG and PNG rendered by Graphviz, DOT and Mermaid as text.
    public func rendered(
        as format: DiagramFormat, direction: DiagramDirection? = nil, theme: DiagramTheme? = nil,
        graphviz: Graphviz = Graphviz()
    ) async throws -> Data {
        switch format {
        case .svg: Data(try await svg(direction: direction, theme: theme, graphviz: graphviz).utf8)
        case .png: try await png(direction: direction, theme: theme, graphviz: graphviz)
        case .dot: Data(dot(direction: direction, theme: theme).utf8)
        case .mermaid: Data(mermaid(direction: direction, theme: theme).utf8)
        }
    }

    /// Writes the diagram to a file, in `format` or the format its extension names (`.svg`, `.png`, `.dot`/`.gv`,
    /// `.mmd`/`.mermaid`).
    ///
    /// The diagram is rendered before the file is opened: when rendering fails (Graphviz missing, say) no file is
    /// written.
    public func save(
        to url: URL, format: DiagramFormat? = nil, direction: DiagramDirection? = nil, theme: DiagramTheme? = nil,
        graphviz: Graphviz = Graphviz()
    ) async throws {
        guard let format = format ?? DiagramFormat(fileExtension: url.pathExtension) else {
            throw DataJointError(
                .invalidValue,
                "Cannot tell the diagram format from the file name \(url.lastPathComponent): use the extension .svg, "
                    + ".png, .dot, .gv, .mmd or .mermaid, or pass format:")
        }
        let data = try await rendered(as: format, direction: direction, theme: theme, graphviz: graphviz)
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw DataJointError(.invalidValue, "Cannot write the diagram to \(url.path): \(error.localizedDescription)", underlying: error)
        }
    }

    /// Writes the diagram to the file at `path`, in `format` or the format its extension names (as `save(to:)` with a
    /// `URL`).
    public func save(
        to path: String, format: DiagramFormat? = nil, direction: DiagramDirection? = nil, theme: DiagramTheme? = nil,
        graphviz: Graphviz = Graphviz()
    ) async throws {
        try await save(
            to: URL(fileURLWithPath: path), format: format, direction: direction, theme: theme, graphviz: graphviz)
    }
}
