extension QueryConvertible {
    /// The whole result column by column: each attribute name maps to its values in row order (every array has one
    /// value per row, NULL as `.null`). With no names, every visible attribute of the query; otherwise only the
    /// attributes named. `orderBy`, `limit` and `offset` are as for ``toDicts(orderBy:limit:offset:)``.
    ///
    /// An empty result gives an empty array for each attribute.
    ///
    /// - Throws: `DataJointError` for a name the query does not have.
    public func toColumns(_ attributes: String..., orderBy: [String] = [], limit: Int? = nil, offset: Int? = nil)
        async throws -> [String: [Value]]
    {
        let query = try await compiled()
        let names = attributes.isEmpty ? query.heading.names : attributes
        let rows = try await Self.fetch(query, names, orderBy: orderBy, limit: limit, offset: offset)
        var columns: [String: [Value]] = [:]
        for name in names { columns[name] = rows.map { $0[name] ?? .null } }
        return columns
    }

    /// The values of several attributes, one array per attribute in the order given, and (with `includeKey: true`)
    /// the primary key of each row alongside, like the reference's `to_arrays(..., include_key=True)`:
    /// ```swift
    /// let (keys, arrays) = try await lab[Session.self].toArrays("session_date", includeKey: true)
    /// // keys[i] is the primary key (as from `keys()`) of the row whose values are arrays[0][i], arrays[1][i], ...
    /// ```
    /// With `includeKey: false`, `keys` is empty and `arrays` is what ``toArrays(_:orderBy:limit:offset:)`` gives.
    public func toArrays(
        _ attributes: String..., includeKey: Bool, orderBy: [String] = [], limit: Int? = nil, offset: Int? = nil
    ) async throws -> (keys: [Row], arrays: [[Value]]) {
        let query = try await compiled()
        let key = includeKey ? query.heading.primaryKey : []
        let fetched = key + attributes.filter { !key.contains($0) }
        let rows = try await Self.fetch(query, fetched, orderBy: orderBy, limit: limit, offset: offset)
        let keys = includeKey ? rows.map { $0.project(key) } : []
        return (keys, attributes.map { name in rows.map { $0[name] ?? .null } })
    }
}
