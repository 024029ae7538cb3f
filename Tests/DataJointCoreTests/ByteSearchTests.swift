@testable import DataJointCore
import Testing

@Suite("Byte search in strings")
struct ByteSearchTests {
    @Test("finds a name anywhere in a statement, and only where its bytes occur")
    func finds() {
        let sql = #"SELECT "x" FROM "lab"."__square" WHERE "id" = $1"#
        #expect(sql.containsBytes(of: "__square"))
        #expect(sql.containsBytes(of: "SELECT"))
        #expect(sql.containsBytes(of: "$1"))
        #expect(sql.containsBytes(of: ""))
        #expect(!sql.containsBytes(of: "__squares"))
        #expect(!sql.containsBytes(of: "__SQUARE"))
        #expect(!"ab".containsBytes(of: "abc"))
        #expect(!"".containsBytes(of: "a"))
        #expect("aaab".containsBytes(of: "aab"))
        // Not a character match: "é" as one scalar and as "e" with a combining accent differ in their bytes.
        #expect("café".containsBytes(of: "é"))
        #expect(!"cafe\u{301}".containsBytes(of: "é"))
        #expect("tëst_taßle".containsBytes(of: "taßle"))
    }
}
