import DataJoint
import Foundation
import Testing

/// Connections for tests. Inside `backend.run { ... }` they reach that test's own database on that backend;
/// outside, a fresh in-memory SQLite database.
enum TestDatabase {
    /// A connection with safemode off (unless settings say otherwise). `maxSessions` limits the sessions of a
    /// server backend (SQLite has one); `configure` changes the other options of a server connection.
    static func connect(
        settings: Settings = Settings(safemode: false), maxSessions: Int? = nil, readOnly: Bool = false,
        configure: (inout ServerOptions) -> Void = { _ in }
    ) async throws -> Connection {
        if let context = TestContext.current {
            return try await context.connect(settings: settings, maxSessions: maxSessions, readOnly: readOnly, configure: configure)
        }
        return try await DataJoint.connect(path: ":memory:", settings: settings)
    }

    static func resource(_ path: String) -> URL {
        Bundle.module.url(forResource: "Resources/" + path, withExtension: nil)!
    }
}
