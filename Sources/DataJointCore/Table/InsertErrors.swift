import Foundation

/// Rewords driver errors of inserts so they name the table (keeping what the database reported).
enum InsertErrors {
    @discardableResult
    static func translate<T>(table: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as DataJointError {
            switch error.kind {
            case .duplicate:
                throw error.reworded(
                    "Duplicate entry in `\(table)`: a row with the same primary key (or unique value) exists. "
                        + "Use skipDuplicates: true to skip such rows or replace: true to overwrite them. (\(error.message))")
            case .integrity:
                throw error.reworded(
                    "Cannot insert into `\(table)`: a referenced row does not exist in a parent table. (\(error.message))")
            default:
                throw error
            }
        }
    }
}
