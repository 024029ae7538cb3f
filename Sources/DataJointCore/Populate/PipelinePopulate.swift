/// What a whole-pipeline populate did: one step per auto-populated table, in the order the tables ran.
public struct PipelineReport: Sendable, CustomStringConvertible {
    /// The populate of one table.
    public struct Step: Sendable {
        /// The table.
        public var table: SQLTableName
        /// What its populate did (failures collected with `suppressErrors: true` are in `report.errors`).
        public var report: PopulateReport
        /// The error that stopped this table's populate, if one did.
        public var error: (any Error)?
        /// Why the table was not populated at all (no Swift type with `make` in this program), if it was not.
        public var skipped: String?
    }

    /// The steps, in dependency order.
    public var steps: [Step] = []

    /// Keys computed in all tables.
    public var success: Int { steps.reduce(0) { $0 + $1.report.success } }
    /// Keys whose `make` failed, in all tables.
    public var error: Int { steps.reduce(0) { $0 + $1.report.error } }
    /// Keys skipped (already computed or taken by another worker), in all tables.
    public var skip: Int { steps.reduce(0) { $0 + $1.report.skip } }
    /// True when no table failed and no key failed.
    public var succeeded: Bool { steps.allSatisfy { $0.error == nil && $0.report.error == 0 } }

    /// The step of a table.
    public subscript(_ table: SQLTableName) -> Step? { steps.first { $0.table == table } }

    /// Adds the steps of a later populate: the counts and failures of a table add up, its last error and skip note win.
    public mutating func add(_ later: PipelineReport) {
        for step in later.steps {
            guard let index = steps.firstIndex(where: { $0.table == step.table }) else {
                steps.append(step)
                continue
            }
            steps[index].report.success += step.report.success
            steps[index].report.error += step.report.error
            steps[index].report.skip += step.report.skip
            steps[index].report.errors += step.report.errors
            steps[index].error = step.error
            steps[index].skipped = step.skipped
        }
    }

    public var description: String {
        steps.map { step in
            var line = "\(step.table): "
            if let skipped = step.skipped {
                line += "skipped (\(skipped))"
            } else {
                line += "\(step.report.success) computed, \(step.report.error) failed, \(step.report.skip) skipped"
            }
            if let error = step.error { line += "; stopped: \(error)" }
            return line
        }.joined(separator: "\n")
    }
}

/// The options of a populate, shared by every table of a whole-pipeline populate (see `Table.populate`).
struct PopulateOptions: Sendable {
    var restrictions: [any RestrictionConvertible]
    var suppressErrors: Bool
    var reserveJobs: Bool
    var maxCalls: Int?
    var order: PopulateOrder
    var workers: Int
    var priority: Int?
    var refresh: Bool?
    var display: PopulateDisplay
    /// Stop at the first table whose populate fails, instead of going on with the others.
    var stopOnError: Bool
    /// Asked before each key and each table: when it says stop, nothing new is started.
    var shouldStop: (@Sendable () -> Bool)? = nil
}

/// Populates auto-populated tables in dependency order.
struct PipelinePopulator: Sendable {
    let connection: Connection
    let options: PopulateOptions

    /// Populates the auto-populated tables among `tables` (a table's own schema value knows its Swift type).
    func run(_ tables: [SQLTableName], schemas: [Schema]) async throws -> PipelineReport {
        guard !connection.inTransaction else {
            throw DataJointError(.notAllowed, "populate cannot be called inside a transaction")
        }
        var report = PipelineReport()
        for name in tables where name.tier?.isAutoPopulated == true {
            if options.shouldStop?() == true { break }
            let schema = schemas.first { $0.name == name.schema }
            guard let type = schema?.declaredType(ofTable: name.table), let schema else {
                report.steps.append(.init(
                    table: name, report: PopulateReport(), error: nil,
                    skipped: "no Swift type with make is declared for it in this program"))
                continue
            }
            let table = schema[type]
            var step = PipelineReport.Step(table: name, report: PopulateReport(), error: nil, skipped: nil)
            do {
                step.report = try await Populator(
                    target: table, restrictions: options.restrictions, suppressErrors: options.suppressErrors,
                    reserveJobs: options.reserveJobs, maxCalls: options.maxCalls, order: options.order,
                    workers: options.workers, priority: options.priority, refresh: options.refresh,
                    display: options.display, shouldStop: options.shouldStop
                ).run()
            } catch {
                if options.stopOnError { throw error }
                step.error = error
                connection.logger.error("populate of \(name) stopped: \(error)")
            }
            report.steps.append(step)
        }
        return report
    }
}

extension Schema {
    /// Brings the whole schema up to date: populates every Imported and Computed table declared through this schema
    /// value, in dependency order, so that each table computes after the tables it depends on. The options are those
    /// of ``Table/populate(_:suppressErrors:reserveJobs:maxCalls:order:workers:priority:refresh:display:)``, applied to
    /// each table; a table whose populate fails does not stop the others unless `stopOnError`.
    @discardableResult
    public func populate(
        _ restrictions: any RestrictionConvertible..., suppressErrors: Bool = false, reserveJobs: Bool = false,
        maxCalls: Int? = nil, order: PopulateOrder = .original, workers: Int = 1, priority: Int? = nil,
        refresh: Bool? = nil, display: PopulateDisplay = .automatic, stopOnError: Bool = false
    ) async throws -> PipelineReport {
        try await connection.populate(
            schemas: [self], restrictions, suppressErrors: suppressErrors, reserveJobs: reserveJobs, maxCalls: maxCalls,
            order: order, workers: workers, priority: priority, refresh: refresh, display: display,
            stopOnError: stopOnError)
    }
}

extension Connection {
    /// Brings several schemas up to date: their Imported and Computed tables in dependency order across schemas.
    @discardableResult
    public func populate(
        schemas: [Schema], _ restrictions: [any RestrictionConvertible] = [], suppressErrors: Bool = false,
        reserveJobs: Bool = false, maxCalls: Int? = nil, order: PopulateOrder = .original, workers: Int = 1,
        priority: Int? = nil, refresh: Bool? = nil, display: PopulateDisplay = .automatic, stopOnError: Bool = false
    ) async throws -> PipelineReport {
        let options = PopulateOptions(
            restrictions: restrictions, suppressErrors: suppressErrors, reserveJobs: reserveJobs, maxCalls: maxCalls,
            order: order, workers: workers, priority: priority, refresh: refresh, display: display,
            stopOnError: stopOnError)
        return try await populate(schemas: schemas, options: options)
    }

    func populate(schemas: [Schema], options: PopulateOptions) async throws -> PipelineReport {
        let names = Set(schemas.map(\.name))
        let graph = try await dependencies(of: names)
        return try await PipelinePopulator(connection: self, options: options)
            .run(graph.topologicalOrder(ofSchemas: names), schemas: schemas)
    }
}

extension Table {
    /// Brings this table up to date together with everything upstream of it: every auto-populated ancestor (declared
    /// through a schema value of this program) is populated first, in dependency order, then this table.
    @discardableResult
    public func populateWithUpstream(
        _ restrictions: any RestrictionConvertible..., suppressErrors: Bool = false, reserveJobs: Bool = false,
        maxCalls: Int? = nil, order: PopulateOrder = .original, workers: Int = 1, priority: Int? = nil,
        refresh: Bool? = nil, display: PopulateDisplay = .automatic, stopOnError: Bool = false
    ) async throws -> PipelineReport {
        let chain = try await ancestors()
        // The schema values of this program know the Swift types; other schemas' tables are read from the database.
        var schemas = [schema]
        for name in chain where !schemas.contains(where: { $0.name == name.schema }) {
            schemas.append(connection.table(name).schema)
        }
        let options = PopulateOptions(
            restrictions: restrictions, suppressErrors: suppressErrors, reserveJobs: reserveJobs, maxCalls: maxCalls,
            order: order, workers: workers, priority: priority, refresh: refresh, display: display,
            stopOnError: stopOnError)
        return try await PipelinePopulator(connection: connection, options: options).run(chain, schemas: schemas)
    }
}
