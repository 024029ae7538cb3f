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
        do {
            try await connection.transaction {
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

/// Checks a row against a table's heading and converts its values for the database.
struct RowValidator {
    let info: TableInfo
    let dialect: any Dialect
    let ignoreExtraFields: Bool
    let codecs: CodecRegistry
    let downloadPath: String
    let stores: StoreRegistry
    /// The visible attribute names, looked up once per row name.
    private let visibleNames: Set<String>
    /// Whether any attribute has a codec (then values need `encodeCodecValues` after validation).
    let hasCodecs: Bool

    init(info: TableInfo, ignoreExtraFields: Bool, connection: Connection) {
        self.info = info
        dialect = connection.dialect
        self.ignoreExtraFields = ignoreExtraFields
        codecs = connection.codecs
        downloadPath = connection.settings.downloadPath
        stores = connection.stores
        visibleNames = Set(info.heading.names)
        hasCodecs = info.heading.allAttributes.contains { if case .codec = $0.type { true } else { false } }
    }

    func context(for attribute: Attribute, store: String?, primaryKey: Row = Row(), writes: StoreWriteLog? = nil)
        -> CodecContext
    {
        var context = CodecContext(
            schema: info.name.schema, table: info.name.table, attribute: attribute.name, store: store,
            downloadPath: downloadPath, primaryKey: primaryKey, stores: stores)
        context.writes = writes
        return context
    }

    /// Encodes the codec attributes of validated rows, several rows at a time (serialization, compression and
    /// store uploads run in parallel), keeping their order.
    func encodeCodecValues(
        of validated: [(columns: [String], values: [Value])], rows: [Row], writes: StoreWriteLog
    ) async throws -> [(columns: [String], values: [Value])] {
        var encoded = validated
        let width = max(1, min(ProcessorCount.active, validated.count))
        try await withThrowingTaskGroup(of: (Int, [Value]).self) { group in
            var next = 0
            func start() {
                let index = next
                next += 1
                let (columns, values) = validated[index]
                let row = rows[index]
                group.addTask(executorPreference: globalConcurrentExecutor) {
                    var values = values
                    try await self.encodeCodecValues(&values, columns: columns, row: row, writes: writes)
                    return (index, values)
                }
            }
            while next < width { start() }
            while let (index, values) = try await group.next() {
                encoded[index].values = values
                if next < validated.count { start() }
            }
        }
        return encoded
    }

    /// Encodes the codec attributes of a validated row (`columns`, `values` from `validate`) through their codec
    /// chains, writing in-store values to their stores. `row` is the row as given, for its primary key.
    func encodeCodecValues(_ values: inout [Value], columns: [String], row: Row, writes: StoreWriteLog) async throws {
        var primaryKey: Row?
        for (index, name) in columns.enumerated() {
            guard case .codec(let codec, let store) = info.heading[name]?.type, !values[index].isNull else { continue }
            let attribute = info.heading[name]!
            if primaryKey == nil {
                var key = Row()
                for keyName in info.heading.primaryKey {
                    let keyAttribute = info.heading[keyName]!
                    key[keyName] = row[keyName].flatMap { keyAttribute.type.normalize($0) } ?? row[keyName] ?? .null
                }
                primaryKey = key
            }
            let context = context(for: attribute, store: store, primaryKey: primaryKey!, writes: writes)
            let (encoded, storage) = try await codecs.encode(values[index], name: codec, store: store, context: context)
            guard let normalized = storage.normalize(encoded) else {
                throw DataJointError(
                    .codec, "codec <\(codec)> produced \(encoded.kindName) for `\(info.name.table)`.`\(name)`, not \(storage)")
            }
            values[index] = dialect.encode(normalized, as: storage)
        }
    }

    /// Rows below this count per processor are validated on one thread.
    static let rowsPerValidationTask = 16_384

    /// Validates rows in order (see `validate(_:index:count:layout:)`); many rows in parallel, in contiguous chunks
    /// (each stops at its first invalid row, and the error thrown is that of the first invalid row of all).
    func validate(_ rows: [Row]) async throws -> [(columns: [String], values: [Value])] {
        let tasks = min(ProcessorCount.active, rows.count / Self.rowsPerValidationTask)
        guard tasks > 1 else { return try validate(rows[...], count: rows.count) }
        let chunk = (rows.count + tasks - 1) / tasks
        var results = [Result<[(columns: [String], values: [Value])], any Error>?](repeating: nil, count: tasks)
        await withTaskGroup(of: (Int, Result<[(columns: [String], values: [Value])], any Error>).self) { group in
            for task in 0..<tasks {
                group.addTask(executorPreference: globalConcurrentExecutor) {
                    let range = task * chunk..<min(rows.count, (task + 1) * chunk)
                    return (task, Result { try self.validate(rows[range], count: rows.count) })
                }
            }
            for await (task, result) in group { results[task] = result }
        }
        var validated: [(columns: [String], values: [Value])] = []
        validated.reserveCapacity(rows.count)
        for result in results { validated += try result!.get() }
        return validated
    }

    /// Validates a run of the rows (`count` of them in all, for messages). Consecutive rows that name the same
    /// attributes in the same order share one `RowLayout`, and with it one columns array.
    func validate(_ rows: ArraySlice<Row>, count: Int) throws -> [(columns: [String], values: [Value])] {
        var validated: [(columns: [String], values: [Value])] = []
        validated.reserveCapacity(rows.count)
        var layout: RowLayout?
        for (index, row) in zip(rows.indices, rows) {
            if layout?.names != row.names {
                layout = try self.layout(of: row.names, index: index, count: count)
            }
            let values = try validate(row, index: index, count: count, layout: layout!)
            validated.append(layout!.withDefaultsApplied(values))
        }
        return validated
    }

    /// Where the values of rows that name `names` go, checked once for all such rows: throws for a name that is not
    /// in the heading (unless extra fields are ignored).
    func layout(of names: [String], index: Int, count: Int) throws -> RowLayout {
        if let name = unknownNames(names).first { throw unknownAttributeError(name, index: index, count: count) }
        return layout(of: names)
    }

    /// The names that are not in the heading (none when extra fields are ignored).
    func unknownNames(_ names: [String]) -> [String] {
        ignoreExtraFields ? [] : names.filter { !visibleNames.contains($0) }
    }

    func unknownAttributeError(_ name: String, index: Int, count: Int) -> DataJointError {
        let at = count > 1 ? " (row \(index + 1) of \(count))" : ""
        return DataJointError(
            .missingAttribute,
            "Attribute `\(name)` is not in the heading of `\(info.name.table)`\(at); it has "
                + info.heading.names.joined(separator: ", ") + ". Pass ignoreExtraFields: true to drop it")
    }

    /// Where the values of rows that name `names` go; names not in the heading are left out.
    func layout(of names: [String]) -> RowLayout {
        var columns: [String] = []
        var slots: [RowLayout.Slot] = []
        var defaulted: [Int] = []
        for (attributeIndex, attribute) in info.heading.allAttributes.enumerated() where !attribute.isHidden {
            if let position = names.firstIndex(of: attribute.name) {
                if !attribute.nullable, attribute.defaultValue != nil { defaulted.append(columns.count) }
                columns.append(attribute.name)
                slots.append(.value(attribute: attributeIndex, position: position, type: attribute.type, nullable: attribute.nullable))
            } else if attribute.inPrimaryKey {
                slots.append(.missingKey(attribute: attributeIndex))
            } else if !attribute.hasDefault {
                slots.append(.missingValue(attribute: attributeIndex))
            }
        }
        return RowLayout(names: names, columns: columns, slots: slots, defaultedColumns: defaulted)
    }

    /// Checks one row against the heading and encodes its plain values for the dialect (codec values are checked
    /// only: `encodeCodecValues` encodes them once every row is valid); `layout` is the layout of the row's names.
    /// Returns the values of `layout.columns`.
    func validate(_ row: Row, index: Int, count: Int, layout: RowLayout) throws -> [Value] {
        var values: [Value] = []
        values.reserveCapacity(layout.columns.count)
        for slot in layout.slots { values.append(try check(slot, of: row, index: index, count: count)) }
        return values
    }

    /// Checks the value of one attribute of a row (`slot` of the row's layout) and returns it encoded for the
    /// dialect (a codec value is returned as given: it is only checked). Throws for a missing or invalid value.
    func check(_ slot: RowLayout.Slot, of row: Row, index: Int, count: Int) throws -> Value {
        let table = info.name.table
        // Only error messages need the row's position and the attributes' other properties.
        var at: String { count > 1 ? " (row \(index + 1) of \(count))" : "" }
        func attribute(_ index: Int) -> Attribute { info.heading.allAttributes[index] }
        switch slot {
        case .missingKey(let index):
            throw DataJointError(.invalidValue, "Missing primary-key attribute `\(attribute(index).name)` for `\(table)`\(at)")
        case .missingValue(let index):
            throw DataJointError(
                .invalidValue,
                "Missing value for `\(table)`.`\(attribute(index).name)`\(at), which has no default and is not nullable")
        case .value(let index, let position, let type, let nullable):
            let value = row.values[position]
            if value.isNull {
                // As the reference: NULL for an attribute that is not nullable but has a default inserts the default
                // (`RowLayout.withDefaultsApplied` leaves the column out of the row).
                guard nullable || attribute(index).defaultValue != nil else {
                    throw DataJointError(
                        .invalidValue,
                        "NULL is not allowed for `\(table)`.`\(attribute(index).name)`\(at): the attribute is not nullable and has no default")
                }
                return .null
            }
            if case .codec(let name, let store) = type {
                // Checked now; encoded (and written to stores) by `encodeCodecValues` once every row is valid.
                let attribute = attribute(index)
                try codecs.validate(value, name: name, store: store, context: context(for: attribute, store: store))
                return value
            }
            guard let normalized = type.normalize(value) else {
                throw DataJointError(
                    .invalidValue,
                    "Invalid value for `\(table)`.`\(attribute(index).name)`\(at): expected \(attribute(index).typeText), got "
                        + "\(value.kindName) \(String(describing: value).prefix(80))")
            }
            if let reason = dialect.unstorableReason(normalized) {
                throw DataJointError(.invalidValue, "`\(table)`.`\(attribute(index).name)`\(at): \(reason)")
            }
            return dialect.encode(normalized, as: type)
        }
    }
}

/// Where the values of rows that name the same attributes in the same order go (see `RowValidator.layout`).
struct RowLayout {
    /// One visible attribute of the heading, in heading order.
    enum Slot {
        /// The row supplies the attribute (index in the heading's attributes) at `position`.
        case value(attribute: Int, position: Int, type: AttributeType, nullable: Bool)
        /// A primary-key attribute the row lacks.
        case missingKey(attribute: Int)
        /// An attribute without a default that the row lacks.
        case missingValue(attribute: Int)

        /// The index of the slot's attribute in the heading's attributes.
        var attribute: Int {
            switch self {
            case .value(let attribute, _, _, _), .missingKey(let attribute), .missingValue(let attribute): attribute
            }
        }
    }

    /// The row's attribute names, as given.
    let names: [String]
    /// The attributes the row supplies, in heading order: the columns of the row's validated values.
    let columns: [String]
    let slots: [Slot]
    /// Positions in `columns` of attributes that are not nullable but have a default: NULL there means the default.
    let defaultedColumns: [Int]

    /// A validated row's columns and values, without the columns whose value is NULL but whose attribute is not
    /// nullable and has a default: the database fills in the default (`CURRENT_TIMESTAMP` included).
    func withDefaultsApplied(_ values: [Value]) -> (columns: [String], values: [Value]) {
        let omitted = defaultedColumns.filter { values[$0].isNull }
        guard !omitted.isEmpty else { return (columns, values) }
        let kept = columns.indices.filter { !omitted.contains($0) }
        return (kept.map { columns[$0] }, kept.map { values[$0] })
    }
}

/// Rewords driver errors of inserts so they name the table (keeping what the database reported).
enum InsertErrors {
    @discardableResult
    static func translate<T>(table: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as DataJointError {
            switch error.kind {
            case .duplicate:
                throw error.reworded(
                    "Duplicate entry in `\(table)`: a row with the same primary key (or unique value) exists. "
                        + "Use skipDuplicates: true to skip such rows or replace: true to overwrite them. (\(error.message))")
            case .integrity:
                throw error.reworded(
                    "Cannot insert into `\(table)`: a referenced row does not exist in a parent table. (\(error.message))")
            default:
                throw error
            }
        }
    }
}
