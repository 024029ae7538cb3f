import Foundation

/// What fetching an `<npy@>` attribute gives: the array's shape and dtype at once, its elements on ``load()``.
///
/// ```swift
/// let ref: NpyRef = try await (lab[Recording.self] & key).fetch1("trace")
/// print(ref.shape)                 // [1000, 64], without reading the file
/// let trace = try await ref.load() // NDArray
/// ```
public struct NpyRef: Sendable, Hashable, CustomStringConvertible {
    /// The store-relative path of the `.npy` file.
    public let path: String
    /// The store's name.
    public let storeName: String?
    /// The array's shape, from the metadata.
    public let shape: [Int]
    /// NumPy's name of the dtype, from the metadata (`float64`, `<U5`).
    public let dtype: String
    let store: any ObjectStore

    init(metadata: StoredMetadata, store: any ObjectStore, storeName: String?) throws {
        path = try metadata.string("path")
        self.storeName = storeName
        dtype = metadata.optionalString("dtype") ?? ""
        if case .array(let dims)? = metadata.object["shape"] {
            shape = dims.compactMap { if case .int(let i) = $0 { Int(i) } else { nil } }
        } else {
            shape = []
        }
        guard NDArray.elementCount(shape) != nil else {
            throw DataJointError(.codec, "\(metadata.context.attributeName): the stored metadata has an impossible shape \(shape)")
        }
        self.store = store
    }

    /// The number of dimensions.
    public var ndim: Int { shape.count }
    /// The number of elements.
    public var count: Int { shape.reduce(1, *) }

    /// Reads the array from its store.
    public func load() async throws -> NDArray {
        try NpyFormat.decode(try await store.get(path))
    }

    /// The `.npy` file's URL.
    public var url: String { store.url(for: path) }

    public var description: String { "NpyRef(shape=\(shape), dtype=\(dtype), path=\(path))" }

    public static func == (a: NpyRef, b: NpyRef) -> Bool {
        a.path == b.path && a.storeName == b.storeName && a.shape == b.shape && a.dtype == b.dtype
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(path)
        hasher.combine(storeName)
    }
}

extension NpyRef: CustomValueConvertible {}
