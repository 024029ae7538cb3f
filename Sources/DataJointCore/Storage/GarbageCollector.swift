import Foundation

/// Removes objects that no row refers to any more from a store: hash-addressed content whose rows were deleted
/// (content is shared, so deleting a row never deletes it), schema-addressed files left by deleted or updated
/// rows, objects written by inserts that never committed (a process killed in the middle), and the temporary files
/// of writes that never finished. Only the sections of the given schemas are examined (`{hash_prefix}/{schema}/`,
/// `{schema_prefix}/{schema}/`); `<filepath@>` files are never touched.
///
/// ```swift
/// let report = try await GarbageCollector(schemas: [lab]).collect(dryRun: false)
/// print(report.deleted, report.bytesFreed)
/// ```
public struct GarbageCollector: Sendable {
    /// What a collection found (and, unless it was a dry run, removed).
    public struct Report: Sendable, Hashable {
        /// Hash-addressed objects referred to by rows, stored, and stored but unreferenced (store-relative paths).
        public var hashReferenced = 0
        public var hashStored = 0
        public var orphanedHashPaths: [String] = []
        /// Schema-addressed files referred to by rows, stored, and stored but unreferenced.
        public var schemaReferenced = 0
        public var schemaStored = 0
        public var orphanedSchemaPaths: [String] = []
        /// Files left by writes that never finished (a process killed while it wrote to a file store).
        public var unfinishedWritePaths: [String] = []
        /// Bytes held by the orphans and the unfinished writes.
        public var orphanedBytes = 0
        /// Objects removed and bytes freed (zero on a dry run).
        public var deleted = 0
        public var bytesFreed = 0
        /// Whether this was a dry run (nothing removed).
        public var dryRun = true
        /// Unreferenced objects and unfinished writes left alone because they were written less than `minimumAge`
        /// ago: an insert or a staged insert may still be writing them.
        public var recentPaths: [String] = []
    }

    public let schemas: [Schema]
    /// The store to collect (nil: the default store).
    public let store: String?

    /// A collector of `schemas` (at least one) on `store`. Pass every schema that uses the store's sections you
    /// want cleaned; objects of other schemas are never listed.
    public init(schemas: [Schema], store: String? = nil) throws {
        guard !schemas.isEmpty else {
            throw DataJointError(.invalidValue, "Garbage collection needs at least one schema")
        }
        self.schemas = schemas
        self.store = store
    }

    /// Finds orphaned objects, and removes them unless `dryRun` (the default: report only).
    ///
    /// With `minimumAge`, objects written less than that long ago are left alone (``Report/recentPaths``): an
    /// insert that has not committed yet, or a long staged insert, may be writing them. As in DataJoint-Python the
    /// default is no minimum age, so run a collection without one while nothing writes to the schema. Stores that
    /// do not tell when an object was written (``StoredObject/modified`` nil) have every object counted as old.
    public func collect(dryRun: Bool = true, minimumAge: Duration = .zero) async throws -> Report {
        guard minimumAge >= .zero else {
            throw DataJointError(.invalidValue, "Garbage collection: minimumAge must not be negative, not \(minimumAge)")
        }
        let resolved = try schemas[0].connection.stores.resolve(store)
        let (spec, objectStore) = (resolved.spec, resolved.store)
        var hashReferenced: Set<String> = []
        var schemaReferenced: Set<String> = []
        for schema in schemas {
            let (hashes, objects) = try await references(in: schema, storeName: spec.name)
            hashReferenced.formUnion(hashes)
            schemaReferenced.formUnion(objects)
        }
        var hashStored: [String: Int] = [:]
        var schemaStored: [String: Int] = [:]
        var unfinished: [StoredObject] = []
        /// Stored objects written within `minimumAge`, and unfinished writes begun within it.
        var recent: Set<String> = []
        var recentUnfinished: [String] = []
        let (seconds, attoseconds) = minimumAge.components
        let cutoff = Date().addingTimeInterval(-(Double(seconds) + Double(attoseconds) * 1e-18))
        func isRecent(_ object: StoredObject) -> Bool {
            guard minimumAge > .zero, let modified = object.modified else { return false }
            return modified > cutoff
        }
        for schema in schemas {
            let hashSection = Self.section(spec.hashPrefix, schema.name)
            let schemaSection = Self.section(spec.schemaPrefix, schema.name)
            for object in try await objectStore.list(under: hashSection)
            where HashAddress.isHash(object.path.split(separator: "/").last ?? "") {
                hashStored[object.path] = object.size
                if isRecent(object) { recent.insert(object.path) }
            }
            for object in try await objectStore.list(under: schemaSection) {
                schemaStored[object.path] = object.size
                if isRecent(object) { recent.insert(object.path) }
            }
            for section in [hashSection, schemaSection] {
                for object in try await objectStore.unfinishedWrites(under: section) {
                    if isRecent(object) { recentUnfinished.append(object.path) } else { unfinished.append(object) }
                }
            }
        }
        var report = Report()
        report.dryRun = dryRun
        report.hashReferenced = hashReferenced.count
        report.hashStored = hashStored.count
        let orphanedHash = hashStored.keys.filter { !hashReferenced.contains($0) }
        let orphanedSchema = schemaStored.keys.filter { !Self.isCovered($0, by: schemaReferenced) }
        report.recentPaths = ((orphanedHash + orphanedSchema).filter(recent.contains) + recentUnfinished).sorted()
        report.orphanedHashPaths = orphanedHash.filter { !recent.contains($0) }.sorted()
        report.schemaReferenced = schemaReferenced.count
        report.schemaStored = schemaStored.count
        report.orphanedSchemaPaths = orphanedSchema.filter { !recent.contains($0) }.sorted()
        report.unfinishedWritePaths = unfinished.map(\.path).sorted()
        report.orphanedBytes = report.orphanedHashPaths.reduce(0) { $0 + hashStored[$1]! }
            + report.orphanedSchemaPaths.reduce(0) { $0 + schemaStored[$1]! }
            + unfinished.reduce(0) { $0 + $1.size }
        if !dryRun {
            for path in report.orphanedHashPaths + report.orphanedSchemaPaths {
                try await objectStore.remove(path)
                report.deleted += 1
                report.bytesFreed += hashStored[path] ?? schemaStored[path] ?? 0
            }
            for write in unfinished {
                try await objectStore.discardUnfinishedWrite(write)
                report.deleted += 1
                report.bytesFreed += write.size
            }
        }
        return report
    }

    static func section(_ prefix: String, _ schema: String) -> String {
        let trimmed = prefix.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        return trimmed.isEmpty ? schema : trimmed + "/" + schema
    }

    /// A stored file is accounted for when it is a referenced path, lies under one (a directory object), or is the
    /// manifest of one.
    static func isCovered(_ path: String, by referenced: Set<String>) -> Bool {
        var path = Substring(path)
        if path.hasSuffix(".manifest.json") { path = path.dropLast(".manifest.json".count) }
        if referenced.contains(String(path)) { return true }
        var current = path
        while let slash = current.lastIndex(of: "/") {
            current = current[..<slash]
            if referenced.contains(String(current)) { return true }
        }
        return false
    }

    /// The store paths the rows of `schema` refer to: hash-addressed ones and schema-addressed ones.
    func references(in schema: Schema, storeName: String) async throws -> (hash: Set<String>, schema: Set<String>) {
        let connection = schema.connection
        var hashes: Set<String> = []
        var objects: Set<String> = []
        for tableName in try await schema.tableNames() {
            let info = try await schema.table(tableName).info()
            for attribute in info.heading.allAttributes {
                guard case .codec(let name, let attributeStore?) = attribute.type else { continue }
                let resolved = try connection.codecs.resolve(name: name, store: attributeStore)
                guard resolved.storage == .json else { continue }
                let chain = resolved.chain.map(\.codec.name)
                // Hash-addressed through <hash@>; every other in-store codec (<object@>, <npy@>, plugin codecs such
                // as <zarr@>) is taken as schema-addressed when its metadata has a path. `<filepath@>` paths lie
                // outside both sections, so counting them changes nothing.
                let isHash = chain.contains("hash")
                guard !chain.contains("filepath") else { continue }
                let select = SQLSelect(columns: [(.column(attribute.name), alias: nil)], from: .table(info.name))
                for row in try await connection.query(connection.dialect.render(.select(select))) {
                    let value = try connection.dialect.decode(row[0], as: .json)
                    guard !value.isNull else { continue }
                    let context = CodecContext(table: info.name.table, attribute: attribute.name, store: attributeStore, downloadPath: "")
                    let metadata = try StoredMetadata(value, context: context)
                    let store = metadata.optionalString("store") ?? (try? connection.stores.effectiveName(attributeStore))
                    guard store == storeName, let path = metadata.optionalString("path") else { continue }
                    if isHash { hashes.insert(path) } else { objects.insert(path) }
                }
            }
        }
        return (hashes, objects)
    }
}

extension Schema {
    /// Removes objects of this schema that no row refers to any more from `store` (nil: the default store); with
    /// `dryRun` (the default) only reports them. See ``GarbageCollector``.
    /// With `minimumAge`, objects written less than that long ago are left alone.
    public func collectGarbage(store: String? = nil, dryRun: Bool = true, minimumAge: Duration = .zero) async throws
        -> GarbageCollector.Report
    {
        try await GarbageCollector(schemas: [self], store: store).collect(dryRun: dryRun, minimumAge: minimumAge)
    }
}
