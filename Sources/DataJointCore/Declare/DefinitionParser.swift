import Foundation

/// Parses the DataJoint definition language into a `TableDefinition`.
///
/// Every rule that can be checked without the database is enforced here, and each error quotes the line.
public struct DefinitionParser: Sendable {
    public init() {}

    /// Parses a definition string.
    public func parse(_ definition: String) throws -> TableDefinition {
        var lines = definition.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        while lines.first?.isEmpty == true { lines.removeFirst() }
        var result = TableDefinition()
        if let first = lines.first, first.hasPrefix("#") {
            let comment = first.dropFirst().trimmingCharacters(in: .whitespaces)
            if comment.hasPrefix(":") {
                throw DataJointError.declaration("The table comment must not start with a colon \":\"", line: first)
            }
            result.comment = comment
            lines.removeFirst()
        }
        var inKey = true
        var declaredNames = Set<String>()
        for line in lines {
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("---") {
                inKey = false
            } else if isForeignKey(line) {
                result.lines.append(.foreignKey(try parseForeignKey(line, inKey: inKey)))
            } else if line.range(of: #"^(unique\s+)?index\s*\("#, options: [.regularExpression, .caseInsensitive]) != nil {
                result.lines.append(.index(try parseIndex(line)))
            } else if line.hasPrefix("_") {
                throw DataJointError.declaration(
                    "The attribute name starts with an underscore. Names with a leading underscore are reserved for "
                        + "platform-managed columns (such as _job_start_time and _singleton); use a regular name, "
                        + "and proj() to leave an attribute out of a query", line: line)
            } else {
                let attribute = try parseAttribute(line, inKey: inKey)
                if declaredNames.contains(attribute.name) {
                    throw DataJointError.declaration("Attribute `\(attribute.name)` is declared twice", line: line)
                }
                declaredNames.insert(attribute.name)
                result.lines.append(.attribute(attribute))
            }
        }
        return result
    }

    func isForeignKey(_ line: String) -> Bool {
        guard let arrow = line.range(of: "->") else { return false }
        return !line[..<arrow.lowerBound].contains(where: { "\"#'".contains($0) })
    }

    // MARK: attributes

    func parseAttribute(_ line: String, inKey: Bool) throws -> AttributeDeclaration {
        let chars = Array(line)
        var i = 0
        var name = ""
        while i < chars.count, chars[i].isASCII, chars[i].isLetter || chars[i].isNumber || chars[i] == "_" {
            name.append(chars[i])
            i += 1
        }
        guard name.range(of: #"^[a-z_][a-z0-9_]*\z"#, options: .regularExpression) != nil else {
            throw DataJointError.declaration(
                "Declaration error: invalid attribute name; names are lowercase letters, digits and underscores, "
                    + "starting with a letter", line: line)
        }
        func skipSpace() { while i < chars.count, chars[i] == " " || chars[i] == "\t" { i += 1 } }
        skipSpace()
        var defaultText: String?
        if i < chars.count, chars[i] == "=" {
            i += 1
            guard let end = chars.firstIndexOutsideQuotes(from: i, where: { chars[$0] == ":" }) else {
                throw DataJointError.declaration("Declaration error: expected \":\" followed by a type", line: line)
            }
            defaultText = String(chars[i..<end]).trimmingCharacters(in: .whitespaces)
            i = end
        }
        guard i < chars.count, chars[i] == ":" else {
            throw DataJointError.declaration(
                "Declaration error: expected \"name [= default] : type [# comment]\"", line: line)
        }
        i += 1
        let commentStart = chars.firstIndexOutsideQuotes(from: i, where: { chars[$0] == "#" }) ?? chars.count
        let typeText = String(chars[i..<commentStart]).trimmingCharacters(in: .whitespaces)
        let comment = commentStart < chars.count
            ? String(chars[(commentStart + 1)...]).trimmingCharacters(in: .whitespaces) : ""
        if comment.hasPrefix(":") {
            throw DataJointError.declaration("An attribute comment must not start with a colon", line: line)
        }
        guard !typeText.isEmpty else {
            throw DataJointError.declaration("Declaration error: the attribute type is missing", line: line)
        }
        guard let type = AttributeType(parsing: typeText) else {
            throw DataJointError.declaration("Unsupported attribute type `\(typeText)`", line: line)
        }
        var defaultValue: DefaultValue?
        if let defaultText {
            guard !defaultText.isEmpty else {
                throw DataJointError.declaration("Declaration error: the default value is missing after \"=\"", line: line)
            }
            defaultValue = try parseDefault(defaultText, line: line)
        }
        if defaultValue == .null, inKey {
            throw DataJointError.declaration("Primary key attributes cannot be nullable", line: line)
        }
        if let defaultValue, defaultValue != .null {
            switch type {
            case .bytes, .codec, .native(_, .blob), .json:
                throw DataJointError.declaration(
                    "The default value for blob and json attributes can only be null", line: line)
            default: break
            }
            if type.isNumeric, type != .bool, case .string(let s) = defaultValue {
                throw DataJointError.declaration("The default \"\(s)\" is not a number", line: line)
            }
            if case .enumeration(let members) = type, case .string(let s) = defaultValue, !members.contains(s) {
                throw DataJointError.declaration("The default \"\(s)\" is not one of the enum values", line: line)
            }
        }
        return AttributeDeclaration(
            name: name, type: type, typeText: typeText, defaultValue: defaultValue,
            comment: comment, inPrimaryKey: inKey, line: line)
    }

    func parseDefault(_ text: String, line: String) throws -> DefaultValue {
        let upper = text.uppercased()
        if upper == "NULL" { return .null }
        if upper == "CURRENT_TIMESTAMP" { return .currentTimestamp }
        if upper.hasPrefix("CURRENT_TIMESTAMP("), upper.hasSuffix(")"),
            let digits = Int(upper.dropFirst("CURRENT_TIMESTAMP(".count).dropLast().trimmingCharacters(in: .whitespaces))
        {
            return .currentTimestampPrecision(digits)
        }
        if upper == "TRUE" { return .bool(true) }
        if upper == "FALSE" { return .bool(false) }
        if let q = text.first, q == "\"" || q == "'" {
            guard text.count >= 2, text.last == q else {
                throw DataJointError.declaration("Declaration error: unterminated quoted default", line: line)
            }
            let inner = String(text.dropFirst().dropLast())
            let doubled = String(q) + String(q)
            return .string(inner.replacingOccurrences(of: "\\" + String(q), with: String(q))
                .replacingOccurrences(of: doubled, with: String(q)))
        }
        if text.range(of: #"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\z"#, options: .regularExpression) != nil {
            return .literal(text)
        }
        // As in the reference, an unquoted word is a string default.
        guard !text.contains(where: { $0 == "'" || $0 == "\"" || $0 == "(" || $0 == ")" }) else {
            throw DataJointError.declaration(
                "Declaration error: the default \(text) must be null, CURRENT_TIMESTAMP, a number, true, false, "
                    + "or a quoted string", line: line)
        }
        return .string(text)
    }

    // MARK: foreign keys

    func parseForeignKey(_ line: String, inKey: Bool) throws -> ForeignKeyDeclaration {
        var rest = Substring(line)
        rest = rest[rest.range(of: "->")!.upperBound...]
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        var text = rest.trimmingCharacters(in: .whitespaces)
        var nullable = false
        var unique = false
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                throw DataJointError.declaration("Foreign key options must be closed with \"]\"", line: line)
            }
            let options = text[text.index(after: text.startIndex)..<close].split(separator: ",")
                .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            for option in options {
                switch option {
                case "nullable": nullable = true
                case "unique": unique = true
                default:
                    throw DataJointError.declaration("Invalid foreign key option \"\(option)\"", line: line)
                }
            }
            text = text[text.index(after: close)...].trimmingCharacters(in: .whitespaces)
        }
        if nullable, inKey {
            throw DataJointError.declaration("Primary dependencies cannot be nullable", line: line)
        }
        var renames: [ForeignKeyDeclaration.Rename] = []
        var reference = text
        if let projRange = text.range(of: ".proj(") {
            reference = String(text[..<projRange.lowerBound])
            guard text.hasSuffix(")") else {
                throw DataJointError.declaration("Malformed projection in foreign key", line: line)
            }
            let args = text[projRange.upperBound..<text.index(before: text.endIndex)]
            for arg in args.split(separator: ",") {
                let parts = arg.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2 else {
                    throw DataJointError.declaration(
                        "A foreign key projection may only rename attributes, as new_name='old_name'", line: line)
                }
                let old = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
                guard isIdentifier(parts[0]), isIdentifier(old) else {
                    throw DataJointError.declaration("Malformed projection in foreign key", line: line)
                }
                renames.append(.init(newName: parts[0], originalName: old))
            }
        }
        guard !reference.isEmpty,
            reference.split(separator: ".", omittingEmptySubsequences: false).allSatisfy({ isIdentifier(String($0)) })
        else {
            throw DataJointError.declaration("Foreign key reference \"\(reference)\" could not be resolved", line: line)
        }
        return ForeignKeyDeclaration(
            reference: reference, nullable: nullable, unique: unique, renames: renames, inPrimaryKey: inKey, line: line)
    }

    func isIdentifier(_ s: String) -> Bool {
        s.range(of: #"^[A-Za-z_][A-Za-z0-9_]*\z"#, options: .regularExpression) != nil
    }

    // MARK: indexes

    func parseIndex(_ line: String) throws -> IndexDeclaration {
        var text = line
        if let hash = text.range(of: #"\s*#.*$"#, options: .regularExpression) { text.removeSubrange(hash) }
        let unique = text.lowercased().hasPrefix("unique")
        guard let open = text.firstIndex(of: "("), text.hasSuffix(")") else {
            throw DataJointError.declaration("Table definition syntax error", line: line)
        }
        let inner = text[text.index(after: open)..<text.index(before: text.endIndex)]
        var columns: [String] = []
        var current = ""
        var depth = 0
        for c in inner {
            if c == "(" { depth += 1 }
            if c == ")" { depth -= 1 }
            if c == ",", depth == 0 {
                columns.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else {
                current.append(c)
            }
        }
        columns.append(current.trimmingCharacters(in: .whitespaces))
        columns = columns.filter { !$0.isEmpty }
        guard !columns.isEmpty, depth == 0 else {
            throw DataJointError.declaration("An index must name at least one attribute", line: line)
        }
        return IndexDeclaration(unique: unique, columns: columns, line: line)
    }
}
