/// The colours of a diagram drawing (`display.diagram_theme`, environment variable `DJ_DIAGRAM_THEME`).
///
/// The palettes are those of DataJoint-Python 2.3.5: each tier has its fill, stroke and text colour, foreign keys
/// are navy (renamed ones amber), schemas are framed by a dashed box.
public enum DiagramTheme: String, Sendable, Hashable, CaseIterable {
    /// Dark shapes and text on a light background.
    case light
    /// Light text on a dark background.
    case dark
    /// Light colours, and an SVG that switches to the dark colours when the viewer prefers a dark colour scheme
    /// (a `prefers-color-scheme` style block); the default. DOT, PNG and Mermaid output use the light colours.
    case auto

    /// The palette that colours the drawing: `auto` draws in light colours.
    var palette: DiagramPalette { self == .dark ? .dark : .light }
}
