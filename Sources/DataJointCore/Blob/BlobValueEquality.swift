extension BlobValue {
    /// Structural equality (see ``BlobValue`` for the rules on floats, integers, sets and dicts).
    public static func == (a: BlobValue, b: BlobValue) -> Bool {
        a.equalityKey == b.equalityKey
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(equalityKey)
    }

    /// What equality compares and hashing combines, so that the two agree by construction: the case and its payload,
    /// with `.int` and `.bigInt` one case (a `.bigInt` that fits in `Int64` compares as that `Int64`), a float by its
    /// bit pattern, a set's elements without regard to order, and a dict's pairs in order.
    private var equalityKey: EqualityKey {
        switch self {
        case .none: EqualityKey(0, 0)
        case .bool(let v): EqualityKey(1, v)
        case .int(let v): EqualityKey(2, v)
        case .bigInt(let v): if let small = v.int64Value { EqualityKey(2, small) } else { EqualityKey(2, v) }
        case .float(let v): EqualityKey(3, v.bitPattern)
        case .complex(let v): EqualityKey(4, v)
        case .string(let v): EqualityKey(5, v)
        case .bytes(let v): EqualityKey(6, v)
        case .array(let v): EqualityKey(7, v)
        case .list(let v): EqualityKey(8, v)
        case .tuple(let v): EqualityKey(9, v)
        case .set(let v): EqualityKey(10, SetMembers(count: v.count, members: Swift.Set(v)))
        case .dict(let pairs): EqualityKey(11, pairs.flatMap { [$0.key, $0.value] })
        case .datetime(let v): EqualityKey(12, v)
        case .date(let v): EqualityKey(13, v)
        case .time(let v): EqualityKey(14, v)
        case .uuid(let v): EqualityKey(15, v)
        case .decimal(let v): EqualityKey(16, v)
        case .matStruct(let v): EqualityKey(17, v)
        case .cell(let v): EqualityKey(18, v)
        case .recordArray(let v): EqualityKey(19, v)
        }
    }

    private struct EqualityKey: Hashable {
        /// The case, numbered.
        let tag: Int
        let payload: AnyHashable

        init(_ tag: Int, _ payload: some Hashable) {
            self.tag = tag
            self.payload = AnyHashable(payload)
        }
    }

    /// A set's elements: equal when they hold the same number of values and the same distinct values.
    private struct SetMembers: Hashable {
        let count: Int
        let members: Swift.Set<BlobValue>
    }
}
