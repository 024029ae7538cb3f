@testable import DataJointCore
import Testing

@Suite("Commit group size")
struct CommitGroupSizeTests {
    @Test("the first key is alone; quick makes grow the group fourfold at a time up to 256; slow ones shrink it to one key")
    func adapts() {
        var sizing = CommitGroupSize()
        #expect(sizing.size == 1)
        sizing.observe(keys: 1, seconds: 0.0001)  // 0.1 ms per key
        #expect(sizing.size == 4)
        sizing.observe(keys: 4, seconds: 0.0004)
        #expect(sizing.size == 16)
        sizing.observe(keys: 16, seconds: 0.0016)
        sizing.observe(keys: 64, seconds: 0.0064)
        #expect(sizing.size == 256)
        sizing.observe(keys: 256, seconds: 0.0256)
        #expect(sizing.size == 256)
        sizing.observe(keys: 256, seconds: 2.56)  // 10 ms per key: 25 keys fill a quarter of a second
        #expect(sizing.size == 25)
        sizing.observe(keys: 25, seconds: 7.5)  // 300 ms per key
        #expect(sizing.size == 1)
        sizing.observe(keys: 0, seconds: 1)
        sizing.observe(keys: 1, seconds: .nan)
        #expect(sizing.size == 1)
    }
}
