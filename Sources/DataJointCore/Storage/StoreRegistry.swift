import Synchronization

/// The object stores a connection can reach, built from its `stores` settings on first use. Owned by the
/// connection; the `file` protocol is built in, others (`s3`) are added by the module that implements them.
public final class StoreRegistry: Sendable {
    /// Makes a store of one protocol from its checked configuration.
    public typealias Factory = @Sendable (StoreSpec) throws -> any ObjectStore

    /// A configured store, ready to use.
    public struct Resolved: Sendable {
        public let spec: StoreSpec
        public let store: any ObjectStore
    }

    private let configuration: [String: JSON]
    private let factories: Mutex<[String: Factory]>
    private let opened = Mutex<[String: Resolved]>([:])

    /// A registry for the `stores` block of the settings.
    public init(configuration: [String: JSON]) {
        self.configuration = configuration
        factories = Mutex(["file": { spec in try FileStore(spec: spec) }])
    }

    /// Makes stores of `protocol` (such as `s3`) available.
    public func registerProtocol(_ protocol: String, factory: @escaping Factory) {
        factories.withLock { $0[`protocol`.lowercased()] = factory }
    }

    /// Names of the configured stores, sorted.
    public var names: [String] {
        configuration.compactMap { name, value in
            if case .object = value { return name }
            return nil
        }.sorted()
    }

    /// The name `<codec@name>` refers to: `name` itself, or for `<codec@>` the configured default
    /// (`stores.default`, or `stores.filepath_default` for file paths).
    public func effectiveName(_ name: String?, filepath: Bool = false) throws -> String {
        if let name, !name.isEmpty { return name }
        let key = filepath ? "filepath_default" : "default"
        switch configuration[key] {
        case .string(let store)?:
            return store
        case nil:
            throw DataJointError(
                .configuration,
                "stores.\(key) is not configured: set it to a store name, or name the store in the definition "
                    + (filepath ? "(<filepath@store>)" : "(<blob@store>)"))
        default:
            throw DataJointError(.configuration, "stores.\(key) must be a store name")
        }
    }

    /// The store `<codec@name>` refers to (nil or "" for the default store), opened once per connection.
    public func resolve(_ name: String?, filepath: Bool = false) throws -> Resolved {
        let name = try effectiveName(name, filepath: filepath)
        if let resolved = opened.withLock({ $0[name] }) { return resolved }
        guard case .object(let attributes)? = configuration[name] else {
            let known = names
            throw DataJointError(
                .configuration,
                "Store \"\(name)\" is not configured"
                    + (known.isEmpty ? "; add it to the stores block of datajoint.json (or DJ_STORES)" : "; configured stores: \(known.joined(separator: ", "))"))
        }
        let available = factories.withLock { $0 }
        let spec = try StoreSpec(name: name, attributes: attributes, knownProtocols: Set(available.keys))
        let resolved = Resolved(spec: spec, store: try available[spec.protocol]!(spec))
        return opened.withLock { opened in
            if let existing = opened[name] { return existing }
            opened[name] = resolved
            return resolved
        }
    }
}
