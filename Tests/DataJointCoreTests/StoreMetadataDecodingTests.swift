import Foundation
import Testing

@testable import DataJointCore

/// Column values of in-store codecs that the fuzz tests found to crash or to fail with a foreign error: each is now
/// read, or refused with a `DataJointError`.
@Suite("Stored metadata: hostile values")
struct StoreMetadataDecodingTests {
    @Test("an <object@> or <filepath@> whose size is a float beyond Int is read without a size")
    func hugeFloatSize() async throws {
        let store = try FuzzStoreMetadataTests.Store()
        for codec in ["object", "filepath"] {
            for size in [1e300, -1e300, 9.3e18] {
                let stored = Value.json(["path": "raw/file.dat", "store": "main", "size": .double(size), "item_count": .double(size)])
                let value = try await store.codecs.decode(stored, name: codec, store: "", context: store.context)
                guard case .custom(let custom) = value, let ref = custom.as(ObjectRef.self) else {
                    Issue.record("<\(codec)@> gave \(value)")
                    continue
                }
                #expect(ref.size == nil && ref.itemCount == nil)
            }
        }
        let stored = Value.json(["path": "raw/file.dat", "store": "main", "size": 3.0])
        let value = try await store.codecs.decode(stored, name: "object", store: "", context: store.context)
        guard case .custom(let custom) = value else { return }
        #expect(custom.as(ObjectRef.self)?.size == 3)
    }

    @Test("an <npy@> whose shape has no element count (negative or overflowing) is refused with a codec error")
    func impossibleNpyShape() async throws {
        let store = try FuzzStoreMetadataTests.Store()
        for shape: JSON in [[3037000500, 3037000500, 3037000500], [-1, 2], [.int(Int64.max), 2]] {
            let stored = Value.json(["path": "_schema/lab/t/id=1/a.npy", "store": "main", "dtype": "int32", "shape": shape])
            let error = await #expect(throws: DataJointError.self) {
                try await store.codecs.decode(stored, name: "npy", store: "", context: store.context)
            }
            #expect(error?.kind == .codec)
            #expect(error?.message.contains("impossible shape") == true, "\(error?.message ?? "")")
        }
    }

    @Test("an attachment whose file name the file system refuses is refused with a codec error")
    func attachmentNameTooLong() async throws {
        let store = try FuzzStoreMetadataTests.Store()
        let stored = Value.bytes(Data((String(repeating: "n", count: 300) + ".txt").utf8) + Data([0]) + Data("x".utf8))
        let error = await #expect(throws: DataJointError.self) {
            try await store.codecs.decode(stored, name: "attach", store: nil, context: store.context)
        }
        #expect(error?.kind == .codec)
        #expect(error?.message.contains("cannot write the attachment") == true, "\(error?.message ?? "")")
    }
}
