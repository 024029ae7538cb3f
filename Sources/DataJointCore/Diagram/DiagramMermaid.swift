extension Diagram {
    /// The diagram as a Mermaid flowchart, for Markdown documents, GitHub and https://mermaid.live: a subgraph per
    /// schema, a nested subgraph per master with its parts, a class per tier and a `linkStyle` per edge. Needs no
    /// Graphviz.
    ///
    /// - Parameters:
    ///   - direction: `flowchart TB` or `flowchart LR`; by default `display.diagram_direction` of the connection's
    ///     settings.
    ///   - theme: the colours; by default `display.diagram_theme` (`auto` writes the light colours and leaves dark
    ///     mode to the Mermaid host's theme).
    public func mermaid(direction: DiagramDirection? = nil, theme: DiagramTheme? = nil) -> String {
        drawing().mermaid(
            direction: direction ?? connection.settings.diagramDirection, theme: theme ?? connection.settings.diagramTheme)
    }
}

extension DiagramDrawing {
    /// The drawing as a Mermaid flowchart, in the shape DataJoint-Python 2.3.5 writes (`make_mermaid`).
    ///
    /// Mermaid has no underline, so a table that introduces a new dimension looks like any other. Edge width encodes
    /// cardinality (2px one-to-one, 1px one-to-many), renamed foreign keys are amber, and secondary foreign keys are
    /// dashed as in the Graphviz drawing.
    public func mermaid(direction: DiagramDirection = .leftToRight, theme: DiagramTheme = .light) -> String {
        let palette = theme.palette
        var names = MermaidNames()
        for node in nodes { names.claim(node.id) }
        var lines = ["flowchart \(direction.rawValue)", ""]
        for nodeClass in [DiagramNodeClass.manual, .lookup, .computed, .imported, .part, .other, .collapsed] {
            let colors = palette.colors(nodeClass)
            lines.append("    classDef \(nodeClass.rawValue) fill:\(colors.fill),stroke:\(colors.stroke),color:\(colors.text)")
        }
        lines.append("")
        for cluster in clusters {
            let name = names.claim("\u{0}schema\u{0}" + cluster.schema, preferring: cluster.schema)
            lines.append("    subgraph \(name)[\(Mermaid.quoted(cluster.label))]")
            for member in cluster.members {
                switch member {
                case .node(let id):
                    lines.append("        " + nodeStatement(id, names))
                case .entity(let entity):
                    let name = names.claim("\u{0}entity\u{0}" + entity.master, preferring: "entity_" + entity.master)
                    lines.append("        subgraph \(name)[\" \"]")
                    for id in [entity.master] + entity.parts { lines.append("            " + nodeStatement(id, names)) }
                    lines.append("        end")
                }
            }
            lines.append("    end")
        }
        lines.append("")
        var styles: [String] = []
        for (index, edge) in edges.enumerated() {
            lines.append("    \(names[edge.from]) --> \(names[edge.to])")
            let color = edge.isRenamed ? palette.renamedEdge : palette.edge
            let width = edge.isMultiValued ? "1px" : "2px"
            let dash = edge.isPrimary ? "" : ",stroke-dasharray:4 3"
            styles.append("    linkStyle \(index) stroke:\(color),stroke-width:\(width)\(dash)")
        }
        lines += styles
        return lines.joined(separator: "\n") + "\n"
    }

    private func nodeStatement(_ id: String, _ names: MermaidNames) -> String {
        let node = node(id)!
        let nodeClass = DiagramNodeClass(node.kind)
        let (open, close) = nodeClass.mermaidBrackets
        return "\(names[id])\(open)\(Mermaid.label(node.label))\(close):::\(nodeClass.rawValue)"
    }
}

/// Mermaid identifiers for the nodes and subgraphs of a drawing: letters, digits and underscores, unique across
/// nodes and subgraphs.
private struct MermaidNames {
    private var names: [String: String] = [:]
    private var taken: Set<String> = []

    /// Names `key`, made from `preferring` (the key itself by default).
    @discardableResult
    mutating func claim(_ key: String, preferring: String? = nil) -> String {
        if let name = names[key] { return name }
        var base = String((preferring ?? key).map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
        // `end` closes a subgraph; an identifier must not start with a digit.
        if base.lowercased() == "end" || base.first?.isNumber != false { base = "n_" + base }
        var name = base
        var suffix = 2
        while taken.contains(name) {
            name = "\(base)_\(suffix)"
            suffix += 1
        }
        taken.insert(name)
        names[key] = name
        return name
    }

    subscript(key: String) -> String { names[key]! }
}

/// Spelling of Mermaid text.
private enum Mermaid {
    /// A double-quoted label.
    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\"", with: "#quot;") + "\""
    }

    /// A node label: bare when it is a plain name, quoted otherwise.
    static func label(_ text: String) -> String {
        let plain = !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ".") }
        return plain ? text : quoted(text)
    }
}
