import Foundation

/// Options of an insert.
public struct InsertOptions: Sendable {
    /// Silently skip rows whose primary key already exists.
    public var skipDuplicates = false
    /// Replace existing rows with the same primary key.
    public var replace = false
    /// Drop attributes the table does not have instead of failing.
    public var ignoreExtraFields = false
    /// Allow inserting into Imported and Computed tables outside `populate`.
    public var allowDirectInsert = false
    /// Insert in chunks of this many rows, each chunk in a transaction of its own, as the reference's `chunk_size`:
    /// when a later chunk fails (a duplicate key, a missing parent row, a lost connection), the chunks before it stay
    /// committed. Every row is still validated before the first chunk is sent, so invalid input inserts nothing.
    /// Inside an enclosing transaction the chunks are part of it and commit (or roll back) with it.
    /// Nil (the default): all rows in one transaction, in statements as large as the backend allows.
    public var chunkSize: Int?
    /// Called with the number of rows inserted so far and the number of rows given: after each chunk commits when
    /// `chunkSize` is set, else once when the insert is done. Not called when there are no rows.
    public var progress: InsertProgress?

    public init(
        skipDuplicates: Bool = false, replace: Bool = false, ignoreExtraFields: Bool = false,
        allowDirectInsert: Bool = false, chunkSize: Int? = nil, progress: InsertProgress? = nil
    ) {
        self.skipDuplicates = skipDuplicates
        self.replace = replace
        self.ignoreExtraFields = ignoreExtraFields
        self.allowDirectInsert = allowDirectInsert
        self.chunkSize = chunkSize
        self.progress = progress
    }
}

/// Reports an insert's progress: the rows inserted so far and the rows given (see ``InsertOptions/progress``).
public typealias InsertProgress = @Sendable (_ inserted: Int, _ total: Int) -> Void

extension Table {
    /// Inserts one row.
    public func insert1(
        _ row: Row, skipDuplicates: Bool = false, replace: Bool = false, ignoreExtraFields: Bool = false,
        allowDirectInsert: Bool = false
    ) async throws {
        try await insert(
            [row],
            options: InsertOptions(
                skipDuplicates: skipDuplicates, replace: replace, ignoreExtraFields: ignoreExtraFields,
                allowDirectInsert: allowDirectInsert))
    }

    /// Inserts rows in batches, all in one transaction: either every row is inserted or none is.
    /// Every row is validated before anything is sent.
    ///
    /// With `chunkSize`, each chunk of that many rows is a transaction of its own (see ``InsertOptions/chunkSize``);
    /// `progress` is told the rows inserted so far (see ``InsertOptions/progress``).
    public func insert(
        _ rows: [Row], skipDuplicates: Bool = false, replace: Bool = false, ignoreExtraFields: Bool = false,
        allowDirectInsert: Bool = false, chunkSize: Int? = nil, progress: InsertProgress? = nil
    ) async throws {
        try await insert(
            rows,
            options: InsertOptions(
                skipDuplicates: skipDuplicates, replace: replace, ignoreExtraFields: ignoreExtraFields,
                allowDirectInsert: allowDirectInsert, chunkSize: chunkSize, progress: progress))
    }

    /// Inserts values of any `Encodable` type whose properties are named like the attributes.
    public func insert<T: Encodable>(
        _ items: [T], skipDuplicates: Bool = false, replace: Bool = false, ignoreExtraFields: Bool = false,
        allowDirectInsert: Bool = false, chunkSize: Int? = nil, progress: InsertProgress? = nil
    ) async throws {
        let encoder = RowEncoder()
        try await insert(
            items.map { try encoder.encode($0) }, skipDuplicates: skipDuplicates, replace: replace,
            ignoreExtraFields: ignoreExtraFields, allowDirectInsert: allowDirectInsert, chunkSize: chunkSize,
            progress: progress)
    }

    /// Inserts the rows of a CSV file whose header names the attributes. Empty fields of nullable
    /// attributes become NULL.
    public func insert(
        csv url: URL, skipDuplicates: Bool = false, replace: Bool = false, ignoreExtraFields: Bool = false,
        allowDirectInsert: Bool = false, chunkSize: Int? = nil, progress: InsertProgress? = nil
    ) async throws {
        let (header, records) = try CSVReader().read(contentsOf: url)
        let heading = try await heading()
        let rows = records.map { record in
            Row(
                names: header,
                values: zip(header, record).map { name, field in
                    field.isEmpty && heading[name]?.nullable == true ? .null : .string(field)
                })
        }
        try await insert(
            rows, skipDuplicates: skipDuplicates, replace: replace, ignoreExtraFields: ignoreExtraFields,
            allowDirectInsert: allowDirectInsert, chunkSize: chunkSize, progress: progress)
    }

    /// Inserts the result of a query (`INSERT ... SELECT`), without fetching the rows.
    public func insert(
        from query: some QueryConvertible, skipDuplicates: Bool = false, replace: Bool = false,
        ignoreExtraFields: Bool = false, allowDirectInsert: Bool = false
    ) async throws {
        let info = try await info()
        try checkDirectInsert(info, allowed: allowDirectInsert)
        let source = try await query.compiled()
        var names: [String] = []
        for name in source.heading.names {
            if info.heading.contains(name) {
                names.append(name)
            } else if !ignoreExtraFields {
                throw DataJointError(
                    .missingAttribute,
                    "Attribute `\(name)` of the query is not in the heading of `\(info.name.table)`; "
                        + "pass ignoreExtraFields: true to drop it")
            }
        }
        for key in info.heading.primaryKey where !names.contains(key) {
            throw DataJointError(.invalidValue, "The query does not supply primary-key attribute `\(key)` of `\(info.name.table)`")
        }
        let (select, _) = try QueryCompiler().fetchSelect(source, attributes: names, orderBy: [], limit: nil, offset: nil)
        let insert = SQLInsert(
            table: info.name, columns: names, rows: .select(select),
            onConflict: conflictAction(skipDuplicates: skipDuplicates, replace: replace, info: info))
        let connection = self.connection
        let tableName = info.name.table
        try await connection.transaction {
            try await InsertErrors.translate(table: tableName) { try await connection.execute(.insert(insert)) }
        }
    }

    func checkDirectInsert(_ info: TableInfo, allowed: Bool) throws {
        if info.tier.isAutoPopulated, !allowed {
            throw DataJointError(
                .notAllowed,
                "Inserts into \(info.tier.rawValue) table `\(info.name.table)` are made by populate(); "
                    + "pass allowDirectInsert: true to insert directly")
        }
    }

    func conflictAction(skipDuplicates: Bool, replace: Bool, info: TableInfo) -> SQLConflictAction {
        if replace { return .replace(key: info.heading.primaryKeyColumns) }
        if skipDuplicates { return .ignore }
        return .fail
    }

    /// Inserts rows with explicit options (see ``InsertOptions``).
    ///
    /// - Throws: `DataJointError`, having inserted nothing, when a row does not fit the heading (checked for every row
    ///   before anything is sent) or `chunkSize` is less than 1; when the database refuses a row, nothing is inserted,
    ///   or with `chunkSize`, the chunks before the failing one stay inserted.
    public func insert(_ rows: [Row], options: InsertOptions) async throws {
        if let chunkSize = options.chunkSize, chunkSize < 1 {
            throw DataJointError(.invalidValue, "insert: chunkSize must be at least 1, not \(chunkSize)")
        }
        guard !rows.isEmpty else { return }
        let info = try await info()
        try checkDirectInsert(info, allowed: options.allowDirectInsert)
        let validator = RowValidator(info: info, ignoreExtraFields: options.ignoreExtraFields, connection: connection)
        // Validate every row before sending anything.
        let validated = try await validator.validate(rows)
        guard let chunkSize = options.chunkSize else {
            try await insertValidated(consume validated, rows: rows, info: info, validator: validator, options: options)
            options.progress?(rows.count, rows.count)
            return
        }
        // Each chunk is a transaction of its own (unless an enclosing transaction holds them all).
        for start in stride(from: 0, to: rows.count, by: chunkSize) {
            let end = min(rows.count, start + chunkSize)
            try await insertValidated(
                Array(validated[start..<end]), rows: Array(rows[start..<end]), info: info, validator: validator, options: options)
            options.progress?(end, rows.count)
        }
    }

    /// Inserts validated rows (`validated[i]` is `rows[i]` checked by `validator`) in one transaction: encodes their
    /// codec values (writing in-store values to their stores, removed again when the transaction fails) and sends
    /// them grouped by the attributes they supply.
    func insertValidated(
        _ validated: consuming [(columns: [String], values: [Value])], rows: [Row], info: TableInfo,
        validator: RowValidator, options: InsertOptions
    ) async throws {
        var validated = validated
        var groups: [[String]: [[Value]]] = [:]
        var order: [[String]] = []
        // Codec values are encoded only now, and in-store values written to their stores.
        let writes = StoreWriteLog()
        do {
            if validator.hasCodecs {
                validated = try await validator.encodeCodecValues(of: validated, rows: rows, writes: writes)
            }
            // Runs of rows with the same attributes (usually all of them) are grouped without hashing each row's.
            var run: (columns: [String], values: [[Value]])?
            func closeRun() {
                guard let (columns, values) = run else { return }
                if groups[columns] == nil { order.append(columns) }
                groups[columns, default: []].append(contentsOf: values)
            }
            for (columns, values) in validated {
                if run?.columns == columns {
                    run!.values.append(values)
                } else {
                    closeRun()
                    run = (columns, [values])
                }
            }
            closeRun()
        } catch {
            await writes.rollBack()
            throw error
        }
        validated = []
        let action = conflictAction(skipDuplicates: options.skipDuplicates, replace: options.replace, info: info)
        let connection = self.connection
        let tableName = info.name.table
        let name = info.name
        // Held back when the enclosing transaction asked for that (populate's groups), to be sent with the rows of others.
        if case .fail = action, options.chunkSize == nil, let deferred = connection.deferredInserts {
            for columns in order { deferred.append(self, info: info, columns: columns, rows: groups[columns]!) }
            connection.transactionWrites?.absorb(writes)
            return
        }
        let statements = insertStatements(action: action, chunkSize: options.chunkSize, table: name)
        // Many plain rows go through the backend's bulk path where it has one (PostgreSQL's COPY, MySQL's LOAD DATA),
        // else (or when the server refuses it) as multi-row INSERT statements.
        let bulk = Self.bulkCopyable(action: action, rows: rows.count, chunkSize: options.chunkSize)
        let batches = order.map { ($0, groups[$0]!) }
        groups = [:]
        let firstKey = Self.firstKey(of: batches, action: action, primaryKey: info.heading.primaryKey)
        do {
            try await insertTransaction(firstKey: firstKey) {
                try await InsertErrors.translate(table: tableName) {
                    try await connection.withSession { session in
                        for (columns, values) in batches {
                            if bulk, session.supportsBulkCopy {
                                do {
                                    _ = try await session.copy(into: name, columns: columns, rows: values)
                                    continue
                                } catch is BulkCopyUnavailable {}
                            }
                            for statement in statements(columns, values) { try await session.execute(statement) }
                        }
                    }
                }
            }
        } catch {
            await writes.rollBack()
            throw error
        }
        // Inside an enclosing transaction the objects stay provisional until it commits.
        connection.transactionWrites?.absorb(writes)
    }
}

extension Table {
    /// The primary key of the first row of a plain insert (one that fails on duplicates), by which a lost commit's
    /// outcome is read; nil for other inserts, whose rows may have been in the table before.
    static func firstKey(of batches: [([String], [[Value]])], action: SQLConflictAction, primaryKey: [String]) -> Row? {
        guard case .fail = action, let (columns, rows) = batches.first, let first = rows.first else { return nil }
        var key = Row()
        for name in primaryKey {
            guard let index = columns.firstIndex(of: name) else { return nil }
            key[name] = first[index]
        }
        return key.isEmpty ? nil : key
    }

    /// Rows below this count are inserted with INSERT statements even where a bulk path exists.
    static let bulkCopyThreshold = 256

    static func bulkCopyable(action: SQLConflictAction, rows: Int, chunkSize: Int?) -> Bool {
        guard case .fail = action, chunkSize == nil else { return false }
        return rows >= bulkCopyThreshold
    }

    /// The multi-row INSERT statements of rows that supply `columns`, as large as the backend allows: bounded by the
    /// rows asked for (`chunkSize`), the parameters and the bytes of one statement. Built when called.
    func insertStatements(action: SQLConflictAction, chunkSize: Int?, table: SQLTableName)
        -> @Sendable (_ columns: [String], _ rows: [[Value]]) -> [RenderedSQL]
    {
        let dialect = connection.dialect
        return { columns, rows in
            let chunk = max(1, chunkSize ?? Int.max)
            var statements: [RenderedSQL] = []
            let perStatement = max(1, min(chunk, dialect.maxParametersPerStatement / max(1, columns.count)))
            var batch: [[Value]] = []
            var bytes = 0
            func flush() {
                guard !batch.isEmpty else { return }
                let insert = SQLInsert(table: table, columns: columns, rows: .values(batch), onConflict: action)
                statements.append(dialect.render(.insert(insert)))
                batch.removeAll(keepingCapacity: true)
                bytes = 0
            }
            for values in rows {
                let size = values.reduce(0) { $0 + $1.approximateByteCount }
                if !batch.isEmpty, batch.count >= perStatement || bytes + size > dialect.maxStatementBytes { flush() }
                batch.append(values)
                bytes += size
            }
            flush()
            return statements
        }
    }
}
