import Foundation
import Synchronization

extension Table {
    /// Inserts one row whose `<object@>` values are written straight to their store while the row is being built:
    /// for objects too large to hold in memory (a Zarr directory, a long recording) that arrive in pieces.
    ///
    /// `body` sets the row's values in ``StagedInsert/rec`` — the whole primary key first, as the objects' paths are
    /// made from it — and writes each object through ``StagedInsert/store(_:fileExtension:)`` (a directory of files)
    /// or ``StagedInsert/open(_:fileExtension:)`` (one file). The objects are written at their final paths from the
    /// first byte.
    ///
    /// When `body` returns, the writers it left open are finished, the metadata of each object is computed as an
    /// ordinary insert of the same content would record it (`{path, store, size, ext, is_dir, item_count,
    /// timestamp}`), and the row is inserted. When `body` throws, the task is cancelled, or the insert fails (a
    /// duplicate key), the objects are removed again and no row is inserted; the error is rethrown.
    ///
    /// ```swift
    /// try await lab[Scan.self].stagedInsert1 { staged in
    ///     staged.rec["scan_id"] = 1
    ///     let frames = try await staged.store("frames", fileExtension: ".zarr")
    ///     try await frames.write(zarrMetadata, to: "zarr.json")
    ///     for (index, chunk) in chunks.enumerated() { try await frames.write(chunk, to: "c/\(index)/0/0") }
    ///     staged.rec["n_frames"] = chunks.count
    /// }
    /// ```
    ///
    /// Staged inserts of different keys run concurrently without interfering. Inside a ``Connection/transaction(_:)``
    /// the row is part of the transaction, and the objects are removed if it rolls back.
    ///
    /// - Parameters:
    ///   - allowDirectInsert: allow the insert into an Imported or Computed table outside `populate`.
    ///   - body: builds the row and writes its objects; what it returns is returned.
    /// - Throws: `DataJointError` from ``StagedInsert`` when a field is not `<object@>` or the primary key is
    ///   incomplete, from the stores, or from the insert; `CancellationError` when the task was cancelled.
    @discardableResult
    public func stagedInsert1<Result>(
        allowDirectInsert: Bool = false, isolation: isolated (any Actor)? = #isolation,
        _ body: (StagedInsert) async throws -> Result
    ) async throws -> Result {
        let info = try await info()
        try checkDirectInsert(info, allowed: allowDirectInsert)
        let staged = StagedInsert(table: self, info: info)
        defer { staged.release() }
        let result: Result
        do {
            result = try await body(staged)
            try Task.checkCancellation()
            try await staged.finalize(allowDirectInsert: allowDirectInsert)
        } catch {
            await staged.unwind()
            throw error
        }
        return result
    }
}

/// One row being built by ``Table/stagedInsert1(allowDirectInsert:isolation:_:)``: its values (``rec``) and the
/// `<object@>` values being written to their stores (``store(_:fileExtension:)``, ``open(_:fileExtension:)``).
/// Its handles may be used from several tasks at once (several files written in parallel); set ``rec`` from one.
public final class StagedInsert: Sendable {
    /// An `<object@>` value being written.
    struct StagedObject: Sendable {
        enum Kind: Sendable {
            case directory
            /// One file; its writer is nil while it is being made.
            case file(StagedWriter?)
        }

        let field: String
        let path: String
        let fileExtension: String?
        let storeName: String
        let store: any ObjectStore
        var kind: Kind
    }

    private struct State {
        var rec = Row()
        var objects: [StagedObject] = []
        var writers: [StagedWriter] = []
        var closed = false
        /// Set when the insert may have been committed although it failed (a lost connection).
        var keepObjects = false
    }

    let table: Table
    let info: TableInfo
    private let validator: RowValidator
    private let state = Mutex(State())
    /// The objects written, removed again when the staged insert fails.
    private let writes = StoreWriteLog()

    init(table: Table, info: TableInfo) {
        self.table = table
        self.info = info
        validator = RowValidator(info: info, ignoreExtraFields: false, connection: table.connection)
    }

    /// The row's values, by attribute name. Set the primary key before ``store(_:fileExtension:)`` or
    /// ``open(_:fileExtension:)``; leave the staged `<object@>` attributes out (their metadata is computed).
    public var rec: Row {
        get { state.withLock { $0.rec } }
        set { state.withLock { $0.rec = newValue } }
    }

    /// The directory of the `<object@>` attribute `field`, to write its files into: for formats made of many files
    /// (Zarr, a folder of images). Calling it again for the same field gives the same directory.
    ///
    /// - Parameter fileExtension: the extension of the object's path (`.zarr`), recorded as its `ext`.
    /// - Throws: `DataJointError` when `field` is not an `<object@>` attribute, the primary key is not complete in
    ///   ``rec``, the field was opened as a file, or its store is not configured.
    public func store(_ field: String, fileExtension: String? = nil) async throws -> StagedDirectory {
        let object = try stage(field, fileExtension: fileExtension, directory: true)
        return StagedDirectory(path: object.path, store: object.store, session: self)
    }

    /// A writer of the `<object@>` attribute `field` as one file, written in pieces (HDF5, raw binary). Finish it,
    /// or leave it to the staged insert, which finishes it when its block returns.
    ///
    /// - Parameter fileExtension: the extension of the object's path (`.dat`), recorded as its `ext`.
    /// - Throws: `DataJointError` when `field` is not an `<object@>` attribute, the primary key is not complete in
    ///   ``rec``, the field was staged before, or its store is not configured.
    public func open(_ field: String, fileExtension: String? = nil) async throws -> any ObjectWriter {
        let object = try stage(field, fileExtension: fileExtension, directory: false)
        let writer: StagedWriter
        do {
            writer = StagedWriter(try await object.store.writer(at: object.path), session: self)
        } catch {
            state.withLock { $0.objects.removeAll { $0.field == field } }
            throw error
        }
        state.withLock { state in
            if let index = state.objects.firstIndex(where: { $0.field == field }) { state.objects[index].kind = .file(writer) }
            state.writers.append(writer)
        }
        return writer
    }

    /// Checks `field` and the primary key, and records the object's new path (or, for a directory staged before,
    /// gives the one recorded).
    private func stage(_ field: String, fileExtension: String?, directory: Bool) throws -> StagedObject {
        try checkOpen()
        let ext = ObjectCodec.normalizedExtension(fileExtension)
        let name = "`\(info.name.table)`.`\(field)`"
        guard let attribute = info.heading[field] else {
            throw DataJointError(
                .missingAttribute,
                "Attribute `\(field)` is not in the heading of `\(info.name.table)`; it has "
                    + info.heading.names.joined(separator: ", "))
        }
        guard case .codec(name: "object", store: let store) = attribute.type else {
            throw DataJointError(
                .notAllowed,
                "\(name) is \(attribute.type): staged insert writes <object@> attributes only; set its value in staged.rec")
        }
        if let existing = state.withLock({ state in state.objects.first { $0.field == field } }) {
            guard directory, case .directory = existing.kind else {
                throw DataJointError(
                    .notAllowed, "\(name) is already staged (as \(existing.isDirectory ? "a directory by store()" : "a file by open()")); "
                        + "stage each attribute once, either as a directory (store) or as a file (open)")
            }
            guard existing.fileExtension == ext else {
                throw DataJointError(
                    .invalidValue, "\(name) is already staged with extension \(existing.fileExtension ?? "none"), not \(ext ?? "none")")
            }
            return existing
        }
        let rec = self.rec
        let missing = info.heading.primaryKey.filter { rec[$0] == nil || rec[$0] == .null }
        guard missing.isEmpty else {
            throw DataJointError(
                .invalidValue,
                "Set the primary key in staged.rec before store() or open() (the object's path is made from it): "
                    + "\(info.name.table) is missing " + missing.map { "`\($0)`" }.joined(separator: ", "))
        }
        let context = validator.context(for: attribute, store: store, primaryKey: validator.primaryKey(of: rec))
        let (spec, objectStore) = try context.objectStore().pair
        let object = StagedObject(
            field: field, path: context.newObjectPath(fileExtension: ext, spec: spec), fileExtension: ext,
            storeName: spec.name, store: objectStore, kind: directory ? .directory : .file(nil))
        return try state.withLock { state in
            guard !state.closed else { throw Self.closedError }
            if let raced = state.objects.first(where: { $0.field == field }) {
                // Staged by another task in the meantime.
                guard directory, case .directory = raced.kind, raced.fileExtension == ext else {
                    throw DataJointError(.notAllowed, "\(name) is already staged")
                }
                return raced
            }
            state.objects.append(object)
            writes.record(object.path, in: objectStore)
            return object
        }
    }

    /// A writer handed out for a file of a staged directory, finished or given up with the staged insert.
    func track(_ writer: any ObjectWriter) -> StagedWriter {
        let tracked = StagedWriter(writer, session: self)
        state.withLock { $0.writers.append(tracked) }
        return tracked
    }

    /// Lets go of the writers and objects once the staged insert is over (its writers refer back to it).
    func release() {
        state.withLock { state in
            state.closed = true
            state.writers = []
            state.objects = []
        }
    }

    /// Throws once the staged insert is over: handles kept beyond its block write nothing.
    func checkOpen() throws {
        if state.withLock({ $0.closed }) { throw Self.closedError }
    }

    static let closedError = DataJointError(
        .notAllowed, "This staged insert is over: write its objects inside the stagedInsert1 block")

    /// Finishes the open writers, computes each object's metadata, and inserts the row.
    func finalize(allowDirectInsert: Bool) async throws {
        for writer in state.withLock({ $0.writers }) where writer.state == .open {
            try await writer.finish()
        }
        let objects = state.withLock { state in
            state.closed = true
            return state.objects
        }
        var row = rec
        for object in objects {
            row[object.field] = .json(try await metadata(of: object))
        }
        do {
            try await table.insert1(row, allowDirectInsert: allowDirectInsert)
        } catch let error as DataJointError where error.kind == .connection && !table.connection.inTransaction {
            // Lost at COMMIT, the insert may have been committed: then the objects are the row's.
            switch await commitOutcome(of: row, objects: objects) {
            case true?: return
            case false?: throw error
            case nil:
                state.withLock { $0.keepObjects = true }
                throw error
            }
        }
        // Inside an enclosing transaction the objects stay provisional until it commits.
        table.connection.transactionWrites?.absorb(writes)
    }

    /// The `<object@>` metadata of a staged object, as ``ObjectCodec`` records it for an ordinary insert; a directory
    /// also gets its manifest beside it.
    private func metadata(of object: StagedObject) async throws -> JSON {
        let name = "`\(info.name.table)`.`\(object.field)`"
        switch object.kind {
        case .file(let writer):
            guard case .finished(let size)? = writer?.state else {
                throw DataJointError(.invalidValue, "\(name): the write opened by open() was given up, so there is no object to insert")
            }
            return ObjectCodec.metadata(
                path: object.path, store: object.storeName, size: size, ext: object.fileExtension, isDirectory: false,
                itemCount: nil)
        case .directory:
            let files = try await object.store.list(under: object.path).map {
                StoredObject(path: String($0.path.dropFirst(object.path.count + 1)), size: $0.size)
            }.sorted { $0.path < $1.path }
            guard !files.isEmpty else {
                throw DataJointError(
                    .invalidValue, "\(name): nothing was written to the directory given by store(), so there is no object to insert")
            }
            let manifest = object.path + ".manifest.json"
            writes.record(manifest, in: object.store)
            try await object.store.put(ObjectCodec.manifest(files: files), at: manifest)
            let size = files.reduce(0) { $0 + $1.size }
            return ObjectCodec.metadata(
                path: object.path, store: object.storeName, size: size, ext: object.fileExtension, isDirectory: true,
                itemCount: files.count)
        }
    }

    /// After the connection was lost at the insert: whether the row was committed with these objects, nil when that
    /// cannot be told (the objects are then left for garbage collection rather than removed from under a row).
    private func commitOutcome(of row: Row, objects: [StagedObject]) async -> Bool? {
        var key = Row()
        for name in info.heading.primaryKey { key[name] = row[name] }
        do {
            guard let first = objects.first else { return nil }
            let stored: [Value] = try await (table & key).toArray(first.field)
            return stored.count == 1 && ObjectRef(dataJointValue: stored[0])?.path == first.path
        } catch {
            return nil
        }
    }

    /// Gives up the open writers and removes the objects written (unless the insert may have committed them). Runs
    /// to the end even when the task is cancelled.
    func unwind() async {
        let (writers, keep) = state.withLock { state in
            state.closed = true
            return (state.writers, state.keepObjects)
        }
        let writes = self.writes
        await Task {
            for writer in writers { await writer.abort() }
            if !keep { await writes.rollBack() }
        }.value
    }
}

extension StagedInsert.StagedObject {
    var isDirectory: Bool {
        if case .directory = kind { return true }
        return false
    }
}
