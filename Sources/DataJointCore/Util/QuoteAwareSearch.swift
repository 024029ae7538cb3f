extension Collection where Element == Character {
    /// The first index from `start` that satisfies `predicate` and lies outside single- or double-quoted text (and,
    /// if asked, outside `<...>`, the brackets of codec types): how the parsers of definitions and stored comments
    /// find a separator without stopping inside a quoted default or enum value.
    func firstIndexOutsideQuotes(
        from start: Index, skippingAngleBrackets: Bool = false, where predicate: (Index) -> Bool
    ) -> Index? {
        var quote: Character?
        var depth = 0
        var index = start
        while index < endIndex {
            let c = self[index]
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "'" || c == "\"" {
                quote = c
            } else if skippingAngleBrackets, c == "<" {
                depth += 1
            } else if skippingAngleBrackets, c == ">" {
                depth -= 1
            } else if depth == 0, predicate(index) {
                return index
            }
            index = self.index(after: index)
        }
        return nil
    }
}
