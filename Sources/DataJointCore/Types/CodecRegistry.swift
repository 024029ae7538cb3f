import Synchronization

/// The codecs a connection knows: the built-in ones and those the user registered. Owned by the connection.
public final class CodecRegistry: Sendable {
    private let codecs: Mutex<[String: any Codec]>

    /// A registry with the built-in codecs.
    public init() {
        var initial: [String: any Codec] = [:]
        for codec in CodecRegistry.builtIn { initial[codec.name] = codec }
        codecs = Mutex(initial)
    }

    /// The codecs every connection starts with.
    public static var builtIn: [any Codec] {
        [BlobCodec(), AttachCodec(), HashCodec(), ObjectCodec(), NpyCodec(), FilepathCodec()]
    }

    /// Adds or replaces a codec.
    public func register(_ codec: any Codec) {
        codecs.withLock { $0[codec.name] = codec }
    }

    /// The codec of a name, or nil.
    public func codec(named name: String) -> (any Codec)? {
        codecs.withLock { $0[name] }
    }

    /// Names of all registered codecs, sorted.
    public var names: [String] { codecs.withLock { $0.keys.sorted() } }

    /// The chain of codecs behind `<name@store>` (outermost first) and the core type finally stored.
    public func resolve(name: String, store: String?) throws -> (chain: [(codec: any Codec, store: String?)], storage: AttributeType) {
        var chain: [(codec: any Codec, store: String?)] = []
        var currentName = name
        var currentStore = store
        while true {
            guard let codec = codec(named: currentName) else {
                throw DataJointError(
                    .codec,
                    "Unknown codec <\(currentName)>; registered codecs: \(names.map { "<\($0)>" }.joined(separator: ", ")). "
                        + "Register it with connection.register(_:)")
            }
            chain.append((codec, currentStore))
            guard chain.count < 16 else { throw DataJointError(.codec, "codec <\(name)> stores through a cycle of codecs") }
            let stored: String
            do {
                stored = try codec.storedType(inStore: currentStore != nil)
            } catch let error as DataJointError {
                throw DataJointError(.codec, error.message)
            }
            guard let type = AttributeType(parsing: stored) else {
                throw DataJointError(.codec, "codec <\(codec.name)> stores an unknown type `\(stored)`")
            }
            switch type {
            case .codec(let inner, let innerStore):
                currentName = inner
                // An inner codec without a store inherits the outer one (`<blob@cold>` -> `<hash@cold>`).
                currentStore = innerStore ?? currentStore
            default:
                return (chain, type)
            }
        }
    }

    /// Encodes an inserted value through the chain of `<name@store>`: the result has the stored core type.
    func encode(_ value: Value, name: String, store: String?, context: CodecContext) async throws -> (Value, AttributeType) {
        let (chain, storage) = try resolve(name: name, store: store)
        var current = value
        for (codec, codecStore) in chain {
            var ctx = context
            ctx.store = codecStore
            try codec.validate(current, context: ctx)
            current = try await codec.encode(current, context: ctx)
        }
        return (current, storage)
    }

    /// Checks a value with the outermost codec of `<name@store>`, before anything is encoded or sent.
    func validate(_ value: Value, name: String, store: String?, context: CodecContext) throws {
        guard let codec = codec(named: name) else { _ = try resolve(name: name, store: store); return }
        var ctx = context
        ctx.store = store
        try codec.validate(value, context: ctx)
    }

    /// Decodes a stored value (already read as the stored core type) back through the chain.
    func decode(_ stored: Value, name: String, store: String?, context: CodecContext) async throws -> Value {
        let (chain, _) = try resolve(name: name, store: store)
        var current = stored
        for (codec, codecStore) in chain.reversed() {
            var ctx = context
            ctx.store = codecStore
            current = try await codec.decode(current, context: ctx)
        }
        return current
    }
}
