import Foundation

/// The one error type of DataJoint. Each case names what went wrong; `message` says where and what to do.
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
        /// A foreign-key or other integrity rule was violated.
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
        /// The connection to the database failed or was lost.
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
    }

    /// What kind of failure this is.
    public let kind: Kind
    /// A message naming the table and attribute involved and what to do.
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "DataJointError (\(kind.rawValue)): \(message)" }
    public var errorDescription: String? { description }

    static func declaration(_ message: String, line: String? = nil) -> DataJointError {
        if let line {
            return DataJointError(.declaration, "\(message) in line \"\(line)\"")
        }
        return DataJointError(.declaration, message)
    }
}
