import Foundation

/// The hidden columns `jobs.add_job_metadata` adds to Imported and Computed tables, filled by `populate` in the
/// transaction of each key: when its computation began, how long it took, and the code version. Hidden columns are
/// invisible to fetch, insert and joins.
enum JobMetadata {
    static let columns: [Attribute] = [
        Attribute(
            name: "_job_start_time", type: .datetime(fractionalDigits: 3), nullable: true, defaultValue: .null,
            comment: "when computation began"),
        Attribute(
            name: "_job_duration", type: .float32, nullable: true, defaultValue: .null,
            comment: "computation duration in seconds"),
        Attribute(
            name: "_job_version", type: .varchar(64), defaultValue: .string(""), comment: "code version"),
    ]

    /// Records the metadata of the row(s) of `key` (inside the key's transaction).
    static func record(
        in info: TableInfo, key: Row, start: Date, duration: Double, version: String, connection: Connection
    ) async throws {
        guard info.heading.allAttributes.contains(where: { $0.name == "_job_start_time" }) else { return }
        let dialect = connection.dialect
        let update = SQLUpdate(
            table: info.name,
            assignments: [
                ("_job_start_time", .bind(dialect.encode(.datetime(DateTime(start, timeZone: .current).truncated(toFractionalDigits: 3)),
                    as: .datetime(fractionalDigits: 3)))),
                ("_job_duration", .bind(.double(duration))),
                ("_job_version", .bind(.string(version))),
            ],
            where: JobsStatement.keyCondition(key, heading: info.heading, dialect: dialect))
        try await connection.execute(.update(update))
    }
}
