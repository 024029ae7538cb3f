/// A change of an existing table's declaration, worked out by comparing the table as it is with a new definition:
/// the input of ``Dialect/alterTable(_:)``.
///
/// Only what DataJoint-Python's `alter` supports is ever described here: secondary attributes added, dropped,
/// renamed, moved, or changed in type, default, nullability or comment, and the table comment. The primary key,
/// foreign keys and indexes are the same before and after.
public struct TableAlteration: Sendable {
    /// The table as it is, with its columns in their physical order (hidden columns included).
    public var current: TableDeclaration
    /// The table as it will be, with its columns in their physical order (hidden columns included).
    public var target: TableDeclaration
    /// The column changes, drops first, then adds and modifications in the target's column order. A position, where
    /// given, places the column as MySQL's `FIRST` / `AFTER` does, applied in this order.
    public var changes: [ColumnChange]
    /// True when the table comment changes.
    public var commentChanged: Bool
    /// The foreign keys of other tables that reference this one (to be restored when a backend rebuilds the table).
    public var referencingForeignKeys: [ReferencingForeignKey]

    public init(
        current: TableDeclaration, target: TableDeclaration, changes: [ColumnChange], commentChanged: Bool,
        referencingForeignKeys: [ReferencingForeignKey]
    ) {
        self.current = current
        self.target = target
        self.changes = changes
        self.commentChanged = commentChanged
        self.referencingForeignKeys = referencingForeignKeys
    }

    /// True when there is nothing to change.
    public var isEmpty: Bool { changes.isEmpty && !commentChanged }

    /// The target column that a current column becomes (its name, or its new name), nil for a dropped column.
    public func targetName(ofCurrent name: String) -> String? {
        for change in changes {
            switch change.kind {
            case .drop where change.previous?.name == name: return nil
            case .modify where change.previous?.name == name: return change.column.name
            default: continue
            }
        }
        return target.columns.contains { $0.name == name } ? name : nil
    }

    /// The current column a target column comes from, nil for an added column.
    public func currentName(ofTarget name: String) -> String? {
        if let change = changes.first(where: { $0.column.name == name && $0.kind != .drop }) {
            return change.previous?.name
        }
        return current.columns.contains { $0.name == name } ? name : nil
    }

    /// The column order a backend gets by changing columns in place where it cannot place them (added columns at the
    /// end), compared with the target's order. Hidden columns are left out when `visibleOnly` (their place is seen by
    /// nobody).
    public func inPlaceOrderMatchesTarget(visibleOnly: Bool) -> Bool {
        var order = current.columns.compactMap { targetName(ofCurrent: $0.name) }
        order += changes.filter { $0.kind == .add }.map(\.column.name)
        var wanted = target.columns.map(\.name)
        if visibleOnly {
            order.removeAll { $0.hasPrefix("_") }
            wanted.removeAll { $0.hasPrefix("_") }
        }
        return order == wanted
    }

    /// True when only comments change (of columns or of the table): no column's data or place changes.
    public var changesCommentsOnly: Bool {
        changes.allSatisfy { $0.kind == .modify && $0.position == nil && $0.changesCommentOnly }
    }
}

/// One change of a column in a ``TableAlteration``.
public struct ColumnChange: Sendable, Hashable {
    /// What happens to the column.
    public enum Kind: Sendable, Hashable {
        /// A new column.
        case add
        /// The column is removed with its data.
        case drop
        /// The column keeps its data and changes its name, definition or place (or several of these).
        case modify
    }

    public var kind: Kind
    /// The column as it will be (for `.drop`, the column as it is).
    public var column: Attribute
    /// The comment stored for the column as it will be (with its `:type:` marker).
    public var storedComment: String
    /// The column as it is (nil for `.add`).
    public var previous: Attribute?
    /// Where the column goes; nil when it stays where it is.
    public var position: ColumnPosition?

    public init(kind: Kind, column: Attribute, storedComment: String, previous: Attribute?, position: ColumnPosition?) {
        self.kind = kind
        self.column = column
        self.storedComment = storedComment
        self.previous = previous
        self.position = position
    }

    /// True for a column whose name changes.
    public var isRename: Bool { kind == .modify && previous.map { $0.name != column.name } == true }
    /// True when the column's stored type changes.
    public var changesType: Bool {
        guard kind == .modify, let previous else { return false }
        return previous.type != column.type || previous.typeText != column.typeText
    }
    /// True when the column's default or nullability changes.
    public var changesDefault: Bool {
        guard kind == .modify, let previous else { return false }
        return previous.nullable != column.nullable || previous.defaultValue != column.defaultValue
    }
    /// True when the column's comment is all that changes.
    public var changesCommentOnly: Bool {
        kind == .modify && !isRename && !changesType && !changesDefault
    }
}

/// Where a column is placed, as MySQL's `ALTER TABLE ... FIRST` / `AFTER column`.
public enum ColumnPosition: Sendable, Hashable {
    case first
    case after(String)
}

/// A foreign key of another table that references the table being changed.
public struct ReferencingForeignKey: Sendable, Hashable {
    /// The referencing (child) table.
    public var child: SQLTableName
    public var constraint: ForeignKeyConstraint

    public init(child: SQLTableName, constraint: ForeignKeyConstraint) {
        self.child = child
        self.constraint = constraint
    }
}

/// How a backend carries out a ``TableAlteration``: statements run in one transaction (on backends whose DDL is
/// transactional, a failure leaves the table as it was), with checks between them, and statements that must run on
/// the same session just before and after that transaction (such as SQLite's `PRAGMA foreign_keys`).
public struct AlterationPlan: Sendable {
    /// Run before the transaction, on the session that runs it.
    public var before: [RenderedSQL]
    /// Run in one transaction, in order.
    public var steps: [AlterationStep]
    /// Run after the transaction, on the same session, whether it committed or not.
    public var after: [RenderedSQL]
    /// True when the backend rebuilds the table (new table, rows copied, old one dropped) rather than changing it in
    /// place.
    public var rebuildsTable: Bool

    public init(before: [RenderedSQL] = [], steps: [AlterationStep], after: [RenderedSQL] = [], rebuildsTable: Bool = false) {
        self.before = before
        self.steps = steps
        self.after = after
        self.rebuildsTable = rebuildsTable
    }
}

/// One step of an ``AlterationPlan``.
public enum AlterationStep: Sendable {
    /// A statement to run.
    case execute(RenderedSQL)
    /// A query that returns no rows when all is well; when it returns a row, the alteration fails with the message
    /// (the first value of the row, if any, is quoted after it) and nothing is changed.
    case verify(RenderedSQL, failure: String)
}
