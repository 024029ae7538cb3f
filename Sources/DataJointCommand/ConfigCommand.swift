import ArgumentParser
import DataJoint
import Foundation

/// `dj config`: write a configuration template, or show the effective configuration.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Write a datajoint.json template, or show the effective configuration and where each value comes from.",
        subcommands: [InitCommand.self, ShowCommand.self],
        defaultSubcommand: ShowCommand.self)

    /// `dj config init`
    struct InitCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Write datajoint.json (SQLite backend), .secrets/database.password (empty, mode 0600), "
                + "and add .secrets/ to .gitignore.")

        @Option(name: .long, help: ArgumentHelp("The directory to write into.", valueName: "dir"))
        var directory: String = "."

        @Flag(name: .long, help: "Overwrite an existing datajoint.json (existing secrets files are kept).")
        var force = false

        func run() throws {
            let result = try ConfigTemplate.write(to: URL(fileURLWithPath: directory), force: force)
            print("Wrote \(result.configFile.path)")
            if let password = result.createdPasswordFile {
                print("Created \(password.path) (empty; put the database password there)")
            }
            if let gitignore = result.updatedGitignore {
                print("Added \(ConfigTemplate.gitignoreLine) to \(gitignore.path)")
            }
            print("Check the result with `dj config show`.")
        }
    }

    /// `dj config show`
    struct ShowCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Print every setting with its value and source (secrets shown as ***).")

        @OptionGroup var options: DatabaseOptions

        func run() throws {
            let config = try options.loadConfig()
            print("config file: \(config.configFile?.path ?? "none (no \(Config.fileName) in this directory or its parents)")")
            print("secrets:     \(config.secretsDirectory?.path ?? "none")")
            print("target:      \(config.targetDescription)")
            print("")
            print(config.description)
            for warning in config.warnings {
                print("")
                print("warning: \(warning)")
            }
        }
    }
}
