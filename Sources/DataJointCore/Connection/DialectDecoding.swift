import Foundation

extension Dialect {
    /// Converts a primitive read from a column back into the typed value, accepting every form the drivers
    /// deliver: integers, floats, exact decimals, text, bytes and already typed values.
    public func decode(_ raw: Value, as type: AttributeType) throws -> Value {
        try decodeColumnValue(raw, as: type)
    }

    /// The shared decoding of ``decode(_:as:)``, for a dialect that overrides `decode` for the few types it reads
    /// differently and hands the others on.
    public func decodeColumnValue(_ raw: Value, as type: AttributeType) throws -> Value {
        if raw.isNull { return .null }
        func fail() -> DataJointError {
            DataJointError(.codec, "cannot read \(raw.kindName) \(raw) as \(type)")
        }
        /// Text, whether the driver delivers it as a string or as bytes.
        func text() -> String? {
            switch raw {
            case .string(let s): s
            case .bytes(let d): String(decoding: d, as: UTF8.self)
            default: nil
            }
        }
        switch type {
        case .int8, .int16, .int32, .int64, .native(_, .integer):
            switch raw {
            case .int: return raw
            case .bool(let b): return .int(b ? 1 : 0)
            case .double(let d): return Int64(exactly: d).map(Value.int) ?? raw
            case .decimal(let d): return Int64(d.description).map(Value.int) ?? raw
            case .string(let s): return Int64(s).map(Value.int) ?? raw
            default: throw fail()
            }
        case .bool:
            switch raw {
            case .bool: return raw
            case .int(let i): return .bool(i != 0)
            case .string("t"), .string("true"), .string("1"): return .bool(true)
            case .string("f"), .string("false"), .string("0"): return .bool(false)
            default: throw fail()
            }
        case .float32:
            guard let d = Double(dataJointValue: raw) else { throw fail() }
            return .double(Double(Float(d)))
        case .float64, .native(_, .float):
            guard let d = Double(dataJointValue: raw) else { throw fail() }
            return .double(d)
        case .decimal where raw.isNonFiniteFloat, .native(_, .numeric) where raw.isNonFiniteFloat:
            // PostgreSQL's numeric holds NaN and the infinities, which `Decimal` cannot: they stay floats.
            return raw
        case .decimal(_, let scale):
            guard let d = decimal(raw, scale: scale) else { throw fail() }
            return .decimal(d)
        case .native(_, .numeric):
            if let d = decimal(raw, scale: nil) { return .decimal(d) }
            // Text that is no number, as SQLite keeps it in a column of a native type.
            if case .string = raw { return raw }
            throw fail()
        case .date:
            switch raw {
            case .date: return raw
            case .datetime(let d): return .date(d.date)
            default:
                guard let s = text(), let d = CalendarDate(iso: String(s.prefix(10))) else { throw fail() }
                return .date(d)
            }
        case .datetime:
            switch raw {
            case .datetime: return raw
            case .date(let d):
                guard let d = DateTime(date: d) else { throw fail() }
                return .datetime(d)
            default:
                guard let s = text(), let d = DateTime(iso: s) else { throw fail() }
                return .datetime(d)
            }
        case .json:
            if case .json = raw { return raw }
            guard let s = text() else { throw fail() }
            return .json(try JSON(parsing: s))
        case .uuid:
            switch raw {
            case .uuid: return raw
            case .bytes(let d) where d.count == 16:
                return .uuid(d.withUnsafeBytes { UUID(uuid: $0.loadUnaligned(as: uuid_t.self)) })
            case .string(let s):
                guard let u = UUID(uuidString: s) else { throw fail() }
                return .uuid(u)
            default: throw fail()
            }
        case .char, .varchar, .enumeration, .native(_, .string), .native(_, .text), .native(_, .temporal):
            if case .string = raw { return raw }
            return .string(text() ?? raw.description)
        case .bytes, .native(_, .blob), .codec:
            if case .string(let s) = raw { return .bytes(Data(s.utf8)) }
            return raw
        }
    }
}

/// An exact decimal of a number or its text; a (finite) float is first rounded to `scale` digits when given (a
/// column of that scale that the backend keeps as a float).
private func decimal(_ raw: Value, scale: Int?) -> Decimal? {
    let posix = Locale(identifier: "en_US_POSIX")
    switch raw {
    case .decimal(let d): return d
    case .int(let i): return Decimal(i)
    case .double(let d):
        let text = scale.map { String(format: "%.\($0)f", d) } ?? String(d)
        return Decimal(string: text, locale: posix) ?? Decimal(d)
    case .string(let s): return Decimal(string: s, locale: posix)
    default: return nil
    }
}

extension Value {
    /// True for a float NaN or infinity.
    fileprivate var isNonFiniteFloat: Bool {
        if case .double(let d) = self { return !d.isFinite }
        return false
    }
}
