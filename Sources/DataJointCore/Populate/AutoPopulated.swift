/// A table whose rows are computed by `populate()`: Imported and Computed tables.
///
/// `populate()` calls `make` once for every key of ``keySource(_:)`` that has no row yet, each call in its own
/// transaction together with the part rows it inserts: if `make` throws, nothing of that key is kept.
///
/// ```swift
/// struct SessionStats: Computed {
///     static let definition = """
///     -> Session
///     ---
///     n_trials : int32
///     """
///     static func make(_ key: Row, _ ctx: MakeContext) async throws {
///         let n = try await (ctx[Session.Trial.self] & key).count()
///         try await ctx.insert1(key + ["n_trials": n])
///     }
/// }
/// ```
public protocol AutoPopulated: UserTable {
    /// Computes the row of `key` and inserts it (and its part rows) with `ctx`. It must insert exactly the row of
    /// `key` into the table. Every Imported and Computed table implements it (``TripartiteMake`` implements it
    /// from its three phases).
    static func make(_ key: Row, _ ctx: MakeContext) async throws

    /// The keys to compute. Nil (the default) means the join of the tables the primary key references, projected
    /// to their keys. Return a query over tables of `schema` to narrow it (for example, only good sessions).
    static func keySource(_ schema: Schema) async throws -> QueryExpression?
}

extension AutoPopulated {
    public static func keySource(_ schema: Schema) async throws -> QueryExpression? { nil }
}

/// A `make` in three phases, for long computations: `makeFetch` reads the inputs, `makeCompute` computes outside any
/// transaction (no locks held), and `makeInsert` inserts in a transaction, after `makeFetch` has been run again
/// there and returned equal inputs (otherwise the inputs changed during the computation and the key fails).
public protocol TripartiteMake: AutoPopulated {
    /// What `makeFetch` reads; compared between the two fetches.
    associatedtype Fetched: Sendable & Equatable
    /// What `makeCompute` produces.
    associatedtype Computation: Sendable

    /// Reads the inputs of `key` (no inserts).
    static func makeFetch(_ key: Row, _ ctx: MakeContext) async throws -> Fetched
    /// Computes from the inputs alone (no database access).
    static func makeCompute(_ key: Row, _ fetched: Fetched) async throws -> Computation
    /// Inserts the result.
    static func makeInsert(_ key: Row, _ result: Computation, _ ctx: MakeContext) async throws
}

extension TripartiteMake {
    /// All three phases in one transaction (what `populate` does when it cannot split them).
    public static func make(_ key: Row, _ ctx: MakeContext) async throws {
        let fetched = try await makeFetch(key, ctx)
        try await makeInsert(key, try await makeCompute(key, fetched), ctx)
    }
}
