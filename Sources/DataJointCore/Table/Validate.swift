/// One thing wrong with a row given to ``Table/validate(_:ignoreExtraFields:)``.
public struct ValidationProblem: Sendable, CustomStringConvertible {
    /// The position of the row in the array given (0 for the first row).
    public let row: Int
    /// The attribute concerned; nil for a problem of the row as a whole.
    public let attribute: String?
    /// The error `insert` would throw for it.
    public let error: DataJointError

    /// A problem of row `row` (its position in the array given), of `attribute` (nil: of the whole row).
    public init(row: Int, attribute: String?, error: DataJointError) {
        self.row = row
        self.attribute = attribute
        self.error = error
    }

    /// What is wrong, as the error says it.
    public var message: String { error.message }

    /// `rows[3], `dob`: <message>`.
    public var description: String {
        "rows[\(row)]" + (attribute.map { ", `\($0)`" } ?? "") + ": " + message
    }
}

/// What ``Table/validate(_:ignoreExtraFields:)`` found: every problem of every row, in row order (the reference's
/// `ValidationResult`).
public struct ValidationResult: Sendable, CustomStringConvertible {
    /// The number of rows checked.
    public let rowsChecked: Int
    /// Every problem found, in row order and, within a row, unknown attributes first, then the heading's order.
    public let problems: [ValidationProblem]

    /// The result of checking `rowsChecked` rows that had `problems`.
    public init(rowsChecked: Int, problems: [ValidationProblem]) {
        self.rowsChecked = rowsChecked
        self.problems = problems
    }

    /// True when no row has a problem: `insert` with the same options would accept every row (the database can
    /// still refuse one for a duplicate key or a missing parent row, which validation does not look up).
    public var isValid: Bool { problems.isEmpty }

    /// A readable account: a first line with the counts, then one line per problem (the first 10).
    public var summary: String {
        guard !isValid else { return "Validation passed: \(rowsChecked) rows checked" }
        var lines = ["Validation failed: \(problems.count) problem(s) in \(rowsChecked) rows"]
        lines += problems.prefix(10).map { "  \($0)" }
        if problems.count > 10 { lines.append("  ... and \(problems.count - 10) more") }
        return lines.joined(separator: "\n")
    }

    /// The ``summary``.
    public var description: String { summary }

    /// Throws a `DataJointError` (of the first problem's kind, with the ``summary`` as its message) unless the rows
    /// are valid.
    public func throwIfInvalid() throws {
        guard let first = problems.first else { return }
        throw first.error.reworded(summary)
    }
}

extension Table {
    /// Checks rows against the table's heading without inserting anything, with the checks of `insert` itself:
    /// unknown attributes (unless `ignoreExtraFields`), missing primary-key attributes, missing attributes that have
    /// no default and are not nullable, NULL for an attribute that is not nullable, values that do not fit their type
    /// (or that the backend cannot store), and each codec's own validation.
    ///
    /// Unlike `insert`, which stops at the first problem, it reports every problem of every row:
    /// ```swift
    /// let result = try await lab[Subject.self].validate(rows)
    /// if result.isValid { try await lab[Subject.self].insert(rows) } else { print(result.summary) }
    /// ```
    /// Foreign keys and unique indexes are not looked up: the database checks them when rows are inserted.
    ///
    /// - Throws: only when the table cannot be read (e.g. it is not declared); problems of the rows are returned.
    public func validate(_ rows: [Row], ignoreExtraFields: Bool = false) async throws -> ValidationResult {
        let info = try await info()
        let validator = RowValidator(info: info, ignoreExtraFields: ignoreExtraFields, connection: connection)
        var problems: [ValidationProblem] = []
        var layout: RowLayout?
        for (index, row) in rows.enumerated() {
            for name in validator.unknownNames(row.names) {
                let error = validator.unknownAttributeError(name, index: index, count: 1)
                problems.append(ValidationProblem(row: index, attribute: name, error: error))
            }
            if layout?.names != row.names { layout = validator.layout(of: row.names) }
            for slot in layout!.slots {
                do {
                    // A count of 1 keeps the row's position out of the message: the problem carries it.
                    _ = try validator.check(slot, of: row, index: index, count: 1)
                } catch let error as DataJointError {
                    let attribute = info.heading.allAttributes[slot.attribute].name
                    problems.append(ValidationProblem(row: index, attribute: attribute, error: error))
                }
            }
        }
        return ValidationResult(rowsChecked: rows.count, problems: problems)
    }
}
