/// How a node of a drawing is styled: by the tier of its table, or as a collapsed group of tables. The raw value is
/// the class name in Mermaid output.
///
/// Shapes and sizes follow DataJoint-Python 2.3.5 (`_TIER_STRUCTURE`): Manual and Lookup tables are rounded boxes,
/// Imported and Computed tables ellipses, parts small boxes, tables of no tier circles, collapsed groups 3-D boxes.
enum DiagramNodeClass: String, Sendable, CaseIterable {
    case manual, lookup, computed, imported, part, other, collapsed

    init(_ kind: DiagramDrawing.Node.Kind) {
        switch kind {
        case .collapsed: self = .collapsed
        case .table(_, let tier):
            switch tier {
            case .manual: self = .manual
            case .lookup: self = .lookup
            case .imported: self = .imported
            case .computed: self = .computed
            case .part: self = .part
            case nil: self = .other
            }
        }
    }

    /// The Graphviz shape.
    var shape: String {
        switch self {
        case .manual, .lookup, .part: "box"
        case .computed, .imported: "ellipse"
        case .other: "circle"
        case .collapsed: "box3d"
        }
    }

    /// Font size in points (the reference's sizes scaled by 1.2).
    var fontSize: Int {
        switch self {
        case .part, .other: 10
        default: 12
        }
    }

    /// Minimum width and height in inches.
    var size: String {
        switch self {
        case .part: "0.12"
        case .collapsed: "0.6"
        default: "0.48"
        }
    }

    /// Whether a box has rounded corners.
    var isRounded: Bool { self == .manual || self == .lookup || self == .part }

    /// The Mermaid brackets around the label: boxes, stadiums for Imported and Computed, circles for other tables,
    /// subroutine boxes for collapsed groups.
    var mermaidBrackets: (open: String, close: String) {
        switch self {
        case .manual, .lookup, .part: ("[", "]")
        case .computed, .imported: ("([", "])")
        case .other: ("((", "))")
        case .collapsed: ("[[", "]]")
        }
    }
}
