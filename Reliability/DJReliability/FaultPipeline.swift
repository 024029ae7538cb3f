// The tables the fault cases and the soak work on.
import DataJoint
import Foundation

/// Rows of a bulk insert.
struct RlItem: Manual {
    static let definition = """
        # a row of a bulk insert
        item_id : int32
        ---
        value : float64
        label : varchar(40)
        """

    static func rows(_ count: Int) -> [Row] {
        (0..<count).map { i -> Row in
            ["item_id": Value.int(Int64(i)), "value": Value.double(Double(i) * 0.5), "label": Value.string("item \(i)")]
        }
    }
}

/// Three generations for a cascading delete: parents, their children, and the children's children.
struct RlParent: Manual {
    static let definition = """
        parent_id : int32
        """
}

struct RlChild: Manual {
    static let definition = """
        -> RlParent
        child_idx : int16
        ---
        weight : float64
        """
}

struct RlGrandchild: Manual {
    static let definition = """
        -> RlChild
        grandchild_idx : int16
        """
}

/// The keys a populate computes.
struct RlKey: Manual {
    static let definition = """
        key_id : int32
        """
}

/// A master with five parts per key, computed with a short sleep: a key is whole only with all five parts.
struct RlResult: Computed {
    static let definition = """
        -> RlKey
        ---
        n_parts : int32
        """
    struct Piece: Part {
        static let definition = """
            -> master
            piece_idx : int16
            ---
            squared : int64
            """
    }
    static var parts: [any Part.Type] { [Piece.self] }

    /// How long a make works, between its master row and its parts.
    @TaskLocal static var makeMilliseconds = 5

    static func make(_ key: Row, _ ctx: MakeContext) async throws {
        let id = try key.get("key_id", as: Int.self)
        try await ctx.insert1(key + ["n_parts": 5])
        if makeMilliseconds > 0 { try await Task.sleep(for: .milliseconds(makeMilliseconds)) }
        let pieces = (0..<5).map { i -> Row in
            key + ["piece_idx": Value.int(Int64(i)), "squared": Value.int(Int64(id * id + i))]
        }
        try await ctx.insert(pieces, into: Piece.self)
    }
}
