import DataJoint
import Foundation
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Two schemas for the drawing tests. `dg_lab`: a Lookup, a Manual with a secondary foreign key to it, a Manual with
/// a renamed secondary foreign key and two parts (one referencing the other), an Imported one-to-one table.
/// `dg_analysis`: a Computed table on `dg_lab`'s Imported one, and a Manual with two renamed primary foreign keys.
enum DiagramPipeline {
    static let lab = "dg_lab"
    static let analysis = "dg_analysis"

    struct Species: Lookup {
        static let definition = """
            species : varchar(20)
            """
        static let contents: [Row] = [["species": "mouse"]]
    }

    struct Mouse: Manual {
        static let definition = """
            mouse_id : int32
            ---
            -> Species
            """
    }

    struct Visit: Manual {
        static let definition = """
            -> Mouse
            visit_idx : int16
            ---
            -> [nullable] Mouse.proj(handler_id='mouse_id')
            """
        static var parts: [any Part.Type] { [Trial.self, Response.self] }

        struct Trial: Part {
            static let definition = """
                -> master
                trial_idx : int32
                """
        }

        struct Response: Part {
            static let definition = """
                -> Visit.Trial
                response_idx : int16
                """
        }
    }

    struct Scan: Imported {
        static let definition = """
            -> Visit
            ---
            frames : int32
            """
        static func make(_ key: Row, _ ctx: MakeContext) async throws {}
    }

    struct ScanStats: Computed {
        static let definition = """
            -> dg_lab.Scan
            ---
            mean_frames : float64
            """
        static func make(_ key: Row, _ ctx: MakeContext) async throws {}
    }

    struct MousePair: Manual {
        static let definition = """
            -> dg_lab.Mouse.proj(left_id='mouse_id')
            -> dg_lab.Mouse.proj(right_id='mouse_id')
            """
    }

    /// Every label a drawing of both schemas shows.
    static let labels = ["Species", "Mouse", "Visit", "Trial", "Response", "Scan", "ScanStats", "MousePair"]

    /// Declares both schemas on `db` (a test connection by default).
    static func make(_ given: Connection? = nil) async throws -> (db: Connection, lab: Schema, analysis: Schema) {
        let db: Connection
        if let given { db = given } else { db = try await TestDatabase.connect() }
        let lab = try await db.schema(lab, tables: Species.self, Mouse.self, Visit.self, Scan.self)
        let analysis = try await db.schema(analysis, tables: ScanStats.self, MousePair.self)
        return (db, lab, analysis)
    }

    /// The diagram of both schemas, expanded.
    static func both(_ lab: Schema, _ analysis: Schema) async throws -> Diagram {
        try await Diagram([lab, analysis])
    }
}

/// Lines of DOT and Mermaid text, found by what they start with.
private struct TextLines {
    let lines: [String]

    init(_ text: String) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
    }

    /// The DOT statement of a node.
    func node(_ id: String) -> String? { lines.first { $0.hasPrefix("\"\(id)\" [") } }

    /// The DOT statements of the edges from one node to another.
    func edges(_ from: String, _ to: String) -> [String] { lines.filter { $0.hasPrefix("\"\(from)\" -> \"\(to)\" [") } }

    /// Mermaid edges (`A --> B`) with their link styles, by position.
    var mermaidEdges: [(edge: String, style: String)] {
        let edges = lines.filter { $0.contains(" --> ") }
        return edges.enumerated().map { index, edge in
            (edge, lines.first { $0.hasPrefix("linkStyle \(index) ") }.map { String($0.dropFirst("linkStyle \(index) ".count)) } ?? "")
        }
    }
}

/// The texts of the `<text>` elements of an SVG document; fails when the document is not well-formed XML.
private final class SVGTexts: NSObject, XMLParserDelegate {
    private(set) var texts: [String] = []
    private(set) var elements: [String] = []
    private var current: String?

    static func parse(_ svg: String) throws -> SVGTexts {
        let reader = SVGTexts()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = reader
        guard parser.parse() else {
            throw DataJointError(.invalidValue, "the SVG is not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "?")")
        }
        return reader
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        elements.append(elementName)
        if elementName == "text" { current = "" }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        current? += string
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        if elementName == "text", let text = current { texts.append(text.trimmingCharacters(in: .whitespacesAndNewlines)) }
        current = nil
    }
}

@Suite("Diagram drawing: DOT, Mermaid, SVG, PNG and dj diagram")
struct DiagramOutputTests {
    typealias P = DiagramPipeline

    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    // MARK: - the drawing model and DOT

    @Test("DOT draws a node per table styled by tier, underlines new dimensions, groups by schema and master",
          arguments: TestBackend.all)
    func dotNodes(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (_, lab, analysis) = try await P.make()
            let dot = TextLines(try await P.both(lab, analysis).dot())
            #expect(dot.lines.first == ##"digraph "dg_lab, dg_analysis" {"##)
            #expect(dot.lines.contains("rankdir=LR;"))
            // Tier shapes and light-theme colours; underlined labels for tables with a key attribute of their own.
            let expected: [(id: String, parts: [String])] = [
                ("Species", ["label=<<u>Species</u>>", "shape=box", ##"style="rounded,filled""##, ##"fillcolor="#F0F0F1""##, ##"color="#808285""##, ##"fontcolor="#5A5C5F""##, "fontsize=12"]),
                ("Mouse", ["label=<<u>Mouse</u>>", "shape=box", ##"style="rounded,filled""##, ##"fillcolor="#E8F0E9""##, ##"color="#3E7A52""##]),
                ("Visit", ["label=<<u>Visit</u>>", "shape=box", ##"fillcolor="#E8F0E9""##]),
                ("Visit.Trial", ["label=<<u>Trial</u>>", "shape=box", ##"fillcolor="#FFFFFF""##, ##"color="#B9BBBE""##, "fontsize=10", "width=0.12"]),
                ("Visit.Response", ["label=<<u>Response</u>>", "shape=box", ##"fillcolor="#FFFFFF""##]),
                ("Scan", [##"label="Scan""##, "shape=ellipse", ##"style="filled""##, ##"fillcolor="#E0F4FC""##, ##"color="#00A0DF""##]),
                ("dg_analysis.ScanStats", [##"label="ScanStats""##, "shape=ellipse", ##"fillcolor="#FFEDE5""##, ##"color="#FF5113""##]),
                ("dg_analysis.MousePair", [##"label="MousePair""##, "shape=box", ##"fillcolor="#E8F0E9""##]),
            ]
            for (id, parts) in expected {
                let line = try #require(dot.node(id), "no node \(id)")
                for part in parts { #expect(line.contains(part), "\(id): \(part) not in \(line)") }
            }
            // One cluster per schema, labelled by its name; the master and its parts in a shaded cluster, the part
            // that references its sibling off their shared rank.
            let text = dot.lines.joined(separator: "\n")
            #expect(dot.lines.filter { $0.hasPrefix("subgraph \"cluster_") && !$0.contains("entity") }
                == [##"subgraph "cluster_dg_lab" {"##, ##"subgraph "cluster_dg_analysis" {"##])
            #expect(text.contains("subgraph \"cluster_dg_lab\" {\nlabel=\"dg_lab\";"))
            #expect(text.contains("subgraph \"cluster_dg_analysis\" {\nlabel=\"dg_analysis\";"))
            #expect(text.contains(##"subgraph "cluster_entity_Visit" {"##))
            #expect(text.contains(##"{ rank=same; "Visit"; "Visit.Trial"; }"##))

            let drawing = try await P.both(lab, analysis).drawing()
            #expect(drawing.nodes.map(\.label).sorted() == P.labels.sorted())
            #expect(drawing.node("Visit.Response")?.master == "Visit")
            #expect(drawing.node("Scan")?.introducesDimension == false)
            #expect(drawing.clusters.map(\.schema) == [P.lab, P.analysis])
            let entities = drawing.clusters[0].entities
            #expect(entities.map(\.master) == ["Visit"])
            #expect(entities.first?.parts == ["Visit.Trial", "Visit.Response"])
            #expect(entities.first?.sameRank == ["Visit", "Visit.Trial"])
        }
    }

    @Test("DOT draws primary foreign keys solid, secondary dashed, one-to-one thick, renamed amber with a tooltip",
          arguments: TestBackend.all)
    func dotEdges(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (_, lab, analysis) = try await P.make()
            let dot = TextLines(try await P.both(lab, analysis).dot())
            let navy = ##"color="#171C399E""##, amber = ##"color="#C77D3A9E""##
            func only(_ from: String, _ to: String) throws -> String {
                let edges = dot.edges(from, to)
                try #require(edges.count == 1, "\(from) -> \(to): \(edges)")
                return edges[0]
            }
            // Secondary, one-to-many.
            let species = try only("Species", "Mouse")
            for part in [navy, "style=dashed", "penwidth=0.75", "arrowhead=none"] { #expect(species.contains(part), "\(species)") }
            // Two foreign keys from Mouse to Visit: the primary one and the renamed secondary one.
            let visit = dot.edges("Mouse", "Visit")
            #expect(visit.count == 2)
            let primary = try #require(visit.first { $0.contains("style=solid") })
            #expect(primary.contains(navy) && primary.contains("penwidth=0.75") && !primary.contains("tooltip"))
            let renamed = try #require(visit.first { $0.contains("style=dashed") })
            #expect(renamed.contains(amber) && renamed.contains(##"tooltip="handler_id ← mouse_id""##))
            // One-to-one: thick.
            for (from, to) in [("Visit", "Scan"), ("Scan", "dg_analysis.ScanStats")] {
                let edge = try only(from, to)
                #expect(edge.contains(navy) && edge.contains("style=solid") && edge.contains("penwidth=2") && edge.contains("weight=3"), "\(edge)")
            }
            // Master to part and part to part: primary, one-to-many.
            for (from, to) in [("Visit", "Visit.Trial"), ("Visit.Trial", "Visit.Response")] {
                let edge = try only(from, to)
                #expect(edge.contains("style=solid") && edge.contains("penwidth=0.75"), "\(edge)")
            }
            // Two renamed primary foreign keys to the same parent stay two edges.
            let pair = dot.edges("Mouse", "dg_analysis.MousePair")
            #expect(pair.count == 2)
            #expect(pair.allSatisfy { $0.contains(amber) && $0.contains("style=solid") })
            #expect(Set(pair.compactMap { line in line.range(of: ##"tooltip="[^"]*""##, options: .regularExpression).map { String(line[$0]) } })
                == [##"tooltip="left_id ← mouse_id""##, ##"tooltip="right_id ← mouse_id""##])
            #expect(dot.lines.filter { $0.contains(" -> ") }.count == 9)
        }
    }

    // MARK: - Mermaid

    @Test("Mermaid writes a flowchart with tier classes, a subgraph per schema, every table and every edge",
          arguments: TestBackend.all)
    func mermaid(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (_, lab, analysis) = try await P.make()
            let mermaid = try await P.both(lab, analysis).mermaid()
            let text = TextLines(mermaid)
            #expect(text.lines.first == "flowchart LR")
            for (name, colors) in [
                ("manual", "fill:#E8F0E9,stroke:#3E7A52,color:#28513A"), ("lookup", "fill:#F0F0F1,stroke:#808285,color:#5A5C5F"),
                ("computed", "fill:#FFEDE5,stroke:#FF5113,color:#B23200"), ("imported", "fill:#E0F4FC,stroke:#00A0DF,color:#00537A"),
                ("part", "fill:#FFFFFF,stroke:#B9BBBE,color:#55585C"), ("other", "fill:#FFFDE7,stroke:#C9BC5B,color:#6B6420"),
                ("collapsed", "fill:#EDEEF0,stroke:#808890,color:#404040"),
            ] {
                #expect(text.lines.contains("classDef \(name) \(colors)"))
            }
            #expect(text.lines.filter { $0.hasPrefix("subgraph ") } == [
                ##"subgraph dg_lab["dg_lab"]"##, ##"subgraph entity_Visit[" "]"##, ##"subgraph dg_analysis["dg_analysis"]"##,
            ])
            #expect(text.lines.filter { $0 == "end" }.count == 3)
            for node in [
                "Species[Species]:::lookup", "Mouse[Mouse]:::manual", "Visit[Visit]:::manual", "Visit_Trial[Trial]:::part",
                "Visit_Response[Response]:::part", "Scan([Scan]):::imported",
                "dg_analysis_ScanStats([ScanStats]):::computed", "dg_analysis_MousePair[MousePair]:::manual",
            ] {
                #expect(text.lines.contains(node), "\(node) missing from\n\(mermaid)")
            }
            let edges = text.mermaidEdges
            #expect(edges.map(\.edge).sorted() == [
                "Mouse --> Visit", "Mouse --> Visit", "Mouse --> dg_analysis_MousePair", "Mouse --> dg_analysis_MousePair",
                "Scan --> dg_analysis_ScanStats", "Species --> Mouse", "Visit --> Scan", "Visit --> Visit_Trial",
                "Visit_Trial --> Visit_Response",
            ])
            #expect(edges.allSatisfy { !$0.style.isEmpty })
            let styles = Dictionary(grouping: edges, by: \.edge).mapValues { $0.map(\.style).sorted() }
            #expect(styles["Species --> Mouse"] == ["stroke:#171C39,stroke-width:1px,stroke-dasharray:4 3"])
            #expect(styles["Mouse --> Visit"] == [
                "stroke:#171C39,stroke-width:1px", "stroke:#C77D3A,stroke-width:1px,stroke-dasharray:4 3",
            ])
            #expect(styles["Mouse --> dg_analysis_MousePair"] == Array(repeating: "stroke:#C77D3A,stroke-width:1px", count: 2))
            #expect(styles["Visit --> Scan"] == ["stroke:#171C39,stroke-width:2px"])
        }
    }

    // MARK: - SVG and PNG

    @Test("SVG is well-formed XML showing every table; auto adds the dark-mode style; PNG is a PNG",
          arguments: TestBackend.all)
    func svgAndPNG(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (_, lab, analysis) = try await P.make()
            let diagram = try await P.both(lab, analysis)
            let svg = try await diagram.svg()
            let parsed = try SVGTexts.parse(svg)
            #expect(parsed.elements.first == "svg")
            for label in P.labels + [P.lab, P.analysis] {
                #expect(parsed.texts.contains(label), "\(label) not in \(parsed.texts)")
            }
            // The default theme is auto: light colours that switch to dark ones where the viewer prefers dark.
            #expect(svg.contains("@media (prefers-color-scheme: dark)"))
            #expect(svg.contains(##"[fill="#e8f0e9"] { fill: #16281F; }"##))
            #expect(svg.contains(##"fill="#e8f0e9""##))
            let light = try await diagram.svg(theme: .light)
            #expect(!light.contains("prefers-color-scheme"))
            let dark = try await diagram.svg(theme: .dark)
            #expect(dark.contains(##"fill="#16281f""##) && !dark.contains(##"fill="#e8f0e9""##))
            _ = try SVGTexts.parse(dark)

            let png = try await diagram.png()
            #expect(Array(png.prefix(8)) == Self.pngSignature)
            #expect(png.count > 1000)
        }
    }

    @Test("save writes the format its file extension names, and refuses an unknown extension", arguments: TestBackend.all)
    func save(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (_, lab, _) = try await P.make()
            let diagram = try await Diagram(lab)
            let directory = try DJTool.workingDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            for name in ["d.svg", "d.png", "d.dot", "d.gv", "d.mmd", "d.mermaid"] {
                try await diagram.save(to: directory.appendingPathComponent(name))
            }
            let file = { (name: String) in try Data(contentsOf: directory.appendingPathComponent(name)) }
            #expect(try SVGTexts.parse(String(decoding: file("d.svg"), as: UTF8.self)).texts.contains("Mouse"))
            #expect(Array(try file("d.png").prefix(8)) == Self.pngSignature)
            #expect(try file("d.dot") == Data(diagram.dot().utf8))
            #expect(try file("d.gv") == Data(diagram.dot().utf8))
            #expect(try file("d.mmd") == Data(diagram.mermaid().utf8))
            #expect(try file("d.mermaid") == Data(diagram.mermaid().utf8))
            // An explicit format wins over the extension; a path string works as a URL does.
            let text = directory.appendingPathComponent("graph.txt").path
            try await diagram.save(to: text, format: .mermaid)
            #expect(try String(contentsOfFile: text, encoding: .utf8) == diagram.mermaid())
            let unknown = directory.appendingPathComponent("graph.jpeg")
            let error = await #expect(throws: DataJointError.self) { try await diagram.save(to: unknown) }
            #expect(error?.kind == .invalidValue)
            #expect(error?.message.contains(".svg") == true)
            #expect(!FileManager.default.fileExists(atPath: unknown.path))
        }
    }

    @Test("without Graphviz, SVG and PNG fail naming the graphviz package and write nothing; DOT and Mermaid work",
          arguments: TestBackend.all)
    func missingGraphviz(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (_, lab, _) = try await P.make()
            let diagram = try await Diagram(lab)
            let missing = Graphviz(path: "/nonexistent/graphviz/bin/dot")
            let directory = try DJTool.workingDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            for name in ["d.svg", "d.png"] {
                let file = directory.appendingPathComponent(name)
                let error = await #expect(throws: DataJointError.self) { try await diagram.save(to: file, graphviz: missing) }
                #expect(error?.kind == .configuration)
                #expect(error?.message.contains("apt-get install graphviz") == true, "\(error?.message ?? "")")
                #expect(error?.message.contains("/nonexistent/graphviz/bin/dot") == true)
                #expect(!FileManager.default.fileExists(atPath: file.path))
            }
            await #expect(throws: DataJointError.self) { try await diagram.svg(graphviz: missing) }
            await #expect(throws: DataJointError.self) { try await diagram.png(graphviz: missing) }
            // Found through DJ_GRAPHVIZ_DOT, then PATH.
            let onPath = #expect(throws: DataJointError.self) {
                try Graphviz().executable(environment: ["PATH": directory.path])
            }
            #expect(onPath?.message.contains("not found on PATH") == true)
            #expect(onPath?.message.contains("package graphviz") == true)
            let named = #expect(throws: DataJointError.self) {
                try Graphviz().executable(environment: ["DJ_GRAPHVIZ_DOT": "/nowhere/dot", "PATH": "/usr/bin"])
            }
            #expect(named?.message.contains("/nowhere/dot (DJ_GRAPHVIZ_DOT)") == true)
            // Text formats need no Graphviz.
            try await diagram.save(to: directory.appendingPathComponent("d.dot"), graphviz: missing)
            try await diagram.save(to: directory.appendingPathComponent("d.mmd"), graphviz: missing)
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("d.mmd").path))
        }
    }

    // MARK: - collapsing

    @Test("a collapsed schema is one node counting its tables; expanded tables of a union stay expanded",
          arguments: TestBackend.all)
    func collapse(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let (_, lab, analysis) = try await P.make()
            // A schema collapsed on its own.
            let alone = try await Diagram(lab).collapsed()
            #expect(alone.drawing().nodes.map(\.label) == ["(6 tables)"])
            let aloneDOT = TextLines(alone.dot())
            let node = try #require(aloneDOT.node("dg_lab"))
            for part in [##"label="(6 tables)""##, "shape=box3d", ##"fillcolor="#EDEEF0""##, ##"style="filled""##] {
                #expect(node.contains(part), "\(node)")
            }
            #expect(alone.mermaid().contains(##"dg_lab[["(6 tables)"]]:::collapsed"##))

            // One schema expanded, the other collapsed: foreign keys into the collapsed node merge per node.
            let mixed = try await Diagram(lab) + Diagram(analysis).collapsed()
            let drawing = mixed.drawing()
            #expect(drawing.nodes.count == 7)
            let collapsed = try #require(drawing.node("dg_analysis"))
            #expect(collapsed.label == "(2 tables)")
            #expect(drawing.clusters.map(\.schema) == [P.lab, P.analysis])
            #expect(drawing.clusters[1].nodes == ["dg_analysis"])
            let intoCollapsed = drawing.edges.filter { $0.to == "dg_analysis" }
            #expect(intoCollapsed.map(\.from).sorted() == ["Mouse", "Scan"])
            let fromMouse = try #require(intoCollapsed.first { $0.from == "Mouse" })
            #expect(fromMouse.foreignKeys.count == 2 && !fromMouse.isBundle && fromMouse.isRenamed)
            let fromScan = try #require(intoCollapsed.first { $0.from == "Scan" })
            #expect(fromScan.isPrimary && !fromScan.isMultiValued)
            let mixedDOT = TextLines(mixed.dot())
            #expect(mixedDOT.edges("Mouse", "dg_analysis").count == 1)
            #expect(mixedDOT.edges("Scan", "dg_analysis").first?.contains("penwidth=2") == true)
            #expect(mixedDOT.node("dg_analysis.ScanStats") == nil)

            // Expanded wins: Mouse stays itself although its schema is also added collapsed.
            let focus = try await Diagram(lab[P.Mouse.self]) + Diagram(lab).collapsed() + Diagram(analysis).collapsed()
            let focused = focus.drawing()
            #expect(Set(focused.nodes.map(\.id)) == ["Mouse", "dg_lab", "dg_analysis"])
            #expect(focused.node("dg_lab")?.label == "(5 tables)")
            #expect(focused.node("Mouse")?.kind == .table(SQLTableName(schema: P.lab, table: "mouse"), tier: .manual))
            #expect(Set(focused.edges.map { "\($0.from)->\($0.to)" })
                == ["dg_lab->Mouse", "Mouse->dg_lab", "Mouse->dg_analysis", "dg_lab->dg_analysis"])
            // Between two collapsed nodes the edge is a bundle with one neutral style.
            let bundle = try #require(focused.edges.first { $0.from == "dg_lab" && $0.to == "dg_analysis" })
            #expect(bundle.isBundle && bundle.kind == .bundle)
            let bundleDOT = try #require(TextLines(focus.dot()).edges("dg_lab", "dg_analysis").first)
            for part in [##"color="#171C399E""##, "style=solid", "penwidth=2", "weight=3", "arrowhead=none"] {
                #expect(bundleDOT.contains(part), "\(bundleDOT)")
            }
            #expect(!bundleDOT.contains("tooltip"))
            // The secondary foreign key Species -> Mouse keeps its style with one end collapsed.
            #expect(TextLines(focus.dot()).edges("dg_lab", "Mouse").first?.contains("style=dashed") == true)

            // A table with its children and then their parents, as the README shows.
            let around = try await Diagram(lab[P.Visit.self]) + 1 - 1
            #expect(Set(around.drawing().nodes.map(\.label)) == ["Mouse", "Visit", "Trial", "Scan"])

            // Both collapsed: two nodes and one bundle.
            let both = try await Diagram(lab).collapsed() + Diagram(analysis).collapsed()
            #expect(both.drawing().nodes.map(\.label) == ["(6 tables)", "(2 tables)"])
            #expect(both.drawing().edges.map(\.isBundle) == [true])
            let mermaid = TextLines(both.mermaid())
            #expect(mermaid.mermaidEdges.map(\.edge) == ["dg_lab --> dg_analysis"])
            #expect(mermaid.mermaidEdges.map(\.style) == ["stroke:#171C39,stroke-width:2px"])
            // Node and subgraph names stay distinct in Mermaid.
            #expect(mermaid.lines.contains(##"subgraph dg_lab_2["dg_lab"]"##))
        }
    }

    // MARK: - settings

    @Test("the layout direction and theme come from the settings and can be overridden per call", arguments: TestBackend.all)
    func directionAndTheme(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let settings = Settings(safemode: false, diagramDirection: .topToBottom, diagramTheme: .dark)
            let db = try await TestDatabase.connect(settings: settings)
            let (_, lab, _) = try await P.make(db)
            let diagram = try await Diagram(lab)
            let dot = TextLines(diagram.dot())
            #expect(dot.lines.contains("rankdir=TB;"))
            #expect(dot.lines.contains(##"bgcolor="#161A21";"##))
            #expect(dot.node("Mouse")?.contains(##"fillcolor="#16281F""##) == true)
            #expect(diagram.mermaid().hasPrefix("flowchart TB\n"))
            #expect(diagram.mermaid().contains("classDef manual fill:#16281F,stroke:#6BBF94,color:#BCE6CF"))
            #expect(TextLines(diagram.dot(direction: .leftToRight, theme: .light)).lines.contains("rankdir=LR;"))
            #expect(!diagram.dot(theme: .light).contains("bgcolor"))
            #expect(diagram.mermaid(direction: .leftToRight).hasPrefix("flowchart LR\n"))
            let svg = try await diagram.svg()
            #expect(svg.contains(##"fill="#161a21""##) && !svg.contains("prefers-color-scheme"))

            // The defaults: left to right, auto.
            let plain = try await Diagram(P.make().lab)
            #expect(plain.dot().contains("rankdir=LR;"))
            #expect(plain.mermaid().hasPrefix("flowchart LR\n"))
        }
    }

    @Test("display.diagram_direction and display.diagram_theme reach the settings")
    func configuration() throws {
        let directory = try DJTool.workingDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let defaults = try Config.load(workingDirectory: directory, environment: [:], systemSecretsDirectory: nil)
        #expect(defaults.settings.diagramDirection == .leftToRight)
        #expect(defaults.settings.diagramTheme == .auto)
        let fromEnvironment = try Config.load(
            workingDirectory: directory, environment: ["DJ_DIAGRAM_DIRECTION": "tb", "DJ_DIAGRAM_THEME": "dark"],
            systemSecretsDirectory: nil)
        #expect(fromEnvironment.settings.diagramDirection == .topToBottom)
        #expect(fromEnvironment.settings.diagramTheme == .dark)
        try Data(#"{"display": {"diagram_direction": "TB", "diagram_theme": "light"}}"#.utf8)
            .write(to: directory.appendingPathComponent("datajoint.json"))
        let fromFile = try Config.load(workingDirectory: directory, environment: [:], systemSecretsDirectory: nil)
        #expect(fromFile.settings.diagramDirection == .topToBottom)
        #expect(fromFile.settings.diagramTheme == .light)
    }

    // MARK: - dj diagram and dj demo

    @Test("dj diagram draws schemas and tables as DOT, Mermaid, SVG and PNG on an SQLite file")
    func djDiagram() async throws {
        let directory = try DJTool.workingDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("pipeline.sqlite").path
        let db = try await DataJoint.connect(path: database, settings: Settings(safemode: false))
        _ = try await P.make(db)
        try await db.close()

        let dot = try await DJTool.run(["diagram", P.lab, P.analysis, "--database", database], in: directory)
        #expect(dot.status == 0, "\(dot.errors)")
        let dotText = String(decoding: dot.output, as: UTF8.self)
        #expect(dotText.hasPrefix("digraph "))
        for id in ["Species", "Visit.Trial", "dg_analysis.MousePair"] { #expect(TextLines(dotText).node(id) != nil, "\(id)") }

        let svg = try await DJTool.run(["diagram", P.lab, P.analysis, "-o", "pipeline.svg", "--database", database], in: directory)
        #expect(svg.status == 0, "\(svg.errors)")
        #expect(String(decoding: svg.output, as: UTF8.self).contains("Wrote pipeline.svg (svg, 8 tables)"))
        let svgText = try String(contentsOf: directory.appendingPathComponent("pipeline.svg"), encoding: .utf8)
        let texts = try SVGTexts.parse(svgText).texts
        for label in P.labels { #expect(texts.contains(label), "\(label)") }

        let png = try await DJTool.run(["diagram", P.lab, "-o", "lab.png", "--database", database], in: directory)
        #expect(png.status == 0, "\(png.errors)")
        #expect(Array(try Data(contentsOf: directory.appendingPathComponent("lab.png")).prefix(8)) == Self.pngSignature)

        // A table with its parents and children, as Mermaid, top to bottom.
        let around = try await DJTool.run(
            ["diagram", "\(P.lab).Visit", "--up", "1", "--down", "1", "--format", "mermaid", "--direction", "TB",
             "--database", database], in: directory)
        #expect(around.status == 0, "\(around.errors)")
        let mermaid = TextLines(String(decoding: around.output, as: UTF8.self))
        #expect(mermaid.lines.first == "flowchart TB")
        let nodes = mermaid.lines.filter { $0.contains(":::") }
        #expect(nodes.sorted() == ["Mouse[Mouse]:::manual", "Scan([Scan]):::imported", "Visit[Visit]:::manual", "Visit_Trial[Trial]:::part"])

        // A schema added collapsed.
        let collapsed = try await DJTool.run(
            ["diagram", P.lab, "--collapsed", P.analysis, "--format", "dot", "--database", database], in: directory)
        #expect(collapsed.status == 0, "\(collapsed.errors)")
        #expect(TextLines(String(decoding: collapsed.output, as: UTF8.self)).node("dg_analysis")?.contains(##"label="(2 tables)""##) == true)

        // Errors: a missing schema, an unknown extension, a missing Graphviz (nothing written).
        let noSchema = try await DJTool.run(["diagram", "nope", "--database", database], in: directory)
        #expect(noSchema.status == 1 && noSchema.errors.contains("schema `nope` does not exist"), "\(noSchema.errors)")
        let badExtension = try await DJTool.run(["diagram", P.lab, "-o", "x.jpeg", "--database", database], in: directory)
        #expect(badExtension.status == 1 && badExtension.errors.contains("--format"), "\(badExtension.errors)")
        let noGraphviz = try await DJTool.run(
            ["diagram", P.lab, "-o", "missing.svg", "--database", database], in: directory,
            environment: ["DJ_GRAPHVIZ_DOT": "/nonexistent/dot"])
        #expect(noGraphviz.status == 1)
        #expect(noGraphviz.errors.contains("apt-get install graphviz"), "\(noGraphviz.errors)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("missing.svg").path))
    }

    @Test("dj demo writes demo.svg next to the database, and only a note without Graphviz")
    func djDemo() async throws {
        let directory = try DJTool.workingDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("data/demo.sqlite")
        try FileManager.default.createDirectory(at: database.deletingLastPathComponent(), withIntermediateDirectories: true)
        let run = try await DJTool.run(["demo", "--database", database.path], in: directory)
        #expect(run.status == 0, "\(run.errors)")
        let file = directory.appendingPathComponent("data/demo.svg")
        #expect(String(decoding: run.output, as: UTF8.self).contains("to \(file.path)"))
        let texts = try SVGTexts.parse(String(contentsOf: file, encoding: .utf8)).texts
        for label in ["Species", "Subject", "Session", "Trial", "SessionStats", "Stimulus", "SessionGrade"] {
            #expect(texts.contains(label), "\(label)")
        }

        try FileManager.default.removeItem(at: file)
        let withoutGraphviz = try await DJTool.run(
            ["demo", "--database", database.path], in: directory, environment: ["DJ_GRAPHVIZ_DOT": "/nonexistent/dot"])
        #expect(withoutGraphviz.status == 0, "\(withoutGraphviz.errors)")
        #expect(String(decoding: withoutGraphviz.output, as: UTF8.self).contains("No demo.svg: Graphviz's dot program is not installed"))
        #expect(!FileManager.default.fileExists(atPath: file.path))
    }

    // MARK: - a schema declared by DataJoint-Python

    static let pythonAvailable: Bool = {
        FileManager.default.isExecutableFile(atPath: StoreInteropTests.python)
    }()

    @Test("dj diagram draws a schema that DataJoint-Python declared",
          .enabled(if: pythonAvailable, "DataJoint-Python is not installed (set DJ_TEST_PYTHON; scripts/test does)"),
          arguments: TestBackend.all.filter { $0 != .sqlite })
    func pythonDeclared(backend: TestBackend) async throws {
        try await backend.run { () async throws in
            let db = try await TestDatabase.connect()
            let directory = try DJTool.workingDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let script = """
                import datajoint as dj
                \(ReferenceProcess.connectionConfig(backend))
                schema = dj.Schema('dg_py')

                @schema
                class Kind(dj.Lookup):
                    definition = '''
                    kind : varchar(16)
                    '''
                    contents = [('a',)]

                @schema
                class Animal(dj.Manual):
                    definition = '''
                    animal_id : int32
                    ---
                    -> Kind
                    '''

                @schema
                class Recording(dj.Manual):
                    definition = '''
                    -> Animal
                    rec : int16
                    '''
                    class Channel(dj.Part):
                        definition = '''
                        -> master
                        channel : int16
                        '''

                @schema
                class Spikes(dj.Computed):
                    definition = '''
                    -> Recording
                    ---
                    n : int32
                    '''
                    def make(self, key):
                        pass

                @schema
                class Pairing(dj.Manual):
                    definition = '''
                    -> Animal
                    -> Animal.proj(partner_id='animal_id')
                    '''
                print('declared')

                """
            let file = directory.appendingPathComponent("declare.py")
            try script.write(to: file, atomically: true, encoding: .utf8)
            let python = try await ReferenceProcess.run(StoreInteropTests.python, [file.path], directory: directory)
            try #require(python.status == 0, "DataJoint-Python failed:\n\(python.output)")

            let environment = try DJTool.environment(for: backend)
            let run = try await DJTool.run(["diagram", "dg_py", "--format", "mermaid"], in: directory, environment: environment)
            #expect(run.status == 0, "\(run.errors)")
            let mermaid = TextLines(String(decoding: run.output, as: UTF8.self))
            #expect(mermaid.lines.filter { $0.contains(":::") }.sorted() == [
                "Animal[Animal]:::manual", "Kind[Kind]:::lookup", "Pairing[Pairing]:::manual",
                "Recording[Recording]:::manual", "Recording_Channel[Channel]:::part", "Spikes([Spikes]):::computed",
            ])
            let styles = Dictionary(grouping: mermaid.mermaidEdges, by: \.edge).mapValues { $0.map(\.style).sorted() }
            #expect(styles == [
                "Kind --> Animal": ["stroke:#171C39,stroke-width:1px,stroke-dasharray:4 3"],
                "Animal --> Recording": ["stroke:#171C39,stroke-width:1px"],
                "Animal --> Pairing": ["stroke:#171C39,stroke-width:1px", "stroke:#C77D3A,stroke-width:1px"],
                "Recording --> Recording_Channel": ["stroke:#171C39,stroke-width:1px"],
                "Recording --> Spikes": ["stroke:#171C39,stroke-width:2px"],
            ])

            let svg = try await DJTool.run(["diagram", "dg_py", "-o", "py.svg"], in: directory, environment: environment)
            #expect(svg.status == 0, "\(svg.errors)")
            let texts = try SVGTexts.parse(String(contentsOf: directory.appendingPathComponent("py.svg"), encoding: .utf8)).texts
            for label in ["Kind", "Animal", "Recording", "Channel", "Spikes", "Pairing", "dg_py"] {
                #expect(texts.contains(label), "\(label) not in \(texts)")
            }
            // The same drawing as Swift's own Diagram of the schema.
            let ours = try await Diagram(db.schema("dg_py", tables: [], create: false)).mermaid(direction: .leftToRight, theme: .auto)
            #expect(String(decoding: run.output, as: UTF8.self) == ours)
        }
    }
}
