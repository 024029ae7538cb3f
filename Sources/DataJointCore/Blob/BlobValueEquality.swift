extension BlobValue {
    /// Structural equality (see ``BlobValue`` for the rules on floats, integers, sets and dicts).
    public static func == (a: BlobValue, b: BlobValue) -> Bool {
        switch (a, b) {
        case (.none, .none): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.bigInt(let x), .bigInt(let y)): return x == y
        case (.int(let x), .bigInt(let y)), (.bigInt(let y), .int(let x)): return y.int64Value == x
        case (.float(let x), .float(let y)): return x.bitPattern == y.bitPattern
        case (.complex(let x), .complex(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.bytes(let x), .bytes(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.list(let x), .list(let y)): return x == y
        case (.tuple(let x), .tuple(let y)): return x == y
        case (.set(let x), .set(let y)): return x.count == y.count && Swift.Set(x) == Swift.Set(y)
        case (.dict(let x), .dict(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case (.datetime(let x), .datetime(let y)): return x == y
        case (.date(let x), .date(let y)): return x == y
        case (.time(let x), .time(let y)): return x == y
        case (.uuid(let x), .uuid(let y)): return x == y
        case (.decimal(let x), .decimal(let y)): return x == y
        case (.matStruct(let x), .matStruct(let y)): return x == y
        case (.cell(let x), .cell(let y)): return x == y
        case (.recordArray(let x), .recordArray(let y)): return x == y
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .none: hasher.combine(0)
        case .bool(let v): hasher.combine(1); hasher.combine(v)
        case .int(let v): hasher.combine(2); hasher.combine(v)
        case .bigInt(let v):
            hasher.combine(2)
            if let small = v.int64Value { hasher.combine(small) } else { hasher.combine(v) }
        case .float(let v): hasher.combine(3); hasher.combine(v.bitPattern)
        case .complex(let v): hasher.combine(4); hasher.combine(v)
        case .string(let v): hasher.combine(5); hasher.combine(v)
        case .bytes(let v): hasher.combine(6); hasher.combine(v)
        case .array(let v): hasher.combine(7); hasher.combine(v)
        case .list(let v): hasher.combine(8); hasher.combine(v)
        case .tuple(let v): hasher.combine(9); hasher.combine(v)
        case .set(let v):
            // Order-independent: a commutative sum of the element hashes.
            hasher.combine(10)
            hasher.combine(v.count)
            hasher.combine(v.reduce(0) { $0 &+ $1.hashValue })
        case .dict(let pairs):
            hasher.combine(11)
            hasher.combine(pairs.count)
            for pair in pairs {
                hasher.combine(pair.key)
                hasher.combine(pair.value)
            }
        case .datetime(let v): hasher.combine(12); hasher.combine(v)
        case .date(let v): hasher.combine(13); hasher.combine(v)
        case .time(let v): hasher.combine(14); hasher.combine(v)
        case .uuid(let v): hasher.combine(15); hasher.combine(v)
        case .decimal(let v): hasher.combine(16); hasher.combine(v)
        case .matStruct(let v): hasher.combine(17); hasher.combine(v)
        case .cell(let v): hasher.combine(18); hasher.combine(v)
        case .recordArray(let v): hasher.combine(19); hasher.combine(v)
        }
    }
}
