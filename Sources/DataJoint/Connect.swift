import DataJointCore
import DataJointSQLite
import Foundation
import Logging

/// Connects to the embedded SQLite database: the file `datajoint.sqlite` in the working directory
/// (created if needed), another file, or `":memory:"`.
///
/// ```swift
/// let db = try await DataJoint.connect()                     // ./datajoint.sqlite
/// let scratch = try await DataJoint.connect(path: ":memory:")
/// ```
public func connect(path: String = "datajoint.sqlite", settings: Settings = Settings(), logger: Logger? = nil)
    async throws -> Connection
{
    let driver = try await SQLiteDriver.open(path: path)
    return Connection(driver: driver, settings: settings, logger: logger)
}
