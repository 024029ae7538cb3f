import Foundation

/// A date and wall-clock time with microsecond resolution and no time zone: what a `datetime(n)` column holds.
public struct DateTime: Sendable, Hashable, Comparable, Codable, CustomStringConvertible, ISOTextCodable {
    public var date: CalendarDate
    public var hour: Int
    public var minute: Int
    public var second: Int
    /// Fraction of the second, in microseconds (0..<1_000_000).
    public var microsecond: Int

    public init?(date: CalendarDate, hour: Int = 0, minute: Int = 0, second: Int = 0, microsecond: Int = 0) {
        guard let time = TimeOfDay(hour: hour, minute: minute, second: second, microsecond: microsecond) else {
            return nil
        }
        self.init(date: date, time: time)
    }

    /// The time `time` on `date`.
    public init(date: CalendarDate, time: TimeOfDay) {
        self.date = date
        hour = time.hour
        minute = time.minute
        second = time.second
        microsecond = time.microsecond
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
        // Up to nine fractional digits, cut to microseconds.
        guard let time = TimeOfDay(clock: rest, maxFractionalDigits: 9) else { return nil }
        self.init(date: date, time: time)
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

    static let isoForm = "a datetime in the form YYYY-MM-DD HH:MM:SS"
}
