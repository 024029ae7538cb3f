import DataJointCore
import Logging

/// The MySQL/MariaDB backend (placeholder until the driver lands).
public final class MySQLDriver {
    public static func open(_ options: ServerOptions, logger: Logger? = nil) async throws -> any DatabaseDriver {
        throw DataJointError(.connection, "the MySQL driver is not built yet")
    }
}
