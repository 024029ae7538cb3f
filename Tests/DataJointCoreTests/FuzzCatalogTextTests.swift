import Foundation
import PropertyBased
import ReliabilitySupport
import Testing

@testable import DataJointCore

/// What a heading is read back from: column comments (`:type:comment`), SQL types and defaults as the catalog shows
/// them, which another client (DataJoint-Python, a hand-written ALTER) may have written. Random and damaged text
/// gives a type and a default or none, never a trap; declared types round-trip through the comment marker.
@Suite("Fuzz: catalog text")
struct FuzzCatalogTextTests {
    static let tokens = [
        ":", "::", "int32", "varchar(255)", "enum('a:b', 'c''d')", "<blob@store>", "<", ">", "'", "\"", "(", ")", ",",
        "character varying", "timestamp(6)", "NULL", "CURRENT_TIMESTAMP", "now()", "'x'::text", "1.5e3", "-", "b'1'",
        "comment", " ", "é", "\u{301}", "\u{0}",
    ]

    /// Reads `text` as each catalog field a heading is built from.
    static func read(_ text: String) {
        if let (type, _) = HeadingReader.splitTypeMarker(text) { _ = AttributeType(parsing: type) }
        let native = HeadingReader.nativeType(text)
        for type in [native, .bool, .int32, .varchar(8), .datetime(fractionalDigits: 3)] {
            _ = HeadingReader.defaultValue(text, nullable: false, type: type)
        }
        _ = HeadingReader.strippingTrailingCast(text)
    }

    @Test("random catalog comments, types and defaults are read without a trap")
    func tokenText() async {
        var tally = FuzzTally()
        await propertyCheck(count: ReliabilityLog.iterations(standard: 2000), input: Fuzz.tokenStrings(Self.tokens, maxPieces: 30)) { text in
            tally.feed(text.debugDescription) { Self.read(text) }
        }
        tally.record("heading reader: random column comments, SQL types and defaults", accepted: "read")
    }

    @Test("every declared type round-trips through the column comment marker")
    func typeMarkers() async {
        var tally = FuzzTally()
        let types = FuzzDefinitionParserTests.types
        let inputs = Generator { rng in
            (types[Int.random(in: 0..<types.count, using: &rng)], FuzzDefinitionParserTests.comment(&rng))
        }
        await propertyCheck(count: ReliabilityLog.iterations(standard: 1000), input: inputs) { declared, comment in
            let (typeText, type) = declared
            let stored = ":" + typeText + ":" + comment
            tally.feed(stored.debugDescription) {
                let split = HeadingReader.splitTypeMarker(stored)
                #expect(split?.0 == typeText && split?.1 == comment, "\(stored.debugDescription) -> \(String(describing: split))")
                #expect(split.flatMap { AttributeType(parsing: $0.0) } == type, "\(stored.debugDescription)")
            }
        }
        tally.record("heading reader: declared types and comments through the column comment marker", accepted: "round-tripped")
    }
}
