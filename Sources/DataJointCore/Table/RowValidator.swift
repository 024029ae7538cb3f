import Foundation

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
            if primaryKey == nil { primaryKey = self.primaryKey(of: row) }
            let context = context(for: attribute, store: store, primaryKey: primaryKey!, writes: writes)
            let (encoded, storage) = try await codecs.encode(values[index], name: codec, store: store, context: context)
            guard let normalized = storage.normalize(encoded) else {
                throw DataJointError(
                    .codec, "codec <\(codec)> produced \(encoded.kindName) for `\(info.name.table)`.`\(name)`, not \(storage)")
            }
            values[index] = dialect.encode(normalized, as: storage)
        }
    }

    /// The primary-key values of `row` in heading order, normalized to their attributes' types (as schema-addressed
    /// paths show them); an attribute the row lacks is null.
    func primaryKey(of row: Row) -> Row {
        var key = Row()
        for keyName in info.heading.primaryKey {
            let keyAttribute = info.heading[keyName]!
            key[keyName] = row[keyName].flatMap { keyAttribute.type.normalize($0) } ?? row[keyName] ?? .null
        }
        return key
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
