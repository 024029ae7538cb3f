/// A wall-clock time with microseconds and no date or time zone: Python's `datetime.time`.
public struct TimeOfDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// 0...23.
    public let hour: Int
    /// 0...59.
    public let minute: Int
    /// 0...59.
    public let second: Int
    /// 0...999_999.
    public let microsecond: Int

    /// Creates a time, or `nil` if a component is out of range.
    public init?(hour: Int, minute: Int = 0, second: Int = 0, microsecond: Int = 0) {
        guard (0..<24).contains(hour), (0..<60).contains(minute), (0..<60).contains(second),
            (0..<1_000_000).contains(microsecond)
        else { return nil }
        self.hour = hour
        self.minute = minute
        self.second = second
        self.microsecond = microsecond
    }

    /// Parses `HH:MM[:SS[.ffffff]]` (up to six fractional digits).
    public init?(iso text: String) {
        self.init(clock: Substring(text), maxFractionalDigits: 6)
    }

    /// Parses `HH:MM[:SS[.fff…]]` with up to `maxFractionalDigits` digits after the point, of which the first six
    /// count.
    init?(clock text: Substring, maxFractionalDigits: Int) {
        let clock = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let hms = clock[0].split(separator: ":", omittingEmptySubsequences: false)
        guard hms.count == 2 || hms.count == 3, hms.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) }),
            let h = Int(hms[0]), let m = Int(hms[1]), let s = hms.count == 3 ? Int(hms[2]) : 0
        else { return nil }
        var micro = 0
        if clock.count == 2 {
            let digits = clock[1]
            guard !digits.isEmpty, digits.count <= maxFractionalDigits, digits.allSatisfy({ $0.isASCII && $0.isNumber })
            else { return nil }
            micro = Int((digits + "000000").prefix(6))!
        }
        self.init(hour: h, minute: m, second: s, microsecond: micro)
    }

    /// `HH:MM:SS`, with `.ffffff` when there are microseconds (Python's `isoformat()`).
    public var description: String {
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        var text = "\(two(hour)):\(two(minute)):\(two(second))"
        if microsecond != 0 {
            let s = String(microsecond)
            text += "." + String(repeating: "0", count: 6 - s.count) + s
        }
        return text
    }

    public static func < (a: TimeOfDay, b: TimeOfDay) -> Bool {
        (a.hour, a.minute, a.second, a.microsecond) < (b.hour, b.minute, b.second, b.microsecond)
    }
}
