import Foundation

/// Compiles query trees to SQL, checking attributes and lineage on the way.
///
/// Operators modify the SELECT of their operand in place when SQL allows it and wrap it as a subquery when
/// it does not (restricting a computed attribute, anything after a LIMIT, aggregations and unions as operands).
struct QueryCompiler {
    let aliases = AliasGenerator()

    static func compile(_ node: QueryNode) async throws -> CompiledQuery {
        try await QueryCompiler().compile(node)
    }

    func compile(_ node: QueryNode) async throws -> CompiledQuery {
        switch node {
        case .source(let convertible):
            let expression = try await convertible.queryExpression()
            if case .source = expression.node {
                throw DataJointError(.query, "a query source must resolve to a table or an expression")
            }
            return try await compile(expression.node)
        case .base(let name, let heading, let connection):
            let select = SQLSelect(columns: heading.names.map { (.column($0), nil) }, from: .table(name))
            return CompiledQuery(
                heading: heading, select: select, connection: connection, isPlain: true, exposesOnlyHeading: true,
                top: nil, baseTable: name)
        case .restrict(let child, let restriction, let semanticCheck):
            return try await restrict(try await compile(child), restriction, semanticCheck: semanticCheck)
        case .project(let child, let spec):
            return try project(try await compile(child), spec)
        case .join(let left, let right, let isLeft, let semanticCheck):
            return try await join(try await compile(left), try await compile(right), left: isLeft, semanticCheck: semanticCheck)
        case .aggregate(let group, let over, let spec, let keepAll):
            return try await aggregate(try await compile(group), try await compile(over), spec, keepAll: keepAll)
        case .union(let a, let b):
            return try union(try await compile(a), try await compile(b))
        case .universal(let attributes, let child):
            return try universal(attributes, try await compile(child))
        case .universalAggregate(let attributes, let child, let spec):
            return try universalAggregate(attributes, try await compile(child), spec)
        case .top(let child, let top):
            return try applyTop(top, to: try await compile(child))
        }
    }

    // MARK: helpers

    /// `SELECT <heading> FROM (<query>) AS _sN`: a plain query over the compiled one.
    func wrap(_ query: CompiledQuery) -> CompiledQuery {
        let alias = aliases.next()
        let select = SQLSelect(columns: query.heading.names.map { (.column($0), nil) }, from: .subquery(query.select, alias: alias))
        return CompiledQuery(
            heading: query.heading, select: select, connection: query.connection, isPlain: true, exposesOnlyHeading: true,
            top: nil, baseTable: nil, computed: query.computed)
    }

    /// The left operand of a join: its FROM clause and WHERE condition, merged into the join when the operand
    /// exposes no column but its heading's; else a subquery.
    func leftOperand(_ query: CompiledQuery) -> (SQLSource, SQLExpression?) {
        if query.isPlain, query.exposesOnlyHeading { return (query.select.source, query.select.whereClause) }
        return (.subquery(query.select, alias: aliases.next()), nil)
    }

    /// The right operand of a join: the FROM clause itself when unrestricted, else a subquery.
    func rightOperand(_ query: CompiledQuery) -> SQLSource {
        if query.isPlain, query.exposesOnlyHeading, query.select.whereClause == nil { return query.select.source }
        return .subquery(query.select, alias: aliases.next())
    }

    static func description(of query: CompiledQuery) -> String {
        query.baseTable.map { "`\($0.schema)`.`\($0.table)`" } ?? "(\(query.heading.names.joined(separator: ", ")))"
    }

    func checkSameConnection(_ a: CompiledQuery, _ b: CompiledQuery) throws {
        guard a.connection === b.connection else {
            throw DataJointError(.query, "cannot combine queries of two different connections")
        }
    }

    /// The namesakes of two headings that may be matched, after checking that they share lineage.
    func matchedAttributes(
        _ a: CompiledQuery, _ b: CompiledQuery, semanticCheck: Bool, operation: String
    ) throws -> [String] {
        let common = a.heading.names.filter { b.heading.contains($0) }
        guard semanticCheck else { return common }
        guard a.heading.lineageAvailable, b.heading.lineageAvailable else {
            a.connection.logger.warning(
                "Semantic check skipped in \(operation): a schema involved has no ~lineage table; run schema.rebuildLineage()")
            return common
        }
        for name in common {
            let la = a.heading[name]!.lineage
            let lb = b.heading[name]!.lineage
            if la == nil || la != lb {
                throw DataJointError(
                    .semanticMismatch,
                    "Cannot \(operation) \(QueryCompiler.description(of: a)) and \(QueryCompiler.description(of: b)) on `\(name)`: "
                        + "the attribute has lineage \(la ?? "none") in the first and \(lb ?? "none") in the second, so the "
                        + "values do not mean the same thing. Rename one side with proj(named: [\"other_\(name)\": \"\(name)\"]), "
                        + "or pass semanticCheck: false to match on the name alone")
            }
        }
        return common
    }

    func checkAttributes(_ names: [String], in query: CompiledQuery, operation: String) throws {
        for name in names where !query.heading.contains(name) {
            throw DataJointError(
                .missingAttribute,
                "Attribute `\(name)` not found in \(QueryCompiler.description(of: query)) (\(operation)); it has "
                    + query.heading.names.joined(separator: ", "))
        }
    }

    // MARK: user-written SQL

    /// SQL text written by the user as a condition, translated for the dialect, with its values bound; nil when
    /// the text is blank.
    static func userSQL(_ sql: SQL, dialect: any Dialect) throws -> SQLExpression? {
        let (text, values) = try sql.markedText()
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        // Checked as sent: a line comment whose line break was trimmed would hide what follows.
        try checkContained(trimmed, written: sql, dialect: dialect)
        return trimmed.isEmpty ? nil : .fragment(dialect.translateUserSQL(trimmed), binds: values)
    }

    /// The column of a computed attribute: its SQL expression, which must not be blank.
    static func computedColumn(_ sql: SQL, name: String, dialect: any Dialect) throws -> SQLExpression {
        guard let expression = try userSQL(sql, dialect: dialect) else {
            throw DataJointError(.query, "the computed attribute `\(name)` has no expression")
        }
        return expression
    }

    // MARK: restriction

    func restrict(_ query: CompiledQuery, _ restriction: Restriction, semanticCheck: Bool) async throws -> CompiledQuery {
        var target = query.isPlain ? query : wrap(query)
        let condition = try await RestrictionCompiler(compiler: self).compile(
            restriction, for: target, semanticCheck: semanticCheck)
        if let existing = target.select.whereClause {
            target.select.whereClause = .and([existing, condition])
        } else {
            target.select.whereClause = condition
        }
        return target
    }

    // MARK: projection

    func project(_ input: CompiledQuery, _ spec: ProjectionSpec) throws -> CompiledQuery {
        let heading = input.heading
        var keep: [String] = []
        var excluded = Set<String>()
        var all = false
        for item in spec.attributes {
            if item == "..." {
                all = true
            } else if item.hasPrefix("-") {
                let name = String(item.dropFirst())
                try checkAttributes([name], in: input, operation: "proj exclusion")
                if heading[name]!.inPrimaryKey {
                    throw DataJointError(.query, "proj cannot exclude primary-key attribute `\(name)`")
                }
                excluded.insert(name)
            } else {
                try checkAttributes([item], in: input, operation: "proj")
                keep.append(item)
            }
        }
        var outNames = Set<String>()
        // New attributes: renames of existing attributes, or SQL expressions.
        var named: [(name: String, expression: SQL, rename: String?)] = []
        for (name, expression) in spec.named {
            try QueryCompiler.checkNewName(name, operation: "proj", dialect: input.connection.dialect)
            if let text = expression.verbatimText?.trimmingCharacters(in: .whitespaces), heading.contains(text) {
                named.append((name, expression, text))
            } else {
                named.append((name, expression, nil))
            }
        }
        var attributes: [Attribute] = []
        var columns: [(SQLExpression, alias: String?)] = []
        var computed = Set<String>()
        func add(_ attribute: Attribute, from source: String?, alias: String?) throws {
            guard outNames.insert(attribute.name).inserted else {
                throw DataJointError(.query, "proj would produce attribute `\(attribute.name)` twice")
            }
            attributes.append(attribute)
            columns.append((.column(source ?? attribute.name), alias))
            if input.computed.contains(source ?? attribute.name) { computed.insert(attribute.name) }
        }
        for attribute in heading.attributes {
            let renames = named.filter { $0.rename == attribute.name }
            let included = attribute.inPrimaryKey
                ? renames.isEmpty
                : (renames.isEmpty
                    ? keep.contains(attribute.name) || (all && !excluded.contains(attribute.name))
                    : keep.contains(attribute.name))
            if included { try add(attribute, from: nil, alias: nil) }
            for rename in renames {
                var copy = attribute
                copy.name = rename.name
                try add(copy, from: attribute.name, alias: rename.name)
            }
        }
        let dialect = input.connection.dialect
        for item in named where item.rename == nil {
            guard outNames.insert(item.name).inserted else {
                throw DataJointError(.query, "proj would produce attribute `\(item.name)` twice")
            }
            attributes.append(
                Attribute(name: item.name, type: .native("computed", .text), typeText: "computed", comment: "calculated attribute"))
            columns.append((try QueryCompiler.computedColumn(item.expression, name: item.name, dialect: dialect), item.name))
            computed.insert(item.name)
        }
        // Computed expressions refer to the input's output names, so the input must be plain.
        var base = input.isPlain ? input : wrap(input)
        let plain = columns.allSatisfy { column in
            if case .column = column.0, column.alias == nil { return true }
            return false
        }
        base.select.columns = columns
        base.heading = Heading(attributes, lineageAvailable: heading.lineageAvailable)
        base.isPlain = plain
        base.exposesOnlyHeading = base.exposesOnlyHeading && plain && attributes.count == heading.attributes.count
        base.computed = computed
        if !plain { base.baseTable = nil }
        return base
    }

    // MARK: join

    func join(_ a: CompiledQuery, _ b: CompiledQuery, left: Bool, semanticCheck: Bool) async throws -> CompiledQuery {
        try checkSameConnection(a, b)
        let common = try matchedAttributes(a, b, semanticCheck: semanticCheck, operation: left ? "left-join" : "join")
        let aDeterminesB = b.heading.primaryKey.allSatisfy { a.heading.contains($0) }
        let bDeterminesA = a.heading.primaryKey.allSatisfy { b.heading.contains($0) }
        if left, !aDeterminesB {
            throw DataJointError(
                .query,
                "A left join (or extend) needs the left operand to determine the right one: "
                    + "\(b.heading.primaryKey.filter { !a.heading.contains($0) }.map { "`\($0)`" }.joined(separator: ", ")) "
                    + "of the right operand's primary key is missing on the left")
        }
        let heading = QueryCompiler.joinHeading(a.heading, b.heading, aDeterminesB: aDeterminesB, bDeterminesA: bDeterminesA, left: left)
        let (leftSource, whereClause) = leftOperand(a)
        let source = SQLSource.joinUsing(leftSource, rightOperand(b), columns: common, left: left)
        let select = SQLSelect(columns: heading.names.map { (.column($0), nil) }, from: source, where: whereClause)
        return CompiledQuery(
            heading: heading, select: select, connection: a.connection, isPlain: true, exposesOnlyHeading: true, top: nil,
            baseTable: nil, computed: a.computed.union(b.computed))
    }

    static func joinHeading(_ a: Heading, _ b: Heading, aDeterminesB: Bool, bDeterminesA: Bool, left: Bool) -> Heading {
        func dependent(_ first: Heading, _ second: Heading) -> [Attribute] {
            first.attributes.filter(\.inPrimaryKey) + first.attributes.filter { !$0.inPrimaryKey }
                + second.attributes.filter { !first.contains($0.name) }.map { attribute in
                    var copy = attribute
                    copy.inPrimaryKey = false
                    if left { copy.nullable = true }
                    return copy
                }
        }
        let attributes: [Attribute]
        if aDeterminesB {
            attributes = dependent(a, b)
        } else if bDeterminesA {
            attributes = dependent(b, a)
        } else {
            let aKey = Set(a.primaryKey)
            let bKey = Set(b.primaryKey)
            attributes = a.attributes.filter(\.inPrimaryKey)
                + b.attributes.filter { $0.inPrimaryKey && !aKey.contains($0.name) }
                + a.attributes.filter { !$0.inPrimaryKey && !bKey.contains($0.name) }
                + b.attributes.filter { !$0.inPrimaryKey && !aKey.contains($0.name) && !a.contains($0.name) }
        }
        var seen = Set<String>()
        var result: [Attribute] = []
        for var attribute in attributes where seen.insert(attribute.name).inserted {
            if !aDeterminesB, !bDeterminesA, aKeyOrBKey(attribute.name, a, b) { attribute.inPrimaryKey = true }
            result.append(attribute)
        }
        return Heading(result, lineageAvailable: a.lineageAvailable && b.lineageAvailable)
    }

    private static func aKeyOrBKey(_ name: String, _ a: Heading, _ b: Heading) -> Bool {
        a.primaryKey.contains(name) || b.primaryKey.contains(name)
    }

    // MARK: aggregation

    func aggregate(_ a: CompiledQuery, _ b: CompiledQuery, _ spec: ProjectionSpec, keepAll: Bool) async throws -> CompiledQuery {
        try checkSameConnection(a, b)
        let missing = a.heading.primaryKey.filter { !b.heading.contains($0) }
        guard missing.isEmpty else {
            throw DataJointError(
                .query,
                "aggr needs the aggregated query to contain the grouping query's primary key; "
                    + "\(missing.map { "`\($0)`" }.joined(separator: ", ")) is missing from \(QueryCompiler.description(of: b))")
        }
        let common = try matchedAttributes(a, b, semanticCheck: true, operation: "aggregate")
        // The grouping query's attributes to keep: its primary key and the named ones.
        let kept = try project(a, ProjectionSpec(attributes: spec.attributes, named: [])).heading
        let (groupSource, whereClause) = leftOperand(a)
        let source = SQLSource.joinUsing(groupSource, .subquery(b.select, alias: aliases.next()), columns: common, left: keepAll)
        var attributes = kept.attributes
        var columns: [(SQLExpression, alias: String?)] = kept.names.map { (.column($0), nil) }
        var computed = a.computed.intersection(Set(kept.names))
        for (name, expression) in spec.named {
            try QueryCompiler.checkNewName(name, operation: "aggr", dialect: a.connection.dialect)
            guard !kept.contains(name) else { throw DataJointError(.query, "aggr would produce attribute `\(name)` twice") }
            attributes.append(
                Attribute(name: name, type: .native("computed", .text), typeText: "computed", comment: "calculated attribute"))
            columns.append((try QueryCompiler.computedColumn(expression, name: name, dialect: a.connection.dialect), name))
            computed.insert(name)
        }
        var select = SQLSelect(columns: columns, from: source, where: whereClause)
        select.groupBy = kept.names.map { .column($0) }
        return CompiledQuery(
            heading: Heading(attributes, lineageAvailable: a.heading.lineageAvailable), select: select,
            connection: a.connection, isPlain: false, exposesOnlyHeading: false, top: nil, baseTable: nil, computed: computed)
    }

    // MARK: union

    func union(_ a: CompiledQuery, _ b: CompiledQuery) throws -> CompiledQuery {
        try checkSameConnection(a, b)
        guard Set(a.heading.primaryKey) == Set(b.heading.primaryKey) else {
            throw DataJointError(
                .query,
                "Union needs operands with the same primary key; they have (\(a.heading.primaryKey.joined(separator: ", "))) "
                    + "and (\(b.heading.primaryKey.joined(separator: ", ")))")
        }
        let shared = a.heading.secondaryAttributes.filter { b.heading.contains($0) }
        guard shared.isEmpty else {
            throw DataJointError(
                .query,
                "Union operands may not share secondary attributes; both have \(shared.map { "`\($0)`" }.joined(separator: ", ")). "
                    + "Project them away or rename them with proj")
        }
        _ = try matchedAttributes(a, b, semanticCheck: true, operation: "union")
        let key = a.heading.primaryKey
        let aSecondary = a.heading.secondaryAttributes
        let bSecondary = b.heading.secondaryAttributes
        let names = key + aSecondary + bSecondary
        var first = SQLSelect(
            columns: names.map { (.column($0), nil) },
            from: .joinUsing(.subquery(a.select, alias: aliases.next()), .subquery(b.select, alias: aliases.next()), columns: key, left: true))
        var onlyB = SQLSelect(
            columns: key.map { (.column($0), nil) } + aSecondary.map { (.raw("NULL"), $0) } + bSecondary.map { (.column($0), nil) },
            from: .subquery(b.select, alias: aliases.next()))
        var aKeys = SQLSelect(columns: key.map { (.column($0), nil) }, from: .subquery(a.select, alias: aliases.next()))
        aKeys.distinct = false
        onlyB.whereClause = .not(.inSelect(key.map { .column($0) }, aKeys))
        first.union = [onlyB]
        var attributes = a.heading.attributes
        for attribute in b.heading.attributes where !attribute.inPrimaryKey {
            var copy = attribute
            copy.nullable = true
            attributes.append(copy)
        }
        attributes = attributes.map { attribute in
            var copy = attribute
            if aSecondary.contains(copy.name) { copy.nullable = true }
            return copy
        }
        let heading = Heading(attributes, lineageAvailable: a.heading.lineageAvailable && b.heading.lineageAvailable)
        let select = SQLSelect(columns: heading.names.map { (.column($0), nil) }, from: .subquery(first, alias: aliases.next()))
        return CompiledQuery(
            heading: heading, select: select, connection: a.connection, isPlain: true, exposesOnlyHeading: true, top: nil,
            baseTable: nil, computed: a.computed.union(b.computed))
    }

    // MARK: universal sets

    /// The query's SELECT with other output columns: in place when plain, else over it as a subquery.
    func selecting(_ columns: [(SQLExpression, alias: String?)], from query: CompiledQuery) -> SQLSelect {
        var select = (query.isPlain ? query : wrap(query)).select
        select.columns = columns
        return select
    }

    /// The query's attributes of these names, as the primary key of a universal-set result.
    func keyAttributes(_ names: [String], of query: CompiledQuery) -> [Attribute] {
        names.map { name in
            var copy = query.heading[name]!
            copy.inPrimaryKey = true
            return copy
        }
    }

    func universal(_ attributes: [String], _ query: CompiledQuery) throws -> CompiledQuery {
        try checkAttributes(attributes, in: query, operation: "U")
        // U() & query: no attributes, one row when the query has any; a hidden constant column carries it.
        let heading = attributes.isEmpty
            ? Heading([Attribute(name: "_u", type: .int8, inPrimaryKey: true)], lineageAvailable: query.heading.lineageAvailable)
            : Heading(keyAttributes(attributes, of: query), lineageAvailable: query.heading.lineageAvailable)
        let columns: [(SQLExpression, alias: String?)] = attributes.isEmpty ? [(.raw("1"), "_u")] : attributes.map { (.column($0), nil) }
        var select = selecting(columns, from: query)
        select.distinct = true
        return CompiledQuery(
            heading: heading, select: select, connection: query.connection, isPlain: false, exposesOnlyHeading: false,
            top: nil, baseTable: nil, computed: attributes.isEmpty ? ["_u"] : query.computed.intersection(Set(attributes)))
    }

    func universalAggregate(_ attributes: [String], _ query: CompiledQuery, _ spec: ProjectionSpec) throws -> CompiledQuery {
        try checkAttributes(attributes, in: query, operation: "U(...).aggr")
        var heading = keyAttributes(attributes, of: query)
        var columns: [(SQLExpression, alias: String?)] = attributes.map { (.column($0), nil) }
        var computed = query.computed.intersection(Set(attributes))
        for (name, expression) in spec.named {
            try QueryCompiler.checkNewName(name, operation: "aggr", dialect: query.connection.dialect)
            guard !attributes.contains(name) else { throw DataJointError(.query, "aggr would produce attribute `\(name)` twice") }
            heading.append(Attribute(name: name, type: .native("computed", .text), typeText: "computed", comment: "calculated attribute"))
            columns.append((try QueryCompiler.computedColumn(expression, name: name, dialect: query.connection.dialect), name))
            computed.insert(name)
        }
        var select = selecting(columns, from: query)
        select.groupBy = attributes.map { .column($0) }
        return CompiledQuery(
            heading: Heading(heading, lineageAvailable: query.heading.lineageAvailable), select: select,
            connection: query.connection, isPlain: false, exposesOnlyHeading: false, top: nil, baseTable: nil,
            computed: computed)
    }

    // MARK: top

    /// The ORDER BY terms of `Top` orderings: `KEY`, an attribute, or a SQL expression, each optionally followed by
    /// `ASC` or `DESC`.
    func orderings(_ terms: [SQL], for query: CompiledQuery) throws -> [SQLOrdering] {
        var out: [SQLOrdering] = []
        for term in terms {
            let (text, values) = try term.markedText()
            try QueryCompiler.checkContained(text, written: term, dialect: query.connection.dialect)
            let fragment = SQLFragment(text)
            var range = fragment.trimmed(fragment.tokens.indices)
            guard !range.isEmpty else { continue }
            var descending = false
            let last = fragment.tokens[range.upperBound - 1]
            if last.isKeyword("DESC") || last.isKeyword("ASC") {
                descending = last.isKeyword("DESC")
                range = fragment.trimmed(range.lowerBound ..< range.upperBound - 1)
                guard !range.isEmpty else {
                    throw DataJointError(.query, "cannot order by \"\(term)\": name an attribute, \"KEY\" or an expression before \(last.text)")
                }
            }
            let first = fragment.tokens[range.lowerBound]
            if range.count == 1, first.kind == .identifier {
                if first.text == "KEY" {
                    out += query.heading.primaryKey.map { SQLOrdering(.column($0), descending: descending) }
                } else {
                    if !first.text.hasPrefix("_") { try checkAttributes([first.text], in: query, operation: "order by") }
                    out.append(SQLOrdering(.column(first.text), descending: descending))
                }
            } else {
                let expression = query.connection.dialect.translateUserSQL(fragment.text(range))
                out.append(SQLOrdering(.fragment(expression, binds: values), descending: descending))
            }
        }
        return out
    }

    func applyTop(_ top: Top, to query: CompiledQuery) throws -> CompiledQuery {
        if let limit = top.limit, limit < 0 { throw DataJointError(.query, "Top limit must not be negative") }
        guard top.offset >= 0 else { throw DataJointError(.query, "Top offset must not be negative") }
        if let existing = query.top, top.orderBy == nil || top.orderBy == existing.orderBy {
            // Merge with the earlier Top: its order, the smaller limit, the offsets added.
            var merged = query
            let limit: Int? = switch (existing.limit, top.limit) {
            case (nil, nil): nil
            case (let a?, nil): a
            case (nil, let b?): b
            case (let a?, let b?): min(a, b)
            }
            let combined = Top(limit, orderBy: existing.orderBy, offset: existing.offset + top.offset)
            merged.select.limit = combined.limit
            merged.select.offset = combined.offset == 0 ? nil : combined.offset
            merged.top = combined
            return merged
        }
        var target = query.isPlain ? query : wrap(query)
        let order = top.orderBy ?? ["KEY"]
        target.select.orderBy = try orderings(order, for: target)
        target.select.limit = top.limit
        target.select.offset = top.offset == 0 ? nil : top.offset
        target.top = Top(top.limit, orderBy: order, offset: top.offset)
        target.isPlain = false
        target.baseTable = nil
        return target
    }

    // MARK: fetch

    /// The SELECT that fetches the given attributes with an optional ordering and page.
    func fetchSelect(_ query: CompiledQuery, attributes: [String]?, orderBy: [String], limit: Int?, offset: Int?) throws
        -> (SQLSelect, [Attribute])
    {
        if let attributes { try checkAttributes(attributes, in: query, operation: "fetch") }
        var target = query
        if !orderBy.isEmpty || limit != nil || offset != nil {
            if let limit, limit < 0 { throw DataJointError(.query, "limit must not be negative") }
            if let offset, offset < 0 { throw DataJointError(.query, "offset must not be negative") }
            let order: [SQL]? = orderBy.isEmpty ? (query.top == nil ? ["KEY"] : nil) : orderBy.map(SQL.init(verbatim:))
            target = try applyTop(Top(limit, orderBy: order, offset: offset ?? 0), to: query)
        }
        let names = attributes ?? target.heading.names
        if names != target.heading.names {
            if target.select.distinct || !target.select.union.isEmpty { target = wrap(target) }
            let byName = Dictionary(uniqueKeysWithValues: zip(target.heading.names, target.select.columns))
            target.select.columns = names.map { byName[$0]! }
        }
        return (target.select, names.map { target.heading[$0]! })
    }
}
