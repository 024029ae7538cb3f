/// A table of a pipeline, declared in Swift by a type with a `definition`.
///
/// Adopt one of the tier protocols (`Manual`, `Lookup`, `Imported`, `Computed`, `Part`), not this one.
public protocol UserTable: Sendable {
    /// The table definition in the DataJoint definition language.
    static var definition: String { get }
    /// The tier of the table.
    static var tier: Tier { get }
    /// The class name from which the table name is made (defaults to the Swift type name).
    static var className: String { get }
    /// Part tables that belong to this table as their master; declared right after it.
    static var parts: [any Part.Type] { get }
}

extension UserTable {
    public static var className: String { String(describing: Self.self) }
    public static var parts: [any Part.Type] { [] }

    /// The table name in the database: the tier prefix followed by the snake_case class name.
    public static func tableName() throws -> String {
        try tier.prefix + snakeCase(fromCamelCase: className)
    }
}

/// A table whose rows are entered from outside the pipeline.
public protocol Manual: UserTable {}
extension Manual {
    public static var tier: Tier { .manual }
}

/// A table of reference data; its `contents` are inserted when it is declared.
public protocol Lookup: UserTable {
    /// Rows inserted at declaration (existing rows are kept).
    static var contents: [Row] { get }
}
extension Lookup {
    public static var tier: Tier { .lookup }
    public static var contents: [Row] { [] }
}

/// A table filled by `populate` from data outside the database: its `make` reads files or instruments.
public protocol Imported: AutoPopulated {}
extension Imported {
    public static var tier: Tier { .imported }
}

/// A table filled by `populate` from other tables: its `make` computes one row (and its parts) per key.
public protocol Computed: AutoPopulated {}
extension Computed {
    public static var tier: Tier { .computed }
}

/// Detail rows that belong to a master row: listed in the master's `parts`, named `master__part`,
/// and referencing the master with `-> master`.
public protocol Part: UserTable {}
extension Part {
    public static var tier: Tier { .part }
}
