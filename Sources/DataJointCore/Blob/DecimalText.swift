import Foundation

/// Checks the text of a `decimal.Decimal` against the syntax Python's `Decimal(str)` accepts.
enum DecimalText {
    /// The text without surrounding whitespace if it is a valid decimal literal (`3.14`, `-1E+2`, `.5`, `NaN`,
    /// `-Infinity`, `sNaN12`, digits grouped with `_`), else `nil`.
    static func validated(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        var chars = Substring(trimmed)
        if let sign = chars.first, sign == "+" || sign == "-" { chars = chars.dropFirst() }
        let lower = chars.lowercased()
        if lower == "inf" || lower == "infinity" { return trimmed }
        for prefix in ["nan", "snan"] where lower.hasPrefix(prefix) {
            let payload = lower.dropFirst(prefix.count)
            return payload.isEmpty || isDigits(payload) ? trimmed : nil
        }
        var mantissa = Substring(lower)
        var exponent: Substring?
        if let e = lower.firstIndex(of: "e") {
            mantissa = lower[..<e]
            var exp = lower[lower.index(after: e)...]
            if let sign = exp.first, sign == "+" || sign == "-" { exp = exp.dropFirst() }
            exponent = exp
        }
        if let exponent, !isDigits(exponent) { return nil }
        let parts = mantissa.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0]
        let fraction = parts.count == 2 ? parts[1] : ""
        guard !(whole.isEmpty && fraction.isEmpty) else { return nil }
        guard whole.isEmpty || isDigits(whole), fraction.isEmpty || isDigits(fraction) else { return nil }
        return trimmed
    }

    /// ASCII digits, possibly grouped by single underscores between digits.
    private static func isDigits(_ s: Substring) -> Bool {
        guard let first = s.first, let last = s.last, first.isASCII, first.isNumber, last.isASCII, last.isNumber
        else { return false }
        var previousUnderscore = false
        for c in s {
            if c == "_" {
                if previousUnderscore { return false }
                previousUnderscore = true
            } else if c.isASCII && c.isNumber {
                previousUnderscore = false
            } else {
                return false
            }
        }
        return true
    }
}
