import Foundation

/// What fetching an `<npy@>` attribute gives: the array's shape and dtype at once, its elements on ``load(mmap:)``,
/// or only some rows with ``rows(_:)-(Range<Int>)``.
///
/// ```swift
/// let ref: NpyRef = try await (lab[Recording.self] & key).fetch1("trace")
/// print(ref.shape)                          // [1000, 64], without reading the file
/// let trace = try await ref.load()          // NDArray
/// let mapped = try await ref.load(mmap: true) // paged in from the file as it is used
/// let some = try await ref.rows(100..<200)  // reads the header and those 100 rows only
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

    /// The bytes of the elements, from the metadata's shape and dtype, without reading the file (NumPy's `nbytes`);
    /// nil when the dtype is not one this library knows.
    public var nbytes: Int? {
        guard let itemSize = Self.itemSize(dtype) else { return nil }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: itemSize)
        return overflow ? nil : bytes
    }

    /// The bytes of one element of the NumPy dtype `name` (`float64`, `<U5`, `datetime64[ms]`).
    static func itemSize(_ name: String) -> Int? {
        var text = Substring(name)
        if let first = text.first, "<>=|".contains(first) { text = text.dropFirst() }
        if text.hasPrefix("U"), let width = Int(text.dropFirst()), width >= 0 { return width * 4 }
        if text.hasPrefix("S"), let width = Int(text.dropFirst()), width >= 0 { return width }
        if text == "float16" || text == "f2" { return 2 }
        if text.hasPrefix("timedelta64") || text.hasPrefix("m8") { return 8 }
        guard let dtype = DType(numpyName: String(text)), dtype != .char else { return nil }
        return dtype.itemSize
    }

    /// Reads the array from its store.
    ///
    /// With `mmap`, the elements are not read: they are mapped into memory from the file and paged in as they are
    /// used (NumPy's `mmap_mode="c"`: changes stay in memory). On a local file store the store's own file is mapped;
    /// from other stores the file is first downloaded to a temporary file, which is mapped and deleted at once (the
    /// mapping keeps its contents until the array is released). Arrays that need converting (big-endian or
    /// column-major elements, `bool`, `str`) are read into memory.
    public func load(mmap: Bool = false) async throws -> NDArray {
        guard mmap else { return try NpyFormat.decode(try await store.get(path)) }
        if let file = store.localFile(path) { return try Self.mapped(file) }
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("dj-npy-\(UUID().uuidString).npy")
        defer { try? FileManager.default.removeItem(at: temporary) }
        try await store.copy(path, toLocalFile: temporary)
        return try Self.mapped(temporary)
    }

    /// The array of the `.npy` file at `url`, its elements mapped from the file where they can be used as they are.
    static func mapped(_ url: URL) throws -> NDArray {
        let probe = try MappedFile.prefix(of: url, count: NpyFormat.headerProbeSize)
        let length = try NpyFormat.headerLength(probe)
        let header = try NpyFormat.header(probe.count >= length ? probe : try MappedFile.prefix(of: url, count: length))
        let size = header.byteCount(of: header.shape)!
        let body = try MappedFile.map(url, offset: header.dataOffset, count: size)
        guard header.isNativeLayout, let dtype = header.dtype else {
            return try NpyFormat.elements(body, header: header, shape: header.shape)
        }
        return NDArray(dtype: dtype, shape: header.shape, storage: .bytes(body))
    }

    /// The rows `range` of the array (along its first axis), reading only the file's header and those rows' bytes
    /// (a ranged read on stores that have one, such as S3). The result has the shape of the array with
    /// `range.count` rows.
    ///
    /// - Throws: `DataJointError` (`.invalidValue`) when `range` is not within `0..<shape[0]` or the array has no
    ///   axis (a scalar); `.codec` when the file is not what the metadata describes.
    public func rows(_ range: Range<Int>) async throws -> NDArray {
        try checkRows(lower: range.lowerBound, upper: range.upperBound, written: "\(range)")
        var header = try await readHeader()
        guard let length = header.shape.first, range.upperBound <= length else {
            throw DataJointError(
                .codec, "\(path): the file holds an array of shape \(header.shape), not the \(shape) of its metadata")
        }
        var part = header.shape
        part[0] = range.count
        if header.fortranOrder {
            // The rows of a column-major array are not contiguous in the file: the whole array is read.
            return try NpyFormat.decode(try await store.get(path)).firstAxisSlice(range)
        }
        let rowBytes = header.byteCount(of: Array(header.shape.dropFirst()))!
        let bytes = range.isEmpty
            ? Data()
            : try await store.get(
                path, range: (header.dataOffset + range.lowerBound * rowBytes)..<(header.dataOffset + range.upperBound * rowBytes))
        header.shape = part
        return try NpyFormat.elements(bytes, header: header, shape: part)
    }

    /// The rows `range` of the array (see ``rows(_:)-(Range<Int>)``).
    public func rows(_ range: ClosedRange<Int>) async throws -> NDArray {
        try checkRows(lower: range.lowerBound, upper: range.upperBound == Int.max ? nil : range.upperBound + 1, written: "\(range)")
        return try await rows(range.lowerBound..<(range.upperBound + 1))
    }

    /// The rows from `range.lowerBound` to the end (see ``rows(_:)-(Range<Int>)``).
    public func rows(_ range: PartialRangeFrom<Int>) async throws -> NDArray {
        try checkRows(lower: range.lowerBound, upper: shape.first ?? 0, written: "\(range.lowerBound)...")
        return try await rows(range.lowerBound..<shape[0])
    }

    /// The rows before `range.upperBound` (see ``rows(_:)-(Range<Int>)``).
    public func rows(_ range: PartialRangeUpTo<Int>) async throws -> NDArray {
        try checkRows(lower: 0, upper: range.upperBound, written: "..<\(range.upperBound)")
        return try await rows(0..<range.upperBound)
    }

    /// The rows up to `range.upperBound` included (see ``rows(_:)-(Range<Int>)``).
    public func rows(_ range: PartialRangeThrough<Int>) async throws -> NDArray {
        try checkRows(lower: 0, upper: range.upperBound == Int.max ? nil : range.upperBound + 1, written: "...\(range.upperBound)")
        return try await rows(0..<(range.upperBound + 1))
    }

    /// The header of the file: one ranged read of its first bytes (two for a header longer than those).
    func readHeader() async throws -> NpyFormat.Header {
        let probe = try await store.get(path, range: 0..<NpyFormat.headerProbeSize)
        let length = try NpyFormat.headerLength(probe)
        return try NpyFormat.header(probe.count >= length ? probe : try await store.get(path, range: 0..<length))
    }

    /// Throws unless rows `lower..<upper` are rows of the array (`upper` nil: beyond any array).
    func checkRows(lower: Int, upper: Int?, written: String) throws {
        guard let length = shape.first else {
            throw DataJointError(.invalidValue, "\(path) holds a 0-dimensional array (a scalar): it has no rows to select; load() it")
        }
        guard lower >= 0, let upper, upper >= lower, upper <= length else {
            throw DataJointError(
                .invalidValue, "rows \(written) are not within the \(length) rows of \(path) (shape \(shape)): give a range within 0..<\(length)")
        }
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

extension NDArray {
    /// The rows `range` of the array (along its first axis, which it must have).
    func firstAxisSlice(_ range: Range<Int>) throws -> NDArray {
        var part = shape
        part[0] = range.count
        let perRow = NDArray.elementCount(Array(shape.dropFirst())) ?? 0
        switch storage {
        case .bytes(let data):
            let rowBytes = perRow * (dtype.itemSize ?? 0)
            return try NDArray(
                dtype: dtype, shape: part, bytes: data.subdata(in: (range.lowerBound * rowBytes)..<(range.upperBound * rowBytes)))
        case .strings(let strings):
            return NDArray(strings: Array(strings[(range.lowerBound * perRow)..<(range.upperBound * perRow)]), shape: part)
        case .objects(let objects):
            return NDArray(dtype: dtype, shape: part, storage: .objects(Array(objects[(range.lowerBound * perRow)..<(range.upperBound * perRow)])))
        }
    }
}
