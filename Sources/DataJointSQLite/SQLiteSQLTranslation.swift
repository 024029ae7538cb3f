import DataJointCore

/// Rewrites SQL fragments written by users (restriction strings, computed attributes) for SQLite.
///
/// Most MySQL functions of the portable subset (`docs/portable-sql.md`) are installed on every connection as
/// application-defined functions (see `SQLiteFunctions`); this rewrites only what a function cannot provide:
/// MySQL syntax inside the parentheses (`GROUP_CONCAT(x SEPARATOR ';')`, `TIMESTAMPDIFF(YEAR, a, b)`), names that
/// are keywords in SQLite (`IF`, `LEFT`, `RIGHT`), standard `EXTRACT` and a few renamings.
/// Backtick-quoted identifiers are native. Translating a translated fragment again changes nothing.
enum SQLiteSQLTranslation {
    static func translate(_ fragment: String) -> String {
        SQLFragment.rewrite(fragment, token: token, call: call)
    }

    /// `RLIKE` is MySQL's other name of `REGEXP`, which SQLite evaluates with the installed `REGEXP` function.
    static func token(_ token: SQLToken) -> String? {
        token.isKeyword("RLIKE") ? "REGEXP" : nil
    }

    static func call(_ call: SQLCall) -> String? {
        let a = call.trimmedArguments
        switch (call.uppercasedName, a.count) {
        case ("GROUP_CONCAT", _):
            // GROUP_CONCAT([DISTINCT] x [ORDER BY ...]) and GROUP_CONCAT(x, sep) are native; MySQL's SEPARATOR is not.
            guard let aggregate = SQLStringAggregate(groupConcat: call.argumentText), aggregate.expressions.count == 1,
                aggregate.separator != nil
            else { return nil }
            return groupConcat(aggregate)
        case ("EXTRACT", 1):
            return extract(a[0])
        case ("STRING_AGG", _):
            return SQLStringAggregate(stringAgg: call.argumentText).map(groupConcat)
        case ("IF", 3):
            return call.renamed("IIF")
        case ("LEFT", 2), ("RIGHT", 2):
            // Keywords in SQLite: callable only by a quoted name.
            return call.renamed("\"" + call.uppercasedName + "\"")
        case ("LCASE", 1):
            return call.renamed("LOWER")
        case ("UCASE", 1):
            return call.renamed("UPPER")
        case ("CHAR_LENGTH", 1), ("CHARACTER_LENGTH", 1):
            return call.renamed("LENGTH")
        case ("LOCATE", 2):
            return "INSTR(\(a[1]), \(a[0]))"
        case ("CURRENT_DATE", 0):
            return "CURDATE()"
        case ("CURRENT_TIMESTAMP", 0):
            return "NOW()"
        case ("TIMESTAMPDIFF", 3):
            // The unit is a keyword in MySQL; the installed function takes it as a string.
            guard SQLFragment.isSimpleName(a[0]) else { return nil }
            return call.name + "('" + a[0].uppercased() + "', " + a[1] + ", " + a[2] + ")"
        default:
            return nil
        }
    }

    /// Standard SQL's `EXTRACT(field FROM x)` (MySQL and PostgreSQL have it) as the installed date functions.
    static func extract(_ argument: String) -> String? {
        let f = SQLFragment(argument)
        guard let field = f.nextSignificant(from: 0), f.tokens[field].kind == .identifier,
            let from = f.nextSignificant(from: field + 1), f.tokens[from].isKeyword("FROM")
        else { return nil }
        let value = f.text(f.trimmed(from + 1 ..< f.tokens.count))
        switch f.tokens[field].text.uppercased() {
        case let name where ["YEAR", "QUARTER", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"].contains(name):
            return name + "(" + value + ")"
        case "DOW": return "(DAYOFWEEK(" + value + ") - 1)"
        case "DOY": return "DAYOFYEAR(" + value + ")"
        default: return nil
        }
    }

    /// SQLite's GROUP_CONCAT takes the separator as a second argument, but a DISTINCT aggregate only one argument:
    /// DISTINCT with a separator other than `,` uses the installed `DJ_GROUP_CONCAT_DISTINCT(x, sep)`.
    static func groupConcat(_ aggregate: SQLStringAggregate) -> String {
        let value = aggregate.expressions.count == 1
            ? aggregate.expressions[0] : "(" + aggregate.expressions.joined(separator: " || ") + ")"
        let ordering = aggregate.orderBy.isEmpty ? "" : " ORDER BY " + aggregate.orderBy.joined(separator: ", ")
        if aggregate.distinct {
            if aggregate.separatorLiteral == "','" {
                return "GROUP_CONCAT(DISTINCT " + value + ordering + ")"
            }
            return "DJ_GROUP_CONCAT_DISTINCT(" + value + ", " + aggregate.separatorLiteral + ordering + ")"
        }
        return "GROUP_CONCAT(" + value + ", " + aggregate.separatorLiteral + ordering + ")"
    }
}
