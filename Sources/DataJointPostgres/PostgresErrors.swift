import DataJointCore
import Foundation
import PostgresNIO

/// Maps postgres-nio and server errors to `DataJointError`. Messages name the user, host and port but never the
/// password.
enum PostgresErrors {
    static func translate(_ error: any Error, sql: String?, target: PostgresTarget, connecting: Bool) -> DataJointError {
        if let error = error as? DataJointError { return error }
        let inSQL = sql.map { " in: " + ($0.count > 300 ? String($0.prefix(300)) + "..." : $0) } ?? ""
        guard let psql = error as? PSQLError else {
            if connecting {
                return DataJointError(
                    .connection, "cannot connect to PostgreSQL at \(target.address): \(describe(error))")
            }
            return DataJointError(.connection, "the connection to PostgreSQL \(target.account) failed: \(describe(error))")
        }
        if psql.code == .server, let info = psql.serverInfo {
            let state = info[.sqlState] ?? ""
            var message = info[.message] ?? "server error"
            if let detail = info[.detail], !detail.isEmpty { message += " (\(detail))" }
            switch state {
            case "23505":
                return DataJointError(.duplicate, "Duplicate entry: \(message)")
            case "23503":
                return DataJointError(.integrity, "Foreign key violation: \(message)")
            case _ where state.hasPrefix("23"):
                return DataJointError(.integrity, "\(message)\(inSQL)")
            case "42P01":
                return DataJointError(.missingTable, "\(message)\(inSQL)")
            case "3F000":  // invalid schema name
                return DataJointError(.missingTable, "\(message)\(inSQL)")
            case "28P01", "28000":
                return DataJointError(
                    .connection, "PostgreSQL authentication failed for \(target.account): \(message)")
            case "3D000":
                return DataJointError(
                    .connection, "cannot connect to PostgreSQL \(target.account): \(message)")
            case _ where state.hasPrefix("42"):
                return DataJointError(.query, "\(message)\(inSQL)")
            case _ where state.hasPrefix("22"):
                return DataJointError(.invalidValue, "\(message)\(inSQL)")
            case _ where state.hasPrefix("08"), "57P01", "57P02", "57P03":
                return DataJointError(.connection, "lost the connection to PostgreSQL \(target.account): \(message)")
            default:
                return DataJointError(.database, "\(message) [SQLSTATE \(state)]\(inSQL)")
            }
        }
        switch psql.code {
        case .tooManyParameters:
            return DataJointError(.query, "too many parameters for one PostgreSQL statement\(inSQL)")
        case .sslUnsupported:
            return DataJointError(
                .connection, "PostgreSQL at \(target.address) does not support TLS, which is required (useTLS: true)")
        case .connectionError where connecting:
            let reason = psql.underlying.map(describe) ?? "connection error"
            return DataJointError(.connection, "cannot connect to PostgreSQL at \(target.address): \(reason)")
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .failedToAddSSLHandler,
            .receivedUnencryptedDataAfterSSLRequest, .messageDecodingFailure, .unexpectedBackendMessage:
            let reason = psql.underlying.map(describe) ?? psql.code.description
            if connecting {
                return DataJointError(.connection, "cannot connect to PostgreSQL at \(target.address): \(reason)")
            }
            return DataJointError(.connection, "lost the connection to PostgreSQL \(target.account): \(reason)")
        case .unsupportedAuthMechanism, .authMechanismRequiresPassword, .saslError:
            return DataJointError(
                .connection, "PostgreSQL authentication failed for \(target.account): \(psql.code.description)")
        case .queryCancelled:
            return DataJointError(.database, "the query was cancelled\(inSQL)")
        default:
            return DataJointError(.database, "PostgreSQL error \(psql.code.description)\(inSQL)")
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
