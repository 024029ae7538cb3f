// What the query compiler refuses before any SQL is sent: names of new attributes, and user SQL that is more
// than one expression.

extension QueryCompiler {
    /// Refuses a name for a new attribute (of proj or aggr) that is not a valid attribute name.
    static func checkNewName(_ name: String, operation: String, dialect: any Dialect) throws {
        guard name.range(of: #"^[a-z_][a-z0-9_]*\z"#, options: .regularExpression) != nil else {
            throw DataJointError(
                .query,
                "invalid attribute name `\(name)` in \(operation): names are lowercase letters, digits and underscores")
        }
        guard name.count <= dialect.maxTableNameLength else {
            throw DataJointError(
                .query,
                "invalid attribute name `\(name)` in \(operation): \(name.count) characters, and \(dialect.backendName) "
                    + "accepts at most \(dialect.maxTableNameLength)")
        }
    }

    /// Refuses user-written SQL that could reach beyond its place in the statement (see
    /// `SQLFragment.containmentProblem`), read as the backend reads it: raw SQL is an expression, never more.
    static func checkContained(_ text: String, written: SQL, dialect: any Dialect) throws {
        let backend = dialect.backendName
        let fragment = SQLFragment(text, mysqlSyntax: backend == "mysql")
        guard let problem = fragment.containmentProblem(
            questionMarkPlaceholders: backend != "postgresql", namedPlaceholders: backend == "sqlite")
        else { return }
        throw DataJointError(
            .query,
            "the SQL text \"\(written)\" contains \(problem); a condition, computed attribute or ordering must be one "
                + "SQL expression. Interpolate values (\"name = \\(value)\") so that they are sent as bound parameters")
    }
}
