/// What ``Table/addJobMetadataColumns(dryRun:)`` found and did (DataJoint-Python's `migrate.add_job_metadata_columns`).
public struct JobMetadataMigration: Sendable {
    /// What happened to one table.
    public struct TableReport: Sendable {
        public enum Status: String, Sendable {
            /// The table had all the columns.
            case alreadyMigrated = "already_migrated"
            /// The columns were added.
            case migrated
            /// A dry run: the columns would be added.
            case pending
        }
        /// The table.
        public var table: SQLTableName
        public var status: Status
        /// The hidden columns added (or, for a dry run, to be added).
        public var columnsAdded: [String]
        /// The statements that ran (or would run).
        public var statements: [String]
    }

    /// The Imported and Computed tables looked at.
    public var tablesAnalyzed = 0
    /// The tables that were (or, for a dry run, would be) changed.
    public var tablesModified = 0
    /// The columns added (or to be added) over all tables.
    public var columnsAdded = 0
    /// One report per table looked at.
    public var details: [TableReport] = []

    mutating func record(_ report: TableReport) {
        tablesAnalyzed += 1
        if !report.columnsAdded.isEmpty {
            tablesModified += 1
            columnsAdded += report.columnsAdded.count
        }
        details.append(report)
    }
}

extension Table {
    /// Adds the hidden job-metadata columns (`_job_start_time`, `_job_duration`, `_job_version`) that
    /// `jobs.add_job_metadata` declares with new Imported and Computed tables, to this table if it was declared
    /// without them. Existing rows get NULL times and an empty version; `populate` fills the columns of rows it makes
    /// from now on. With `dryRun` (the default, as in the reference) only reports what would be added.
    ///
    /// Other tiers are left alone (their report lists no columns). Refused inside a transaction.
    @discardableResult
    public func addJobMetadataColumns(dryRun: Bool = true) async throws -> JobMetadataMigration {
        var result = JobMetadataMigration()
        if let report = try await jobMetadataReport(dryRun: dryRun) { result.record(report) }
        return result
    }

    /// Adds the job-metadata columns to this table if it is Imported or Computed and lacks them; nil for other tiers.
    func jobMetadataReport(dryRun: Bool) async throws -> JobMetadataMigration.TableReport? {
        let connection = self.connection
        if connection.inTransaction {
            throw DataJointError(
                .notAllowed, "Cannot add job-metadata columns to `\(requestedName)` inside a transaction (nothing was changed)")
        }
        schema.forget()
        let info = try await info()
        guard info.tier == .imported || info.tier == .computed else { return nil }
        let planner = AlterationPlanner(info: info, codecs: connection.codecs)
        let current = try planner.currentDeclaration()
        let present = Set(current.columns.map(\.name))
        let missing = JobMetadata.columns.filter { !present.contains($0.name) }
        guard !missing.isEmpty else {
            return .init(table: info.name, status: .alreadyMigrated, columnsAdded: [], statements: [])
        }
        var target = current
        var changes: [ColumnChange] = []
        for column in missing {
            let position: ColumnPosition = .after(target.columns.last!.name)
            target.columns.append(column)
            target.storedComments[column.name] = column.storedComment
            changes.append(ColumnChange(kind: .add, column: column, storedComment: column.storedComment, previous: nil, position: position))
        }
        let alteration = TableAlteration(
            current: current, target: target, changes: changes, commentChanged: false, referencingForeignKeys: [])
        let plan = try connection.dialect.alterTable(alteration)
        let statements = plan.before.map(\.sql) + plan.steps.map { step in
            switch step {
            case .execute(let statement): statement.sql
            case .verify(let query, _): query.sql
            }
        } + plan.after.map(\.sql)
        if !dryRun {
            do {
                try await connection.run(plan)
            } catch let error as DataJointError {
                schema.forget()
                throw error.reworded(
                    "Adding job-metadata columns to `\(info.name.schema)`.`\(info.name.table)` failed, and nothing was "
                        + "changed: \(error.message)")
            }
            schema.forget()
            connection.logger.info(
                "Added \(missing.map(\.name).joined(separator: ", ")) to `\(info.name.schema)`.`\(info.name.table)`")
        }
        return .init(
            table: info.name, status: dryRun ? .pending : .migrated, columnsAdded: missing.map(\.name), statements: statements)
    }
}

extension Schema {
    /// Adds the hidden job-metadata columns to every Imported and Computed table of the schema that lacks them (see
    /// ``Table/addJobMetadataColumns(dryRun:)``). With `dryRun` (the default) only reports what would be added.
    @discardableResult
    public func addJobMetadataColumns(dryRun: Bool = true) async throws -> JobMetadataMigration {
        var result = JobMetadataMigration()
        for name in try await tableNames() {
            let tier = Tier.of(tableName: name)
            guard tier == .imported || tier == .computed else { continue }
            if let report = try await table(name).jobMetadataReport(dryRun: dryRun) { result.record(report) }
        }
        return result
    }
}
