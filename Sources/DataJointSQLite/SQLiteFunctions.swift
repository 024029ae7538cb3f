import Foundation
import SQLiteNIO

/// MySQL functions of the portable SQL subset (`docs/portable-sql.md`) that SQLite lacks, installed on every
/// connection as application-defined functions, so that user-written restrictions and computed attributes mean
/// the same on SQLite as on MySQL.
///
/// They follow MySQL: a NULL argument gives NULL; so does an invalid one (a text that is not a date, the logarithm
/// of a negative number, a division by zero). Dates and times are SQLite's text form `YYYY-MM-DD[ HH:MM:SS[.ffffff]]`.
/// `NOW()` and `CURDATE()` are in UTC. Deterministic functions are marked so, which lets SQLite use them in
/// indexes and optimise repeated calls.
enum SQLiteFunctions {
    /// Installs the functions on a connection.
    static func install(on connection: SQLiteConnection) async throws {
        for function in all {
            try await connection.install(customFunction: function)
        }
    }

    typealias Result = (any SQLiteDataConvertible)?

    static func scalar(
        _ name: String, _ count: Int32?, pure: Bool = true, _ body: @escaping @Sendable ([SQLiteData]) -> Result
    ) -> SQLiteCustomFunction {
        SQLiteCustomFunction(name, argumentCount: count, pure: pure) { body($0) }
    }

    /// A function of one date/time argument.
    static func datePart(_ name: String, _ part: @escaping @Sendable (DateTimeParts) -> Int?) -> SQLiteCustomFunction {
        scalar(name, 1) { args in parseDateTime(args[0]).flatMap(part) }
    }

    /// A function of one number that gives a number; NaN and infinities give NULL.
    static func math(_ name: String, _ f: @escaping @Sendable (Double) -> Double) -> SQLiteCustomFunction {
        scalar(name, 1) { args in double(args[0]).map(f).flatMap(finite) }
    }

    static let all: [SQLiteCustomFunction] = [
        // Dates and times.
        datePart("YEAR") { $0.hasDate ? $0.year : nil },
        datePart("MONTH") { $0.hasDate ? $0.month : nil },
        datePart("DAY") { $0.hasDate ? $0.day : nil },
        datePart("DAYOFMONTH") { $0.hasDate ? $0.day : nil },
        datePart("QUARTER") { $0.hasDate ? ($0.month - 1) / 3 + 1 : nil },
        datePart("DAYOFWEEK") { $0.hasDate ? mod($0.dayNumber + 4, 7) + 1 : nil },
        datePart("DAYOFYEAR") { $0.hasDate ? $0.dayNumber - daysFromCivil($0.year, 1, 1) + 1 : nil },
        datePart("HOUR") { $0.hour },
        datePart("MINUTE") { $0.minute },
        datePart("SECOND") { $0.second },
        scalar("NOW", 0, pure: false) { _ in formatNow(withTime: true) },
        scalar("CURDATE", 0, pure: false) { _ in formatNow(withTime: false) },
        scalar("DATEDIFF", 2) { args in
            guard let a = parseDateTime(args[0]), let b = parseDateTime(args[1]), a.hasDate, b.hasDate else { return nil }
            return a.dayNumber - b.dayNumber
        },
        scalar("TIMESTAMPDIFF", 3) { args in
            guard let unit = text(args[0]), let a = parseDateTime(args[1]), let b = parseDateTime(args[2]),
                a.hasDate, b.hasDate
            else { return nil }
            return timestampDiff(unit, a, b)
        },

        // Text.
        scalar("CONCAT", nil) { args in
            var out = ""
            for arg in args {
                guard let piece = text(arg) else { return nil }
                out += piece
            }
            return args.isEmpty ? nil : out
        },
        // `x REGEXP p` calls REGEXP(p, x); case-insensitive, as MySQL's default collations.
        scalar("REGEXP", 2) { args in
            guard let pattern = text(args[0]), let subject = text(args[1]) else { return nil }
            guard let regex = RegexCache.shared.regex(pattern) else { return nil }
            let range = NSRange(subject.startIndex ..< subject.endIndex, in: subject)
            return regex.firstMatch(in: subject, options: [], range: range) != nil ? 1 : 0
        },
        scalar("LEFT", 2) { args in
            guard let s = text(args[0]), let n = integer(args[1]) else { return nil }
            return n <= 0 ? "" : String(String.UnicodeScalarView(s.unicodeScalars.prefix(n)))
        },
        scalar("RIGHT", 2) { args in
            guard let s = text(args[0]), let n = integer(args[1]) else { return nil }
            return n <= 0 ? "" : String(String.UnicodeScalarView(s.unicodeScalars.suffix(n)))
        },

        // Numbers.
        scalar("POW", 2) { args in power(args) },
        scalar("POWER", 2) { args in power(args) },
        math("SQRT") { $0 < 0 ? .nan : $0.squareRoot() },
        math("EXP") { Foundation.exp($0) },
        math("LN") { $0 <= 0 ? .nan : Foundation.log($0) },
        math("LOG") { $0 <= 0 ? .nan : Foundation.log($0) },
        scalar("LOG", 2) { args in
            guard let b = double(args[0]), let x = double(args[1]), b > 0, b != 1, x > 0 else { return nil }
            return Foundation.log(x) / Foundation.log(b)
        },
        math("LOG10") { $0 <= 0 ? .nan : Foundation.log10($0) },
        math("LOG2") { $0 <= 0 ? .nan : Foundation.log2($0) },
        scalar("FLOOR", 1) { args in rounded(args[0], .down) },
        scalar("CEIL", 1) { args in rounded(args[0], .up) },
        scalar("CEILING", 1) { args in rounded(args[0], .up) },
        scalar("TRUNCATE", 2) { args in truncate(args[0], args[1]) },
        scalar("ROUND", 1) { args in round(args[0], .integer(0)) },
        scalar("ROUND", 2) { args in round(args[0], args[1]) },
        scalar("MOD", 2) { args in modulo(args[0], args[1]) },
        scalar("PI", 0) { _ in Double.pi },
        math("SIN") { Foundation.sin($0) },
        math("COS") { Foundation.cos($0) },
        math("TAN") { Foundation.tan($0) },
        math("COT") { 1 / Foundation.tan($0) },
        math("ASIN") { Foundation.asin($0) },
        math("ACOS") { Foundation.acos($0) },
        math("ATAN") { Foundation.atan($0) },
        scalar("ATAN", 2) { args in atan2(args) },
        scalar("ATAN2", 2) { args in atan2(args) },
        math("DEGREES") { $0 * 180 / .pi },
        math("RADIANS") { $0 * .pi / 180 },
        scalar("RAND", 0, pure: false) { _ in Double.random(in: 0 ..< 1) },
        scalar("GREATEST", nil) { args in extreme(args, greatest: true) },
        scalar("LEAST", nil) { args in extreme(args, greatest: false) },

        // Aggregates. MySQL's STD, STDDEV and VARIANCE are the population statistics.
        SQLiteCustomFunction("STD", argumentCount: 1, pure: true, aggregate: PopulationStandardDeviation.self),
        SQLiteCustomFunction("STDDEV", argumentCount: 1, pure: true, aggregate: PopulationStandardDeviation.self),
        SQLiteCustomFunction("STDDEV_POP", argumentCount: 1, pure: true, aggregate: PopulationStandardDeviation.self),
        SQLiteCustomFunction("STDDEV_SAMP", argumentCount: 1, pure: true, aggregate: SampleStandardDeviation.self),
        SQLiteCustomFunction("VARIANCE", argumentCount: 1, pure: true, aggregate: PopulationVariance.self),
        SQLiteCustomFunction("VAR_POP", argumentCount: 1, pure: true, aggregate: PopulationVariance.self),
        SQLiteCustomFunction("VAR_SAMP", argumentCount: 1, pure: true, aggregate: SampleVariance.self),
        // GROUP_CONCAT(DISTINCT x SEPARATOR 's'): SQLite's DISTINCT aggregates take one argument only.
        SQLiteCustomFunction("DJ_GROUP_CONCAT_DISTINCT", argumentCount: 2, pure: true, aggregate: GroupConcatDistinct.self),
    ]

    // MARK: Values

    /// A number argument; text is read as a number (NULL when it is not one).
    static func double(_ value: SQLiteData) -> Double? {
        switch value {
        case .integer(let i): Double(i)
        case .float(let d): d
        case .text(let s): Double(s.trimmingCharacters(in: .whitespaces))
        case .blob, .null: nil
        }
    }

    static func integer(_ value: SQLiteData) -> Int? {
        switch value {
        case .integer(let i): Int(i)
        case .float(let d): Int(exactly: d.rounded())
        case .text(let s):
            Int(s.trimmingCharacters(in: .whitespaces)) ?? Double(s.trimmingCharacters(in: .whitespaces)).flatMap {
                Int(exactly: $0.rounded())
            }
        case .blob, .null: nil
        }
    }

    /// A text argument; numbers are written as MySQL and PostgreSQL write them (`2`, not `2.0`).
    static func text(_ value: SQLiteData) -> String? {
        switch value {
        case .integer(let i): String(i)
        case .float(let d): formatDouble(d)
        case .text(let s): s
        case .blob(let b): String(decoding: b.readableBytesView, as: UTF8.self)
        case .null: nil
        }
    }

    static func formatDouble(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return d.description
    }

    static func finite(_ d: Double) -> Double? { d.isFinite ? d : nil }

    /// The value of an argument, returned unchanged.
    static func same(_ value: SQLiteData) -> Result {
        switch value {
        case .integer(let i): Int(i)
        case .float(let d): d
        case .text(let s): s
        case .blob(let b): b
        case .null: nil
        }
    }

    // MARK: Numbers

    static func power(_ args: [SQLiteData]) -> Result {
        guard let x = double(args[0]), let y = double(args[1]) else { return nil }
        return finite(Foundation.pow(x, y))
    }

    static func atan2(_ args: [SQLiteData]) -> Result {
        guard let y = double(args[0]), let x = double(args[1]) else { return nil }
        return Foundation.atan2(y, x)
    }

    /// FLOOR/CEIL: integers stay integers; other numbers give an integer when it fits.
    static func rounded(_ value: SQLiteData, _ rule: FloatingPointRoundingRule) -> Result {
        if case .integer(let i) = value { return Int(i) }
        guard let d = double(value), d.isFinite else { return nil }
        let r = d.rounded(rule)
        return abs(r) < 9.0e18 ? Int(r) : r
    }

    /// MySQL's TRUNCATE(x, d): `x` cut toward zero to `d` decimals (a multiple of 10^-d for negative `d`).
    static func truncate(_ value: SQLiteData, _ digits: SQLiteData) -> Result {
        decimalRounding(value, digits, .down)
    }

    /// ROUND(x[, d]) with halves rounded away from zero, as MySQL rounds exact values and PostgreSQL rounds
    /// NUMERIC (SQLite's own ROUND works on the binary value, so that ROUND(2.675, 2) is 2.67).
    static func round(_ value: SQLiteData, _ digits: SQLiteData) -> Result {
        decimalRounding(value, digits, .plain)
    }

    /// Rounds the decimal value of `x` to `d` decimals: like PostgreSQL's cast of a float to NUMERIC, a float is
    /// read with 15 significant digits, so that 1.23 is 1.23 and not 1.229999.... Integers stay integers.
    static func decimalRounding(_ value: SQLiteData, _ digits: SQLiteData, _ mode: NSDecimalNumber.RoundingMode) -> Result {
        guard let d = integer(digits) else { return nil }
        if case .integer(let i) = value, d >= 0 { return Int(i) }
        let text: String
        switch value {
        case .integer(let i): text = String(i.magnitude)
        case .null, .blob: return nil
        default:
            guard let x = double(value), x.isFinite else { return nil }
            text = String(format: "%.15g", abs(x))
        }
        guard var magnitude = Decimal(string: text) else { return nil }
        var result = Decimal()
        NSDecimalRound(&result, &magnitude, max(-30, min(30, d)), mode)
        let negative: Bool
        switch value {
        case .integer(let i): negative = i < 0
        default: negative = (double(value) ?? 0) < 0
        }
        if case .integer = value, let n = Int(result.description) { return negative ? -n : n }
        guard let r = Double(result.description) else { return nil }
        return negative && r != 0 ? -r : r
    }

    /// MySQL's MOD: the remainder with the sign of the dividend; NULL for a zero divisor.
    static func modulo(_ a: SQLiteData, _ b: SQLiteData) -> Result {
        if case .integer(let x) = a, case .integer(let y) = b {
            guard y != 0 else { return nil }
            if y == -1 { return 0 }
            return Int(x % y)
        }
        guard let x = double(a), let y = double(b), y != 0 else { return nil }
        return finite(Foundation.fmod(x, y))
    }

    /// GREATEST/LEAST: NULL if any argument is NULL; numbers compare as numbers, anything else as text.
    static func extreme(_ args: [SQLiteData], greatest: Bool) -> Result {
        guard !args.isEmpty, !args.contains(where: \.isNull) else { return nil }
        let numeric = args.allSatisfy { if case .integer = $0 { true } else if case .float = $0 { true } else { false } }
        var best = args[0]
        for arg in args.dropFirst() {
            let better: Bool
            if numeric {
                better = greatest ? double(arg)! > double(best)! : double(arg)! < double(best)!
            } else {
                let (x, y) = (text(arg) ?? "", text(best) ?? "")
                better = greatest ? x > y : x < y
            }
            if better { best = arg }
        }
        return same(best)
    }

    static func mod(_ a: Int, _ n: Int) -> Int { ((a % n) + n) % n }

    // MARK: Dates

    /// The parts of `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS[.ffffff]` (or with `T`), or a time `HH:MM[:SS[.ffffff]]`.
    struct DateTimeParts: Sendable {
        var hasDate = false
        var year = 0, month = 0, day = 0
        var hour = 0, minute = 0, second = 0, microsecond = 0

        /// Days since 1970-01-01.
        var dayNumber: Int { daysFromCivil(year, month, day) }
        var microsecondOfDay: Int { ((hour * 60 + minute) * 60 + second) * 1_000_000 + microsecond }
        var microsecondsSinceEpoch: Int { dayNumber * 86_400_000_000 + microsecondOfDay }
    }

    static func parseDateTime(_ value: SQLiteData) -> DateTimeParts? {
        guard case .text(let s) = value else { return nil }
        var reader = DigitReader(Array(s.utf8))
        reader.skipSpaces()
        var parts = DateTimeParts()
        let mark = reader.position
        if let y = reader.number(maxDigits: 4), reader.position - mark == 4, reader.take(UInt8(ascii: "-")) {
            guard let m = reader.number(maxDigits: 2), reader.take(UInt8(ascii: "-")), let d = reader.number(maxDigits: 2),
                (1 ... 12).contains(m), (1 ... 31).contains(d)
            else { return nil }
            parts.hasDate = true
            (parts.year, parts.month, parts.day) = (y, m, d)
            guard reader.take(UInt8(ascii: " ")) || reader.take(UInt8(ascii: "T")) else { return parts }
            reader.skipSpaces()
            if reader.atEnd { return parts }
        } else {
            reader.position = mark
        }
        guard let h = reader.number(maxDigits: 3), reader.take(UInt8(ascii: ":")), let mi = reader.number(maxDigits: 2),
            mi < 60, !parts.hasDate || h < 24
        else { return nil }
        (parts.hour, parts.minute) = (h, mi)
        if reader.take(UInt8(ascii: ":")) {
            guard let sec = reader.number(maxDigits: 2), sec < 60 else { return nil }
            parts.second = sec
            if reader.take(UInt8(ascii: ".")) {
                let start = reader.position
                let fraction = reader.number(maxDigits: 6) ?? 0
                let digits = reader.position - start
                var scale = 1
                for _ in digits ..< 6 { scale *= 10 }
                parts.microsecond = fraction * scale
                reader.skipDigits()  // digits beyond microseconds
            }
        }
        return parts
    }

    struct DigitReader {
        let bytes: [UInt8]
        var position = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }
        var atEnd: Bool { position >= bytes.count }

        mutating func skipSpaces() {
            while position < bytes.count, bytes[position] == 0x20 { position += 1 }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard position < bytes.count, bytes[position] == byte else { return false }
            position += 1
            return true
        }

        /// The number of at most `maxDigits` digits at the position (nil when there is none, or it does not fit an
        /// `Int`).
        mutating func number(maxDigits: Int) -> Int? {
            var value = 0
            var count = 0
            var overflow = false
            while count < maxDigits, position < bytes.count, bytes[position] >= 0x30, bytes[position] <= 0x39 {
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(Int(bytes[position] - 0x30))
                overflow = overflow || o1 || o2
                value = sum
                position += 1
                count += 1
            }
            return count > 0 && !overflow ? value : nil
        }

        /// Moves past the digits at the position, however many.
        mutating func skipDigits() {
            while position < bytes.count, bytes[position] >= 0x30, bytes[position] <= 0x39 { position += 1 }
        }
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm).
    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// The current UTC date (`YYYY-MM-DD`) or date and time (`YYYY-MM-DD HH:MM:SS`).
    static func formatNow(withTime: Bool) -> String {
        let seconds = Int(Date().timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let (y, m, d) = civilFromDays(days)
        let date = pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2)
        guard withTime else { return date }
        let rest = seconds - days * 86_400
        return date + " " + pad(rest / 3600, 2) + ":" + pad(rest / 60 % 60, 2) + ":" + pad(rest % 60, 2)
    }

    static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// MySQL's TIMESTAMPDIFF(unit, a, b): whole units from `a` to `b`, truncated toward zero. A month counts
    /// when the day and time of the month have been reached (2024-01-31 to 2024-02-29 is 0 months).
    static func timestampDiff(_ unit: String, _ a: DateTimeParts, _ b: DateTimeParts) -> Int? {
        var name = unit.uppercased()
        if name.hasPrefix("SQL_TSI_") { name.removeFirst(8) }
        let micros = b.microsecondsSinceEpoch - a.microsecondsSinceEpoch
        switch name {
        case "MICROSECOND": return micros
        case "SECOND": return micros / 1_000_000
        case "MINUTE": return micros / 60_000_000
        case "HOUR": return micros / 3_600_000_000
        case "DAY": return micros / 86_400_000_000
        case "WEEK": return micros / 604_800_000_000
        case "MONTH", "QUARTER", "YEAR":
            var months = (b.year * 12 + b.month) - (a.year * 12 + a.month)
            let aRest = (a.day, a.microsecondOfDay)
            let bRest = (b.day, b.microsecondOfDay)
            if months > 0, bRest < aRest { months -= 1 }
            if months < 0, bRest > aRest { months += 1 }
            return name == "MONTH" ? months : name == "QUARTER" ? months / 3 : months / 12
        default: return nil
        }
    }
}

/// Compiled patterns of `REGEXP`, so that a restriction does not compile its pattern once per row.
final class RegexCache: @unchecked Sendable {
    static let shared = RegexCache()
    private let lock = NSLock()
    private var patterns: [String: NSRegularExpression] = [:]

    func regex(_ pattern: String) -> NSRegularExpression? {
        lock.lock()
        defer { lock.unlock() }
        if let cached = patterns[pattern] { return cached }
        guard let regex = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]) else { return nil }
        if patterns.count >= 64 { patterns.removeAll() }
        patterns[pattern] = regex
        return regex
    }
}

// MARK: Aggregates

/// Running mean and sum of squared deviations (Welford), over the non-NULL numeric values.
struct Moments: Sendable {
    var count = 0
    var mean = 0.0
    var squares = 0.0

    mutating func add(_ values: [SQLiteData]) {
        guard let x = SQLiteFunctions.double(values[0]) else { return }
        count += 1
        let delta = x - mean
        mean += delta / Double(count)
        squares += delta * (x - mean)
    }

    var populationVariance: Double? { count > 0 ? squares / Double(count) : nil }
    var sampleVariance: Double? { count > 1 ? squares / Double(count - 1) : nil }
}

struct PopulationStandardDeviation: SQLiteCustomAggregate {
    var moments = Moments()
    mutating func step(_ values: [SQLiteData]) { moments.add(values) }
    func finalize() -> (any SQLiteDataConvertible)? { moments.populationVariance.map { $0.squareRoot() } }
}

struct SampleStandardDeviation: SQLiteCustomAggregate {
    var moments = Moments()
    mutating func step(_ values: [SQLiteData]) { moments.add(values) }
    func finalize() -> (any SQLiteDataConvertible)? { moments.sampleVariance.map { $0.squareRoot() } }
}

struct PopulationVariance: SQLiteCustomAggregate {
    var moments = Moments()
    mutating func step(_ values: [SQLiteData]) { moments.add(values) }
    func finalize() -> (any SQLiteDataConvertible)? { moments.populationVariance }
}

struct SampleVariance: SQLiteCustomAggregate {
    var moments = Moments()
    mutating func step(_ values: [SQLiteData]) { moments.add(values) }
    func finalize() -> (any SQLiteDataConvertible)? { moments.sampleVariance }
}

/// `DJ_GROUP_CONCAT_DISTINCT(x, separator)`: the distinct non-NULL values of `x` as text, in the order they come
/// (an `ORDER BY` inside the call orders them), joined by the separator.
struct GroupConcatDistinct: SQLiteCustomAggregate {
    var seen: Set<String> = []
    var parts: [String] = []
    var separator = ","

    mutating func step(_ values: [SQLiteData]) {
        guard let value = SQLiteFunctions.text(values[0]) else { return }
        separator = SQLiteFunctions.text(values[1]) ?? ""
        if seen.insert(value).inserted { parts.append(value) }
    }

    func finalize() -> (any SQLiteDataConvertible)? {
        parts.isEmpty ? nil : parts.joined(separator: separator)
    }
}
