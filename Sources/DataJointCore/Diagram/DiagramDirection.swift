/// The direction a diagram is laid out in: dependencies flow from parents to children along it
/// (`display.diagram_direction`, environment variable `DJ_DIAGRAM_DIRECTION`).
public enum DiagramDirection: String, Sendable, Hashable, CaseIterable {
    /// Parents above their children (`TB`).
    case topToBottom = "TB"
    /// Parents left of their children (`LR`), the default.
    case leftToRight = "LR"
}
