/// How many keys one populate worker commits together: as many as its `make`s compute in about a quarter of a
/// second, so that quick makes share a commit while a slow one commits on its own, and a crash loses little work.
/// (A group's transaction and commit cost about 1 ms on a server: a quarter of a second keeps that under 0.5% of
/// the makes' time, where a tenth of a second left 1%.)
struct CommitGroupSize: Sendable {
    /// The time one group aims to take.
    static let target = 0.25
    static let largest = 256
    /// The size of the next group. The first key is alone, to measure: a slow make then never holds (or, with the
    /// jobs queue, reserves) more than its own key.
    private(set) var size = 1

    /// Adapts the size to what the last group took.
    mutating func observe(keys: Int, seconds: Double) {
        guard keys > 0, seconds.isFinite, seconds >= 0 else { return }
        let perKey = max(seconds / Double(keys), 1e-6)
        let fitting = Int((Self.target / perKey).rounded(.down))
        // Grow at most fourfold at a time, so that one quick group does not make the next one huge.
        size = min(Self.largest, max(1, min(fitting, size * 4)))
    }
}
