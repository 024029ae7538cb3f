import Foundation

/// The one error type of DataJoint. Each case names what went wrong; `message` says where and what to do.
///
/// An error that the database reported also carries what a caller needs to act on it or report it: the
/// driver's own error (`underlying`), the statement that failed (`sql`, with its placeholders, never the
/// values bound to them) and the backend's code for the failure (`serverCode`). The failures a program reacts
/// to have kinds of their own on every backend: `.duplicate`, `.integrity` (with `isForeignKeyViolation`),
/// `.lockTimeout`, `.deadlock`, `.permissionDenied` and `.connection`.
///
/// ```swift
/// do {
///     try await lab[Subject.self].insert1(["subject_id": 1, "date_of_birth": "2024-01-01"])
/// } catch let error as DataJointError where error.kind == .duplicate {
///     print("already there (\(error.serverCode ?? "?"))")
/// }
/// ```
public struct DataJointError: Error, Sendable, CustomStringConvertible, LocalizedError {
    /// The category of a failure, so callers can react to specific kinds.
    public enum Kind: String, Sendable, Hashable {
        /// A table definition could not be parsed or declared.
        case declaration
        /// A row or value was rejected before anything was sent to the database.
        case invalidValue
        /// An attribute named by the caller does not exist.
        case missingAttribute
        /// An insert would create a second row with an existing primary key or unique value.
        case duplicate
        /// A foreign-key or other integrity rule was violated (`isForeignKeyViolation` tells foreign keys apart).
        case integrity
        /// A table, schema or other object does not exist.
        case missingTable
        /// A query could not be formed or the database rejected it.
        case query
        /// `fetch1` found zero or several rows.
        case cardinality
        /// The operation is not permitted for this table or in this state.
        case notAllowed
        /// Configuration is malformed or incomplete.
        case configuration
        /// The connection to the database failed or was lost. A transaction that was open on it was rolled back
        /// by the server.
        case connection
        /// Attributes matched by name do not share lineage.
        case semanticMismatch
        /// A value could not be encoded or decoded.
        case codec
        /// Any other failure reported by the database driver.
        case database
        /// An object store could not be reached, or refused an operation.
        case store
        /// An object that a row refers to is missing from its store, or its content does not match its hash.
        case missingObject
        /// The statement waited too long for a lock that another transaction holds (MySQL's lock wait timeout,
        /// PostgreSQL's `lock_timeout`, SQLite's busy timeout) and was abandoned. Running it again may succeed.
        case lockTimeout
        /// The statement's transaction and another one waited for each other; the database broke the cycle by
        /// rolling this transaction back. Running the transaction again may succeed.
        case deadlock
        /// The database user may not do this (missing grants or privileges), or the database is read-only.
        case permissionDenied
    }

    /// What kind of failure this is.
    public let kind: Kind
    /// A message naming the table and attribute involved and what to do.
    public let message: String
    /// The error of the driver or system that caused this one, if any, for logging and diagnosis. Its text is the
    /// driver's own (it may quote what the server reported, such as a duplicate key) and is not part of
    /// `description`.
    public let underlying: (any Error)?
    /// The statement that failed, as sent to the database: with placeholders, never the values bound to them.
    public let sql: String?
    /// The backend's own code for the failure: PostgreSQL's SQLSTATE (`"23505"`), the MySQL/MariaDB error number
    /// (`"1062"`), or SQLite's extended result code name (`"SQLITE_CONSTRAINT_PRIMARYKEY"`).
    public let serverCode: String?
    /// True when the database reported a foreign-key violation: a row refers to a parent row that does not exist,
    /// or a deleted or changed row is still referred to. Such errors are of kind `.integrity`.
    public let isForeignKeyViolation: Bool

    /// An error of `kind`; the optional fields record what the database reported.
    public init(
        _ kind: Kind, _ message: String, underlying: (any Error)? = nil, sql: String? = nil, serverCode: String? = nil,
        isForeignKeyViolation: Bool = false
    ) {
        self.kind = kind
        self.message = message
        self.underlying = underlying
        self.sql = sql
        self.serverCode = serverCode
        self.isForeignKeyViolation = isForeignKeyViolation
    }

    /// The same failure told anew, for wrappers that add what the database could not know (the table, what to
    /// do): `message` (and `kind`, if given) replaced; the underlying error, SQL, server code and foreign-key
    /// flag kept.
    public func reworded(_ message: String, kind: Kind? = nil) -> DataJointError {
        DataJointError(
            kind ?? self.kind, message, underlying: underlying, sql: sql, serverCode: serverCode,
            isForeignKeyViolation: isForeignKeyViolation)
    }

    /// True for failures caused by concurrent transactions (`.deadlock`, `.lockTimeout`): the database gave up on
    /// the statement, and running the transaction again may succeed. A lost connection (`.connection`) is not
    /// counted: it is also the kind of a refused connection or a wrong password, which retrying does not cure.
    public var isRetryable: Bool { kind == .deadlock || kind == .lockTimeout }

    /// The kind and message, and the server's code when the message does not already show it.
    public var description: String {
        var text = "DataJointError (\(kind.rawValue)): \(message)"
        if let serverCode, !message.contains(serverCode) { text += " [server code \(serverCode)]" }
        return text
    }

    public var errorDescription: String? { description }

    static func declaration(_ message: String, line: String? = nil) -> DataJointError {
        if let line {
            return DataJointError(.declaration, "\(message) in line \"\(line)\"")
        }
        return DataJointError(.declaration, message)
    }
}
