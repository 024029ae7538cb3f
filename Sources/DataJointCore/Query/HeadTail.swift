extension QueryConvertible {
    /// The first `n` rows in primary-key order (all of them when there are fewer), like the reference's `head`.
    ///
    /// - Throws: `DataJointError` `.invalidValue` when `n` is negative.
    public func head(_ n: Int = 25) async throws -> [Row] {
        try Self.checkRowCount(n, of: "head")
        return try await toDicts(orderBy: ["KEY"], limit: n)
    }

    /// The last `n` rows in primary-key order (all of them when there are fewer), like the reference's `tail`:
    /// the rows with the largest keys, returned in ascending key order.
    ///
    /// - Throws: `DataJointError` `.invalidValue` when `n` is negative.
    public func tail(_ n: Int = 25) async throws -> [Row] {
        try Self.checkRowCount(n, of: "tail")
        return try await toDicts(orderBy: ["KEY DESC"], limit: n).reversed()
    }

    static func checkRowCount(_ n: Int, of operation: String) throws {
        guard n >= 0 else {
            throw DataJointError(.invalidValue, "\(operation)(\(n)): the number of rows must not be negative")
        }
    }
}
