import Foundation

/// Writes a starting configuration: `datajoint.json` with the common keys and their defaults (backend SQLite),
/// a `.secrets/` directory with an empty `database.password` (mode 0600), and `.secrets/` in `.gitignore`.
/// This is what `dj config init` does.
public enum ConfigTemplate {
    /// The template `datajoint.json`. Credentials do not belong here: put them in `.secrets/` or `DJ_*` variables.
    public static let text = """
        {
          "database": {
            "backend": "sqlite",
            "path": "datajoint.sqlite",
            "host": "localhost",
            "port": null,
            "user": null,
            "name": null,
            "use_tls": null,
            "reconnect": true,
            "create_tables": true
          },
          "display": {
            "limit": 12,
            "width": 14,
            "show_tuple_count": true
          },
          "jobs": {
            "auto_refresh": true,
            "keep_completed": false,
            "stale_timeout": 3600,
            "default_priority": 5,
            "version_method": null,
            "allow_new_pk_fields_in_computed_tables": false,
            "add_job_metadata": false
          },
          "stores": {},
          "loglevel": "INFO",
          "safemode": true
        }

        """

    /// The `.gitignore` line that keeps the secrets directory out of version control.
    public static let gitignoreLine = ".secrets/"

    /// What ``write(to:force:)`` did.
    public struct Result: Sendable, Hashable {
        /// The configuration file written.
        public var configFile: URL
        /// The password placeholder, if it was created (an existing one is never touched).
        public var createdPasswordFile: URL?
        /// The `.gitignore` file, if it was created or extended.
        public var updatedGitignore: URL?
    }

    /// Writes the template into `directory`.
    ///
    /// - Parameter force: overwrite an existing `datajoint.json` (existing secrets files are kept).
    /// - Throws: ``DataJointError`` of kind `.configuration` when `datajoint.json` exists and `force` is false,
    ///   or when a file cannot be written.
    @discardableResult
    public static func write(to directory: URL, force: Bool = false) throws -> Result {
        let manager = FileManager.default
        let configFile = directory.appendingPathComponent(Config.fileName)
        if manager.fileExists(atPath: configFile.path), !force {
            throw DataJointError(
                .configuration, "\(configFile.path) already exists; pass --force to overwrite it (its .secrets/ are kept)")
        }
        do {
            try manager.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: configFile, options: .atomic)

            let secrets = directory.appendingPathComponent(Config.secretsDirectoryName)
            try manager.createDirectory(
                at: secrets, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let password = secrets.appendingPathComponent("database.password")
            var createdPassword: URL?
            if !manager.fileExists(atPath: password.path) {
                guard manager.createFile(atPath: password.path, contents: Data(), attributes: [.posixPermissions: 0o600])
                else {
                    throw DataJointError(.configuration, "cannot create \(password.path)")
                }
                createdPassword = password
            }

            let gitignore = directory.appendingPathComponent(".gitignore")
            var updatedGitignore: URL?
            if manager.fileExists(atPath: gitignore.path) {
                let existing = try String(contentsOf: gitignore, encoding: .utf8)
                let ignored = existing.split(whereSeparator: \.isNewline).contains { line in
                    [".secrets", ".secrets/", "/.secrets", "/.secrets/", ".secrets/*", "/.secrets/*"]
                        .contains(line.trimmingCharacters(in: .whitespaces))
                }
                if !ignored {
                    let separator = existing.isEmpty || existing.hasSuffix("\n") ? "" : "\n"
                    try Data((existing + separator + gitignoreLine + "\n").utf8).write(to: gitignore, options: .atomic)
                    updatedGitignore = gitignore
                }
            } else {
                try Data((gitignoreLine + "\n").utf8).write(to: gitignore)
                updatedGitignore = gitignore
            }
            return Result(configFile: configFile, createdPasswordFile: createdPassword, updatedGitignore: updatedGitignore)
        } catch let error as DataJointError {
            throw error
        } catch {
            throw DataJointError(.configuration, "cannot write the configuration template in \(directory.path): \(error.localizedDescription)")
        }
    }
}
