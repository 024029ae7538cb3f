import DataJoint
import Foundation
import Testing

/// A fresh database for one test: an in-memory SQLite database with safemode off.
/// Every test gets its own connection, so tests running in parallel never see each other's tables.
enum TestDatabase {
    static func connect() async throws -> Connection {
        try await DataJoint.connect(path: ":memory:", settings: Settings(safemode: false))
    }

    /// A database file in a temporary directory (for tests that reopen the database).
    static func temporaryFile() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dj-test-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("test.sqlite").path
    }

    static func resource(_ path: String) -> URL {
        Bundle.module.url(forResource: "Resources/" + path, withExtension: nil)!
    }
}
