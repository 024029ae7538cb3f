// The `store-writer` mode of dj-populate-worker, for the store fault tests of DataJointTests (StoreFaultTests):
// inserts rows with large in-store values in a loop, until the test kills the process.
//
//     dj-populate-worker BACKEND TARGET SCHEMA store-writer STORES FIRST_ID
//
// STORES    the `stores` settings as JSON text; the rows go to its default store
// FIRST_ID  the item_id of the first row; each row after it takes the next one
//
// Prints `READY` once connected, then `INSERTED <item_id>...` after each insert commits. Inserts alternate between
// one row (`insert1`) and two rows (`insert`, whose values are uploaded in parallel).
//
// The table and the values must match `StoreFaultPipeline` of Tests/DataJointTests/StoreFaultTests.swift.

import DataJoint
import Foundation

/// A row with a large value in each kind of in-store attribute.
struct FaultItem: Manual {
    static let definition = """
        # a row with large values in a store, written by a process that may be killed
        item_id : int32
        ---
        payload : <blob@>    # hash-addressed
        content : <object@>  # schema-addressed file
        trace : <npy@>       # schema-addressed .npy
        """

    /// The values of row `id`: different for every row, and the same in every process. (The blob is the smallest:
    /// in a debug build, encoding a 1 MB array as a blob takes most of a second, and the writes would be a small
    /// part of an insert, rarely hit by a kill.)
    static func row(_ id: Int) -> Row {
        [
            "item_id": Value.int(Int64(id)),
            "payload": try! NDArray(dtype: .uint8, shape: [256, 256], bytes: bytes(id, salt: 1, count: 1 << 16)).dataJointValue,
            "content": ObjectData(bytes(id, salt: 2, count: 1 << 20), fileExtension: "dat").dataJointValue,
            "trace": try! NDArray(dtype: .float64, shape: [256, 256], bytes: bytes(id, salt: 3, count: 8 << 16)).dataJointValue,
        ]
    }

    /// `count` (a multiple of 8) pseudo-random bytes for row `id`: a block made once per `salt` (so that making a
    /// row takes little time beside writing it), with `id` in its first 8 bytes.
    static func bytes(_ id: Int, salt: UInt64, count: Int) -> Data {
        var data = Data(blocks[Int(salt)].prefix(count))
        data.replaceSubrange(0..<8, with: withUnsafeBytes(of: UInt64(id).littleEndian) { Data($0) })
        return data
    }

    static let blocks = (0...3).map { random(seed: UInt64($0), count: 1 << 20) }

    /// `count` (a multiple of 8) pseudo-random bytes from `seed` (splitmix64), each 8 a finite float64.
    static func random(seed: UInt64, count: Int) -> Data {
        var state = seed &* 0x9E37_79B9_7F4A_7C15
        var data = Data(count: count)
        data.withUnsafeMutableBytes { raw in
            for index in 0..<(count / 8) {
                state &+= 0x9E37_79B9_7F4A_7C15
                var z = state
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                raw.storeBytes(of: (z ^ (z >> 31)) & 0x800F_FFFF_FFFF_FFFF, toByteOffset: index * 8, as: UInt64.self)
            }
        }
        return data
    }
}

enum StoreWriter {
    /// Runs the mode with the worker's arguments (BACKEND TARGET SCHEMA store-writer STORES FIRST_ID); never returns.
    static func run(_ arguments: [String]) async -> Never {
        guard arguments.count == 6, let firstID = Int(arguments[5]) else {
            fail("usage: dj-populate-worker BACKEND TARGET SCHEMA store-writer STORES_JSON FIRST_ID")
        }
        do {
            guard case .object(let stores) = try JSON(parsing: arguments[4]) else { fail("STORES must be a JSON object") }
            let db = try await openConnection(
                backend: arguments[0], target: arguments[1], settings: Settings(safemode: false, stores: stores))
            db.stores.register(S3StorageAdapter())
            let items = try await db.schema(arguments[2], tables: FaultItem.self)[FaultItem.self]
            emit("READY")
            var id = firstID
            for round in 0... {
                if round % 2 == 0 {
                    try await items.insert1(FaultItem.row(id))
                    emit("INSERTED \(id)")
                    id += 1
                } else {
                    try await items.insert([FaultItem.row(id), FaultItem.row(id + 1)])
                    emit("INSERTED \(id) \(id + 1)")
                    id += 2
                }
            }
            fatalError("unreachable")
        } catch {
            fail(String(describing: error))
        }
    }
}
