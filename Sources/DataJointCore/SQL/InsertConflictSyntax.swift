/// How a backend spells what an INSERT does with a row whose key is already in the table (``SQLConflictAction``);
/// ``SQLRenderer`` writes the clause from it (compare SQLKit's `SQLUpsertSyntax`).
public enum InsertConflictSyntax: Sendable, Hashable {
    /// PostgreSQL's `ON CONFLICT`: duplicates skipped with `ON CONFLICT DO NOTHING`, rows replaced with
    /// `ON CONFLICT (key) DO UPDATE SET "c" = EXCLUDED."c"`.
    case onConflict
    /// SQLite's `ON CONFLICT`: duplicates skipped with `INSERT OR IGNORE`, rows replaced with
    /// `ON CONFLICT (key) DO UPDATE SET "c" = excluded."c"`, preceded by `WHERE true` when the rows come from a
    /// SELECT (SQLite's parser needs it to tell the clause from a join's `ON`).
    case sqliteOnConflict
    /// MySQL's `ON DUPLICATE KEY UPDATE`: rows replaced with `` `c`=VALUES(`c`) ``, duplicates skipped by a no-op
    /// update of the first column, as DataJoint-Python does, so that other errors (a missing parent row) are still
    /// reported, unlike with `INSERT IGNORE`. Replacing updates the row in place, which never deletes it (a
    /// `REPLACE` would, and fail on its children).
    case onDuplicateKeyUpdate
}
