extension Diagram {
    /// The diagram in Graphviz's DOT language, styled as DataJoint-Python 2.3.5 draws it (see ``DiagramDrawing``).
    /// Needs no Graphviz installed; render it with `dot -Tsvg`, or use ``svg(direction:theme:graphviz:)``.
    ///
    /// - Parameters:
    ///   - direction: the layout direction; by default `display.diagram_direction` of the connection's settings.
    ///   - theme: the colours; by default `display.diagram_theme` (`auto` draws in light colours).
    public func dot(direction: DiagramDirection? = nil, theme: DiagramTheme? = nil) -> String {
        drawing().dot(
            direction: direction ?? connection.settings.diagramDirection, theme: theme ?? connection.settings.diagramTheme)
    }
}

extension DiagramDrawing {
    /// The drawing in Graphviz's DOT language: a cluster per schema, a shaded cluster per master with its parts,
    /// nodes styled by tier and edges by kind of foreign key.
    public func dot(direction: DiagramDirection = .leftToRight, theme: DiagramTheme = .light) -> String {
        let palette = theme.palette
        let name = clusters.map(\.schema).joined(separator: ", ")
        var lines = ["digraph \(DOT.quoted(name)) {", "    rankdir=\(direction.rawValue);"]
        if let background = palette.background { lines.append("    bgcolor=\(DOT.quoted(background));") }
        for cluster in clusters {
            lines.append("    subgraph \(DOT.quoted("cluster_" + cluster.schema)) {")
            lines += DOT.attributeStatements([
                ("label", DOT.quoted(cluster.label)), ("labelloc", "t"), ("labeljust", "r"),
                ("style", DOT.quoted("rounded,dashed")), ("color", DOT.quoted(palette.schemaFrame)),
                ("fontcolor", DOT.quoted(palette.schemaLabel)), ("fontname", "Helvetica"),
            ], indent: "        ")
            for member in cluster.members {
                switch member {
                case .node(let id):
                    lines.append("        " + nodeStatement(id, palette))
                case .entity(let entity):
                    lines.append("        subgraph \(DOT.quoted("cluster_entity_" + entity.master)) {")
                    lines += DOT.attributeStatements([
                        ("label", DOT.quoted("")), ("style", DOT.quoted("rounded,filled")),
                        ("fillcolor", DOT.quoted(palette.entityFill)), ("color", DOT.quoted(palette.entityFill)),
                    ], indent: "            ")
                    for id in [entity.master] + entity.parts { lines.append("            " + nodeStatement(id, palette)) }
                    if entity.sameRank.count > 1 {
                        let names = entity.sameRank.map { DOT.quoted($0) + ";" }.joined(separator: " ")
                        lines.append("            { rank=same; \(names) }")
                    }
                    lines.append("        }")
                }
            }
            lines.append("    }")
        }
        for edge in edges { lines.append("    " + edgeStatement(edge, palette)) }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    private func nodeStatement(_ id: String, _ palette: DiagramPalette) -> String {
        let node = node(id)!
        let nodeClass = DiagramNodeClass(node.kind)
        let colors = palette.colors(nodeClass)
        let label = node.introducesDimension ? "<<u>\(DOT.htmlEscaped(node.label))</u>>" : DOT.quoted(node.label)
        let attributes = [
            ("label", label), ("shape", nodeClass.shape),
            ("style", DOT.quoted(nodeClass.isRounded ? "rounded,filled" : "filled")),
            ("fillcolor", DOT.quoted(colors.fill)), ("color", DOT.quoted(colors.stroke)),
            ("fontcolor", DOT.quoted(colors.text)), ("fontname", "Helvetica"), ("fontsize", String(nodeClass.fontSize)),
            ("width", nodeClass.size), ("height", nodeClass.size), ("fixedsize", "false"),
            ("margin", DOT.quoted("0.11,0.06")), ("tooltip", DOT.quoted(DOT.tooltip(node.tooltip))),
        ]
        return DOT.quoted(id) + " " + DOT.attributeList(attributes) + ";"
    }

    private func edgeStatement(_ edge: Edge, _ palette: DiagramPalette) -> String {
        var attributes: [(String, String)]
        if edge.isBundle {
            attributes = [("color", DOT.quoted(palette.edge + palette.edgeAlpha)), ("style", "solid"), ("penwidth", "2"), ("weight", "3")]
        } else {
            // Line weight encodes cardinality only: thin for one-to-many, thick for one-to-one.
            attributes = [
                ("color", DOT.quoted((edge.isRenamed ? palette.renamedEdge : palette.edge) + palette.edgeAlpha)),
                ("style", edge.isPrimary ? "solid" : "dashed"), ("penwidth", edge.isMultiValued ? "0.75" : "2"),
                ("weight", edge.isMultiValued ? "1" : "3"),
            ]
        }
        attributes.append(("arrowhead", "none"))
        if let tooltip = edge.tooltip { attributes.append(("tooltip", DOT.quoted(DOT.tooltip(tooltip)))) }
        return DOT.quoted(edge.from) + " -> " + DOT.quoted(edge.to) + " " + DOT.attributeList(attributes) + ";"
    }
}

/// Spelling of DOT text.
private enum DOT {
    /// A double-quoted DOT string.
    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }

    /// Text for an HTML-like label.
    static func htmlEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    /// A tooltip: lines separated by the carriage-return entity, which SVG viewers show as line breaks.
    static func tooltip(_ text: String) -> String {
        htmlEscaped(text).replacingOccurrences(of: "\n", with: "&#13;")
    }

    static func attributeList(_ attributes: [(String, String)]) -> String {
        "[" + attributes.map { "\($0.0)=\($0.1)" }.joined(separator: ", ") + "]"
    }

    static func attributeStatements(_ attributes: [(String, String)], indent: String) -> [String] {
        attributes.map { "\(indent)\($0.0)=\($0.1);" }
    }
}
