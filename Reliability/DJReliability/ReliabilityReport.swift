// RELIABILITY.md: for each fault, load and input class, what was tried, how many times, and what was lost.
import Foundation
import ReliabilitySupport

struct ReliabilityReport {
    let records: [ReliabilityRecord]
    let setting: String

    private static let sections: [(key: String, title: String, about: String)] = [
        ("faults", "Faults",
         "The database server restarted, crashed or ended every session; the client killed; object stores failing."),
        ("load", "Load", "Many worker processes on one jobs queue."),
        ("input", "Hostile input", "Generated and mutated input to every parser and decoder; hostile identifiers and values."),
        ("limits", "Limits", "Inputs at the limits: each works or fails with a clear error."),
    ]

    func markdown() -> String {
        let date = ISO8601DateFormatter().string(from: Date())
        let tried = records.map(\.tried).reduce(0, +)
        let lost = records.map(\.lost).reduce(0, +)
        var text = """
            # Reliability

            Written by `scripts/reliability` (\(setting) setting) at \(date). Each line is one class of fault, load or \
            input on one backend: what was done, how many times, what was lost (the goal: nothing), and what the \
            system did. In all: \(records.count) cases, \(tried) tries, \(lost) lost.

            """
        for section in Self.sections {
            let rows = records.filter { $0.section == section.key }
            guard !rows.isEmpty else { continue }
            text += "\n## \(section.title)\n\n\(section.about)\n\n| what | backend | tried | lost | what happened |\n| --- | --- | ---: | ---: | --- |\n"
            for row in rows.sorted(by: { ($0.subject, $0.backend) < ($1.subject, $1.backend) }) {
                text += "| \(cell(row.subject)) | \(row.backend) | \(row.tried) | \(row.lost) | \(cell(row.outcome)) |\n"
            }
        }
        return text
    }

    private func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
