extension QueryConvertible {
    /// Several attributes of the one row of the query, as a tuple of Swift values in the order named, like the
    /// reference's `a, b = query.fetch1("a", "b")`:
    /// ```swift
    /// let (name, weight) = try await (lab[Animal.self] & ["animal_id": 1]).fetch1("name", "weight", as: String.self, Double.self)
    /// ```
    /// Give one type per attribute name, in the same order. Only the named attributes are fetched.
    ///
    /// - Throws: `DataJointError` `.cardinality` unless the query has exactly one row; `.invalidValue` when the number
    ///   of names and of types differ, or a value does not convert to its type (a NULL converts only to an optional
    ///   type); `.missingAttribute` (or `.query`) for a name the query does not have.
    public func fetch1<A: ValueConvertible, B: ValueConvertible, each C: ValueConvertible>(
        _ first: String, _ second: String, _ more: String...,
        as firstType: A.Type, _ secondType: B.Type, _ moreTypes: repeat (each C).Type
    ) async throws -> (A, B, repeat each C) {
        var typeCount = 2
        for _ in repeat each moreTypes { typeCount += 1 }
        let names = [first, second] + more
        guard typeCount == names.count else {
            throw DataJointError(
                .invalidValue,
                "fetch1 was given \(names.count) attribute names (\(names.joined(separator: ", "))) but \(typeCount) types; "
                    + "give one type per attribute, in the same order")
        }
        let row = try await Self.fetchOne(try await compiled(), names)
        var position = 2
        func nextValue<U: ValueConvertible>(_ type: U.Type) throws -> U {
            defer { position += 1 }
            return try row.get(names[position], as: U.self)
        }
        return (try row.get(first, as: A.self), try row.get(second, as: B.self), repeat try nextValue(each moreTypes))
    }
}
