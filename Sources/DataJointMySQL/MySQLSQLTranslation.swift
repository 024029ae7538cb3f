import DataJointCore

/// Rewrites SQL fragments written by users (restriction strings, computed attributes) for MySQL/MariaDB.
///
/// The portable subset of `docs/portable-sql.md` is spelled the MySQL way, so little changes here: PostgreSQL's
/// `STRING_AGG(x, sep)` becomes `GROUP_CONCAT(x SEPARATOR sep)`. Double-quoted text is a string on MySQL and is
/// kept as written; backslashes escape characters in strings, as MySQL reads them.
enum MySQLSQLTranslation {
    static func translate(_ fragment: String) -> String {
        SQLFragment.rewrite(fragment, mysqlSyntax: true, call: call)
    }

    static func call(_ call: SQLCall) -> String? {
        switch call.uppercasedName {
        case "STRING_AGG":
            guard let aggregate = SQLStringAggregate(stringAgg: call.argumentText, mysqlSyntax: true),
                let separator = aggregate.separator, SQLFragment.isStringLiteral(separator)
            else { return nil }
            return "GROUP_CONCAT(" + (aggregate.distinct ? "DISTINCT " : "") + aggregate.expressions.joined(separator: ", ")
                + (aggregate.orderBy.isEmpty ? "" : " ORDER BY " + aggregate.orderBy.joined(separator: ", "))
                + (separator == "','" ? "" : " SEPARATOR " + separator) + ")"
        default:
            return nil
        }
    }
}
