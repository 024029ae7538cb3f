extension Dialect {
    /// The key clauses of a CREATE TABLE, as DataJoint declares them on every backend: the primary key, then each
    /// foreign key `ON UPDATE CASCADE ON DELETE RESTRICT`.
    public func keyConstraintClauses(_ table: TableDeclaration) -> [String] {
        func columns(_ names: [String]) -> String { names.map(quote).joined(separator: ", ") }
        return ["PRIMARY KEY (" + columns(table.primaryKey) + ")"]
            + table.foreignKeys.map { fk in
                "FOREIGN KEY (" + columns(fk.columns) + ") REFERENCES " + qualifiedName(fk.referencedTable) + " ("
                    + columns(fk.referencedColumns) + ") ON UPDATE CASCADE ON DELETE RESTRICT"
            }
    }
}
