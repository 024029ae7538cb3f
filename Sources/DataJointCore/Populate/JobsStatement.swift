import Foundation

/// SQL pieces the jobs queue and populate build on: conditions on key values and the server's clock.
enum JobsStatement {
    /// `a = ? AND b = ?` for the attributes of `key` that `heading` has (values converted for the column).
    static func keyCondition(_ key: Row, heading: Heading, dialect: any Dialect) -> SQLExpression {
        RestrictionCompiler.rowCondition(key, heading: heading, dialect: dialect)
    }

    /// The server's current time, as SQL to use in statements.
    static func now(_ dialect: any Dialect) -> SQLExpression { .raw(dialect.currentTimestampSQL) }

    /// The server's current time as a value.
    static func serverNow(_ connection: Connection) async throws -> DateTime {
        let raw = try await connection.query(RenderedSQL("SELECT " + connection.dialect.currentTimestampSQL))
        switch raw.first?.first {
        case .datetime(let d)?: return d
        case .string(let s)?:
            if let d = DateTime(iso: s) { return d }
        default: break
        }
        if let value = raw.first?.first,
            case .datetime(let d) = try connection.dialect.decode(value, as: .datetime(fractionalDigits: 3))
        {
            return d
        }
        throw DataJointError(.database, "the server did not report its current time")
    }
}

extension DateTime {
    /// This wall-clock time moved by `seconds` (calendar arithmetic in UTC, so no daylight-saving jumps).
    func adding(seconds: Double) -> DateTime {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(
            year: date.year, month: date.month, day: date.day, hour: hour, minute: minute, second: second,
            nanosecond: microsecond * 1000)
        guard let instant = calendar.date(from: components) else { return self }
        return DateTime(instant.addingTimeInterval(seconds))
    }
}
