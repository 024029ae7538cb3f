/// Behaviour settings of a connection (the `datajoint.json` keys that are not about where to connect).
public struct Settings: Sendable {
    /// Ask for confirmation before deleting or dropping (`safemode`). When true, destructive calls
    /// need an explicit `confirm: true`.
    public var safemode: Bool
    /// Rows per INSERT statement when inserting many rows.
    public var insertBatchSize: Int
    /// Rows shown by a preview (`display.limit`).
    public var displayLimit: Int
    /// Allow primary-key attributes of Computed and Imported tables that do not come from a foreign key
    /// (`jobs.allow_new_pk_fields_in_computed_tables`).
    public var allowNewPrimaryKeyFieldsInComputedTables: Bool

    public init(
        safemode: Bool = true, insertBatchSize: Int = 1000, displayLimit: Int = 12,
        allowNewPrimaryKeyFieldsInComputedTables: Bool = false
    ) {
        self.safemode = safemode
        self.insertBatchSize = insertBatchSize
        self.displayLimit = displayLimit
        self.allowNewPrimaryKeyFieldsInComputedTables = allowNewPrimaryKeyFieldsInComputedTables
    }
}
