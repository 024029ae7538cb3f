/// A storage protocol (`stores.<name>.protocol`): the keys its store settings require and allow, their checks,
/// and how a store is made from them. `file` is built in; `s3` comes with `DataJointS3`; register your own on a
/// connection with ``StoreRegistry/register(_:)``.
///
/// ```swift
/// struct ArchiveAdapter: StorageAdapter {
///     let protocolName = "archive"
///     let requiredKeys = ["location", "vault"]
///     let allowedKeys = ["vault", "token"]
///     func makeStore(_ spec: StoreSpec) throws -> any ObjectStore { try ArchiveStore(spec: spec) }
/// }
/// db.stores.register(ArchiveAdapter())
/// ```
///
/// Every store is checked the same way when it is first opened (``check(_:)``): the required keys must be present,
/// and only the common keys (``StoreSpec/commonKeys``) and the adapter's allowed keys may appear; then
/// ``validate(_:)`` checks what the keys hold.
public protocol StorageAdapter: Sendable {
    /// The name matched against `stores.<name>.protocol` (lower case).
    var protocolName: String { get }
    /// Keys a store's settings must have (`protocol` is always required).
    var requiredKeys: [String] { get }
    /// Keys the protocol accepts beyond the common ones.
    var allowedKeys: [String] { get }
    /// Checks what protocol-specific keys hold (formats, keys that exclude each other); by default nothing more.
    /// Throw a `DataJointError` of kind `.configuration` that names the key.
    func validate(_ spec: StoreSpec) throws
    /// Makes the store. Called once per store and connection, after ``check(_:)``.
    func makeStore(_ spec: StoreSpec) throws -> any ObjectStore
}

extension StorageAdapter {
    public func validate(_ spec: StoreSpec) throws {}

    /// The checks of every store: required keys present, no key that is neither common nor allowed, then
    /// ``validate(_:)``.
    /// - Throws: `DataJointError` `.configuration` naming the store, the protocol and the keys.
    public func check(_ spec: StoreSpec) throws {
        let missing = requiredKeys.filter { spec.attributes[$0] == nil }
        if !missing.isEmpty {
            throw DataJointError(
                .configuration, "stores.\(spec.name): protocol \(protocolName) needs \(missing.joined(separator: ", "))")
        }
        let accepted = Set(StoreSpec.commonKeys).union(allowedKeys)
        let unknown = spec.attributes.keys.filter { !accepted.contains($0) }.sorted()
        if !unknown.isEmpty {
            throw DataJointError(
                .configuration,
                "stores.\(spec.name): \(unknown.joined(separator: ", ")) \(unknown.count > 1 ? "are not keys" : "is not a key") of "
                    + "protocol \(protocolName); it takes "
                    + (StoreSpec.commonKeys + allowedKeys.filter { !StoreSpec.commonKeys.contains($0) }).joined(separator: ", "))
        }
        try validate(spec)
    }
}

/// The `file` protocol: a directory of the local (or a mounted) file system (``FileStore``).
public struct FileStorageAdapter: StorageAdapter {
    public let protocolName = "file"
    public let requiredKeys = ["location"]
    public let allowedKeys: [String] = []

    public init() {}

    public func makeStore(_ spec: StoreSpec) throws -> any ObjectStore { try FileStore(spec: spec) }
}
