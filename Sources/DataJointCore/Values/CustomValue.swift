/// A value of any Swift type carried through a `Value`: what a codec accepts for insert and returns on fetch
/// (an `NDArray` or `BlobValue` for `<blob>`, a file URL for `<attach>`, a user codec's own type).
public struct CustomValue: Sendable, Hashable, CustomStringConvertible {
    /// The wrapped value.
    public let base: any Hashable & Sendable

    public init(_ base: any Hashable & Sendable) {
        self.base = base
    }

    /// The Swift type name of the wrapped value.
    public var typeName: String { String(describing: type(of: base)) }

    /// The wrapped value as a given type.
    public func `as`<T>(_ type: T.Type) -> T? { base as? T }

    public var description: String { String(describing: base) }

    public static func == (a: CustomValue, b: CustomValue) -> Bool { AnyHashable(a.base) == AnyHashable(b.base) }
    public func hash(into hasher: inout Hasher) { AnyHashable(base).hash(into: &hasher) }
}

/// A Swift type that travels in a ``Value`` as itself (a `.custom` value), to be turned into stored bytes by a codec:
/// conforming is all it takes to be a ``ValueConvertible``.
public protocol CustomValueConvertible: ValueConvertible, Hashable {}

extension CustomValueConvertible {
    public var dataJointValue: Value { .custom(CustomValue(self)) }

    public init?(dataJointValue value: Value) {
        guard case .custom(let c) = value, let v = c.as(Self.self) else { return nil }
        self = v
    }
}
