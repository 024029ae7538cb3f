// One case of RELIABILITY.md: what was tried, how many times, and what was lost.

import Foundation

/// One line of the reliability report: a fault, load or input class, what was tried against it on one backend, how
/// many times, and what was lost (the goal: nothing).
///
/// Tests and `dj-reliability` append these to `$DJ_RELIABILITY_DIR/records.jsonl` with ``ReliabilityLog``;
/// `dj-reliability report` turns the file into RELIABILITY.md.
public struct ReliabilityRecord: Codable, Sendable, Equatable {
    /// `faults`, `load`, `input` or `limits`: the section of the report.
    public var section: String
    /// What was done to the system, e.g. "server restarted during a bulk insert of 100,000 rows".
    public var subject: String
    /// `sqlite`, `postgresql`, `mysql`, `file`, `s3`, or `none` for backend-independent cases (parsers, decoders).
    public var backend: String
    /// How many times it was tried (inputs fed to a parser, restarts, jobs run).
    public var tried: Int
    /// How many of those lost or corrupted something: rows, objects, jobs, or crashed. The goal is 0.
    public var lost: Int
    /// What the system did, in a short sentence: the error the caller got, the figures measured.
    public var outcome: String

    public init(section: String, subject: String, backend: String, tried: Int, lost: Int = 0, outcome: String) {
        self.section = section
        self.subject = subject
        self.backend = backend
        self.tried = tried
        self.lost = lost
        self.outcome = outcome
    }
}
