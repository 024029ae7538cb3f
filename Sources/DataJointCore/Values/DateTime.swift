import Foundation

/// A date and wall-clock time with microsecond resolution and no time zone: what a `datetime(n)` column holds.
public struct DateTime: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var date: CalendarDate
    public var hour: Int
    public var minute: Int
    public var second: Int
    /// Fraction of the second, in microseconds (0..<1_000_000).
    public var microsecond: Int

    public init?(date: CalendarDate, hour: Int = 0, minute: Int = 0, second: Int = 0, microsecond: Int = 0) {
        guard (0..<24).contains(hour), (0..<60).contains(minute), (0..<60).contains(second),
            (0..<1_000_000).contains(microsecond)
        else { return nil }
        self.date = date
        self.hour = hour
        self.minute = minute
        self.second = second
        self.microsecond = microsecond
    }

    /// Parses `YYYY-MM-DD HH:MM:SS[.ffffff]` (a `T` may separate date and time; a date alone means midnight).
    public init?(iso text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.count >= 10, let date = CalendarDate(iso: String(trimmed.prefix(10))) else { return nil }
        var rest = trimmed.dropFirst(10)
        if rest.isEmpty {
            self.init(date: date)
            return
        }
        guard rest.first == " " || rest.first == "T" else { return nil }
        rest = rest.dropFirst()
        if rest.hasSuffix("Z") { rest = rest.dropLast() }
        let clock = rest.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let hms = clock[0].split(separator: ":", omittingEmptySubsequences: false)
        guard hms.count == 2 || hms.count == 3, hms.allSatisfy({ $0.count == 2 }),
            let h = Int(hms[0]), let m = Int(hms[1])
        else { return nil }
        let s = hms.count == 3 ? Int(hms[2]) : 0
        guard let s else { return nil }
        var micro = 0
        if clock.count == 2 {
            let digits = clock[1]
            guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy(\.isNumber) else { return nil }
            let padded = (String(digits) + "000000").prefix(6)
            micro = Int(padded)!
        }
        self.init(date: date, hour: h, minute: m, second: s, microsecond: micro)
    }

    /// The wall-clock time of a `Date` instant in the given time zone (UTC by default).
    public init(_ instant: Date, timeZone: TimeZone = TimeZone(identifier: "UTC")!) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .nanosecond], from: instant)
        date = CalendarDate(year: c.year!, month: c.month!, day: c.day!)!
        hour = c.hour!
        minute = c.minute!
        second = c.second!
        microsecond = min(999_999, Int((Double(c.nanosecond!) / 1000).rounded()))
    }

    /// The text form with `digits` fractional digits (0...6).
    public func formatted(fractionalDigits digits: Int) -> String {
        var text = "\(date) " + String(format: "%02d:%02d:%02d", hour, minute, second)
        if digits > 0 {
            let micro = String(format: "%06d", microsecond)
            text += "." + micro.prefix(min(6, digits))
        }
        return text
    }

    /// This value with its fraction of a second cut to `digits` digits.
    public func truncated(toFractionalDigits digits: Int) -> DateTime {
        var copy = self
        let unit = Int(pow(10.0, Double(6 - min(6, max(0, digits)))))
        copy.microsecond = microsecond / unit * unit
        return copy
    }

    public var description: String {
        formatted(fractionalDigits: microsecond == 0 ? 0 : 6)
    }

    public static func < (a: DateTime, b: DateTime) -> Bool {
        (a.date, a.hour, a.minute, a.second, a.microsecond) < (b.date, b.hour, b.minute, b.second, b.microsecond)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = DateTime(iso: text) else {
            throw DataJointError(.invalidValue, "\"\(text)\" is not a datetime in the form YYYY-MM-DD HH:MM:SS")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
