import Foundation

extension AttributeType {
    /// Converts a value given by the user into the canonical value for this type,
    /// or returns nil if the value does not fit (wrong kind, out of range, too long, not an enum member).
    public func normalize(_ value: Value) -> Value? {
        if case .null = value { return .null }
        switch self {
        case .int8: return AttributeType.integer(value, in: -128...127)
        case .int16: return AttributeType.integer(value, in: -32768...32767)
        case .int32: return AttributeType.integer(value, in: -2_147_483_648...2_147_483_647)
        case .int64: return AttributeType.integer(value, in: Int64.min...Int64.max)
        case .native(_, .integer): return AttributeType.integer(value, in: Int64.min...Int64.max)
        case .float32:
            guard let d = AttributeType.double(value) else { return nil }
            guard !d.isFinite || abs(d) <= Double(Float.greatestFiniteMagnitude) else { return nil }
            return .double(d)
        case .float64, .native(_, .float):
            return AttributeType.double(value).map(Value.double)
        case .bool:
            switch value {
            case .bool: return value
            case .int(let i) where i == 0 || i == 1: return .bool(i == 1)
            case .string(let s):
                switch s.lowercased() {
                case "true", "1": return .bool(true)
                case "false", "0": return .bool(false)
                default: return nil
                }
            default: return nil
            }
        case .decimal(let p, let s):
            guard let d = AttributeType.decimal(value) else { return nil }
            var rounded = Decimal()
            var input = d
            NSDecimalRound(&rounded, &input, s, .plain)
            let limit = pow(Decimal(10), p - s)
            guard abs(rounded) < limit else { return nil }
            return .decimal(rounded)
        case .native(_, .numeric):
            return AttributeType.decimal(value).map(Value.decimal)
        case .char(let n), .varchar(let n):
            // Counting characters is slow: text of at most n bytes has at most n characters.
            guard let s = AttributeType.text(value), s.utf8.count <= n || s.count <= n else { return nil }
            return .string(s)
        case .native(_, .temporal):
            // A native date/time column (`timestamp`, `time`, ...) takes dates and datetimes as their text.
            switch value {
            case .date(let d): return .string(d.description)
            case .datetime(let dt): return .string(dt.formatted(fractionalDigits: dt.microsecond == 0 ? 0 : 6))
            default: return AttributeType.text(value).map(Value.string)
            }
        case .native(_, .string), .native(_, .text):
            return AttributeType.text(value).map(Value.string)
        case .enumeration(let members):
            guard case .string(let s) = value else { return nil }
            if members.contains(s) { return value }
            if let m = members.first(where: { $0.lowercased() == s.lowercased() }) { return .string(m) }
            return nil
        case .date:
            switch value {
            case .date: return value
            case .string(let s): return CalendarDate(iso: s).map(Value.date)
            default: return nil
            }
        case .datetime(let digits):
            let dt: DateTime?
            switch value {
            case .datetime(let d): dt = d
            case .date(let d): dt = DateTime(date: d)
            case .string(let s): dt = DateTime(iso: s)
            default: dt = nil
            }
            return dt.map { .datetime($0.truncated(toFractionalDigits: digits ?? 0)) }
        case .json:
            if case .json = value { return value }
            return .json(JSON(value: value))
        case .uuid:
            switch value {
            case .uuid: return value
            case .string(let s): return UUID(uuidString: s).map(Value.uuid)
            case .bytes(let d) where d.count == 16:
                let u = d.withUnsafeBytes { raw in
                    UUID(uuid: raw.loadUnaligned(as: uuid_t.self))
                }
                return .uuid(u)
            default: return nil
            }
        case .bytes, .native(_, .blob):
            if case .bytes = value { return value }
            return nil
        case .codec:
            return nil
        }
    }

    static func integer(_ value: Value, in range: ClosedRange<Int64>) -> Value? {
        let i: Int64?
        switch value {
        case .int(let v): i = v
        case .bool(let b): i = b ? 1 : 0
        case .double(let d): i = Int64(exactly: d)
        case .decimal(let d): i = Int64(exactly: NSDecimalNumber(decimal: d).doubleValue)
        case .string(let s): i = Int64(s.trimmingCharacters(in: .whitespaces))
        default: i = nil
        }
        guard let i, range.contains(i) else { return nil }
        return .int(i)
    }

    static func double(_ value: Value) -> Double? {
        switch value {
        case .double(let d): d
        case .int(let i): Double(i)
        case .decimal(let d): NSDecimalNumber(decimal: d).doubleValue
        case .string(let s): Double(s.trimmingCharacters(in: .whitespaces))
        default: nil
        }
    }

    static func decimal(_ value: Value) -> Decimal? {
        switch value {
        case .decimal(let d): return d
        case .int(let i): return Decimal(i)
        case .double(let d):
            guard d.isFinite else { return nil }
            return Decimal(string: String(d), locale: Locale(identifier: "en_US_POSIX"))
        case .string(let s):
            let t = s.trimmingCharacters(in: .whitespaces)
            guard t.range(of: #"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\z"#, options: .regularExpression) != nil else { return nil }
            return Decimal(string: t, locale: Locale(identifier: "en_US_POSIX"))
        default: return nil
        }
    }

    static func text(_ value: Value) -> String? {
        switch value {
        case .string(let s): s
        case .int(let i): String(i)
        default: nil
        }
    }
}
