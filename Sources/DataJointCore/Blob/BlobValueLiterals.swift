/// Python-like literals: `42` is an `int`, `2.5` a `float`, `"x"` a `str`, `true` a `bool`, `nil` is `None`,
/// `[1, 2]` a `list` and `["a": 1]` a `dict` (keys in the order written).
///
/// An array literal is a Python `list` even of numbers; for a NumPy array write `.array(NDArray([1.0, 2.0]))` or
/// convert a typed Swift array (`BlobValue(doubles)`).
extension BlobValue: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByNilLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .float(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .none }
    public init(arrayLiteral elements: BlobValue...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (BlobValue, BlobValue)...) {
        self = .dict(elements.map { (key: $0.0, value: $0.1) })
    }
}
