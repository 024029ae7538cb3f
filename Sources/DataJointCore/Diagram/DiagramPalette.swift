/// The colours of a drawing: the light and dark palettes of DataJoint-Python 2.3.5 (`_DIAGRAM_THEMES`).
///
/// The two palettes are collision-free (every light colour has one role), so an SVG drawn in light colours can be
/// switched to dark colours by CSS rules that select elements by their light colour
/// (``adaptiveStyleBlock()``).
struct DiagramPalette: Sendable {
    /// The fill, stroke and text colour of a node.
    struct NodeColors: Sendable {
        let fill: String
        let stroke: String
        let text: String
    }

    /// The canvas colour; nil for Graphviz's white.
    let background: String?
    let nodes: [DiagramNodeClass: NodeColors]
    /// Foreign-key edges.
    let edge: String
    /// Renamed foreign keys (`-> Parent.proj(new='old')`).
    let renamedEdge: String
    /// The alpha (two hex digits) every edge colour carries in Graphviz output.
    let edgeAlpha: String
    /// The dashed frame of a schema cluster.
    let schemaFrame: String
    /// The schema name on its cluster.
    let schemaLabel: String
    /// The shaded background behind a master and its parts.
    let entityFill: String

    func colors(_ nodeClass: DiagramNodeClass) -> NodeColors { nodes[nodeClass]! }

    static let light = DiagramPalette(
        background: nil,
        nodes: [
            .other: NodeColors(fill: "#FFFDE7", stroke: "#C9BC5B", text: "#6B6420"),
            .manual: NodeColors(fill: "#E8F0E9", stroke: "#3E7A52", text: "#28513A"),
            .lookup: NodeColors(fill: "#F0F0F1", stroke: "#808285", text: "#5A5C5F"),
            .computed: NodeColors(fill: "#FFEDE5", stroke: "#FF5113", text: "#B23200"),
            .imported: NodeColors(fill: "#E0F4FC", stroke: "#00A0DF", text: "#00537A"),
            .part: NodeColors(fill: "#FFFFFF", stroke: "#B9BBBE", text: "#55585C"),
            .collapsed: NodeColors(fill: "#EDEEF0", stroke: "#808890", text: "#404040"),
        ],
        edge: "#171C39", renamedEdge: "#C77D3A", edgeAlpha: "9E", schemaFrame: "#171D3A", schemaLabel: "#171C39",
        entityFill: "#F3F5F8")

    static let dark = DiagramPalette(
        background: "#161A21",
        nodes: [
            .other: NodeColors(fill: "#3A3620", stroke: "#C9BC5B", text: "#EBE3A0"),
            .manual: NodeColors(fill: "#16281F", stroke: "#6BBF94", text: "#BCE6CF"),
            .lookup: NodeColors(fill: "#242832", stroke: "#9DA0A4", text: "#C9CFD9"),
            .computed: NodeColors(fill: "#331B12", stroke: "#FF7A47", text: "#FFC7AE"),
            .imported: NodeColors(fill: "#0F2433", stroke: "#33B8E8", text: "#BEE7F9"),
            .part: NodeColors(fill: "#1E232C", stroke: "#8F959D", text: "#C8CED8"),
            .collapsed: NodeColors(fill: "#242730", stroke: "#8890A0", text: "#C7CDD6"),
        ],
        edge: "#AEB6C2", renamedEdge: "#D68C4A", edgeAlpha: "C0", schemaFrame: "#606875", schemaLabel: "#8A93A1",
        entityFill: "#2A313D")

    /// A `<style>` block for an SVG drawn in light colours that recolours it with the dark palette when the viewer
    /// prefers a dark colour scheme. Graphviz writes colours in lower case, so the selectors are lower case.
    static func adaptiveStyleBlock() -> String {
        let (light, dark) = (DiagramPalette.light, DiagramPalette.dark)
        func fill(_ from: String, _ to: String) -> String { "[fill=\"\(from.lowercased())\"] { fill: \(to); }" }
        func stroke(_ from: String, _ to: String, opacity: String = "") -> String {
            "[stroke=\"\(from.lowercased())\"] { stroke: \(to);\(opacity) }"
        }
        let background = dark.background!
        let edgeOpacity = Double(Int(dark.edgeAlpha, radix: 16)!) / 255
        let opacity = " stroke-opacity: \((edgeOpacity * 1000).rounded() / 1000);"
        var rules = ["svg { background-color: \(background); }", "polygon[fill=\"white\"] { fill: \(background); }"]
        for nodeClass in [DiagramNodeClass.other, .manual, .lookup, .computed, .imported, .part, .collapsed] {
            let (l, d) = (light.colors(nodeClass), dark.colors(nodeClass))
            rules += [fill(l.fill, d.fill), stroke(l.stroke, d.stroke), fill(l.text, d.text)]
        }
        rules += [
            stroke(light.edge, dark.edge, opacity: opacity), stroke(light.renamedEdge, dark.renamedEdge, opacity: opacity),
            fill(light.entityFill, dark.entityFill), stroke(light.entityFill, dark.entityFill),
            stroke(light.schemaFrame, dark.schemaFrame), fill(light.schemaLabel, dark.schemaLabel),
        ]
        return "<style>\n@media (prefers-color-scheme: dark) {\n" + rules.map { "  " + $0 }.joined(separator: "\n")
            + "\n}\n</style>"
    }
}
