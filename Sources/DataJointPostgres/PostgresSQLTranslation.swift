import DataJointCore

/// Rewrites SQL fragments written by users (restriction strings, computed attributes) in the MySQL spelling
/// DataJoint users know into PostgreSQL, so that the portable subset of `docs/portable-sql.md` means the same on
/// every backend.
///
/// Function names are matched case-insensitively; string literals and everything not listed are kept as written.
/// Backtick-quoted identifiers become double-quoted ones; `REGEXP` becomes `~*`
/// (MySQL, with its default case-insensitive collations, and SQLite match case-insensitively).
enum PostgresSQLTranslation {
    static func translate(_ fragment: String) -> String {
        SQLFragment.rewrite(regexpOperators(fragment), token: token, call: call)
    }

    /// MySQL's `a [NOT] REGEXP p` (or `RLIKE`), case-insensitive like MySQL's default collations, is PostgreSQL's
    /// `a ~* p` (`a !~* p`).
    static func regexpOperators(_ fragment: String) -> String {
        let f = SQLFragment(fragment)
        let isRegexp = { (t: SQLToken) in t.isKeyword("REGEXP") || t.isKeyword("RLIKE") }
        guard f.tokens.contains(where: isRegexp) else { return fragment }
        var out = ""
        var i = 0
        while i < f.tokens.count {
            let t = f.tokens[i]
            if t.isKeyword("NOT"), let next = f.nextSignificant(from: i + 1), isRegexp(f.tokens[next]) {
                out += "!~*"
                i = next + 1
            } else {
                out += isRegexp(t) ? "~*" : t.text
                i += 1
            }
        }
        return out
    }

    static func token(_ token: SQLToken) -> String? {
        switch token.kind {
        case .backtickQuoted:
            return "\"" + token.unquoted.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        default:
            return nil
        }
    }

    static func call(_ call: SQLCall) -> String? {
        let a = call.trimmedArguments
        switch (call.uppercasedName, a.count) {
        // Aggregate string concatenation.
        case ("GROUP_CONCAT", _):
            return SQLStringAggregate(groupConcat: call.argumentText).map(stringAgg)
        case ("STRING_AGG", _):
            return SQLStringAggregate(stringAgg: call.argumentText).map(stringAgg)

        // Dates and times.
        case ("YEAR", 1), ("MONTH", 1), ("DAY", 1), ("DAYOFMONTH", 1), ("HOUR", 1), ("MINUTE", 1), ("QUARTER", 1):
            let field = call.uppercasedName == "DAYOFMONTH" ? "DAY" : call.uppercasedName
            return "CAST(EXTRACT(\(field) FROM \(timestamp(a[0]))) AS INTEGER)"
        case ("SECOND", 1):
            return "CAST(FLOOR(EXTRACT(SECOND FROM \(timestamp(a[0])))) AS INTEGER)"
        case ("DAYOFWEEK", 1):
            return "(CAST(EXTRACT(DOW FROM \(timestamp(a[0]))) AS INTEGER) + 1)"
        case ("DAYOFYEAR", 1):
            return "CAST(EXTRACT(DOY FROM \(timestamp(a[0]))) AS INTEGER)"
        case ("DATE", 1):
            return "CAST(\(a[0]) AS DATE)"
        case ("CURDATE", 0), ("CURRENT_DATE", 0):
            return "CURRENT_DATE"
        case ("CURRENT_TIMESTAMP", 0):
            return "CURRENT_TIMESTAMP"
        case ("DATEDIFF", 2):
            return "(CAST(\(a[0]) AS DATE) - CAST(\(a[1]) AS DATE))"
        case ("TIMESTAMPDIFF", 3):
            return timestampDiff(unit: a[0], from: a[1], to: a[2])

        // Conditions.
        case ("IF", 3):
            return "CASE WHEN \(a[0]) THEN \(a[1]) ELSE \(a[2]) END"
        case ("IFNULL", 2):
            return call.renamed("COALESCE")

        // Numbers. PostgreSQL has ROUND/TRUNC with a number of digits, and MOD, for NUMERIC only.
        case ("RAND", 0):
            return "RANDOM()"
        case ("LOG", 1):
            return call.renamed("LN")
        case ("LOG", 2):
            return "(LN(\(a[1])) / LN(\(a[0])))"
        case ("ATAN", 2):
            return call.renamed("ATAN2")
        case ("LOG2", 1):
            return "(LN(\(a[0])) / LN(2))"
        case ("ROUND", 1):
            // Halves round away from zero, as for MySQL's exact values and in SQLite (not to even, as for float8).
            return "ROUND(\(numeric(a[0])))"
        case ("ROUND", 2):
            return "ROUND(\(numeric(a[0])), \(a[1]))"
        case ("TRUNCATE", 2):
            return "TRUNC(\(numeric(a[0])), \(a[1]))"
        case ("MOD", 2):
            return "MOD(\(numeric(a[0])), \(numeric(a[1])))"
        case ("GREATEST", 2...), ("LEAST", 2...):
            // MySQL's GREATEST/LEAST are NULL when any argument is; PostgreSQL's ignore NULLs.
            let anyNull = a.map { "\($0) IS NULL" }.joined(separator: " OR ")
            return "CASE WHEN \(anyNull) THEN NULL ELSE \(call.uppercasedName)(\(a.joined(separator: ", "))) END"

        // Aggregates: MySQL's STD, STDDEV and VARIANCE are the population statistics, PostgreSQL's the sample ones.
        case ("STD", _), ("STDDEV", _):
            return call.renamed("STDDEV_POP")
        case ("VARIANCE", _):
            return call.renamed("VAR_POP")
        case ("SUM", 1), ("AVG", 1):
            // MySQL sums truth values as 0/1: SUM(sex = 'F').
            guard SQLFragment.isComparison(a[0]), !a[0].uppercased().hasPrefix("DISTINCT") else { return nil }
            return "\(call.uppercasedName)(CAST((\(a[0])) AS INTEGER))"

        // Text. MySQL's CONCAT is NULL when any argument is, as PostgreSQL's || is (PostgreSQL's CONCAT is not).
        case ("CONCAT", 1...):
            return "(" + a.map(text).joined(separator: " || ") + ")"
        case ("LCASE", 1):
            return call.renamed("LOWER")
        case ("UCASE", 1):
            return call.renamed("UPPER")
        case ("INSTR", 2):
            return "STRPOS(\(a[0]), \(a[1]))"
        case ("LOCATE", 2):
            return "STRPOS(\(a[1]), \(a[0]))"
        default:
            return nil
        }
    }

    /// `STRING_AGG([DISTINCT] x::text, 'sep' [ORDER BY ...])`. With DISTINCT, PostgreSQL requires the ordering
    /// expressions to be the aggregated one, so an ordering by `x` becomes an ordering by `x::text`.
    static func stringAgg(_ aggregate: SQLStringAggregate) -> String {
        let expressions = aggregate.expressions
        let value = expressions.count == 1 ? textCast(expressions[0]) : "(" + expressions.map(text).joined(separator: " || ") + ")"
        var ordering = aggregate.orderBy
        if aggregate.distinct, expressions.count == 1 {
            ordering = ordering.map { item in
                let (expression, direction) = splitDirection(item)
                guard expression.lowercased() == expressions[0].lowercased() else { return item }
                return textCast(expression) + direction
            }
        }
        return "STRING_AGG(" + (aggregate.distinct ? "DISTINCT " : "") + value + ", " + aggregate.separatorLiteral
            + (ordering.isEmpty ? "" : " ORDER BY " + ordering.joined(separator: ", ")) + ")"
    }

    /// `CAST(x AS NUMERIC)`, unless it is that already (translating twice changes nothing).
    static func numeric(_ expression: String) -> String {
        let upper = expression.uppercased()
        if upper.hasPrefix("CAST("), upper.hasSuffix(" AS NUMERIC)"),
            let call = SQLFragment(expression).call(at: 0), call.closeIndex == SQLFragment(expression).tokens.count - 1
        {
            return expression
        }
        return "CAST(\(expression) AS NUMERIC)"
    }

    /// `x::text`, parenthesised unless `x` is a plain name.
    static func textCast(_ expression: String) -> String {
        SQLFragment.isSimpleName(expression) ? expression + "::text" : "(" + expression + ")::text"
    }

    /// An operand of `||`: string literals as they are, anything else cast to text.
    static func text(_ expression: String) -> String {
        SQLFragment.isStringLiteral(expression) ? expression : "CAST(\(expression) AS TEXT)"
    }

    /// A date/time argument: a string literal is cast (EXTRACT cannot take an untyped literal).
    static func timestamp(_ expression: String) -> String {
        SQLFragment.isStringLiteral(expression) ? "CAST(\(expression) AS TIMESTAMP)" : expression
    }

    /// Splits `x DESC` into `x` and ` DESC`.
    static func splitDirection(_ item: String) -> (String, String) {
        let f = SQLFragment(item)
        let range = f.trimmed(f.tokens.indices)
        if let last = range.last, f.tokens[last].isKeyword("ASC") || f.tokens[last].isKeyword("DESC") {
            return (f.text(f.trimmed(range.lowerBound ..< last)), " " + f.tokens[last].text)
        }
        return (f.text(range), "")
    }

    /// MySQL's `TIMESTAMPDIFF(unit, a, b)`: whole units from `a` to `b`, truncated toward zero.
    static func timestampDiff(unit: String, from a: String, to b: String) -> String? {
        var name = unit.uppercased()
        if name.hasPrefix("SQL_TSI_") { name.removeFirst(8) }
        let start = "CAST(\(a) AS TIMESTAMP)"
        let end = "CAST(\(b) AS TIMESTAMP)"
        let age = "AGE(\(end), \(start))"
        let months = "(EXTRACT(YEAR FROM \(age)) * 12 + EXTRACT(MONTH FROM \(age)))"
        let seconds = "EXTRACT(EPOCH FROM (\(end) - \(start)))"
        switch name {
        case "YEAR": return "CAST(EXTRACT(YEAR FROM \(age)) AS INTEGER)"
        case "QUARTER": return "CAST(TRUNC(\(months) / 3) AS INTEGER)"
        case "MONTH": return "CAST(\(months) AS INTEGER)"
        case "WEEK": return "CAST(TRUNC(\(seconds) / 604800) AS BIGINT)"
        case "DAY": return "CAST(TRUNC(\(seconds) / 86400) AS BIGINT)"
        case "HOUR": return "CAST(TRUNC(\(seconds) / 3600) AS BIGINT)"
        case "MINUTE": return "CAST(TRUNC(\(seconds) / 60) AS BIGINT)"
        case "SECOND": return "CAST(TRUNC(\(seconds)) AS BIGINT)"
        case "MICROSECOND": return "CAST(TRUNC(\(seconds) * 1000000) AS BIGINT)"
        default: return nil
        }
    }
}
