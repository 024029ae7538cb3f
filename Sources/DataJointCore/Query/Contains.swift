extension QueryConvertible {
    /// True when the query has a row matching `key` on every attribute it names (Python's `key in table`):
    /// ```swift
    /// if try await lab[Subject.self].contains(["subject_id": 1]) { ... }
    /// ```
    /// `key` may name any attributes of the query, not only its primary key; an empty `key` matches any row (so the
    /// answer is whether the query has rows). A `.null` value matches rows where the attribute is NULL.
    ///
    /// - Throws: `DataJointError` `.missingAttribute` when `key` names an attribute the query does not have (the
    ///   reference would silently ignore it and answer as if it were not there).
    public func contains(_ key: Row) async throws -> Bool {
        let expression = try await queryExpression()
        let query = try await expression.compiled()
        let unknown = key.names.filter { !query.heading.contains($0) }
        guard unknown.isEmpty else {
            throw DataJointError(
                .missingAttribute,
                "contains: the key names "
                    + unknown.map { "`\($0)`" }.joined(separator: ", ")
                    + ", which \(QueryCompiler.description(of: query)) does not have; it has "
                    + query.heading.names.joined(separator: ", "))
        }
        return try await !(expression & key).isEmpty()
    }
}
