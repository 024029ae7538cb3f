// What one trial of a fault case saw, and the summary of a case's trials.
import DataJoint
import Foundation
import ReliabilitySupport

/// What happened in one trial: whether the operation failed, with what, and whether anything was lost.
struct FaultTrial: Sendable {
    /// The error the operation threw, if it did.
    var error: (any Error)?
    /// What was lost or inconsistent afterwards (partial rows, missing keys, stuck jobs, no reconnect); empty if nothing.
    var problems: [String] = []
    /// Figures worth reporting (e.g. keys computed after the fault).
    var notes: [String] = []

    var lost: Bool { !problems.isEmpty }

    /// Checks that a failure is a `DataJointError` naming the lost connection; anything else is a problem.
    mutating func checkError() {
        guard let error else { return }
        guard let dj = error as? DataJointError else {
            problems.append("threw \(type(of: error)), not DataJointError: \(error)")
            return
        }
        let text = dj.message.lowercased()
        let namesConnection = ["connection", "lost", "closed", "terminat", "server", "shut"].contains { text.contains($0) }
        if dj.kind != .connection || !namesConnection {
            problems.append("error of kind .\(dj.kind) that does not name the lost connection: \(dj.message)")
        }
    }
}

/// Sums up the trials of one case as a line of the report.
struct FaultCaseSummary {
    let subject: String
    let backend: String
    var trials: [FaultTrial] = []

    func record() -> ReliabilityRecord {
        let failed = trials.filter { $0.error != nil }
        var outcome = "\(failed.count) of \(trials.count) failed"
        if let first = failed.first?.error {
            let shown = (first as? DataJointError).map { ".\($0.kind): \($0.message)" } ?? "\(first)"
            outcome += " (e.g. \(shown.prefix(220)))"
        }
        outcome += "; \(trials.count - failed.count) finished"
        let notes = trials.flatMap(\.notes)
        if !notes.isEmpty { outcome += "; " + Array(Set(notes)).sorted().joined(separator: "; ") }
        let problems = trials.flatMap(\.problems)
        if !problems.isEmpty { outcome += "; PROBLEMS: " + problems.prefix(3).joined(separator: " | ") }
        return ReliabilityRecord(
            section: "faults", subject: subject, backend: backend, tried: trials.count, lost: trials.filter(\.lost).count,
            outcome: outcome)
    }
}
