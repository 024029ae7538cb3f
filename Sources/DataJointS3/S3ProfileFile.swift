import DataJointCore
import Foundation

/// An AWS shared credentials file (`~/.aws/credentials`) or config file (`~/.aws/config`): INI sections of
/// `key = value` lines, read as the AWS tools read them.
///
/// In the credentials file a section is named by the profile (`[default]`, `[lab]`); in the config file by
/// `profile` and the name (`[profile lab]`), except the default profile (`[default]`, also `[profile default]`).
/// Lines starting with `#` or `;` are comments; indented lines below a key without a value (nested settings such as
/// `s3 =`) are skipped. Keys are lower-cased; values are kept as written, trimmed.
struct S3ProfileFile: Sendable {
    /// The settings of each profile, by profile name.
    var profiles: [String: [String: String]]

    /// Parses the text of a file; `isConfigFile` selects the section naming of the config file.
    init(text: String, isConfigFile: Bool) {
        var profiles: [String: [String: String]] = [:]
        var current: String?
        var nested = false
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let indented = rawLine.first.map { $0 == " " || $0 == "\t" } ?? false
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                nested = false
                guard line.hasSuffix("]") else {
                    current = nil
                    continue
                }
                let name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                current = Self.profileName(ofSection: name, isConfigFile: isConfigFile)
                if let current, profiles[current] == nil { profiles[current] = [:] }
                continue
            }
            if indented && nested { continue }
            guard let current, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            nested = value.isEmpty
            if !nested { profiles[current]?[key] = value }
        }
        self.profiles = profiles
    }

    /// The profile a section header names, or nil for sections that are not profiles (`[sso-session x]`).
    static func profileName(ofSection section: String, isConfigFile: Bool) -> String? {
        guard isConfigFile else { return section }
        if section == "default" { return "default" }
        let words = section.split(separator: " ", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard words.count == 2, words[0] == "profile", !words[1].isEmpty else { return nil }
        return words[1]
    }

    /// Reads the file at `url`; nil when there is no such file.
    /// - Throws: `.configuration` when the file exists but cannot be read.
    static func read(_ url: URL, isConfigFile: Bool, store: String) throws -> S3ProfileFile? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            let text = try String(contentsOf: url, encoding: .utf8)
            return S3ProfileFile(text: text, isConfigFile: isConfigFile)
        } catch {
            throw DataJointError(
                .configuration, "stores.\(store): cannot read the AWS file \(url.path): \(error.localizedDescription)")
        }
    }
}
