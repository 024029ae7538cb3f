/// One attribute (column) of a table or query result.
public struct Attribute: Sendable, Hashable {
    /// The attribute name.
    public var name: String
    /// The declared type.
    public var type: AttributeType
    /// The type as written in the definition (what `describe()` shows).
    public var typeText: String
    /// True when the attribute is part of the primary key.
    public var inPrimaryKey: Bool
    /// True when the attribute accepts NULL.
    public var nullable: Bool
    /// The declared default; nil when a value is required.
    public var defaultValue: DefaultValue?
    /// The user's comment (without the `:type:` marker).
    public var comment: String
    /// Where the attribute originates (`schema.table.attribute`), for semantic matching; nil for secondary
    /// attributes that are not foreign keys and for computed attributes.
    public var lineage: String?

    public init(
        name: String, type: AttributeType, typeText: String? = nil, inPrimaryKey: Bool = false,
        nullable: Bool = false, defaultValue: DefaultValue? = nil, comment: String = "", lineage: String? = nil
    ) {
        self.lineage = lineage
        self.name = name
        self.type = type
        self.typeText = typeText ?? type.description
        self.inPrimaryKey = inPrimaryKey
        self.nullable = nullable
        self.defaultValue = defaultValue
        self.comment = comment
    }

    /// Hidden attributes (leading underscore) are managed by DataJoint and invisible to fetch, insert and joins.
    public var isHidden: Bool { name.hasPrefix("_") }

    /// True when an insert may omit this attribute.
    public var hasDefault: Bool { defaultValue != nil || nullable }

    /// The comment stored in the database: core types and codecs carry a `:type:` marker.
    public var storedComment: String {
        switch type {
        case .native: comment
        default: ":\(typeText):\(comment)"
        }
    }
}

extension Attribute {
    /// Attributes are equal when they are declared alike; lineage, which names the declaring table, is not
    /// compared (semantic matching compares it explicitly).
    public static func == (a: Attribute, b: Attribute) -> Bool {
        a.name == b.name && a.type == b.type && a.typeText == b.typeText && a.inPrimaryKey == b.inPrimaryKey
            && a.nullable == b.nullable && a.defaultValue == b.defaultValue && a.comment == b.comment
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(type)
        hasher.combine(inPrimaryKey)
    }
}
