/// A SQL scalar or boolean expression, rendered to text by a `Dialect`.
///
/// Values are always carried as `.bind` (or with a user's `.fragment`) and sent as parameters.
public indirect enum SQLExpression: Sendable {
    /// A column, optionally qualified by a table alias.
    case column(String, table: String? = nil)
    /// A value sent as a bound parameter.
    case bind(Value)
    /// Constant SQL text of the core (`1`, `NULL`), inserted as written.
    case raw(String)
    /// SQL text written by the user (a restriction, a computed attribute, an ordering), already translated by the
    /// dialect, inserted in parentheses; each parameter marker in it (see `SQLParameterMarker`) is sent as the
    /// bound value of that index.
    case fragment(String, binds: [Value])
    /// A constant truth value.
    case truth(Bool)
    /// `lhs op rhs` for a comparison or arithmetic operator.
    case binary(SQLExpression, String, SQLExpression)
    case and([SQLExpression])
    case or([SQLExpression])
    case not(SQLExpression)
    case isNull(SQLExpression)
    /// `lhs IN (e1, e2, ...)`.
    case inList(SQLExpression, [SQLExpression])
    /// `(e1, e2, ...)`: a row value, as in `(a, b) IN ((1, 2), (3, 4))`.
    case tuple([SQLExpression])
    /// `(c1, c2, ...) IN (SELECT ...)`.
    case inSelect([SQLExpression], SQLSelect)
    /// `EXISTS (SELECT ...)`.
    case exists(SQLSelect)
    /// `name(arg, ...)`.
    case function(String, [SQLExpression])
    /// `*`.
    case star

    /// `lhs = rhs`.
    public static func equals(_ lhs: SQLExpression, _ rhs: SQLExpression) -> SQLExpression {
        .binary(lhs, "=", rhs)
    }
}

/// An ordering term.
public struct SQLOrdering: Sendable {
    public var expression: SQLExpression
    public var descending: Bool
    public init(_ expression: SQLExpression, descending: Bool = false) {
        self.expression = expression
        self.descending = descending
    }
}

/// A table of a schema, named without quotes; the dialect qualifies and quotes it.
public struct SQLTableName: Sendable, Hashable {
    public var schema: String
    public var table: String
    public init(schema: String, table: String) {
        self.schema = schema
        self.table = table
    }
}

/// The FROM clause of a SELECT.
public indirect enum SQLSource: Sendable {
    case table(SQLTableName, alias: String? = nil)
    case subquery(SQLSelect, alias: String)
    /// An inner or left join of two sources on a condition (`nil` condition: cross join).
    case join(SQLSource, SQLSource, on: SQLExpression?, left: Bool)
    /// An inner or left join on equal values of the named columns, which appear once in the result
    /// (`JOIN ... USING (...)`; a cross join when there are none).
    case joinUsing(SQLSource, SQLSource, columns: [String], left: Bool)
}

/// A SELECT statement as a value.
public struct SQLSelect: Sendable {
    public var distinct = false
    /// Selected expressions with optional aliases; empty means `*`.
    public var columns: [(SQLExpression, alias: String?)] = []
    public var source: SQLSource
    public var whereClause: SQLExpression?
    public var groupBy: [SQLExpression] = []
    public var having: SQLExpression?
    public var orderBy: [SQLOrdering] = []
    public var limit: Int?
    public var offset: Int?
    /// Further SELECTs combined with this one by `UNION` (duplicates removed).
    public var union: [SQLSelect] = []

    public init(columns: [(SQLExpression, alias: String?)] = [], from source: SQLSource, where whereClause: SQLExpression? = nil) {
        self.columns = columns
        self.source = source
        self.whereClause = whereClause
    }
}

/// What an INSERT does when a row's key already exists.
public enum SQLConflictAction: Sendable {
    /// Fail with a duplicate error.
    case fail
    /// Skip the row silently.
    case ignore
    /// Replace the existing row's secondary attributes (key columns given).
    case replace(key: [String])
}

/// An INSERT of literal rows or of a query's result.
public struct SQLInsert: Sendable {
    public enum Rows: Sendable {
        case values([[Value]])
        case select(SQLSelect)
    }
    public var table: SQLTableName
    public var columns: [String]
    public var rows: Rows
    public var onConflict: SQLConflictAction = .fail

    public init(table: SQLTableName, columns: [String], rows: Rows, onConflict: SQLConflictAction = .fail) {
        self.table = table
        self.columns = columns
        self.rows = rows
        self.onConflict = onConflict
    }
}

/// An UPDATE of one table.
public struct SQLUpdate: Sendable {
    public var table: SQLTableName
    public var assignments: [(column: String, value: SQLExpression)]
    public var whereClause: SQLExpression?
    public init(table: SQLTableName, assignments: [(column: String, value: SQLExpression)], where whereClause: SQLExpression?) {
        self.table = table
        self.assignments = assignments
        self.whereClause = whereClause
    }
}

/// A DELETE from one table.
public struct SQLDelete: Sendable {
    public var table: SQLTableName
    public var whereClause: SQLExpression?
    public init(table: SQLTableName, where whereClause: SQLExpression?) {
        self.table = table
        self.whereClause = whereClause
    }
}

/// Any statement the core sends.
public enum SQLStatement: Sendable {
    case select(SQLSelect)
    case insert(SQLInsert)
    case update(SQLUpdate)
    case delete(SQLDelete)
}

/// SQL text with its parameters, ready for a driver.
public struct RenderedSQL: Sendable, CustomStringConvertible {
    public var sql: String
    public var binds: [Value]
    public init(_ sql: String, _ binds: [Value] = []) {
        self.sql = sql
        self.binds = binds
    }
    public var description: String { sql }
}
