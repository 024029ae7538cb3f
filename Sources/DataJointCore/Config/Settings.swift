/// Behaviour settings of a connection (the `datajoint.json` keys that are not about where to connect).
///
/// `Config.settings` builds one from the configuration; `Settings()` holds the defaults.
public struct Settings: Sendable {
    /// Ask for confirmation before deleting or dropping (`safemode`). When true, destructive calls
    /// need an explicit `confirm: true`.
    public var safemode: Bool
    /// Rows shown by a preview (`display.limit`).
    public var displayLimit: Int
    /// Allow primary-key attributes of Computed and Imported tables that do not come from a foreign key
    /// (`jobs.allow_new_pk_fields_in_computed_tables`).
    public var allowNewPrimaryKeyFieldsInComputedTables: Bool
    /// Column width of previews (`display.width`).
    public var displayWidth: Int
    /// Whether previews show the row count (`display.show_tuple_count`).
    public var showTupleCount: Bool
    /// The direction diagrams are laid out in (`display.diagram_direction`).
    public var diagramDirection: DiagramDirection
    /// The colours of diagram drawings (`display.diagram_theme`).
    public var diagramTheme: DiagramTheme
    /// Whether a schema declares missing tables by default (`database.create_tables`); false is the
    /// reference's "production mode".
    public var createTables: Bool
    /// Settings of `populate` and the jobs queue (`jobs.*`).
    public var jobs: JobSettings
    /// Where attachments and file paths are downloaded to (`download_path`).
    public var downloadPath: String
    /// The object stores (`stores`): `default`, `filepath_default` and one object per store, as in
    /// `datajoint.json`. See ``StoreSpec`` for the attributes of a store.
    public var stores: [String: JSON]

    public init(
        safemode: Bool = true, displayLimit: Int = 12,
        allowNewPrimaryKeyFieldsInComputedTables: Bool = false, displayWidth: Int = 14, showTupleCount: Bool = true,
        diagramDirection: DiagramDirection = .leftToRight, diagramTheme: DiagramTheme = .auto, createTables: Bool = true, jobs: JobSettings = JobSettings(), downloadPath: String = ".",
        stores: [String: JSON] = [:]
    ) {
        self.safemode = safemode
        self.displayLimit = displayLimit
        self.allowNewPrimaryKeyFieldsInComputedTables = allowNewPrimaryKeyFieldsInComputedTables
        self.displayWidth = displayWidth
        self.showTupleCount = showTupleCount
        self.diagramDirection = diagramDirection
        self.diagramTheme = diagramTheme
        self.createTables = createTables
        self.jobs = jobs
        self.downloadPath = downloadPath
        self.stores = stores
    }
}

/// Settings of `populate` and the jobs queue (the reference's `jobs.*` keys).
public struct JobSettings: Sendable, Hashable {
    /// How a job records the code version (`jobs.version_method`).
    public enum VersionMethod: String, Sendable, Hashable {
        /// The git commit hash of the working directory.
        case git
        /// An empty version.
        case none
    }

    /// Refresh the jobs queue from the key source at the start of `populate` (`jobs.auto_refresh`).
    public var autoRefresh: Bool
    /// Keep `success` rows in the jobs table (`jobs.keep_completed`).
    public var keepCompleted: Bool
    /// Seconds after which a pending job is checked for staleness (`jobs.stale_timeout`).
    public var staleTimeout: Int
    /// Priority of new jobs, 0-255, lower is more urgent (`jobs.default_priority`).
    public var defaultPriority: Int
    /// How the version of the computing code is recorded; nil disables it (`jobs.version_method`).
    public var versionMethod: VersionMethod?
    /// Declare Computed and Imported tables with the hidden job-metadata columns (`jobs.add_job_metadata`).
    public var addJobMetadata: Bool

    public init(
        autoRefresh: Bool = true, keepCompleted: Bool = false, staleTimeout: Int = 3600, defaultPriority: Int = 5,
        versionMethod: VersionMethod? = nil, addJobMetadata: Bool = false
    ) {
        self.autoRefresh = autoRefresh
        self.keepCompleted = keepCompleted
        self.staleTimeout = staleTimeout
        self.defaultPriority = defaultPriority
        self.versionMethod = versionMethod
        self.addJobMetadata = addJobMetadata
    }
}
