import DataJointCore

/// The `s3` protocol: a bucket of an S3-compatible service (``S3Store``).
public struct S3StorageAdapter: StorageAdapter {
    public let protocolName = "s3"
    public let requiredKeys = ["endpoint", "bucket", "location"]
    /// `region` and `anonymous` (unsigned requests to a public bucket) are ours: DataJoint-Python 2.3 has neither.
    public let allowedKeys = [
        "endpoint", "bucket", "access_key", "secret_key", "secure", "proxy_server", "region", "anonymous",
    ]

    public init() {}

    public func makeStore(_ spec: StoreSpec) throws -> any ObjectStore { try S3Store(spec: spec) }
}
