import Foundation
import Testing

@testable import DataJointCore

// MARK: helpers

private func parse(_ definition: String) throws -> TableDefinition {
    try DefinitionParser().parse(definition)
}

private func attributes(_ definition: TableDefinition) -> [AttributeDeclaration] {
    definition.lines.compactMap { if case .attribute(let a) = $0 { a } else { nil } }
}

private func foreignKeys(_ definition: TableDefinition) -> [ForeignKeyDeclaration] {
    definition.lines.compactMap { if case .foreignKey(let f) = $0 { f } else { nil } }
}

private func indexes(_ definition: TableDefinition) -> [IndexDeclaration] {
    definition.lines.compactMap { if case .index(let i) = $0 { i } else { nil } }
}

/// Parses a single attribute line (in the secondary section unless `inKey`) and returns it.
private func attribute(_ line: String, inKey: Bool = false) throws -> AttributeDeclaration {
    let definition = try parse(inKey ? "\(line)\n---\n" : "id : int32\n---\n\(line)\n")
    let all = attributes(definition)
    return try #require(inKey ? all.first : all.last)
}

/// The type a one-line attribute declaration parses to.
private func parsedType(_ typeText: String) throws -> AttributeType {
    try attribute("x : \(typeText)").type
}

/// Parses `definition`, expecting a declaration error whose message quotes `offendingLine`.
private func expectDeclarationError(
    _ definition: String, quoting offendingLine: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    let error = #expect(throws: DataJointError.self, sourceLocation: sourceLocation) { try parse(definition) }
    guard let error else { return }
    #expect(error.kind == .declaration, "kind was \(error.kind): \(error.message)", sourceLocation: sourceLocation)
    let quoted = offendingLine.trimmingCharacters(in: .whitespaces)
    #expect(
        error.message.contains(quoted), "message does not quote \"\(quoted)\": \(error.message)",
        sourceLocation: sourceLocation)
}

// MARK: structure

@Suite("Definition parser: structure")
struct DefinitionStructureTests {
    @Test("the first line starting with # is the table comment")
    func tableComment() throws {
        let d = try parse(
            """
            # Experimental session: with timing info
            session_id : int32
            """)
        #expect(d.comment == "Experimental session: with timing info")
        #expect(attributes(d).map(\.name) == ["session_id"])
    }

    @Test("leading blank lines before the table comment are skipped")
    func leadingBlankLines() throws {
        let d = try parse("\n\n   # the comment  \n   a : int32\n")
        #expect(d.comment == "the comment")
        #expect(attributes(d).map(\.name) == ["a"])
    }

    @Test("no table comment gives an empty comment")
    func noTableComment() throws {
        let d = try parse("a : int32\n# a comment line, not the table comment\n")
        #expect(d.comment == "")
        #expect(d.lines.count == 1)
    }

    @Test("attributes above --- are in the primary key; below are secondary")
    func primaryKeySections() throws {
        let d = try parse(
            """
            # t
            a : int32
            b : varchar(8)
            ---
            c : float64
            d : date
            """)
        let attrs = attributes(d)
        #expect(attrs.map(\.name) == ["a", "b", "c", "d"])
        #expect(attrs.map(\.inPrimaryKey) == [true, true, false, false])
    }

    @Test("a separator of more than three dashes is accepted")
    func longSeparator() throws {
        let d = try parse("a : int32\n----------\nb : int32\n")
        #expect(attributes(d).map(\.inPrimaryKey) == [true, false])
    }

    @Test("a definition without --- has only primary-key attributes")
    func noSeparator() throws {
        let d = try parse("a : int32\nb : int32\n")
        #expect(attributes(d).allSatisfy { $0.inPrimaryKey })
    }

    @Test("an empty primary key section (singleton) parses")
    func emptyPrimaryKey() throws {
        let d = try parse("# config\n---\nsetting : varchar(100)\n")
        let attrs = attributes(d)
        #expect(attrs.count == 1)
        #expect(attrs[0].inPrimaryKey == false)
    }

    @Test("comment lines and blank lines between declarations are ignored")
    func commentLinesIgnored() throws {
        let d = try parse(
            """
            # table comment
            # a second comment line
            a : int32

            # ignored: with a colon, and -> an arrow
            ---
            #b : int32
            c : int32   # trailing comment
            """)
        #expect(d.comment == "table comment")
        #expect(attributes(d).map(\.name) == ["a", "c"])
        #expect(d.lines.count == 2)
    }

    @Test("lines keep their order across attributes, foreign keys and indexes")
    func lineOrder() throws {
        let d = try parse(
            """
            -> Subject
            a : int32
            ---
            b : int32
            -> [nullable] Other
            index(b)
            """)
        #expect(d.lines.count == 5)
        guard case .foreignKey(let f0) = d.lines[0], case .attribute(let a1) = d.lines[1],
            case .attribute(let a2) = d.lines[2], case .foreignKey(let f3) = d.lines[3], case .index(let i4) = d.lines[4]
        else {
            Issue.record("unexpected line kinds: \(d.lines)")
            return
        }
        #expect(f0.reference == "Subject" && f0.inPrimaryKey)
        #expect(a1.name == "a" && a1.inPrimaryKey)
        #expect(a2.name == "b" && !a2.inPrimaryKey)
        #expect(f3.reference == "Other" && !f3.inPrimaryKey)
        #expect(i4.columns == ["b"])
    }

    @Test("the source line is recorded (trimmed)")
    func sourceLineRecorded() throws {
        let a = try attribute("   weight = 1.5 : float64   # grams   ")
        #expect(a.line == "weight = 1.5 : float64   # grams")
    }
}

// MARK: attributes and defaults

@Suite("Definition parser: attributes and defaults")
struct DefinitionAttributeTests {
    @Test("name : type # comment")
    func plainAttribute() throws {
        let a = try attribute("trial_number : int32  # the trial number")
        #expect(a.name == "trial_number")
        #expect(a.type == .int32)
        #expect(a.typeText == "int32")
        #expect(a.comment == "the trial number")
        #expect(a.defaultValue == nil)
        #expect(!a.nullable)
    }

    @Test("no spaces around the colon")
    func compactAttribute() throws {
        let a = try attribute("x:int16#tight")
        #expect(a.name == "x")
        #expect(a.type == .int16)
        #expect(a.comment == "tight")
    }

    @Test("names may contain digits and underscores")
    func namesWithDigits() throws {
        #expect(try attribute("a1_b2_ : int32").name == "a1_b2_")
        #expect(try attribute("x9 : int32").name == "x9")
    }

    @Test("default null makes the attribute nullable", arguments: ["null", "NULL", "Null"])
    func nullDefault(_ spelling: String) throws {
        let a = try attribute("score = \(spelling) : float32 # optional")
        #expect(a.defaultValue == .null)
        #expect(a.nullable)
        #expect(a.type == .float32)
        #expect(a.comment == "optional")
    }

    @Test("default CURRENT_TIMESTAMP")
    func currentTimestampDefault() throws {
        let a = try attribute("ts = CURRENT_TIMESTAMP : datetime")
        #expect(a.defaultValue == .currentTimestamp)
        #expect(!a.nullable)
        #expect(a.type == .datetime(fractionalDigits: nil))
        let lower = try attribute("ts = current_timestamp : datetime(3)")
        #expect(lower.defaultValue == .currentTimestamp)
        #expect(lower.type == .datetime(fractionalDigits: 3))
    }

    @Test("double-quoted string default")
    func doubleQuotedDefault() throws {
        let a = try attribute(#"notes = "none yet" : varchar(400)  # notes"#)
        #expect(a.defaultValue == .string("none yet"))
        #expect(a.comment == "notes")
    }

    @Test("single-quoted string default")
    func singleQuotedDefault() throws {
        let a = try attribute("notes = 'none yet' : varchar(400)")
        #expect(a.defaultValue == .string("none yet"))
    }

    @Test("empty string default")
    func emptyStringDefault() throws {
        #expect(try attribute("notes = '' : varchar(400)").defaultValue == .string(""))
        #expect(try attribute(#"notes = "" : varchar(400)"#).defaultValue == .string(""))
    }

    @Test("a # inside a quoted default is not a comment")
    func hashInsideQuotes() throws {
        let a = try attribute(#"tag = "item #1" : varchar(20)  # the real comment"#)
        #expect(a.defaultValue == .string("item #1"))
        #expect(a.type == .varchar(20))
        #expect(a.comment == "the real comment")
        let b = try attribute("tag = 'item #2' : varchar(20)")
        #expect(b.defaultValue == .string("item #2"))
        #expect(b.comment == "")
    }

    @Test("a : inside a quoted default is not the type separator")
    func colonInsideQuotes() throws {
        let a = try attribute("clock = '12:30:00' : varchar(20)  # a time")
        #expect(a.defaultValue == .string("12:30:00"))
        #expect(a.type == .varchar(20))
        #expect(a.comment == "a time")
        let b = try attribute(#"url = "http://x.org/a#b" : varchar(40)"#)
        #expect(b.defaultValue == .string("http://x.org/a#b"))
        #expect(b.type == .varchar(40))
    }

    @Test("an arrow inside a quoted default or a comment does not make a foreign key")
    func arrowInsideQuotesOrComment() throws {
        let a = try attribute(#"path = "a -> b" : varchar(20)"#)
        #expect(a.defaultValue == .string("a -> b"))
        let b = try attribute("x : int32  # maps a -> b")
        #expect(b.comment == "maps a -> b")
    }

    @Test("numeric defaults are kept as written", arguments: [
        ("n = 5 : int32", "5"), ("n = 0 : int8", "0"), ("n = -12 : int64", "-12"),
        ("f = 1.5 : float64", "1.5"), ("f = -2.5e3 : float32", "-2.5e3"), ("f = .5 : float64", ".5"),
        ("d = 3.67 : decimal(3,2)", "3.67"), ("f = +7 : float64", "+7"),
    ])
    func numericDefaults(_ line: String, _ literal: String) throws {
        let a = try attribute(line)
        #expect(a.defaultValue == .literal(literal))
        #expect(!a.nullable)
    }

    @Test("true and false defaults", arguments: [("true", true), ("false", false), ("TRUE", true), ("False", false)])
    func boolDefaults(_ spelling: String, _ value: Bool) throws {
        let a = try attribute("flag = \(spelling) : bool")
        #expect(a.defaultValue == .bool(value))
        #expect(a.type == .bool)
    }

    @Test("an enum default that is one of the values")
    func enumDefault() throws {
        let a = try attribute("sex = 'U' : enum('F', 'M', 'U')")
        #expect(a.defaultValue == .string("U"))
        #expect(a.type == .enumeration(["F", "M", "U"]))
    }

    @Test("a default in the primary key section (not null) is allowed")
    func defaultInPrimaryKey() throws {
        let a = try attribute("omega = 0 : int8", inKey: true)
        #expect(a.inPrimaryKey)
        #expect(a.defaultValue == .literal("0"))
    }

    @Test("null is the only default accepted for bytes, json and blobs")
    func nullDefaultForBinary() throws {
        #expect(try attribute("data = null : bytes").nullable)
        #expect(try attribute("doc = null : json").nullable)
        #expect(try attribute("raw = null : longblob").nullable)
    }

    @Test("DefaultValue.description writes the default as in a definition")
    func defaultDescription() {
        #expect(DefaultValue.null.description == "null")
        #expect(DefaultValue.currentTimestamp.description == "CURRENT_TIMESTAMP")
        #expect(DefaultValue.string("a\"b").description == #""a\"b""#)
        #expect(DefaultValue.literal("1.5").description == "1.5")
        #expect(DefaultValue.bool(true).description == "true")
    }

    @Test("a string default written by DefaultValue.description parses back to the same default")
    func defaultDescriptionRoundTrip() throws {
        for value in ["plain", "with # hash", "with: colon", #"with "quotes""#, "it's"] {
            let written = DefaultValue.string(value).description
            let a = try attribute("s = \(written) : varchar(40)")
            #expect(a.defaultValue == .string(value), "\(written)")
        }
    }
}

// MARK: types

@Suite("Definition parser: types")
struct DefinitionTypeTests {
    @Test("core types", arguments: [
        ("int8", AttributeType.int8), ("int16", .int16), ("int32", .int32), ("int64", .int64),
        ("float32", .float32), ("float64", .float64), ("bool", .bool),
        ("decimal(3,2)", .decimal(precision: 3, scale: 2)), ("decimal(20, 10)", .decimal(precision: 20, scale: 10)),
        ("decimal(5,0)", .decimal(precision: 5, scale: 0)),
        ("char(1)", .char(1)), ("char(10)", .char(10)), ("varchar(255)", .varchar(255)), ("varchar(4000)", .varchar(4000)),
        ("date", .date), ("datetime", .datetime(fractionalDigits: nil)), ("datetime(3)", .datetime(fractionalDigits: 3)),
        ("datetime(6)", .datetime(fractionalDigits: 6)), ("datetime(0)", .datetime(fractionalDigits: 0)),
        ("json", .json), ("uuid", .uuid), ("bytes", .bytes),
    ])
    func coreTypes(_ text: String, _ expected: AttributeType) throws {
        let a = try attribute("x : \(text)  # c")
        #expect(a.type == expected)
        #expect(a.typeText == text)
        #expect(a.type.isCore)
        #expect(a.comment == "c")
    }

    @Test("core type names are case-insensitive")
    func caseInsensitiveCoreTypes() throws {
        #expect(try parsedType("INT32") == .int32)
        #expect(try parsedType("Float64") == .float64)
        #expect(try parsedType("VARCHAR(8)") == .varchar(8))
    }

    @Test("enum values keep their case and order")
    func enumSimple() throws {
        #expect(try parsedType("enum('Spring', 'Summer', 'Fall')") == .enumeration(["Spring", "Summer", "Fall"]))
        #expect(try parsedType("enum('a','b')") == .enumeration(["a", "b"]))
        #expect(try parsedType(#"enum("x", "y")"#) == .enumeration(["x", "y"]))
    }

    @Test("enum values with spaces, commas, hashes, colons and quotes")
    func enumSpecialValues() throws {
        let a = try attribute("kind : enum('mid high', 'a,b', 'it''s', '#1', 'x:y')  # kind of thing")
        #expect(a.type == .enumeration(["mid high", "a,b", "it's", "#1", "x:y"]))
        #expect(a.comment == "kind of thing")
    }

    @Test("native types pass through with their category", arguments: [
        ("tinyint unsigned", AttributeType.NativeCategory.integer), ("smallint", .integer), ("int", .integer),
        ("bigint unsigned", .integer), ("int(11)", .integer), ("integer", .integer),
        ("double", .float), ("float", .float), ("real", .float),
        ("numeric(8,3)", .numeric),
        ("longblob", .blob), ("blob", .blob), ("mediumblob", .blob), ("tinyblob", .blob),
        ("text", .text), ("longtext", .text), ("mediumtext", .text),
        ("timestamp", .temporal), ("time", .temporal), ("year", .temporal),
    ])
    func nativeTypes(_ text: String, _ category: AttributeType.NativeCategory) throws {
        let a = try attribute("x : \(text)")
        #expect(a.type == .native(text, category))
        #expect(a.typeText == text)
        #expect(!a.type.isCore)
    }

    @Test("type descriptions round-trip through the parser")
    func typeDescriptionRoundTrip() throws {
        let types: [AttributeType] = [
            .int8, .int16, .int32, .int64, .float32, .float64, .bool, .decimal(precision: 7, scale: 3), .char(2),
            .varchar(30), .enumeration(["a b", "c,d", "it's"]), .date, .datetime(fractionalDigits: nil),
            .datetime(fractionalDigits: 6), .json, .uuid, .bytes,
        ]
        for t in types {
            #expect(AttributeType(parsing: t.description) == t, "\(t)")
        }
    }
}

// MARK: foreign keys

@Suite("Definition parser: foreign keys")
struct DefinitionForeignKeyTests {
    private func fk(_ line: String, inKey: Bool = true) throws -> ForeignKeyDeclaration {
        let d = try parse(inKey ? "\(line)\n---\nx : int32\n" : "id : int32\n---\n\(line)\n")
        return try #require(foreignKeys(d).first)
    }

    @Test("-> Parent in the primary key")
    func plain() throws {
        let f = try fk("-> Parent")
        #expect(f.reference == "Parent")
        #expect(!f.nullable && !f.unique)
        #expect(f.renames.isEmpty)
        #expect(f.inPrimaryKey)
        #expect(f.line == "-> Parent")
    }

    @Test("-> Parent in the secondary section")
    func secondary() throws {
        let f = try fk("-> Parent", inKey: false)
        #expect(f.reference == "Parent")
        #expect(!f.inPrimaryKey)
    }

    @Test("no space after the arrow, and a trailing comment")
    func compactWithComment() throws {
        let f = try fk("->Parent   # why this parent")
        #expect(f.reference == "Parent")
    }

    @Test("-> [nullable] Parent")
    func nullable() throws {
        let f = try fk("-> [nullable] Parent", inKey: false)
        #expect(f.reference == "Parent")
        #expect(f.nullable && !f.unique)
    }

    @Test("-> [unique] Parent")
    func unique() throws {
        let f = try fk("-> [unique] Parent", inKey: false)
        #expect(f.reference == "Parent")
        #expect(!f.nullable && f.unique)
    }

    @Test("-> [nullable, unique] Parent, in either order")
    func nullableUnique() throws {
        for line in ["-> [nullable, unique] Parent", "-> [unique, nullable] Parent", "-> [nullable,unique] Parent"] {
            let f = try fk(line, inKey: false)
            #expect(f.reference == "Parent", "\(line)")
            #expect(f.nullable && f.unique, "\(line)")
        }
    }

    @Test("-> [unique] Parent in the primary key")
    func uniqueInKey() throws {
        let f = try fk("-> [unique] Parent")
        #expect(f.unique && f.inPrimaryKey)
    }

    @Test("-> Parent.proj(new_name='old_name')")
    func projection() throws {
        let f = try fk("-> Parent.proj(new_name='old_name')", inKey: false)
        #expect(f.reference == "Parent")
        #expect(f.renames.map(\.newName) == ["new_name"])
        #expect(f.renames.map(\.originalName) == ["old_name"])
    }

    @Test("projection with several renames and double quotes")
    func projectionSeveral() throws {
        let f = try fk(#"-> Neuron.proj(pre_id="neuron_id", pre_session = 'session_id')"#)
        #expect(f.reference == "Neuron")
        #expect(f.renames.map(\.newName) == ["pre_id", "pre_session"])
        #expect(f.renames.map(\.originalName) == ["neuron_id", "session_id"])
    }

    @Test("projection with options")
    func projectionWithOptions() throws {
        let f = try fk("-> [nullable] Person.proj(mentor_id='person_id')", inKey: false)
        #expect(f.nullable)
        #expect(f.reference == "Person")
        #expect(f.renames.first?.newName == "mentor_id")
    }

    @Test("-> master")
    func master() throws {
        let f = try fk("-> master")
        #expect(f.reference == "master")
        #expect(f.inPrimaryKey)
    }

    @Test("-> other_schema.Parent")
    func otherSchema() throws {
        let f = try fk("-> other_schema.Parent")
        #expect(f.reference == "other_schema.Parent")
    }

    @Test("-> Master.Part")
    func masterPart() throws {
        let f = try fk("-> Session.Trial", inKey: false)
        #expect(f.reference == "Session.Trial")
    }

    @Test("-> other_schema.Parent.proj(...)")
    func otherSchemaProjection() throws {
        let f = try fk("-> lab.Person.proj(owner_id='person_id')", inKey: false)
        #expect(f.reference == "lab.Person")
        #expect(f.renames.map(\.newName) == ["owner_id"])
    }
}

// MARK: indexes

@Suite("Definition parser: indexes")
struct DefinitionIndexTests {
    @Test("index(a, b)")
    func index() throws {
        let d = try parse("id : int32\n---\na : int32\nb : int32\nindex(a, b)\n")
        let i = try #require(indexes(d).first)
        #expect(!i.unique)
        #expect(i.columns == ["a", "b"])
        #expect(i.line == "index(a, b)")
    }

    @Test("unique index(a)")
    func uniqueIndex() throws {
        let d = try parse("id : int32\n---\na : int32\nunique index(a)\n")
        let i = try #require(indexes(d).first)
        #expect(i.unique)
        #expect(i.columns == ["a"])
    }

    @Test("spacing, case and a trailing comment")
    func spacingAndComment() throws {
        let d = try parse(
            "id : int32\n---\na : int32\nb : int32\nindex (a,b)  # for lookups\nUNIQUE INDEX ( b )\n")
        let i = indexes(d)
        #expect(i.count == 2)
        #expect(i.first?.columns == ["a", "b"])
        #expect(i.first?.unique == false)
        #expect(i.last?.columns == ["b"])
        #expect(i.last?.unique == true)
    }

    @Test("an index with an SQL expression")
    func expressionIndex() throws {
        let d = try parse("id : int32\n---\nlast_name : varchar(50)\nbirth_date : date\nindex(last_name, (YEAR(birth_date)))\n")
        #expect(indexes(d).first?.columns == ["last_name", "(YEAR(birth_date))"])
    }
}

// MARK: validation errors

@Suite("Definition parser: validation errors")
struct DefinitionErrorTests {
    @Test("invalid attribute names", arguments: ["Name : int32", "1abc : int32", "my-attr : int32", "myAttr : int32", "é : int32"])
    func badNames(_ line: String) {
        expectDeclarationError("id : int32\n---\n\(line)\n", quoting: line)
    }

    @Test("unknown types", arguments: [
        "x : int24", "x : integer32", "x : varchar", "x : varchar()",
        "x : datetime(7)", "x : enum()", "x : enum(a, b)", "x : string", "x : float128",
    ])
    func unknownTypes(_ line: String) {
        expectDeclarationError("id : int32\n---\n\(line)\n", quoting: line)
    }

    @Test("unknown type message names the type")
    func unknownTypeMessage() throws {
        let error = #expect(throws: DataJointError.self) { try parse("id : int32\n---\nx : int24\n") }
        #expect(error?.message.contains("int24") == true)
    }

    @Test("a missing type")
    func missingType() {
        expectDeclarationError("id : int32\n---\nx :   # no type\n", quoting: "x :   # no type")
    }

    @Test("a nullable primary-key attribute")
    func nullablePrimaryKey() {
        expectDeclarationError("id = null : int32\n---\nx : int32\n", quoting: "id = null : int32")
        expectDeclarationError("id = NULL : int32\n", quoting: "id = NULL : int32")
    }

    @Test("a non-null default for bytes, json or blob", arguments: [
        "data = '' : bytes", #"data = "abc" : bytes"#, "doc = '{}' : json", "doc = 0 : json", "raw = 0 : longblob",
        "raw = '' : blob", "doc = true : json",
    ])
    func nonNullBinaryDefault(_ line: String) {
        expectDeclarationError("id : int32\n---\n\(line)\n", quoting: line)
    }

    @Test("a leading underscore", arguments: ["_hidden : bool", "_x = 1 : int32", "_singleton : bool"])
    func leadingUnderscore(_ line: String) {
        expectDeclarationError("id : int32\n---\n\(line)\n", quoting: line)
        expectDeclarationError("\(line)\n---\nx : int32\n", quoting: line)
    }

    @Test("an attribute comment starting with a colon")
    func attributeCommentColon() {
        expectDeclarationError("id : int32\n---\nx : int32  # :float32: sneaky\n", quoting: "x : int32  # :float32: sneaky")
        expectDeclarationError("id : int32  #:bad\n", quoting: "id : int32  #:bad")
    }

    @Test("a table comment starting with a colon")
    func tableCommentColon() {
        expectDeclarationError("#: not a comment\nid : int32\n", quoting: "#: not a comment")
        expectDeclarationError("# :also not\nid : int32\n", quoting: "# :also not")
    }

    @Test("an invalid foreign key option")
    func invalidForeignKeyOption() {
        expectDeclarationError("id : int32\n---\n-> [optional] Parent\n", quoting: "-> [optional] Parent")
        expectDeclarationError("id : int32\n---\n-> [nullable, cached] Parent\n", quoting: "-> [nullable, cached] Parent")
    }

    @Test("an unclosed foreign key option list")
    func unclosedOptions() {
        expectDeclarationError("id : int32\n---\n-> [nullable Parent\n", quoting: "-> [nullable Parent")
    }

    @Test("a nullable foreign key in the primary key")
    func nullableForeignKeyInKey() {
        expectDeclarationError("-> [nullable] Parent\nid : int32\n---\nx : int32\n", quoting: "-> [nullable] Parent")
        expectDeclarationError("-> [nullable, unique] Parent\n", quoting: "-> [nullable, unique] Parent")
    }

    @Test("malformed foreign key references", arguments: [
        "-> ", "-> Parent Table", "-> Parent.proj(new_name)", "-> Parent.proj(new_name='old_name'", "-> 1Parent",
        "-> Parent..Part",
    ])
    func malformedForeignKeys(_ line: String) {
        expectDeclarationError("id : int32\n---\n\(line)\n", quoting: line)
    }

    @Test("a duplicate attribute")
    func duplicateAttribute() {
        expectDeclarationError("id : int32\n---\nx : int32\nx : float64\n", quoting: "x : float64")
        expectDeclarationError("id : int32\n---\nid : int32\n", quoting: "id : int32")
    }

    @Test("a missing colon", arguments: ["x int32", "x = 5 int32", "x int32 # comment"])
    func missingColon(_ line: String) {
        expectDeclarationError("id : int32\n---\n\(line)\n", quoting: line)
    }

    @Test("malformed indexes", arguments: ["index()", "index(a, b", "unique index()", "index(a, (b)"])
    func malformedIndex(_ line: String) {
        expectDeclarationError("id : int32\n---\na : int32\nb : int32\n\(line)\n", quoting: line)
    }

    @Test("malformed defaults", arguments: [
        "x = abc def : int32", "x = abc : int32", "x =  : int32", #"x = "unterminated : varchar(10)"#,
        "x = 1.2.3 : float64", "x = 12abc : int32",
    ])
    func malformedDefault(_ line: String) {
        expectDeclarationError("id : int32\n---\n\(line)\n", quoting: line)
    }

    @Test("an enum default not in the enum")
    func enumDefaultNotMember() {
        expectDeclarationError("id : int32\n---\nx = 'c' : enum('a', 'b')\n", quoting: "x = 'c' : enum('a', 'b')")
        expectDeclarationError("id : int32\n---\nx = \"\" : enum('a', 'b')\n", quoting: #"x = "" : enum('a', 'b')"#)
    }

    @Test("every declaration error has kind .declaration and quotes its line in the form `in line \"...\"`")
    func messageFormat() throws {
        let error = #expect(throws: DataJointError.self) { try parse("id : int32\n---\n  Bad : int32  \n") }
        #expect(error?.kind == .declaration)
        #expect(error?.message.contains("in line \"Bad : int32\"") == true)
    }
}
