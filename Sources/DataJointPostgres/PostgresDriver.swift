import DataJointCore
import Logging

/// The PostgreSQL backend (placeholder until the driver lands).
public final class PostgresDriver {
    public static func open(_ options: ServerOptions, logger: Logger? = nil) async throws -> any DatabaseDriver {
        throw DataJointError(.connection, "the PostgreSQL driver is not built yet")
    }
}
