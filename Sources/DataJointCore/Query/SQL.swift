/// SQL text written by a user, in which every interpolated value is sent to the database as a bound parameter.
///
/// A string literal in a restriction, a computed attribute or an ordering is an `SQL` value, so interpolation is
/// safe there: the value never becomes part of the SQL text, whatever quotes or statements it contains.
///
/// ```swift
/// let name = "O'Brien"
/// let rows = try await (students & "last_name = \(name)").toDicts()          // last_name = ? with "O'Brien" bound
/// let recent = sessions & "session_date >= \(CalendarDate(year: 2024, month: 1, day: 1))"
/// let some = students & "student_id IN \([1, 2, 3])"                          // student_id IN (?, ?, ?)
/// let shifted = scores.proj(named: ["adjusted": "score + \(bonus)"])
/// ```
///
/// Interpolate trusted SQL text (an attribute name chosen by the program, another fragment) with `\(sql:)`, which
/// inserts it verbatim. A `String` variable used as a restriction is raw SQL written by the program, as before.
public struct SQL: Sendable, Hashable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// A piece of the text: SQL as written, or a value to bind.
    public enum Segment: Sendable, Hashable {
        case text(String)
        case value(Value)
    }

    /// The pieces in order.
    public private(set) var segments: [Segment]

    /// SQL text sent as written (no values).
    public init(verbatim text: String) {
        segments = text.isEmpty ? [] : [.text(text)]
    }

    /// The same SQL (lets `SQL("a = \(x)")` be written where a `String` would otherwise be inferred).
    public init(_ sql: SQL) {
        self = sql
    }

    public init(stringLiteral value: String) {
        self.init(verbatim: value)
    }

    public init(stringInterpolation: StringInterpolation) {
        segments = stringInterpolation.segments
    }

    /// Builds an `SQL` value from a literal, binding each interpolated value.
    public struct StringInterpolation: StringInterpolationProtocol {
        var segments: [Segment] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            segments.reserveCapacity(2 * interpolationCount + 1)
        }

        public mutating func appendLiteral(_ literal: String) {
            appendText(literal)
        }

        /// A value, sent as a bound parameter (an optional that is nil as NULL).
        public mutating func appendInterpolation(_ value: some ValueConvertible) {
            segments.append(.value(value.dataJointValue))
        }

        /// A list of values, written as `(?, ?, ...)` for use after `IN`; an empty list is `(NULL)`, which
        /// matches nothing.
        public mutating func appendInterpolation<T: ValueConvertible>(_ values: [T]) {
            let values = values.map(\.dataJointValue)
            appendText("(")
            if values.isEmpty { appendText("NULL") }
            for (i, value) in values.enumerated() {
                if i > 0 { appendText(", ") }
                segments.append(.value(value))
            }
            appendText(")")
        }

        /// Another SQL fragment, with its own bound values.
        public mutating func appendInterpolation(_ sql: SQL) {
            for segment in sql.segments {
                switch segment {
                case .text(let text): appendText(text)
                case .value: segments.append(segment)
                }
            }
        }

        /// Trusted SQL text inserted verbatim (never a value that came from outside the program).
        public mutating func appendInterpolation(sql text: String) {
            appendText(text)
        }

        mutating func appendText(_ text: String) {
            guard !text.isEmpty else { return }
            if case .text(let previous)? = segments.last {
                segments[segments.count - 1] = .text(previous + text)
            } else {
                segments.append(.text(text))
            }
        }
    }

    /// The bound values, in order.
    public var values: [Value] {
        segments.compactMap { if case .value(let v) = $0 { v } else { nil } }
    }

    /// The text with `?` in place of each bound value, for messages and inspection.
    public var description: String {
        segments.map { if case .text(let t) = $0 { t } else { "?" } }.joined()
    }

    /// The text when nothing is bound.
    var verbatimText: String? {
        switch segments.count {
        case 0: ""
        case 1: if case .text(let t) = segments[0] { t } else { nil }
        default: nil
        }
    }

    /// The two SQL fragments one after the other.
    public static func + (lhs: SQL, rhs: SQL) -> SQL {
        "\(lhs)\(rhs)"
    }

    /// The text with a parameter marker in place of each value (see ``SQLParameterMarker``), and the values. Fails
    /// when the written text itself contains the marker character, which is reserved.
    func markedText() throws -> (text: String, values: [Value]) {
        var text = ""
        var values: [Value] = []
        for segment in segments {
            switch segment {
            case .text(let written):
                guard !written.unicodeScalars.contains(SQLParameterMarker.start) else {
                    throw DataJointError(
                        .query,
                        "the SQL text \"\(description)\" contains the character U+E000, which DataJoint reserves for bound values")
                }
                text += written
            case .value(let value):
                text += SQLParameterMarker.text(values.count)
                values.append(value)
            }
        }
        return (text, values)
    }
}

/// How a bound value of user-written SQL is marked in its text while a dialect translates the text: a private-use
/// character, the value's index, another private-use character. The tokenizer reads a marker as one token, so
/// translation moves it like an operand; rendering replaces each marker by the dialect's placeholder.
enum SQLParameterMarker {
    static let start: Unicode.Scalar = "\u{E000}"
    static let end: Unicode.Scalar = "\u{E001}"

    static func text(_ index: Int) -> String {
        String(Character(start)) + String(index) + String(Character(end))
    }

    /// The pieces of marked text: text between markers and value indices, in order.
    static func split(_ text: String) -> [Piece] {
        guard text.unicodeScalars.contains(start) else { return [.text(text)] }
        var pieces: [Piece] = []
        var current = String.UnicodeScalarView()
        var scalars = text.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            guard scalar == start else {
                current.append(scalar)
                continue
            }
            var digits = ""
            var closed = false
            while let next = scalars.next() {
                if next == end {
                    closed = true
                    break
                }
                digits.unicodeScalars.append(next)
            }
            if closed, let index = Int(digits) {
                if !current.isEmpty { pieces.append(.text(String(current))) }
                current = String.UnicodeScalarView()
                pieces.append(.value(index))
            } else {
                current.append(scalar)
                current.append(contentsOf: digits.unicodeScalars)
                if closed { current.append(end) }
            }
        }
        if !current.isEmpty { pieces.append(.text(String(current))) }
        return pieces
    }

    enum Piece: Equatable {
        case text(String)
        case value(Int)
    }
}
