extension String {
    /// Whether `other` occurs in this string, compared byte for byte (UTF-8). Foundation's `contains` and the
    /// standard library's `firstRange(of:)` each cost a quick populate several percent of its client time when asked
    /// for every statement; a plain scan of the bytes costs nothing measurable.
    func containsBytes(of other: String) -> Bool {
        var haystack = self
        var needle = other
        return haystack.withUTF8 { h in
            needle.withUTF8 { n in
                guard let first = n.first else { return true }
                guard n.count <= h.count else { return false }
                var start = 0
                let last = h.count - n.count
                while start <= last {
                    if h[start] == first {
                        var offset = 1
                        while offset < n.count, h[start + offset] == n[offset] { offset += 1 }
                        if offset == n.count { return true }
                    }
                    start += 1
                }
                return false
            }
        }
    }
}
