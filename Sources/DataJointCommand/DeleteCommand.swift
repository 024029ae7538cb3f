import ArgumentParser
import DataJoint
import Foundation

/// `dj delete SCHEMA.Table --where SQL`: shows what a cascading delete removes, then deletes after confirmation.
struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete rows of a table and everything that depends on them, after showing how many rows go.",
        discussion: """
            Prints the rows the delete removes from each table (the table and its descendants in every schema). With \
            --dry-run nothing is deleted. Otherwise the delete asks for confirmation on a terminal; without one, pass \
            --yes.
            """)

    @OptionGroup var options: DatabaseOptions

    @Argument(help: "SCHEMA.Table: a table name (session, session__trial) or class name (Session.Trial).")
    var table: String

    @Option(name: .customLong("where"), help: ArgumentHelp("A SQL condition selecting the rows to delete (all rows without it).", valueName: "SQL"))
    var condition: String?

    @Flag(name: .long, help: "Show what would be deleted; delete nothing.")
    var dryRun = false

    @Option(name: .long, help: "Parts whose master rows stay: enforce (refuse), ignore (delete them), cascade (delete the masters too).")
    var partIntegrity: String = "enforce"

    @Flag(name: .long, help: "Delete without asking (for scripts).")
    var yes = false

    func run() async throws {
        guard let integrity = PartIntegrity(rawValue: partIntegrity) else {
            throw DataJointError(.invalidValue, "--part-integrity must be enforce, ignore or cascade, not `\(partIntegrity)`")
        }
        let (schemaName, tableName) = try splitQualifiedName(table)
        try await withConnection(options.connectExisting) { connection in
            let schema = try await connection.schema(schemaName, tables: [], create: false)
            var target = try await openTable(tableName, in: schema)
            if let condition { target = target & condition }
            let plan = try await Diagram.cascade(target, partIntegrity: integrity)
            let counts = try await plan.counts()
            let rows = plan.orderedTables.map { [$0.description, String(counts[$0] ?? 0)] }
            print(TextTable(header: ["table", "rows to delete"], rows: rows).render())
            let total = counts.values.reduce(0, +)
            if integrity == .enforce {
                for (part, count) in counts where count > 0 {
                    guard let master = plan.graph.master(of: part), (counts[master] ?? 0) == 0 else { continue }
                    print("Note: rows of part table \(part) go without their master rows in \(master), so the delete "
                        + "will be refused; delete from the master, or pass --part-integrity cascade or ignore.")
                }
            }
            if dryRun {
                print("Dry run: nothing was deleted (\(total) rows would be).")
                return
            }
            if total == 0 {
                print("Nothing to delete.")
                return
            }
            if !yes {
                guard isatty(STDIN_FILENO) != 0 else {
                    throw DataJointError(
                        .notAllowed, "not deleting without confirmation: run on a terminal, or pass --yes; nothing was deleted")
                }
                print("Delete these \(total) rows? [yes/No] ", terminator: "")
                guard readLine()?.trimmingCharacters(in: .whitespaces).lowercased() == "yes" else {
                    print("Cancelled; nothing was deleted.")
                    return
                }
            }
            let deleted = try await target.delete(confirm: true, partIntegrity: integrity)
            print("Deleted \(deleted) row(s) from \(table) and their dependents.")
        }
    }
}
