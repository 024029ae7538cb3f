import Foundation

/// The jobs queue of an Imported or Computed table: the table `~~<name>` next to it, one row per key that is
/// pending, reserved by a worker, failed (`error`), ignored, or (with `jobs.keep_completed`) done. Its layout and
/// statuses are DataJoint-Python's, so Swift and Python workers can share it.
///
/// ```swift
/// let jobs = try await lab[SessionStats.self].jobs()
/// try await jobs.refresh(priority: 3)
/// print(try await jobs.progress())                       // pending, reserved, success, error, ignore, total
/// for row in try await jobs.errors.toDicts() { print(row["error_message"]!) }
/// try await jobs.clearErrors()                           // retried by the next populate
/// ```
public struct Jobs: Sendable {
    /// The table whose computations are queued.
    public let target: Table
    /// The jobs table itself (`~~<name>`), to query or restrict.
    public let table: Table
    let targetInfo: TableInfo
    let info: TableInfo
    /// The primary-key attributes of a job (the target's key attributes that come from foreign keys).
    public let keyAttributes: [String]

    /// The possible statuses of a job.
    public enum Status: String, Sendable, CaseIterable {
        case pending, reserved, success, error, ignore
    }

    /// Longest error message kept; longer ones are cut and end in `...truncated`.
    static let errorMessageLength = 2047

    /// The queue of `target`, declaring its table on first use.
    static func open(_ target: Table) async throws -> Jobs {
        let base = try await target.unrestricted()
        let targetInfo = try await base.info()
        guard targetInfo.tier.isAutoPopulated else {
            throw DataJointError(
                .notAllowed, "`\(targetInfo.name.table)` is \(targetInfo.tier.rawValue); only Imported and Computed tables have jobs")
        }
        let name = "~~" + String(targetInfo.name.table.drop(while: { $0 == "_" }))
        let schema = target.schema
        let primaryForeign = Set(
            targetInfo.foreignKeys.filter { Set($0.columns).isSubset(of: targetInfo.heading.primaryKey) }.flatMap(\.columns))
        let keyAttributes = targetInfo.heading.primaryKey.filter { primaryForeign.contains($0) }
        guard !keyAttributes.isEmpty else {
            throw DataJointError(
                .notAllowed, "`\(targetInfo.name.table)` has no primary-key attributes from foreign keys; it cannot have a jobs queue")
        }
        if try await schema.loadInfo(name) == nil {
            let connection = target.connection
            let catalog = connection.catalog
            let columns = try await connection.withSession { try await catalog.describe(targetInfo.name, $0) }?.columns ?? []
            let definition = definition(
                for: targetInfo, keyAttributes: keyAttributes, catalogColumns: columns, dialect: connection.dialect)
            do {
                try await schema.declareTable(
                    named: name, definition: definition, tier: .manual, masterTable: nil, warnNativeTypes: false)
            } catch let error as DataJointError where [.duplicate, .database, .deadlock, .lockTimeout].contains(error.kind) {
                // Another worker declared it at the same moment.
                guard try await schema.loadInfo(name) != nil else { throw error }
            }
        }
        let info = try await schema.info(name)
        return Jobs(
            target: base, table: Table(schema: schema, tableName: name, userType: nil), targetInfo: targetInfo, info: info,
            keyAttributes: keyAttributes)
    }

    /// The definition DataJoint-Python gives a jobs table.
    ///
    ///
    /// The key attributes come from foreign keys, whose columns DataJoint-Python stores without a type marker; it
    /// declares them in the jobs table with the column type the catalog reports (`integer`, `int(11)`,
    /// `varchar(8)`), and so do we on the backends DataJoint-Python shares, so that both declare identical jobs tables.
    /// On SQLite, which DataJoint-Python does not use, they keep their DataJoint types.
    static func definition(
        for target: TableInfo, keyAttributes: [String], catalogColumns: [CatalogColumn], dialect: any Dialect
    ) -> String {
        let keys = keyAttributes.map { name -> String in
            if dialect.isSharedWithDataJointPython, let column = catalogColumns.first(where: { $0.name == name }) {
                return "\(name) : \(column.sqlType)"
            }
            return "\(name) : \(target.heading[name]!.typeText)"
        }.joined(separator: "\n")
        return """
            # Job queue for \(dialect.qualifiedName(target.name))
            \(keys)
            ---
            status          : enum('pending', 'reserved', 'success', 'error', 'ignore')
            priority        : int8
            created_time=CURRENT_TIMESTAMP(3) : datetime(3)
            scheduled_time=CURRENT_TIMESTAMP(3) : datetime(3)
            reserved_time=null  : datetime(3)
            completed_time=null : datetime(3)
            duration=null   : float64
            error_message="" : varchar(\(errorMessageLength))
            error_stack=null : <blob>
            user=""         : varchar(255)
            host=""         : varchar(255)
            pid=0           : int32
            connection_id=0 : int64
            version=""      : varchar(64)
            INDEX (status, priority, scheduled_time)
            """
    }

    var connection: Connection { target.connection }

    /// Jobs of one status.
    public func with(_ status: Status) -> Table { table & ["status": Value.string(status.rawValue)] }
    /// Jobs waiting for a worker.
    public var pending: Table { with(.pending) }
    /// Jobs a worker is computing.
    public var reserved: Table { with(.reserved) }
    /// Jobs whose `make` failed, with `error_message` and `error_stack`.
    public var errors: Table { with(.error) }
    /// Jobs marked to be skipped.
    public var ignored: Table { with(.ignore) }
    /// Jobs done (kept only with `jobs.keep_completed`).
    public var completed: Table { with(.success) }

    /// How many jobs have each status.
    public struct Progress: Sendable, Hashable {
        public var pending = 0, reserved = 0, success = 0, error = 0, ignore = 0
        public var total: Int { pending + reserved + success + error + ignore }

        public init(pending: Int = 0, reserved: Int = 0, success: Int = 0, error: Int = 0, ignore: Int = 0) {
            (self.pending, self.reserved, self.success, self.error, self.ignore) = (pending, reserved, success, error, ignore)
        }
    }

    /// The number of jobs of each status.
    public func progress() async throws -> Progress {
        var select = SQLSelect(
            columns: [(.column("status"), alias: nil), (.function("COUNT", [.star]), alias: "n")], from: .table(info.name))
        select.groupBy = [.column("status")]
        var progress = Progress()
        for row in try await connection.query(connection.dialect.render(.select(select))) {
            let count: Int
            switch row[1] {
            case .int(let i): count = Int(i)
            case .string(let s): count = Int(s) ?? 0
            default: count = 0
            }
            switch Status(rawValue: row[0].textForPath) {
            case .pending?: progress.pending = count
            case .reserved?: progress.reserved = count
            case .success?: progress.success = count
            case .error?: progress.error = count
            case .ignore?: progress.ignore = count
            case nil: break
            }
        }
        return progress
    }

    /// What ``refresh(_:delay:priority:staleTimeout:orphanTimeout:)`` did.
    public struct RefreshReport: Sendable, Hashable {
        /// New keys queued as pending.
        public var added = 0
        /// Jobs removed because their keys left the key source.
        public var removed = 0
        /// Reserved jobs older than the orphan timeout, queued again.
        public var orphaned = 0
        /// Completed jobs whose rows were deleted, queued again (with `jobs.keep_completed`).
        public var rePended = 0
    }

    /// Brings the queue up to date with the key source: queues keys that have no row and no job (`pending`, with
    /// `priority`, available `delay` seconds from now by the server's clock), re-queues completed jobs whose rows
    /// are gone, removes jobs whose keys left the key source (error and success records at once, others after
    /// `staleTimeout` seconds; ignored jobs stay), and re-queues reserved jobs older than `orphanTimeout` seconds
    /// (their worker is presumed dead).
    @discardableResult
    public func refresh(
        _ restrictions: any RestrictionConvertible..., delay: Double = 0, priority: Int? = nil,
        staleTimeout: Double? = nil, orphanTimeout: Double? = nil
    ) async throws -> RefreshReport {
        try await refresh(
            restrictions: restrictions, delay: delay, priority: priority, staleTimeout: staleTimeout,
            orphanTimeout: orphanTimeout)
    }

    func refresh(
        restrictions: [any RestrictionConvertible], delay: Double = 0, priority: Int? = nil,
        staleTimeout: Double? = nil, orphanTimeout: Double? = nil
    ) async throws -> RefreshReport {
        let settings = connection.settings.jobs
        let priority = priority ?? settings.defaultPriority
        let staleTimeout = staleTimeout ?? Double(settings.staleTimeout)
        var report = RefreshReport()
        let now = try await JobsStatement.serverNow(connection)
        let keySource = try await target.keySource()

        // 1. Keys with neither a row nor a job.
        var wanted = keySource
        for restriction in restrictions { wanted = wanted.restrict(restriction) }
        // Jobs first: a key another worker completes in between then has a row and is not queued again.
        let existing = Set(try await table.fetchRows(keyAttributes, orderBy: [], limit: nil, offset: nil).map(normalizedKey))
        let missing = try await (wanted.proj() - target).keys()
        let scheduled = now.adding(seconds: delay)
        let new = missing.map(normalizedKey).filter { !existing.contains($0) }
        if !new.isEmpty {
            let rows = new.map { key in
                key + (["status": "pending", "priority": Value.int(Int64(priority)), "scheduled_time": Value.datetime(scheduled)] as Row)
            }
            try await table.insert(rows, skipDuplicates: true)
            report.added = new.count
        }

        // Keys that have their row (read once for steps 2 and 3).
        let done = Set(try await target.keys().map(normalizedKey))

        // 2. Completed jobs whose rows were deleted since.
        if settings.keepCompleted {
            let sourceKeys = Set(try await wanted.proj().keys().map(normalizedKey))
            let redo = try await completed.keys().map(normalizedKey).filter { !done.contains($0) && sourceKeys.contains($0) }
            for key in redo {
                try await update(key, ["status": "pending", "priority": Value.int(Int64(priority)),
                                       "scheduled_time": Value.datetime(scheduled), "completed_time": Value.null, "duration": Value.null])
            }
            report.rePended = redo.count
        }

        // 3. Jobs whose keys left the (unrestricted) key source.
        let sourceKeys = Set(try await keySource.proj().keys().map(normalizedKey))
        let staleBefore = now.adding(seconds: -staleTimeout)
        var vanished: [Row] = []
        for job in try await table.fetchRows(keyAttributes + ["status", "created_time"], orderBy: [], limit: nil, offset: nil) {
            let key = normalizedKey(job)
            guard !sourceKeys.contains(key) else { continue }
            let status = job["status"]?.textForPath ?? ""
            if ["success", "error"].contains(status), !done.contains(key) {
                vanished.append(key)
            } else if staleTimeout > 0, status != "ignore", case .datetime(let created)? = job["created_time"],
                created < staleBefore
            {
                vanished.append(key)
            }
        }
        try await delete(vanished)
        report.removed = vanished.count

        // 4. Reserved jobs whose worker is presumed dead.
        if let orphanTimeout, orphanTimeout > 0 {
            let before = now.adding(seconds: -orphanTimeout)
            for job in try await reserved.fetchRows(keyAttributes + ["reserved_time"], orderBy: [], limit: nil, offset: nil) {
                guard case .datetime(let reservedAt)? = job["reserved_time"], reservedAt < before else { continue }
                let key = normalizedKey(job)
                let update = SQLUpdate(
                    table: info.name,
                    assignments: [
                        ("status", .bind(.string("pending"))), ("priority", .bind(.int(Int64(priority)))),
                        ("reserved_time", .bind(.null)), ("scheduled_time", JobsStatement.now(connection.dialect)),
                    ],
                    where: .and([condition(key), .equals(.column("status"), .bind(.string("reserved")))]))
                report.orphaned += try await connection.execute(.update(update))
            }
        }
        return report
    }

    /// Takes a pending job whose time has come for `worker`: one UPDATE guarded by the status, so of several
    /// workers asking at once exactly one gets it. Returns whether this worker got it.
    func reserve(_ key: Row, worker: WorkerIdentity) async throws -> Bool {
        let dialect = connection.dialect
        let update = SQLUpdate(
            table: info.name,
            assignments: reservation(by: worker),
            where: .and([
                condition(key), .equals(.column("status"), .bind(.string("pending"))),
                .binary(.column("scheduled_time"), "<=", JobsStatement.now(dialect)),
            ]))
        if try await connection.execute(.update(update)) == 1 { return true }
        // Matched nothing: another worker has the job, or the connection was lost after the server ran the UPDATE
        // and the driver ran it again on a new connection. The job's identity tells which.
        let mine = table & key & reservedBy(worker)
        return try await mine.count() == 1
    }

    /// Marks a job done: removed, or kept as `success` with its duration under `jobs.keep_completed`.
    func complete(_ key: Row, duration: Double?) async throws {
        if connection.settings.jobs.keepCompleted {
            try await update(key, [
                "status": "success", "completed_time": Value.datetime(try await JobsStatement.serverNow(connection)),
                "duration": duration.map(Value.double) ?? Value.null,
            ])
        } else {
            try await delete([key])
        }
    }

    /// Marks a job failed with the error's message (cut to 2047 characters) and stack.
    func fail(_ key: Row, message: String, stack: String?) async throws {
        var message = message
        if message.count > Self.errorMessageLength {
            let appendix = "...truncated"
            message = String(message.prefix(Self.errorMessageLength - appendix.count)) + appendix
        }
        var changes: Row = [
            "status": "error", "completed_time": Value.datetime(try await JobsStatement.serverNow(connection)),
            "error_message": Value.string(message),
        ]
        if let stack { changes["error_stack"] = Value.blob(stack) }
        try await update(key, changes)
    }

    /// Marks a key to be skipped by populate and refresh (queued as `ignore` if it has no job yet).
    public func ignore(_ key: Row) async throws {
        let key = normalizedKey(key)
        if try await (table & key).count() > 0 {
            try await update(key, ["status": "ignore"])
        } else {
            try await table.insert1(key + (["status": "ignore", "priority": Value.int(Int64(connection.settings.jobs.defaultPriority))] as Row))
        }
    }

    /// Removes the failed jobs, so that the next populate computes their keys again. Returns how many.
    @discardableResult
    public func clearErrors() async throws -> Int {
        try await errors.deleteQuick()
    }

    /// Removes every job.
    @discardableResult
    public func clear() async throws -> Int {
        try await table.deleteQuick()
    }

    // MARK: - helpers

    /// What a reservation writes into a job: reserved, by whom, since when.
    func reservation(by worker: WorkerIdentity) -> [(column: String, value: SQLExpression)] {
        [
            ("status", .bind(.string("reserved"))), ("host", .bind(.string(worker.host))),
            ("pid", .bind(.int(Int64(worker.pid)))), ("connection_id", .bind(.int(worker.connectionID))),
            ("user", .bind(.string(worker.user))), ("version", .bind(.string(worker.version))),
            ("reserved_time", JobsStatement.now(connection.dialect)),
        ]
    }

    /// The columns that mark a job as reserved by `worker` (its identity as ``reservation(by:)`` writes it).
    func reservedBy(_ worker: WorkerIdentity) -> Row {
        ["status": "reserved", "host": Value.string(worker.host), "pid": Value.int(Int64(worker.pid)),
         "connection_id": Value.int(worker.connectionID)]
    }

    /// The job key of a row: its key attributes, with values as the jobs table stores them.
    func normalizedKey(_ row: Row) -> Row {
        var key = Row()
        for name in keyAttributes {
            let value = row[name] ?? .null
            key[name] = info.heading.column(name).flatMap { $0.type.normalize(value) } ?? value
        }
        return key
    }

    func condition(_ key: Row) -> SQLExpression {
        JobsStatement.keyCondition(normalizedKey(key), heading: info.heading, dialect: connection.dialect)
    }

    func update(_ key: Row, _ changes: Row) async throws {
        let dialect = connection.dialect
        var assignments: [(column: String, value: SQLExpression)] = []
        for (name, value) in zip(changes.names, changes.values) {
            let attribute = info.heading.column(name)!
            if value.isNull {
                assignments.append((name, .bind(.null)))
            } else if case .codec(let codec, let store) = attribute.type {
                let context = CodecContext(table: info.name.table, attribute: name, store: store, downloadPath: "")
                let (encoded, storage) = try await connection.codecs.encode(value, name: codec, store: store, context: context)
                assignments.append((name, .bind(dialect.encode(storage.normalize(encoded) ?? encoded, as: storage))))
            } else {
                assignments.append((name, .bind(dialect.encode(attribute.type.normalize(value) ?? value, as: attribute.type))))
            }
        }
        try await connection.execute(.update(SQLUpdate(table: info.name, assignments: assignments, where: condition(key))))
    }

    func delete(_ keys: [Row]) async throws {
        for chunk in stride(from: 0, to: keys.count, by: 200) {
            let terms = keys[chunk..<min(keys.count, chunk + 200)].map(condition)
            try await connection.execute(.delete(SQLDelete(table: info.name, where: .or(terms))))
        }
    }
}

extension Table {
    /// The jobs queue of this Imported or Computed table (its `~~` table is declared on first use).
    public func jobs() async throws -> Jobs {
        try await Jobs.open(self)
    }
}
