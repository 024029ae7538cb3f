import CMariaDB
import DataJointCore
import Foundation
import Logging
import Synchronization

/// One client connection to a MySQL/MariaDB server, with the thread that runs its blocking calls.
///
/// Everything but `worker` and the immutable settings is touched only on the worker thread.
final class MySQLConnection: @unchecked Sendable {
    /// The session settings DataJoint-Python sets on every connection (`adapters/mysql.py`).
    static let sqlMode =
        "NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION,ONLY_FULL_GROUP_BY"

    /// libmariadb's one-time global initialisation, which is not safe to run concurrently.
    private static let libraryReady: Bool = mysql_server_init(0, nil, nil) == 0

    let worker: MySQLWorker
    let options: ServerOptions
    let logger: Logger?

    // Worker-thread state.
    private var mysql: UnsafeMutablePointer<MYSQL>?
    /// True between START TRANSACTION and COMMIT/ROLLBACK: a lost connection then cannot be retried.
    private(set) var inTransaction = false
    /// The result being streamed, if any; it must be finished before the connection runs anything else.
    private var activeCursor: (id: Int, cursor: any MySQLResultCursor)?
    private var nextCursorID = 0
    /// True for MariaDB servers (which report column defaults as SQL literals).
    private(set) var isMariaDB = false
    private(set) var serverVersion = ""
    /// Whether many rows are loaded with `LOAD DATA LOCAL INFILE`: as the options say, until the server refuses it.
    let loadsLocalData: Atomic<Bool>

    private init(options: ServerOptions, logger: Logger?) {
        self.options = options
        self.logger = logger
        loadsLocalData = Atomic(options.localInfile)
        worker = MySQLWorker(name: "datajoint.mysql \(options)")
    }

    /// Opens a connection (on its own thread).
    static func open(_ options: ServerOptions, logger: Logger?) async throws -> MySQLConnection {
        let connection = MySQLConnection(options: options, logger: logger)
        do {
            try await connection.worker.run { try connection.connect() }
        } catch {
            connection.worker.stop()
            throw error
        }
        return connection
    }

    /// Runs a job on the connection's thread.
    func run<T>(_ body: @escaping (MySQLConnection) throws -> T) async throws -> T {
        try await worker.run { try body(self) }
    }

    /// "MySQL user@host:port" (never the password).
    var target: String { "MySQL \(options)" }

    // MARK: - Connecting (worker thread)

    private func connect() throws {
        closeHandle()
        guard MySQLConnection.libraryReady, let handle = mysql_init(nil) else {
            throw DataJointError(.connection, "cannot initialise the MariaDB client library")
        }
        var timeout = UInt32(max(1, options.connectTimeout.rounded(.up)))
        mysql_options(handle, MYSQL_OPT_CONNECT_TIMEOUT, &timeout)
        // TCP even for "localhost", as DataJoint-Python (pymysql) connects.
        var proto = MYSQL_PROTOCOL_TCP.rawValue
        mysql_options(handle, MYSQL_OPT_PROTOCOL, &proto)
        _ = "utf8mb4".withCString { mysql_options(handle, MYSQL_SET_CHARSET_NAME, $0) }
        if let tls = options.useTLS {
            var enforce: my_bool = tls ? 1 : 0
            mysql_options(handle, MYSQL_OPT_SSL_ENFORCE, &enforce)
            if !tls {
                var verify: my_bool = 0
                mysql_options(handle, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify)
            }
        }
        // Local data only ever come from the rows of an insert (`MySQLLocalInfileHandler` refuses anything else).
        var localInfile: UInt32 = options.localInfile && options.advertisesLocalInfile ? 1 : 0
        mysql_options(handle, MYSQL_OPT_LOCAL_INFILE, &localInfile)
        MySQLLocalInfileHandler.install(on: handle, serving: nil)
        // Rows as large as the server sends (its max_allowed_packet goes up to 1 GiB, and a row holding a value that
        // large is a little larger): libmariadb's own limit, 1 GiB, would leave such a row unreadable.
        var maxPacket: UInt = 2 << 30
        mysql_options(handle, MYSQL_OPT_MAX_ALLOWED_PACKET, &maxPacket)
        let flags = UInt(CLIENT_FOUND_ROWS)
        guard mysql_real_connect(handle, options.host, options.user, options.password, nil, UInt32(options.port), nil, flags) != nil
        else {
            let error = MySQLClientError(handle)
            mysql_close(handle)
            throw connectError(error)
        }
        // libmariadb 3.3 quietly continues in the clear when the server offers no TLS: check.
        if options.useTLS == true, mysql_get_ssl_cipher(handle) == nil {
            mysql_close(handle)
            throw DataJointError(
                .connection,
                "TLS is required (useTLS: true) but \(target) did not negotiate it: enable TLS on the server, "
                    + "or set useTLS to false or leave it unset")
        }
        mysql = handle
        inTransaction = false
        serverVersion = String(cString: mysql_get_server_info(handle))
        isMariaDB = serverVersion.localizedCaseInsensitiveContains("mariadb")
        do {
            _ = try textExecute("SET SESSION sql_mode = '\(MySQLConnection.sqlMode)'")
            if options.readOnly { _ = try textExecute("SET SESSION TRANSACTION READ ONLY") }
        } catch let error as MySQLClientError {
            closeHandle()
            throw connectError(error)
        }
    }

    /// A failure to connect: `.connection` whatever the cause (a refused password too), with the error's number.
    private func connectError(_ error: MySQLClientError) -> DataJointError {
        let message: String
        switch error.code {
        case 1045:  // ER_ACCESS_DENIED_ERROR
            message = "Access denied connecting to \(target): check the user name and password (\(error.message))"
        case 1044:  // ER_DBACCESS_DENIED_ERROR
            message = "Access denied connecting to \(target): \(error.message)"
        case 2002, 2003, 2005, 2006, 2013:
            message = "Cannot connect to \(target): \(error.message). Check that the server runs and the host and port are right"
        case 2026:  // CR_SSL_CONNECTION_ERROR
            message = "TLS failed connecting to \(target): \(error.message)"
        default:
            message = "Cannot connect to \(target): \(error.message) (error \(error.code))"
        }
        return DataJointError(.connection, message, underlying: error, serverCode: String(error.code))
    }

    /// Closes the client handle (the server rolls back any open transaction).
    private func closeHandle() {
        finishActiveCursor()
        if let handle = mysql {
            mysql_close(handle)
            mysql = nil
        }
    }

    /// Closes the connection and stops its thread.
    func shutdown() async {
        _ = try? await worker.run { self.closeHandle() }
        worker.stop()
    }

    /// Stops the connection without waiting (from a deinit).
    func shutdownNow() {
        worker.submit { self.closeHandle() }
        worker.stop()
    }

    // MARK: - Running statements (worker thread)

    /// Runs `body` with a live handle: reconnects a lost connection and runs `body` again, unless a transaction
    /// was open (its work is gone, so the error is reported instead).
    private func withHandle<T>(sql: String, _ body: (UnsafeMutablePointer<MYSQL>) throws -> T) throws -> T {
        finishActiveCursor()
        if mysql == nil {
            if inTransaction {
                inTransaction = false
                throw DataJointError(
                    .connection, "The connection to \(target) was lost during a transaction; the transaction was rolled back")
            }
            logger?.info("Reconnecting to \(target)")
            try connect()
        }
        do {
            return try body(mysql!)
        } catch let error as MySQLClientError where error.isConnectionLost {
            closeHandle()
            if inTransaction {
                inTransaction = false
                throw DataJointError(
                    .connection,
                    "The connection to \(target) was lost during a transaction; the transaction was rolled back (\(error.message))",
                    underlying: error, sql: sql, serverCode: String(error.code))
            }
            logger?.warning("Lost the connection to \(target) (\(error.message)); reconnecting")
            try connect()
            do {
                return try body(mysql!)
            } catch let error as MySQLClientError {
                if error.isConnectionLost { closeHandle() }
                throw translate(error, sql: sql)
            }
        } catch let error as MySQLClientError {
            throw translate(error, sql: sql)
        }
    }

    /// Runs a statement that returns no rows; returns the number of rows it matched.
    func execute(_ statement: RenderedSQL) throws -> Int {
        try withHandle(sql: statement.sql) { handle in
            if statement.binds.isEmpty { return try textExecute(statement.sql) }
            let prepared = try run(handle, statement)
            defer { mysql_stmt_close(prepared) }
            let affected = mysql_stmt_affected_rows(prepared)
            if mysql_stmt_field_count(prepared) > 0 {
                _ = mysql_stmt_store_result(prepared)
                _ = mysql_stmt_free_result(prepared)
            }
            return affected == UInt64.max ? 0 : Int(affected)
        }
    }

    /// Loads rows with `LOAD DATA LOCAL INFILE` (the statement from `MySQLLoadData.statement`), all or none: the
    /// server skips a row it cannot store with a warning rather than an error (it cannot stop the client sending),
    /// so a load with warnings is undone (to a savepoint, or its own transaction) and the first warning thrown as
    /// the error an INSERT would have raised. Throws `BulkCopyUnavailable` when the server refuses local data.
    func load(_ statement: RenderedSQL, rows: [[Value]]) throws -> Int {
        try withHandle(sql: statement.sql) { handle in
            let data = MySQLLoadData(rows: rows)
            let ownTransaction = !inTransaction
            _ = try textExecute(ownTransaction ? "START TRANSACTION" : "SAVEPOINT dj_load")
            func undo() throws { _ = try textExecute(ownTransaction ? "ROLLBACK" : "ROLLBACK TO SAVEPOINT dj_load") }
            MySQLLocalInfileHandler.install(on: handle, serving: data)
            let rc = mysql_real_query(handle, statement.sql, UInt(statement.sql.utf8.count))
            MySQLLocalInfileHandler.install(on: handle, serving: nil)
            if rc != 0 {
                let error = MySQLClientError(handle)
                if error.isConnectionLost { throw error }
                try undo()
                if MySQLClientError.localDataRefusedCodes.contains(error.code) {
                    loadsLocalData.store(false, ordering: .relaxed)
                    logger?.info("\(target) refuses LOAD DATA LOCAL INFILE (\(error.message)); inserting with INSERT statements")
                    throw BulkCopyUnavailable(reason: error.message)
                }
                throw error
            }
            let loaded = Int(mysql_affected_rows(handle))
            if mysql_warning_count(handle) > 0 || loaded != rows.count {
                let problem = try firstWarning(handle)
                    ?? (loaded != rows.count ? MySQLClientError(1261, "Only \(loaded) of \(rows.count) rows were loaded") : nil)
                if let problem {
                    try undo()
                    throw problem
                }
            }
            _ = try textExecute(ownTransaction ? "COMMIT" : "RELEASE SAVEPOINT dj_load")
            return loaded
        }
    }

    /// The first warning (not a note) of the last statement, as an error.
    private func firstWarning(_ handle: UnsafeMutablePointer<MYSQL>) throws -> MySQLClientError? {
        let sql = "SHOW WARNINGS"
        if mysql_real_query(handle, sql, UInt(sql.utf8.count)) != 0 { throw MySQLClientError(handle) }
        guard let result = mysql_store_result(handle) else { throw MySQLClientError(handle) }
        defer { mysql_free_result(result) }
        while let row = mysql_fetch_row(result) {
            guard let level = row[0], let code = row[1], let message = row[2] else { continue }
            if String(cString: level) == "Note" { continue }
            return MySQLClientError(UInt32(String(cString: code)) ?? 0, String(cString: message))
        }
        return nil
    }

    /// Runs a query and returns all its rows.
    func query(_ statement: RenderedSQL) throws -> [[Value]] {
        try withHandle(sql: statement.sql) { handle in
            guard let cursor = try openCursor(handle, statement) else { return [] }
            defer { cursor.close() }
            var rows: [[Value]] = []
            while let row = try cursor.next() { rows.append(row) }
            return rows
        }
    }

    /// Starts streaming a query; the cursor stays open (and the connection busy) until it is read to the end
    /// or anything else runs on the connection.
    /// Returns the stream's id, or nil when the statement returned no result set.
    func openStream(_ statement: RenderedSQL) throws -> Int? {
        try withHandle(sql: statement.sql) { handle in
            guard let cursor = try openCursor(handle, statement) else { return nil }
            nextCursorID += 1
            activeCursor = (nextCursorID, cursor)
            return nextCursorID
        }
    }

    /// Reads up to `maxRows` rows (and about `maxBytes` of data) of a stream; `done` when it has ended.
    func fetch(stream id: Int, sql: String, maxRows: Int, maxBytes: Int) throws -> (rows: [[Value]], done: Bool) {
        guard let active = activeCursor, active.id == id else {
            throw DataJointError(
                .query, "The result stream was interrupted: its connection ran another statement before the rows were read")
        }
        var rows: [[Value]] = []
        var bytes = 0
        do {
            while rows.count < maxRows, bytes < maxBytes {
                guard let row = try active.cursor.next() else {
                    finishActiveCursor()
                    return (rows, true)
                }
                bytes += row.reduce(0) { $0 + $1.approximateByteCount }
                rows.append(row)
            }
            return (rows, false)
        } catch let error as MySQLClientError {
            finishActiveCursor()
            if error.isConnectionLost { closeHandle() }
            throw translate(error, sql: sql)
        }
    }

    /// Closes a stream if it is still the active one.
    func closeStream(_ id: Int) {
        if activeCursor?.id == id { finishActiveCursor() }
    }

    private func finishActiveCursor() {
        guard let active = activeCursor else { return }
        activeCursor = nil
        active.cursor.close()
    }

    /// Starts a transaction.
    func begin() throws {
        _ = try execute(RenderedSQL("START TRANSACTION WITH CONSISTENT SNAPSHOT"))
        inTransaction = true
    }

    /// Commits the transaction.
    func commit() throws {
        defer { inTransaction = false }
        guard mysql != nil else {
            throw DataJointError(.connection, "The connection to \(target) was lost during a transaction; nothing was committed")
        }
        finishActiveCursor()
        do {
            _ = try textExecute("COMMIT")
        } catch let error as MySQLClientError {
            if error.isConnectionLost { closeHandle() }
            throw translate(error, sql: "COMMIT")
        }
    }

    /// Rolls back the transaction (nothing to do when the connection was lost: the server rolled it back).
    func rollback() throws {
        defer { inTransaction = false }
        guard mysql != nil else { return }
        finishActiveCursor()
        do {
            _ = try textExecute("ROLLBACK")
        } catch let error as MySQLClientError {
            if error.isConnectionLost { closeHandle() } else { throw translate(error, sql: "ROLLBACK") }
        }
    }

    /// Makes the connection ready for its next user: finishes a stream left open and rolls back a transaction
    /// left open.
    func reset() {
        finishActiveCursor()
        if inTransaction { try? rollback() }
    }

    // MARK: - libmariadb calls (worker thread)

    /// Runs SQL without parameters with `mysql_real_query`, discarding any rows.
    private func textExecute(_ sql: String) throws -> Int {
        guard let handle = mysql else { throw MySQLClientError(2006, "MySQL server has gone away") }
        if mysql_real_query(handle, sql, UInt(sql.utf8.count)) != 0 { throw MySQLClientError(handle) }
        var affected = mysql_affected_rows(handle)
        if let result = mysql_store_result(handle) {
            mysql_free_result(result)
            affected = 0
        } else if mysql_field_count(handle) > 0 {
            throw MySQLClientError(handle)
        }
        while mysql_more_results(handle) != 0 {
            if mysql_next_result(handle) > 0 { throw MySQLClientError(handle) }
            if let result = mysql_store_result(handle) { mysql_free_result(result) }
        }
        return affected == UInt64.max ? 0 : Int(affected)
    }

    /// Prepares and executes a statement with its parameters; the caller closes the statement (after reading its
    /// rows). On MariaDB the statement is sent with its parameters in one round trip (`mariadb_stmt_execute_direct`:
    /// prepare and execute pipelined), which halves the round trips of the per-key reads of a populate; values large
    /// enough to go as long data, which needs the statement prepared first, take two. (libmariadb itself prepares
    /// and then executes on servers without direct execution, such as MySQL.)
    private func run(_ handle: UnsafeMutablePointer<MYSQL>, _ statement: RenderedSQL) throws -> UnsafeMutablePointer<MYSQL_STMT> {
        guard let prepared = mysql_stmt_init(handle) else { throw MySQLClientError(handle) }
        let sql = statement.sql
        let parameters = MySQLParameters(statement.binds)
        do {
            if parameters.longData.isEmpty {
                var count = UInt32(statement.binds.count)
                if mysql_stmt_attr_set(prepared, STMT_ATTR_PREBIND_PARAMS, &count) != 0 {
                    throw MySQLClientError(statement: prepared)
                }
                try parameters.bind(to: prepared)
                let rc = withExtendedLifetime(parameters) { mariadb_stmt_execute_direct(prepared, sql, sql.utf8.count) }
                if rc != 0 { throw MySQLClientError(statement: prepared) }
            } else {
                if mysql_stmt_prepare(prepared, sql, UInt(sql.utf8.count)) != 0 { throw MySQLClientError(statement: prepared) }
                let expected = Int(mysql_stmt_param_count(prepared))
                guard expected == statement.binds.count else {
                    throw DataJointError(
                        .query,
                        "The statement has \(expected) placeholders but \(statement.binds.count) values were given in: \(sql.prefix(300))")
                }
                try parameters.bind(to: prepared)
                let rc = withExtendedLifetime(parameters) { mysql_stmt_execute(prepared) }
                if rc != 0 { throw MySQLClientError(statement: prepared) }
            }
        } catch {
            mysql_stmt_close(prepared)
            throw error
        }
        return prepared
    }

    /// Executes a query and opens a cursor over its rows; nil when it returns no result set.
    ///
    /// Queries always go through the binary protocol, which carries values exactly (the text protocol writes
    /// `float` columns with 6 digits); statements the server cannot prepare fall back to the text protocol.
    private func openCursor(_ handle: UnsafeMutablePointer<MYSQL>, _ statement: RenderedSQL) throws -> (any MySQLResultCursor)? {
        let prepared: UnsafeMutablePointer<MYSQL_STMT>
        do {
            prepared = try run(handle, statement)
        } catch let error as MySQLClientError where error.code == 1295 && statement.binds.isEmpty {  // ER_UNSUPPORTED_PS
            let sql = statement.sql
            if mysql_real_query(handle, sql, UInt(sql.utf8.count)) != 0 { throw MySQLClientError(handle) }
            guard let result = mysql_use_result(handle) else {
                if mysql_field_count(handle) > 0 { throw MySQLClientError(handle) }
                return nil
            }
            return MySQLTextCursor(mysql: handle, result: result)
        }
        if mysql_stmt_field_count(prepared) == 0 {
            mysql_stmt_close(prepared)
            return nil
        }
        return try MySQLStatementCursor(statement: prepared)
    }

    // MARK: - Errors

    /// Maps a server or client error to a `DataJointError` that carries the error, its number and the statement.
    func translate(_ error: MySQLClientError, sql: String) -> DataJointError {
        let (kind, message) = MySQLConnection.classify(error, sql: sql, target: target)
        return DataJointError(
            kind, message, underlying: error, sql: sql, serverCode: String(error.code),
            isForeignKeyViolation: MySQLClientError.foreignKeyCodes.contains(error.code))
    }

    /// The kind and message of a server or client error (MariaDB's and MySQL's error numbers).
    static func classify(_ error: MySQLClientError, sql: String, target: String) -> (DataJointError.Kind, String) {
        let message = error.message
        let statement = sql.count > 300 ? String(sql.prefix(300)) + "..." : sql
        switch error.code {
        case 1062, 1586:  // ER_DUP_ENTRY, ER_DUP_ENTRY_WITH_KEY_NAME
            return (.duplicate, message)
        case _ where MySQLClientError.foreignKeyCodes.contains(error.code):
            return (.integrity, message)
        case 1048:  // ER_BAD_NULL_ERROR
            return (.integrity, message)
        case 1146, 1049, 1008:  // ER_NO_SUCH_TABLE, ER_BAD_DB_ERROR, ER_DB_DROP_EXISTS
            return (.missingTable, message)
        case 1050, 1007:  // table / database exists
            return (.declaration, message)
        case 1364:  // ER_NO_DEFAULT_FOR_FIELD
            return (.missingAttribute, message)
        case 1064, 1054, 1052, 1305, 1630, 1149, 1140, 1055, 1056, 1111, 1241, 1242, 1222, 1247, 1248, 1582, 1583:
            return (.query, "\(message) in: \(statement)")
        case 1264, 1265, 1366, 1406, 1292, 1367, 4025, 3140, 1690:  // out of range, truncated, bad value, JSON, CHECK
            return (.invalidValue, message)
        // ER_DBACCESS_DENIED_ERROR, ER_ACCESS_DENIED_ERROR, ER_TABLEACCESS_DENIED_ERROR, ER_COLUMNACCESS_DENIED_ERROR,
        // ER_SPECIFIC_ACCESS_DENIED_ERROR, ER_OPTION_PREVENTS_STATEMENT (read_only),
        // ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION
        case 1044, 1045, 1142, 1143, 1227, 1290, 1792:
            return (.permissionDenied, "Insufficient privileges on \(target): \(message)")
        case 1205:  // ER_LOCK_WAIT_TIMEOUT (the server abandons the statement, not the transaction)
            return (.lockTimeout, "\(message) (another transaction holds the lock)")
        case 1213:  // ER_LOCK_DEADLOCK
            return (.deadlock, "\(message) (the transaction was rolled back; try again)")
        case 1153:  // ER_NET_PACKET_TOO_LARGE
            return (.database, "\(message): raise the server's max_allowed_packet, or insert fewer rows per statement")
        case _ where error.isConnectionLost:
            return (.connection, "Lost the connection to \(target): \(message)")
        case 2000...2999:
            return (.connection, "\(target): \(message) (client error \(error.code))")
        default:
            return (.database, "\(message) (error \(error.code)) in: \(statement)")
        }
    }
}
