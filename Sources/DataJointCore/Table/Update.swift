extension Table {
    /// Changes secondary attributes of one existing row, identified by the primary key in `row`.
    /// Primary-key values cannot be changed.
    public func update1(_ row: Row) async throws {
        let info = try await info()
        let table = info.name.table
        guard restrictions.isEmpty else {
            throw DataJointError(
                .notAllowed, "update1 cannot be applied to a restricted table; call it on `\(table)` itself with the full key")
        }
        for name in row.names where info.heading[name] == nil {
            throw DataJointError(.missingAttribute, "Attribute `\(name)` not found in `\(table)`")
        }
        let key = info.heading.primaryKey
        for name in key where row[name] == nil {
            throw DataJointError(.invalidValue, "update1 needs the full primary key of `\(table)`; `\(name)` is missing")
        }
        let keyRow = row.project(key)
        let target = Table(schema: schema, tableName: info.name.table, userType: userType) & keyRow
        guard try await target.count() == 1 else {
            throw DataJointError(.cardinality, "update1 can only change one existing row; no row of `\(table)` has key \(keyRow)")
        }
        let dialect = connection.dialect
        let writes = StoreWriteLog()
        var assignments: [(column: String, value: SQLExpression)] = []
        do {
            for (name, value) in zip(row.names, row.values) where !key.contains(name) {
                let attribute = info.heading[name]!
                if value.isNull {
                    guard attribute.nullable else {
                        throw DataJointError(.invalidValue, "NULL is not allowed for `\(table)`.`\(name)`: the attribute is not nullable")
                    }
                    assignments.append((name, .bind(.null)))
                    continue
                }
                if case .codec(let codec, let store) = attribute.type {
                    let validator = RowValidator(info: info, ignoreExtraFields: false, connection: connection)
                    try connection.codecs.validate(value, name: codec, store: store, context: validator.context(for: attribute, store: store))
                    var encoded = [value]
                    try await validator.encodeCodecValues(&encoded, columns: [name], row: row, writes: writes)
                    assignments.append((name, .bind(encoded[0])))
                    continue
                }
                guard let normalized = attribute.type.normalize(value) else {
                    throw DataJointError(
                        .invalidValue,
                        "Invalid value for `\(table)`.`\(name)`: expected \(attribute.typeText), got \(value.kindName) \(value)")
                }
                if let reason = dialect.unstorableReason(normalized) {
                    throw DataJointError(.invalidValue, "`\(table)`.`\(name)`: \(reason)")
                }
                assignments.append((name, .bind(dialect.encode(normalized, as: attribute.type))))
            }
        } catch {
            await writes.rollBack()
            throw error
        }
        guard !assignments.isEmpty else { return }
        let update = SQLUpdate(table: info.name, assignments: assignments, where: try await target.baseWhereClause())
        let connection = self.connection
        do {
            try await connection.transaction {
                try await InsertErrors.translate(table: table) { try await connection.execute(.update(update)) }
            }
        } catch {
            await writes.rollBack()
            throw error
        }
        connection.transactionWrites?.absorb(writes)
    }
}
