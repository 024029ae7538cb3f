extension Table {
    /// Changes secondary attributes of one existing row, identified by the primary key in `row`.
    /// Primary-key values cannot be changed.
    ///
    /// A `.null` value resets the attribute to its default, as the reference does: NULL for a nullable attribute,
    /// the declared default (`= 0`, `= "none"`, `= CURRENT_TIMESTAMP`) for one that is not.
    ///
    /// - Throws: `DataJointError` (and changes nothing) when the table value is restricted, `row` names an attribute
    ///   the table does not have, lacks part of the primary key, matches no row, gives a value that does not fit its
    ///   attribute, or gives `.null` for an attribute that is neither nullable nor has a default.
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
                    // As the reference: NULL resets the attribute to its default (NULL when nullable).
                    assignments.append((name, try resetExpression(attribute, table: table)))
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

extension Table {
    /// What `update1` sets an attribute to when given `.null`: NULL when the attribute is nullable, else its declared
    /// default (a bound value, or `CURRENT_TIMESTAMP`).
    func resetExpression(_ attribute: Attribute, table: String) throws -> SQLExpression {
        if attribute.nullable { return .bind(.null) }
        let name = attribute.name
        guard let declared = attribute.defaultValue else {
            throw DataJointError(
                .invalidValue,
                "NULL is not allowed for `\(table)`.`\(name)`: the attribute is not nullable and has no default to reset it to")
        }
        let value: Value
        switch declared {
        case .null: return .bind(.null)
        case .currentTimestamp, .currentTimestampPrecision: return .raw("CURRENT_TIMESTAMP")
        case .string(let text), .literal(let text): value = .string(text)
        case .bool(let flag): value = .bool(flag)
        }
        let dialect = connection.dialect
        let type: AttributeType
        if case .codec(let codec, let store) = attribute.type {
            type = try connection.codecs.resolve(name: codec, store: store).storage
        } else {
            type = attribute.type
        }
        guard let normalized = type.normalize(value) else {
            throw DataJointError(
                .invalidValue, "The default \(declared) of `\(table)`.`\(name)` does not fit its type \(attribute.typeText)")
        }
        return .bind(dialect.encode(normalized, as: type))
    }
}
