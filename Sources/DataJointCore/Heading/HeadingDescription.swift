extension Heading: CustomStringConvertible {
    /// The heading as the reference prints it (`print(table.heading)`): one definition-like line per visible
    /// attribute, the primary key first and `---` before the first secondary attribute, each line
    /// `name[=default] : type  # comment` with the name padded to 20 and the type to 28 characters:
    /// ```
    /// subject_id           : int32                        # the subject
    /// ---
    /// species="mouse"      : varchar(30)                  # 
    /// weight=null          : float64                      # 
    /// ```
    /// The type is the declared one (`int32`, `<blob@store>`), as in the definition; the reference shows the
    /// database's type for core types. A nullable attribute shows `=null`, a string default is double-quoted.
    public var description: String {
        var out = ""
        var inKey = true
        for attribute in attributes {
            if inKey, !attribute.inPrimaryKey {
                out += "---\n"
                inKey = false
            }
            let name = attribute.defaultValue.map { "\(attribute.name)=\($0)" } ?? attribute.name
            out += Self.padded(name, to: 20) + " : " + Self.padded(attribute.typeText, to: 28) + " # " + attribute.comment + "\n"
        }
        return out
    }

    /// `text` followed by spaces up to `width` characters (longer text is kept whole).
    static func padded(_ text: String, to width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
