import ArgumentParser
import DataJoint
import Foundation

/// `dj gc SCHEMA... [--store NAME] [--min-age 1h] [--delete]`: the objects of a store that no row of the schemas refers
/// to any more, removed with `--delete`.
struct GarbageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Find (and with --delete remove) the objects of a store that no row refers to any more.",
        discussion: """
            Looks at the store's sections of the named schemas only (name every schema that uses the store's sections \
            you want cleaned). Without --delete nothing is removed. --min-age leaves alone objects written more \
            recently (an insert or staged insert may still be writing them): give seconds, or a number with s, m, h \
            or d (90s, 30m, 1h, 2d). Codecs the program does not register (such as <zarr@> in the plain dj tool) stop \
            the collection with an error rather than risk removing what their rows refer to.
            """)

    @OptionGroup var options: DatabaseOptions

    @Argument(help: "The schemas whose objects are examined.")
    var schemas: [String]

    @Option(name: .long, help: "The store (default: the default store, stores.default).")
    var store: String?

    @Option(name: .customLong("min-age"), help: ArgumentHelp("Leave objects younger than this alone (90s, 30m, 1h, 2d).", valueName: "AGE"))
    var minimumAge: String = "0"

    @Flag(name: .long, help: "Remove what was found (default: only report it).")
    var delete = false

    @Flag(name: .long, help: "List every path found, not only the counts.")
    var verbose = false

    func run() async throws {
        let age = try Self.parseAge(minimumAge)
        guard !schemas.isEmpty else { throw DataJointError(.invalidValue, "dj gc needs at least one schema") }
        let report = try await withConnection(options.connectExisting) { connection in
            var opened: [Schema] = []
            for name in self.schemas { opened.append(try await connection.schema(name, tables: [], create: false)) }
            return try await GarbageCollector(schemas: opened, store: self.store).collect(dryRun: !self.delete, minimumAge: age)
        }
        let rows = [
            ["hash-addressed", String(report.hashStored), String(report.hashReferenced), String(report.orphanedHashPaths.count)],
            ["schema-addressed", String(report.schemaStored), String(report.schemaReferenced), String(report.orphanedSchemaPaths.count)],
            ["unfinished writes", "", "", String(report.unfinishedWritePaths.count)],
        ]
        print(TextTable(header: ["section", "stored", "referenced", "to remove"], rows: rows).render())
        if !report.recentPaths.isEmpty {
            print("\(report.recentPaths.count) unreferenced object(s) written within --min-age were left alone.")
        }
        if verbose {
            for path in report.orphanedHashPaths + report.orphanedSchemaPaths + report.unfinishedWritePaths { print(path) }
        }
        if report.dryRun {
            print("Dry run: nothing was removed (\(Self.bytes(report.orphanedBytes)) would be freed); pass --delete to remove.")
        } else {
            print("Removed \(report.deleted) object(s), \(Self.bytes(report.bytesFreed)) freed.")
        }
    }

    /// `90`, `90s`, `30m`, `1h`, `2d` as a duration.
    static func parseAge(_ text: String) throws -> Duration {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        var number = Substring(trimmed)
        var scale: Int64 = 1
        if let last = trimmed.last, let unit = units[last] {
            number = number.dropLast()
            scale = unit
        }
        guard let value = Int64(number), value >= 0, value <= Int64.max / scale / 1000 else {
            throw DataJointError(.invalidValue, "--min-age must be a number of seconds, or a number with s, m, h or d (such as 1h), not `\(text)`")
        }
        return .seconds(value * scale)
    }

    static func bytes(_ count: Int) -> String { count == 1 ? "1 byte" : "\(count) bytes" }
}
