import ArgumentParser
import DataJoint
import Foundation

/// `dj diagram SOURCE...`: the pipeline graph of schemas and tables as DOT, Mermaid, SVG or PNG.
struct DiagramCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diagram",
        abstract: "Draw the pipeline graph of schemas and tables as DOT, Mermaid, SVG or PNG.",
        discussion: """
            Without -o the diagram goes to standard output, as DOT unless --format says otherwise; with -o FILE the \
            format follows the file's extension (.svg, .png, .dot, .gv, .mmd, .mermaid). SVG and PNG are rendered by \
            Graphviz's dot program (Debian package graphviz; DJ_GRAPHVIZ_DOT names another program). The layout \
            direction and colours default to display.diagram_direction and display.diagram_theme.

            Examples:
              dj diagram demo                          DOT text of schema demo
              dj diagram demo -o demo.svg              SVG image
              dj diagram demo.Session --up 1 --down 1  a table with its parents and children
              dj diagram demo --format mermaid         a Mermaid flowchart for Markdown
            """)

    @OptionGroup var options: DatabaseOptions

    @Argument(help: ArgumentHelp(
        "SCHEMA for every table of a schema, SCHEMA.Table for one table; several are drawn together.",
        valueName: "source"))
    var sources: [String]

    @Option(help: ArgumentHelp("Add the tables up to N foreign keys upstream (parents) of the sources.", valueName: "N"))
    var up = 0

    @Option(help: ArgumentHelp("Add the tables up to N foreign keys downstream (children) of the sources.", valueName: "N"))
    var down = 0

    @Option(help: ArgumentHelp(
        "Add the tables of a schema drawn as one node (repeatable); tables drawn otherwise stay expanded.",
        valueName: "schema"))
    var collapsed: [String] = []

    @Option(help: "dot, mermaid, svg or png (default: from the extension of -o, else dot).")
    var format: DiagramFormat?

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Write the diagram to FILE.", valueName: "file"))
    var output: String?

    @Option(help: "TB (top to bottom) or LR (left to right).")
    var direction: DiagramDirection?

    @Option(help: "light, dark or auto.")
    var theme: DiagramTheme?

    func validate() throws {
        guard !sources.isEmpty else { throw ValidationError("Name at least one SCHEMA or SCHEMA.Table.") }
        guard up >= 0, down >= 0 else { throw ValidationError("--up and --down take a number of steps, 0 or more.") }
    }

    func run() async throws {
        let format = try resolvedFormat()
        if format == .png, output == nil, isatty(STDOUT_FILENO) != 0 {
            throw DataJointError(
                .invalidValue, "a PNG image is binary: write it to a file with -o FILE.png, or redirect standard output")
        }
        let (data, tableCount) = try await withConnection(options.connectExisting) { connection in
            let diagram = try await makeDiagram(connection)
            let data = try await diagram.rendered(as: format, direction: direction, theme: theme)
            return (data, diagram.tables.count)
        }
        if let output {
            let url = URL(fileURLWithPath: output)
            do {
                try data.write(to: url, options: .atomic)
            } catch {
                throw DataJointError(.invalidValue, "cannot write \(output): \(error.localizedDescription)")
            }
            print("Wrote \(output) (\(format.rawValue), \(tableCount) table\(tableCount == 1 ? "" : "s")).")
        } else {
            FileHandle.standardOutput.write(data)
        }
    }

    /// --format, else the extension of -o, else DOT.
    private func resolvedFormat() throws -> DiagramFormat {
        if let format { return format }
        guard let output else { return .dot }
        let fileExtension = URL(fileURLWithPath: output).pathExtension
        guard let format = DiagramFormat(fileExtension: fileExtension) else {
            throw DataJointError(
                .invalidValue,
                "cannot tell the format from the file name \(output): use .svg, .png, .dot, .gv, .mmd or .mermaid, "
                    + "or --format")
        }
        return format
    }

    /// The union of the sources, grown upstream and downstream, with the collapsed schemas added.
    private func makeDiagram(_ connection: Connection) async throws -> Diagram {
        var parts: [any DiagramSource] = []
        for source in sources {
            if source.contains(".") {
                let (schemaName, tableName) = try splitQualifiedName(source)
                let schema = try await connection.schema(schemaName, tables: [], create: false)
                parts.append(try await openTable(tableName, in: schema))
            } else {
                parts.append(try await connection.schema(source, tables: [], create: false))
            }
        }
        let seed = try await Diagram(parts)
        var diagram = try seed.expandingDown(down).union(seed.expandingUp(up))
        for name in collapsed {
            let schema = try await connection.schema(name, tables: [], create: false)
            diagram = try diagram.union(try await Diagram(schema).collapsed())
        }
        return diagram
    }
}

extension DiagramFormat: ExpressibleByArgument {}
extension DiagramTheme: ExpressibleByArgument {}

extension DiagramDirection: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(rawValue: argument.uppercased())
    }
}
