/// The progress and failures of one Imported or Computed table, as the front-ends show them.
public struct JobsOverview: Sendable, Hashable, Codable {
    /// A failed job.
    public struct Failure: Sendable, Hashable, Codable {
        /// The job's key.
        public var key: [String: JSON]
        public var message: String
        /// The recorded stack (the error in full and where it was caught), if any.
        public var stack: String?
        public var host: String
        /// When the make failed (server time, ISO text).
        public var when: String?
    }

    public var schema: String
    public var table: String
    public var className: String
    /// Keys of the key source whose results exist.
    public var computed: Int
    /// Keys of the key source still to compute.
    public var remaining: Int
    /// The size of the key source.
    public var total: Int
    /// True when the jobs queue table exists (it is declared by the first `populate(reserveJobs: true)`).
    public var hasQueue: Bool
    /// Jobs by status: `pending`, `reserved`, `success`, `error`, `ignore` (all 0 without a queue).
    public var queue: [String: Int]
    /// The failed jobs, latest first, at most the number asked for.
    public var errors: [Failure]
    /// The number of failed jobs in all (may exceed `errors.count`).
    public var errorCount: Int
}

extension Table {
    /// Progress and queue state of this Imported or Computed table. Reads only: a queue that was never declared is
    /// reported as empty (`hasQueue` false), not created.
    public func jobsOverview(errorLimit: Int = 50) async throws -> JobsOverview {
        let base = try await unrestricted()
        let info = try await base.info()
        guard info.tier.isAutoPopulated else {
            throw DataJointError(
                .notAllowed, "`\(info.name.table)` is \(info.tier.rawValue); only Imported and Computed tables have jobs")
        }
        let (remaining, total) = try await base.progress()
        let queueName = "~~" + String(info.name.table.drop(while: { $0 == "_" }))
        var counts = Jobs.Progress()
        var failures: [JobsOverview.Failure] = []
        let hasQueue = try await schema.loadInfo(queueName) != nil
        if hasQueue {
            let jobs = try await base.jobs()
            counts = try await jobs.progress()
            let rows = try await jobs.errors.toDicts(orderBy: ["completed_time DESC"], limit: max(0, errorLimit))
            failures = rows.map { row in
                var key: [String: JSON] = [:]
                for name in jobs.keyAttributes { key[name] = row[name]?.jsonValue ?? .null }
                let stack: String? =
                    switch row["error_stack"] {
                    case nil, .null?: nil
                    case .custom(let value)?: value.as(BlobValue.self)?.stringValue ?? value.description
                    case let other?: other.description
                    }
                let when: String? = row["completed_time"].flatMap { $0.isNull ? nil : $0.description }
                return JobsOverview.Failure(
                    key: key, message: row["error_message"]?.description ?? "", stack: stack,
                    host: row["host"]?.description ?? "", when: when)
            }
        }
        return JobsOverview(
            schema: info.name.schema, table: info.name.table, className: info.name.className,
            computed: total - remaining, remaining: remaining, total: total, hasQueue: hasQueue,
            queue: [
                "pending": counts.pending, "reserved": counts.reserved, "success": counts.success,
                "error": counts.error, "ignore": counts.ignore,
            ],
            errors: failures, errorCount: counts.error)
    }
}

extension Schema {
    /// ``Table/jobsOverview(errorLimit:)`` of every Imported and Computed table of the schema, in dependency order.
    public func jobsOverview(errorLimit: Int = 50) async throws -> [JobsOverview] {
        var result: [JobsOverview] = []
        for name in try await tableNames(order: .topological) {
            guard let tier = Tier.of(tableName: name), tier.isAutoPopulated else { continue }
            result.append(try await table(name).jobsOverview(errorLimit: errorLimit))
        }
        return result
    }
}
