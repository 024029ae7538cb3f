/// The evaluated arguments of one call in query text, and how each method and function of the language reads them.
struct QueryTextCall: Sendable {
    struct Argument: Sendable {
        var value: QueryTextValue
        var offset: Int
        /// Where the keyword of a keyword argument starts.
        var keywordOffset: Int? = nil
    }

    let name: String
    let offset: Int
    var positional: [Argument] = []
    /// Keyword arguments in the order written (`**{...}` contributes its entries in order).
    var keywords: [(name: String, argument: Argument)] = []

    init(_ arguments: [QueryTextArgument], evaluator: QueryTextEvaluator, name: String, offset: Int) async throws {
        self.name = name
        self.offset = offset
        for argument in arguments {
            let value = try await evaluator.evaluate(argument.value)
            let position = argument.value.offset
            if argument.unpacked {
                guard case .dictionary(let pairs) = value else {
                    throw QueryTextError("`**` needs a dictionary, not \(value.kindDescription)", at: position)
                }
                for pair in pairs { try addKeyword(pair.name, Argument(value: pair.value, offset: position)) }
            } else if let keyword = argument.keyword {
                try addKeyword(keyword, Argument(value: value, offset: position, keywordOffset: argument.keywordOffset))
            } else {
                guard keywords.isEmpty else {
                    throw QueryTextError("a positional argument follows a keyword argument", at: position)
                }
                positional.append(Argument(value: value, offset: position))
            }
        }
    }

    private mutating func addKeyword(_ name: String, _ argument: Argument) throws {
        guard !keywords.contains(where: { $0.name == name }) else {
            throw QueryTextError("`\(name)` is given twice in `\(self.name)(...)`", at: argument.keywordOffset ?? argument.offset)
        }
        keywords.append((name, argument))
    }

    // MARK: query methods

    /// `q.proj(...)`, `q.aggr(...)`, `q.join(...)`, `q.extend(...)`, `q.restrict(...)`.
    func apply(_ method: String, to query: QueryExpression) throws -> QueryExpression {
        switch method {
        case "proj":
            return QueryExpression(.project(query.node, try projection(from: positional, options: [])))
        case "aggr":
            guard let group = positional.first, case .query(let other) = group.value else {
                throw QueryTextError("`aggr` needs the query to aggregate as its first argument", at: positional.first?.offset ?? offset)
            }
            // DataJoint-Python 2.x spells it `exclude_nonmatching=True`; 0.x spelled the opposite `keep_all_rows=False`.
            let keepAll = try flag("keep_all_rows", default: true) && !(try flag("exclude_nonmatching", default: false))
            let spec = try projection(from: Array(positional.dropFirst()), options: ["exclude_nonmatching", "keep_all_rows"])
            return QueryExpression(.aggregate(query.node, other.node, spec, keepAll: keepAll))
        case "join":
            let other = try singleQuery(options: ["left", "semantic_check"])
            return query.join(other, left: try flag("left", default: false), semanticCheck: try flag("semantic_check", default: true))
        case "extend":
            let other = try singleQuery(options: ["semantic_check"])
            return query.extend(other, semanticCheck: try flag("semantic_check", default: true))
        default:  // restrict
            try allowOnly(["semantic_check"])
            guard positional.count == 1 else {
                throw QueryTextError("`restrict` takes one condition", at: positional.dropFirst().first?.offset ?? offset)
            }
            if case .top(let top) = positional[0].value { return QueryExpression(.top(query.node, top)) }
            let condition = try QueryTextCall.restriction(positional[0])
            return QueryExpression(.restrict(query.node, condition, semanticCheck: try flag("semantic_check", default: true)))
        }
    }

    /// `U(...).aggr(query, name='expression', ...)`.
    func universalAggregate(_ attributes: [String]) throws -> QueryExpression {
        guard positional.count == 1, case .query(let other) = positional[0].value else {
            throw QueryTextError("`U(...).aggr` needs one query to aggregate", at: positional.first?.offset ?? offset)
        }
        let spec = try projection(from: [], options: [])
        return QueryExpression(.universalAggregate(attributes, other.node, spec))
    }

    /// The attribute names and `name='expression'` keywords of `proj` and `aggr`.
    private func projection(from arguments: [Argument], options: Set<String>) throws -> ProjectionSpec {
        var attributes: [String] = []
        for argument in arguments {
            switch argument.value {
            case .string(let name): attributes.append(name)
            case .ellipsis: attributes.append("...")
            default:
                throw QueryTextError(
                    "`\(name)` takes attribute names in quotes or `...`, not \(argument.value.kindDescription)", at: argument.offset)
            }
        }
        var named: [(name: String, expression: SQL)] = []
        for (keyword, argument) in keywords where !options.contains(keyword) {
            guard case .string(let expression) = argument.value else {
                throw QueryTextError(
                    "`\(keyword)=` takes an attribute name or an SQL expression in quotes, not \(argument.value.kindDescription)",
                    at: argument.offset)
            }
            named.append((keyword, SQL(verbatim: expression)))
        }
        return ProjectionSpec(attributes: attributes, named: named)
    }

    private func singleQuery(options: Set<String>) throws -> QueryExpression {
        try allowOnly(options)
        guard positional.count == 1, case .query(let other) = positional[0].value else {
            throw QueryTextError("`\(name)` takes one query", at: positional.first?.offset ?? offset)
        }
        return other
    }

    private func allowOnly(_ options: Set<String>) throws {
        if let unknown = keywords.first(where: { !options.contains($0.name) }) {
            let allowed = options.isEmpty ? "none" : options.sorted().joined(separator: ", ")
            throw QueryTextError(
                "`\(name)` has no argument `\(unknown.name)` (it takes: \(allowed))",
                at: unknown.argument.keywordOffset ?? unknown.argument.offset)
        }
    }

    private func flag(_ keyword: String, default value: Bool) throws -> Bool {
        guard let argument = keywords.first(where: { $0.name == keyword })?.argument else { return value }
        guard case .literal(.bool(let flag)) = argument.value else {
            throw QueryTextError("`\(keyword)=` takes True or False", at: argument.offset)
        }
        return flag
    }

    // MARK: functions

    /// `U('a', 'b')`.
    func universalAttributes() throws -> [String] {
        try allowOnly([])
        return try positional.map { argument in
            guard case .string(let attribute) = argument.value else {
                throw QueryTextError("`U` takes attribute names in quotes", at: argument.offset)
            }
            return attribute
        }
    }

    /// `Top(limit=1, order_by='KEY', offset=0)`, positionally or by keyword.
    func top() throws -> Top {
        try allowOnly(["limit", "order_by", "offset"])
        let parameters = ["limit", "order_by", "offset"]
        guard positional.count <= parameters.count else {
            throw QueryTextError("`Top` takes at most limit, order_by and offset", at: positional[parameters.count].offset)
        }
        func argument(_ index: Int) throws -> Argument? {
            let keyword = keywords.first(where: { $0.name == parameters[index] })?.argument
            if index < positional.count {
                if let keyword { throw QueryTextError("`\(parameters[index])` is given twice in `Top(...)`", at: keyword.offset) }
                return positional[index]
            }
            return keyword
        }
        var top = Top()
        if let limit = try argument(0) {
            switch limit.value {
            case .literal(.int(let n)) where n >= 0: top.limit = Int(n)
            case .literal(.null): top.limit = nil
            default: throw QueryTextError("`Top`'s limit is a whole number of 0 or more, or None", at: limit.offset)
            }
        }
        if let orderBy = try argument(1) {
            switch orderBy.value {
            case .string(let text): top.orderBy = [SQL(verbatim: text)]
            case .literal(.null): top.orderBy = nil
            case .list(let items):
                top.orderBy = try items.map { item in
                    guard case .string(let text) = item else {
                        throw QueryTextError("`Top`'s order_by lists attribute names in quotes", at: orderBy.offset)
                    }
                    return SQL(verbatim: text)
                }
            default: throw QueryTextError("`Top`'s order_by is an attribute name in quotes, a list of them, or None", at: orderBy.offset)
            }
        }
        if let skip = try argument(2) {
            guard case .literal(.int(let n)) = skip.value, n >= 0 else {
                throw QueryTextError("`Top`'s offset is a whole number of 0 or more", at: skip.offset)
            }
            top.offset = Int(n)
        }
        return top
    }

    /// The one argument of `Not(...)`.
    func single(_ read: (Argument) throws -> Restriction) throws -> Restriction {
        try allowOnly([])
        guard positional.count == 1 else {
            throw QueryTextError("`\(name)` takes one condition", at: positional.dropFirst().first?.offset ?? offset)
        }
        return try read(positional[0])
    }

    /// `AndList([a, b])` or `AndList(a, b)`.
    func andList(_ read: (Argument) throws -> Restriction) throws -> [Restriction] {
        try allowOnly([])
        if positional.count == 1, case .list(let items) = positional[0].value {
            return try items.map { try read(Argument(value: $0, offset: positional[0].offset)) }
        }
        return try positional.map(read)
    }

    /// An argument used as a restriction.
    static func restriction(_ argument: Argument) throws -> Restriction {
        try QueryTextRestriction.restriction(argument.value, at: argument.offset)
    }
}
