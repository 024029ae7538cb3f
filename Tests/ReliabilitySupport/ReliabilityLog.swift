// Where reliability records go, and how hard the reliability cases push.

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Appends ``ReliabilityRecord`` lines to `$DJ_RELIABILITY_DIR/records.jsonl` when that variable is set (by
/// scripts/reliability); without it, records are dropped and the tests only assert.
public enum ReliabilityLog {
    /// The directory records go to, from `DJ_RELIABILITY_DIR`; nil when the tests run without the report.
    public static var directory: String? {
        guard let dir = ProcessInfo.processInfo.environment["DJ_RELIABILITY_DIR"], !dir.isEmpty else { return nil }
        return dir
    }

    /// Appends one record as one JSON line. Each line is written with a single `write` on a file opened for
    /// appending, so records of tests running in parallel (or in several processes) never interleave.
    public static func append(_ record: ReliabilityRecord) {
        guard let dir = directory else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard var line = try? encoder.encode(record) else { return }
        line.append(UInt8(ascii: "\n"))
        let fd = open(dir + "/records.jsonl", O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    /// Reads every record of a records file (lines that do not decode are skipped).
    public static func read(_ path: String) throws -> [ReliabilityRecord] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let decoder = JSONDecoder()
        return text.split(separator: "\n").compactMap { try? decoder.decode(ReliabilityRecord.self, from: Data($0.utf8)) }
    }

    /// How many inputs a fuzz or property test tries: `DJ_FUZZ_ITERATIONS` when set (scripts/reliability's full
    /// setting), else `standard`, the short setting the test suite runs in CI.
    public static func iterations(standard: Int) -> Int {
        if let text = ProcessInfo.processInfo.environment["DJ_FUZZ_ITERATIONS"], let n = Int(text), n > 0 { return n }
        return standard
    }

    /// How many times a fault case repeats its fault: `full` with `DJ_RELIABILITY_FULL=1` (scripts/reliability's full
    /// setting), else `standard`. Not the fuzz count: a fault trial takes seconds, a fuzz input microseconds.
    public static func trials(standard: Int, full: Int) -> Int {
        ProcessInfo.processInfo.environment["DJ_RELIABILITY_FULL"] == "1" ? full : standard
    }
}
