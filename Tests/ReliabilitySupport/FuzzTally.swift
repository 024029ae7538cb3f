// Counts of what a parser or decoder did with fuzzed inputs, for the reliability report.

/// What a parser or decoder did with the inputs of one fuzz test: how many it accepted, refused (by kind of error),
/// and how many went wrong (an error of another type, or one without a message). Turned into a reliability record.
public struct FuzzTally: Sendable {
    public private(set) var tried = 0
    public private(set) var accepted = 0
    public private(set) var refused: [String: Int] = [:]
    public private(set) var wrong = 0

    public init() {}

    public mutating func accept() {
        tried += 1
        accepted += 1
    }

    public mutating func refuse(kind: String) {
        tried += 1
        refused[kind, default: 0] += 1
    }

    public mutating func fail() {
        tried += 1
        wrong += 1
    }

    /// "1,234 accepted, 766 refused (700 DataJointError.codec, 66 DataJointError.invalidValue)".
    public func outcome(accepted acceptedWord: String = "accepted") -> String {
        let refusedCount = refused.values.reduce(0, +)
        var text = "\(Self.format(accepted)) \(acceptedWord), \(Self.format(refusedCount)) refused"
        if !refused.isEmpty {
            let kinds = refused.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            text += " (" + kinds.map { "\(Self.format($0.value)) with \($0.key)" }.joined(separator: ", ") + ")"
        }
        if wrong > 0 { text += ", \(Self.format(wrong)) failed otherwise" }
        return text
    }

    /// Appends the reliability record of this test (section `input`, no backend).
    public func record(_ subject: String, accepted acceptedWord: String = "accepted", backend: String = "none") {
        ReliabilityLog.append(
            ReliabilityRecord(
                section: "input", subject: subject, backend: backend, tried: tried, lost: wrong,
                outcome: outcome(accepted: acceptedWord)))
    }

    static func format(_ n: Int) -> String {
        var digits = String(n)
        var groups: [Substring] = []
        while digits.count > 3 {
            groups.insert(Substring(digits.suffix(3)), at: 0)
            digits.removeLast(3)
        }
        groups.insert(Substring(digits), at: 0)
        return groups.joined(separator: ",")
    }
}
