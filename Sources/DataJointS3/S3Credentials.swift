import DataJointCore
import Foundation

/// The keys S3 requests are signed with, and where they were found.
struct S3Credentials: Sendable, Hashable {
    var accessKey: String
    var secretKey: String
    /// The session token of temporary credentials, sent (and signed) as `X-Amz-Security-Token`.
    var sessionToken: String?
    /// Where they came from, for messages (`the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)`).
    var source: String

    /// The credentials of the `s3` store `spec`, looked for in this order:
    ///
    /// 1. the store's `access_key` and `secret_key` (in `datajoint.json`, `DJ_STORES` or `.secrets/`);
    /// 2. the environment variables `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`);
    /// 3. the profile `AWS_PROFILE` (default `default`) of the shared credentials file (`AWS_SHARED_CREDENTIALS_FILE`,
    ///    default `~/.aws/credentials`), then of the config file (`AWS_CONFIG_FILE`, default `~/.aws/config`):
    ///    `aws_access_key_id`, `aws_secret_access_key` and `aws_session_token`.
    ///
    /// A store with `"anonymous": true` (a public bucket) has none: its requests are not signed.
    /// - Parameters:
    ///   - environment: the environment variables to read.
    ///   - homeDirectory: the directory `~` stands for (nil: the default files are not read).
    /// - Returns: nil for an anonymous store.
    /// - Throws: `.configuration` when none are found, naming every place looked at; when only half of a pair is
    ///   set; when `AWS_PROFILE` names a profile that neither file has.
    static func resolve(spec: StoreSpec, environment: [String: String], homeDirectory: URL?) throws -> S3Credentials? {
        func fail(_ message: String) -> DataJointError {
            DataJointError(.configuration, "stores.\(spec.name): \(message)")
        }
        func setting(_ key: String) -> String? { spec.string(key).flatMap { $0.isEmpty ? nil : $0 } }
        func variable(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }

        let accessKey = setting("access_key")
        let secretKey = setting("secret_key")
        if spec.bool("anonymous") == true {
            guard accessKey == nil, secretKey == nil else {
                throw fail("anonymous is true but access_key or secret_key is set; an anonymous store sends unsigned requests, so remove one or the other")
            }
            return nil
        }

        // 1. The store's own keys.
        switch (accessKey, secretKey) {
        case let (accessKey?, secretKey?):
            return S3Credentials(
                accessKey: accessKey, secretKey: secretKey, sessionToken: nil,
                source: "the store's access_key and secret_key")
        case (_?, nil):
            throw fail("access_key is set but secret_key is not; give both (or neither, to use the AWS credentials of the environment)")
        case (nil, _?):
            throw fail("secret_key is set but access_key is not; give both (or neither, to use the AWS credentials of the environment)")
        case (nil, nil):
            break
        }

        // 2. The environment.
        switch (variable("AWS_ACCESS_KEY_ID"), variable("AWS_SECRET_ACCESS_KEY")) {
        case let (accessKey?, secretKey?):
            return S3Credentials(
                accessKey: accessKey, secretKey: secretKey, sessionToken: variable("AWS_SESSION_TOKEN"),
                source: "the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)")
        case (_?, nil):
            throw fail("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not; set both")
        case (nil, _?):
            throw fail("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not; set both")
        case (nil, nil):
            break
        }

        // 3. The profile, in the credentials file and then in the config file.
        let explicitProfile = variable("AWS_PROFILE")
        let profile = explicitProfile ?? "default"
        func file(_ variableName: String, _ defaultName: String) -> URL? {
            if let path = variable(variableName) { return URL(fileURLWithPath: expandTilde(path, homeDirectory: homeDirectory)) }
            return homeDirectory?.appendingPathComponent(".aws").appendingPathComponent(defaultName)
        }
        let files = [
            (file("AWS_SHARED_CREDENTIALS_FILE", "credentials"), false),
            (file("AWS_CONFIG_FILE", "config"), true),
        ].compactMap { url, isConfig in url.map { ($0, isConfig) } }
        var profileFound = false
        for (url, isConfigFile) in files {
            guard let settings = try S3ProfileFile.read(url, isConfigFile: isConfigFile, store: spec.name)?.profiles[profile]
            else { continue }
            profileFound = true
            let place = "profile \"\(profile)\" of \(url.path)"
            switch (settings["aws_access_key_id"], settings["aws_secret_access_key"]) {
            case let (accessKey?, secretKey?):
                return S3Credentials(
                    accessKey: accessKey, secretKey: secretKey, sessionToken: settings["aws_session_token"], source: place)
            case (_?, nil):
                throw fail("\(place) has aws_access_key_id but no aws_secret_access_key")
            case (nil, _?):
                throw fail("\(place) has aws_secret_access_key but no aws_access_key_id")
            case (nil, nil):
                let unsupported = ["role_arn", "sso_session", "sso_start_url", "credential_process", "web_identity_token_file"]
                if let kind = unsupported.first(where: { settings[$0] != nil }) {
                    throw fail(
                        "\(place) gets its credentials by \(kind), which DataJoint does not support; give the keys "
                            + "(aws_access_key_id, aws_secret_access_key, aws_session_token) in the profile, the environment or the store")
                }
            }
        }
        let looked = files.map(\.0.path)
        if let explicitProfile, !profileFound {
            throw fail(
                "the AWS profile \"\(explicitProfile)\" (AWS_PROFILE) is not in "
                    + (looked.isEmpty ? "any file (no home directory)" : looked.joined(separator: " or ")))
        }
        throw fail(
            "no S3 credentials found. Looked for access_key and secret_key in the store's settings (datajoint.json, "
                + "DJ_STORES, .secrets/stores.\(spec.name).access_key and .secret_key), for AWS_ACCESS_KEY_ID and "
                + "AWS_SECRET_ACCESS_KEY in the environment, and for profile \"\(profile)\""
                + (explicitProfile == nil ? " (AWS_PROFILE is not set)" : "")
                + (looked.isEmpty ? "" : " in " + looked.joined(separator: " and "))
                + ". Set one of these, or \"anonymous\": true in the store's settings to read a public bucket unsigned.")
    }

    /// `~` or `~/...` at the start of a path stands for the home directory.
    static func expandTilde(_ path: String, homeDirectory: URL?) -> String {
        guard let homeDirectory, path == "~" || path.hasPrefix("~/") else { return path }
        return homeDirectory.path + path.dropFirst()
    }
}
