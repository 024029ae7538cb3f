import DataJointCore
import Foundation

/// The region requests of a store are signed for, found as the AWS tools find it: the store's `region`, then
/// `AWS_REGION`, `AWS_DEFAULT_REGION`, then `region` of the profile (`AWS_PROFILE`, default `default`) in the AWS
/// config file (`AWS_CONFIG_FILE`, default `~/.aws/config`), and `us-east-1` when none says.
enum S3Region {
    static let fallback = "us-east-1"

    /// - Throws: `.configuration` when the config file exists but cannot be read.
    static func resolve(spec: StoreSpec, environment: [String: String], homeDirectory: URL?) throws -> String {
        func nonEmpty(_ text: String?) -> String? { text.flatMap { $0.isEmpty ? nil : $0 } }
        if let region = nonEmpty(spec.string("region")) { return region }
        if let region = nonEmpty(environment["AWS_REGION"]) ?? nonEmpty(environment["AWS_DEFAULT_REGION"]) { return region }
        let configFile = nonEmpty(environment["AWS_CONFIG_FILE"]).map {
            URL(fileURLWithPath: S3Credentials.expandTilde($0, homeDirectory: homeDirectory))
        } ?? homeDirectory?.appendingPathComponent(".aws").appendingPathComponent("config")
        let profile = nonEmpty(environment["AWS_PROFILE"]) ?? "default"
        if let configFile, let file = try S3ProfileFile.read(configFile, isConfigFile: true, store: spec.name),
            let region = nonEmpty(file.profiles[profile]?["region"])
        {
            return region
        }
        return fallback
    }
}
