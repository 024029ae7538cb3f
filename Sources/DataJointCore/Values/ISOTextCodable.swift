/// A value whose `Codable` form is its ISO text: `description` encodes, `init?(iso:)` decodes.
protocol ISOTextCodable: Codable, CustomStringConvertible {
    init?(iso text: String)
    /// What the text must look like, for the error on text that does not parse: "a date in the form YYYY-MM-DD".
    static var isoForm: String { get }
}

extension ISOTextCodable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(iso: text) else {
            throw DataJointError(.invalidValue, "\"\(text)\" is not \(Self.isoForm)")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
