import DataJoint

extension TestBackend {
    /// Runs one test body on this backend with a connection to the test's own database (see `run`):
    /// `try await backend.withDatabase { db in ... }`.
    func withDatabase(
        settings: Settings = Settings(safemode: false), _ body: @Sendable (Connection) async throws -> Void
    ) async throws {
        try await run { () async throws in try await body(try await TestDatabase.connect(settings: settings)) }
    }
}
