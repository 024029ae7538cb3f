/// Turns values of a Swift type into something a column can store, and back: the type behind an attribute
/// declared as `<name>` or `<name@store>`.
///
/// A codec stores its values as another type (`storedType`): a core type such as `bytes` or `json`, or another
/// codec, so codecs chain (`<blob@>` stores through `<hash@>`, which stores `json`). Register a codec of your own
/// on a connection with `connection.register(_:)`; it can then be used in definitions as `<name>`.
///
/// ```swift
/// struct PointCodec: Codec {
///     let name = "point"
///     func storedType(inStore: Bool) -> String { "json" }
///     func encode(_ value: Value, context: CodecContext) throws -> Value {
///         guard case .custom(let c) = value, let p = c.as(Point.self) else { throw DataJointError(.codec, "not a Point") }
///         return .json(["x": .double(p.x), "y": .double(p.y)])
///     }
///     func decode(_ stored: Value, context: CodecContext) throws -> Value {
///         guard case .json(.object(let o)) = stored, case .double(let x)? = o["x"], case .double(let y)? = o["y"]
///         else { throw DataJointError(.codec, "not a stored point") }
///         return .custom(CustomValue(Point(x: x, y: y)))
///     }
/// }
/// ```
public protocol Codec: Sendable {
    /// The name used in definitions: `blob` for `<blob>`.
    var name: String { get }
    /// The type values are stored as, in definition notation: `bytes`, `json`, ... or another codec (`<hash>`).
    /// `inStore` is true for `<name@store>` attributes. Throws a `DataJointError` when the codec cannot be used
    /// that way (`<hash>` without a store).
    func storedType(inStore: Bool) throws -> String
    /// Checks a value before anything is sent or stored; throws a `DataJointError` that says what is wrong.
    func validate(_ value: Value, context: CodecContext) throws
    /// Converts an inserted value to a value of the stored type. In-store codecs write to
    /// `context.objectStore()` here.
    func encode(_ value: Value, context: CodecContext) async throws -> Value
    /// Converts a stored value back to the value users fetch.
    func decode(_ stored: Value, context: CodecContext) async throws -> Value
}

extension Codec {
    public func validate(_ value: Value, context: CodecContext) throws {}

    /// The stored type of a codec that keeps its values in a store: JSON metadata in the column for
    /// `<name@store>`; `<name>` without a store throws a `DataJointError` that says to declare `<name@>`.
    /// Return it from ``storedType(inStore:)`` in codecs that write to ``CodecContext/objectStore(filepath:)``.
    public func storeOnlyType(inStore: Bool) throws -> String {
        guard inStore else {
            throw DataJointError(.codec, "<\(name)> needs a store: declare it as <\(name)@> or <\(name)@store>")
        }
        return "json"
    }
}

/// What a codec knows about the value it encodes or decodes.
public struct CodecContext: Sendable {
    /// The schema, table and attribute of the value (schema-addressed paths are built from them).
    public var schema: String
    public var table: String
    public var attribute: String
    /// The store of `<name@store>` attributes ("" for the default store), nil in-table.
    public var store: String?
    /// Where codecs that produce files (such as `<attach>`) put them (`download_path`).
    public var downloadPath: String
    /// The primary-key values of the row being inserted, in heading order (empty when decoding).
    public var primaryKey: Row
    /// The object stores of the connection.
    public var stores: StoreRegistry?
    /// Objects written for a statement that has not committed yet: removed again if it fails.
    var writes: StoreWriteLog?

    public init(
        schema: String = "", table: String, attribute: String, store: String?, downloadPath: String,
        primaryKey: Row = Row(), stores: StoreRegistry? = nil
    ) {
        self.schema = schema
        self.table = table
        self.attribute = attribute
        self.store = store
        self.downloadPath = downloadPath
        self.primaryKey = primaryKey
        self.stores = stores
    }

    /// The store this attribute uses (`store` resolved through `stores.default`, or `stores.filepath_default` for
    /// file paths), with its configuration.
    public func objectStore(filepath: Bool = false) throws -> StoreRegistry.Resolved {
        guard let stores else {
            throw DataJointError(.configuration, "\(attributeName) needs an object store, but none is configured")
        }
        do {
            return try stores.resolve(store, filepath: filepath)
        } catch let error as DataJointError {
            throw error.reworded("\(attributeName): \(error.message)")
        }
    }

    /// The attribute as messages name it: `` `table`.`attribute` ``. Start a codec's error messages with it.
    public var attributeName: String { "`\(table)`.`\(attribute)`" }

    /// The error (`.invalidValue`) for an inserted value the attribute's codec does not take:
    /// "`` `session`.`trace` `` is <npy@>: give an NDArray, not text".
    public func unsupportedValue(_ value: Value, codec: String, give expected: String) -> DataJointError {
        DataJointError(.invalidValue, "\(attributeName) is \(codec): give \(expected), not \(value.kindName)")
    }

    /// A new schema-addressed path (``ObjectPath``) for this attribute of the row being inserted, in the store
    /// configured by `spec`: `{schema_prefix}/{schema}/{table}/{key=value/...}/{attribute}_{token}{fileExtension}`,
    /// as DataJoint-Python builds it. Every call gives a new path (a random token), so a write never replaces the
    /// object of another row or of an earlier version of this one. A codec that writes there should call
    /// ``recordNewObject(_:in:)`` with the path before it writes, and return JSON metadata with the `path`:
    /// garbage collection keeps the objects at the paths rows refer to (and everything under a directory's path).
    public func newObjectPath(fileExtension: String?, spec: StoreSpec) -> String {
        ObjectPath.path(
            schema: schema, table: table, attribute: attribute, primaryKey: primaryKey, fileExtension: fileExtension,
            spec: spec)
    }

    /// Records that `path` was newly written to `store` for a row that is not committed yet: if the insert fails,
    /// the object is removed again, and when `path` is a directory (a prefix of several objects), everything under
    /// it. Use it for objects no other row can share (schema-addressed paths), before writing them.
    public func recordNewObject(_ path: String, in store: any ObjectStore) {
        writes?.record(path, in: store)
    }
}
