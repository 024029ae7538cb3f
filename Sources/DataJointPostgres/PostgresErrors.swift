import DataJointCore
import Foundation
import PostgresNIO

/// Maps postgres-nio and server errors to `DataJointError`. Messages name the user, host and port but never the
/// password. A server error carries its SQLSTATE as `serverCode`; every error carries the postgres-nio error as
/// `underlying` and the failed statement (placeholders only) as `sql`.
enum PostgresErrors {
    static func translate(_ error: any Error, sql: String?, target: PostgresTarget, connecting: Bool) -> DataJointError {
        if let error = error as? DataJointError { return error }
        let inSQL = sql.map { " in: " + ($0.count > 300 ? String($0.prefix(300)) + "..." : $0) } ?? ""
        func failure(_ kind: DataJointError.Kind, _ message: String, code: String? = nil) -> DataJointError {
            DataJointError(
                kind, message, underlying: error, sql: sql, serverCode: code,
                isForeignKeyViolation: code == "23503")
        }
        guard let psql = error as? PSQLError else {
            if connecting {
                return failure(.connection, "cannot connect to PostgreSQL at \(target.address): \(describe(error))")
            }
            return failure(.connection, "the connection to PostgreSQL \(target.account) failed: \(describe(error))")
        }
        if psql.code == .server, let info = psql.serverInfo {
            let state = info[.sqlState] ?? ""
            var message = info[.message] ?? "server error"
            if let detail = info[.detail], !detail.isEmpty { message += " (\(detail))" }
            let (kind, text) = classify(state: state, message: message, inSQL: inSQL, target: target)
            return failure(kind, text, code: state.isEmpty ? nil : state)
        }
        switch psql.code {
        case .tooManyParameters:
            return failure(.query, "too many parameters for one PostgreSQL statement\(inSQL)")
        case .sslUnsupported:
            return failure(
                .connection, "PostgreSQL at \(target.address) does not support TLS, which is required (useTLS: true)")
        case .connectionError where connecting:
            let reason = psql.underlying.map(describe) ?? "connection error"
            return failure(.connection, "cannot connect to PostgreSQL at \(target.address): \(reason)")
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .failedToAddSSLHandler,
            .receivedUnencryptedDataAfterSSLRequest, .messageDecodingFailure, .unexpectedBackendMessage:
            let reason = psql.underlying.map(describe) ?? psql.code.description
            if connecting {
                return failure(.connection, "cannot connect to PostgreSQL at \(target.address): \(reason)")
            }
            return failure(.connection, "lost the connection to PostgreSQL \(target.account): \(reason)")
        case .unsupportedAuthMechanism, .authMechanismRequiresPassword, .saslError:
            return failure(.connection, "PostgreSQL authentication failed for \(target.account): \(psql.code.description)")
        case .queryCancelled:
            return failure(.database, "the query was cancelled\(inSQL)")
        default:
            return failure(.database, "PostgreSQL error \(psql.code.description)\(inSQL)")
        }
    }

    /// The kind and message of a server error with SQLSTATE `state` (PostgreSQL manual, appendix A).
    static func classify(state: String, message: String, inSQL: String, target: PostgresTarget)
        -> (DataJointError.Kind, String)
    {
        switch state {
        case "23505":  // unique_violation
            return (.duplicate, "Duplicate entry: \(message)")
        case "23503":  // foreign_key_violation
            return (.integrity, "Foreign key violation: \(message)")
        case _ where state.hasPrefix("23"):
            return (.integrity, "\(message)\(inSQL)")
        case "40P01":  // deadlock_detected
            return (.deadlock, "\(message) (the transaction was rolled back; try again)")
        case "55P03":  // lock_not_available: lock_timeout expired, or NOWAIT
            return (.lockTimeout, "\(message): another transaction holds the lock; try again\(inSQL)")
        case "57014" where message.contains("lock timeout"):  // query_canceled, by lock_timeout only
            return (.lockTimeout, "\(message): another transaction holds the lock; try again\(inSQL)")
        case "42501":  // insufficient_privilege
            return (.permissionDenied, "Insufficient privileges for \(target.account): \(message)\(inSQL)")
        case "25006":  // read_only_sql_transaction (a read-only server or transaction)
            return (.permissionDenied, "\(message) (\(target.account))\(inSQL)")
        case "42P01":
            return (.missingTable, "\(message)\(inSQL)")
        case "3F000":  // invalid schema name
            return (.missingTable, "\(message)\(inSQL)")
        case "28P01", "28000":
            return (.connection, "PostgreSQL authentication failed for \(target.account): \(message)")
        case "3D000":
            return (.connection, "cannot connect to PostgreSQL \(target.account): \(message)")
        case _ where state.hasPrefix("42"):
            return (.query, "\(message)\(inSQL)")
        case _ where state.hasPrefix("22"):
            return (.invalidValue, "\(message)\(inSQL)")
        case _ where state.hasPrefix("08"), "57P01", "57P02", "57P03":
            // connection exceptions; admin_shutdown (pg_terminate_backend), crash_shutdown, cannot_connect_now
            return (.connection, "lost the connection to PostgreSQL \(target.account): \(message)")
        default:
            return (.database, "\(message) [SQLSTATE \(state)]\(inSQL)")
        }
    }

    /// A short reason for a socket-level error.
    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("refused") || text.contains("ECONNREFUSED") { return "connection refused" }
        if text.localizedCaseInsensitiveContains("timeout") || text.localizedCaseInsensitiveContains("timed out") {
            return "timed out"
        }
        return text.count > 300 ? String(text.prefix(300)) + "..." : text
    }
}
