/// A piece of HTML. Text interpolated into it is escaped; only other `HTML` values (and numbers) go in as they are.
///
/// ```swift
/// let cell: HTML = "<td>\(value)</td>"    // value: String, escaped
/// let row: HTML = "<tr>\(cells)</tr>"      // cells: [HTML], inserted as markup
/// ```
///
/// The one way to insert markup from elsewhere unescaped is ``HTML/trusted(_:)``, used for the SVG that Graphviz
/// draws from the pipeline's own table names.
struct HTML: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The markup.
    let markup: String

    init(stringLiteral value: String) {
        markup = value
    }

    init(stringInterpolation: StringInterpolation) {
        markup = stringInterpolation.output
    }

    private init(markup: String) {
        self.markup = markup
    }

    /// Markup taken as it is: only for text that is HTML by construction and holds nothing a user typed.
    static func trusted(_ markup: String) -> HTML { HTML(markup: markup) }

    /// Nothing.
    static let empty = HTML(markup: "")

    var description: String { markup }

    /// Text with `&`, `<`, `>`, `"` and `'` replaced by character references: safe in element content and in
    /// quoted attribute values.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.unicodeScalars.append(character)
            }
        }
        return result
    }

    struct StringInterpolation: StringInterpolationProtocol {
        var output = ""

        init(literalCapacity: Int, interpolationCount: Int) {
            output.reserveCapacity(literalCapacity + 16 * interpolationCount)
        }

        mutating func appendLiteral(_ literal: String) {
            output += literal
        }

        /// Text, escaped.
        mutating func appendInterpolation(_ text: String) {
            output += HTML.escape(text)
        }

        /// Markup, as it is.
        mutating func appendInterpolation(_ html: HTML) {
            output += html.markup
        }

        /// Pieces of markup, one after the other.
        mutating func appendInterpolation(_ pieces: [HTML]) {
            for piece in pieces { output += piece.markup }
        }

        mutating func appendInterpolation(_ number: Int) {
            output += String(number)
        }
    }
}

extension [HTML] {
    /// The pieces one after the other.
    func joined() -> HTML {
        "\(self)"
    }
}
