import Synchronization

/// Plain inserts held back in a transaction that asked for it, and sent together as multi-row statements before the
/// transaction's next statement that could see them, and before it commits.
///
/// Populate's optimistic groups use it: the rows of many `make`s cost a few statements instead of one round trip
/// each. Rows are kept per table and attribute list, in the order their tables were first inserted into (a master
/// before its parts), which every foreign key among them allows. A failure when they are sent fails the transaction,
/// as the insert itself would have.
final class DeferredInserts: Sendable {
    private struct Batch {
        let table: Table
        let info: TableInfo
        let columns: [String]
        var rows: [[Value]]
    }

    private let batches = Mutex<[Batch]>([])

    /// Holds `rows` (encoded, validated, with these columns) for `table`.
    func append(_ table: Table, info: TableInfo, columns: [String], rows: [[Value]]) {
        batches.withLock { batches in
            if let index = batches.firstIndex(where: { $0.info.name == info.name && $0.columns == columns }) {
                batches[index].rows.append(contentsOf: rows)
            } else {
                batches.append(Batch(table: table, info: info, columns: columns, rows: rows))
            }
        }
    }

    /// Whether rows are held for a table whose name occurs in `sql` (a statement that could read them).
    func mayBeRead(by sql: String) -> Bool {
        batches.withLock { batches in batches.contains { sql.containsBytes(of: $0.info.name.table) } }
    }

    var isEmpty: Bool { batches.withLock { $0.isEmpty } }

    /// Sends the rows held, on `session`, and forgets them.
    func flush(on session: any DatabaseSession) async throws {
        let taken = batches.withLock { batches in
            defer { batches.removeAll() }
            return batches
        }
        for batch in taken {
            let statements = batch.table.insertStatements(action: .fail, chunkSize: nil, table: batch.info.name)
            try await InsertErrors.translate(table: batch.info.name.table) {
                for statement in statements(batch.columns, batch.rows) { try await session.execute(statement) }
            }
        }
    }
}
