import ArgumentParser
import DataJoint
import Foundation

/// A command-line program for a pipeline: the `dj` commands, with `populate` running this program's `make`s.
///
/// ```swift
/// import DataJointCommand
///
/// @main struct Lab: PipelineCommand {
///     static let schemas: [SchemaSpec] = [.init("lab", tables: Subject.self, Session.self, SessionStats.self)]
/// }
/// ```
///
/// gives `lab populate [SCHEMA.Table] [--workers N] [--reserve-jobs] [--watch] [--max-calls N]`, `lab jobs`,
/// `lab diagram`, `lab describe`, `lab preview`, `lab query`, `lab schemas`, `lab tables`, `lab delete`, `lab config`,
/// `lab serve` (the web view) and `lab mcp` (an MCP server for AI agents).
public protocol PipelineCommand: AsyncParsableCommand {
    /// The schemas of the pipeline, with the table types whose `make`s this program runs.
    static var schemas: [SchemaSpec] { get }
    /// More subcommands of the program, listed after the standard ones (none by default).
    static var additionalCommands: [any ParsableCommand.Type] { get }
    /// One line on what the program does, for `--help`.
    static var abstract: String { get }
}

extension PipelineCommand {
    public static var additionalCommands: [any ParsableCommand.Type] { [] }

    public static var abstract: String {
        "Run and inspect the DataJoint pipeline of schemas \(schemas.map(\.name).joined(separator: ", "))."
    }

    public static var configuration: CommandConfiguration {
        CommandConfiguration(
            abstract: abstract,
            subcommands: [
                PopulateCommand<Self>.self, JobsCommand.self, SchemasCommand.self, TablesCommand.self,
                DescribeCommand.self, CodegenCommand.self, PreviewCommand.self, QueryCommand<Self>.self, DiagramCommand.self,
                DeleteCommand.self, GarbageCommand.self, ConfigCommand.self,
                ServeCommand<Self>.self,
                McpCommand<Self>.self,
            ] + additionalCommands)
    }

    /// Runs the parsed command. DataJoint errors are reported as `error: <message>` on stderr with exit code 1;
    /// argument errors, help and version requests are handled by ArgumentParser.
    public static func main() async {
        do {
            var command = try await asyncParseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as DataJointError {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            Foundation.exit(1)
        } catch {
            exit(withError: error)
        }
    }
}
