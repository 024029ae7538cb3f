import Synchronization

/// The object stores a connection can reach, built from its `stores` settings on first use. Owned by the
/// connection; the `file` protocol is built in, others (`s3`) are added by the module that implements them, as
/// ``StorageAdapter``s.
public final class StoreRegistry: Sendable {
    /// A configured store, ready to use.
    public struct Resolved: Sendable {
        public let spec: StoreSpec
        public let store: any ObjectStore
    }

    private let configuration: [String: JSON]
    private let adapters: Mutex<[String: any StorageAdapter]>
    private let opened = Mutex<[String: Resolved]>([:])

    /// A registry for the `stores` block of the settings.
    public init(configuration: [String: JSON]) {
        self.configuration = configuration
        let file = FileStorageAdapter()
        adapters = Mutex([file.protocolName: file])
    }

    /// Makes stores of the adapter's protocol (such as `s3`) available; an adapter registered before for the same
    /// protocol is replaced.
    public func register(_ adapter: any StorageAdapter) {
        adapters.withLock { $0[adapter.protocolName.lowercased()] = adapter }
    }

    /// The adapter of `protocol`, if one is registered.
    public func adapter(for protocol: String) -> (any StorageAdapter)? {
        adapters.withLock { $0[`protocol`.lowercased()] }
    }

    /// The protocols stores can use, sorted.
    public var protocols: [String] { adapters.withLock { $0.keys.sorted() } }

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
        let spec = try StoreSpec(name: name, attributes: attributes)
        guard let adapter = adapter(for: spec.protocol) else {
            throw DataJointError(
                .configuration,
                "stores.\(name): unknown protocol \"\(spec.protocol)\"; known: \(protocols.joined(separator: ", "))"
                    + " (a storage adapter registered with stores.register makes another one available)")
        }
        try adapter.check(spec)
        let resolved = Resolved(spec: spec, store: try adapter.makeStore(spec))
        return opened.withLock { opened in
            if let existing = opened[name] { return existing }
            opened[name] = resolved
            return resolved
        }
    }
}
