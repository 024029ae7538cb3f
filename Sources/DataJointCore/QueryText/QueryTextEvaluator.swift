import Synchronization

/// Gives parsed query text its meaning: builds the same `QueryExpression` that the Swift API builds for the Python
/// spelling of a query. Operators and methods follow DataJoint-Python 2.x, and every operator is checked where it is
/// written, so an error names its position in the text.
struct QueryTextEvaluator: Sendable {
    let names: QueryTextNames
    /// The queries built by each operator, in the order they were built, for locating an error.
    let built = QueryTextBuildLog()
    /// Most operators and method calls in one text: enough for any query a person writes, and a bound on the work
    /// that hostile text can cause.
    static let maximumOperators = 256

    /// The methods of a query that build a query.
    static let methods: Set<String> = ["proj", "aggr", "join", "extend", "restrict"]
    /// The names that build restrictions and universal sets (also written `dj.U`, `dj.Top`, ...).
    static let functions: Set<String> = ["U", "Top", "Not", "AndList"]
    /// Methods of DataJoint-Python that fetch or change data rather than build a query.
    static let fetchMethods: Set<String> = [
        "fetch", "fetch1", "to_dicts", "to_pandas", "to_arrays", "keys", "head", "tail", "insert", "insert1", "delete",
        "drop", "update1", "populate", "describe", "heading", "preview", "__len__", "len",
    ]

    func evaluate(_ node: QueryTextSyntax) async throws -> QueryTextValue {
        switch node {
        case .name(let name, let offset):
            return try await evaluateName([name], offset: offset)
        case .attribute(_, _, let offset):
            guard let path = Self.dottedPath(node) else {
                throw QueryTextError("only table names and methods may follow `.`", at: offset)
            }
            return try await evaluateName(path, offset: node.offset)
        case .call(let callee, let arguments, let offset):
            return try await evaluateCall(callee, arguments, offset: offset)
        case .string(let text, _):
            return .string(text)
        case .number(let text, let offset):
            return .literal(try Self.number(text, offset: offset))
        case .negative(let operand, let offset):
            guard case .literal(let value) = try await evaluate(operand) else {
                throw QueryTextError("`-` before something that is not a number", at: offset)
            }
            switch value {
            case .int(let i): return .literal(.int(-i))
            case .double(let d): return .literal(.double(-d))
            default: throw QueryTextError("`-` before something that is not a number", at: offset)
            }
        case .list(let items, _):
            var values: [QueryTextValue] = []
            for item in items { values.append(try await evaluate(item)) }
            return .list(values)
        case .dictionary(let entries, _):
            var pairs: [(name: String, value: QueryTextValue)] = []
            for entry in entries {
                guard case .string(let key, _) = entry.key else {
                    throw QueryTextError("dictionary keys are attribute names in quotes", at: entry.key.offset)
                }
                guard !pairs.contains(where: { $0.name == key }) else {
                    throw QueryTextError("`\(key)` appears twice in the dictionary", at: entry.key.offset)
                }
                pairs.append((key, try await evaluate(entry.value)))
            }
            return .dictionary(pairs)
        case .binary(let op, let lhs, let rhs, let offset):
            return try await evaluateBinary(op, lhs, rhs, offset: offset)
        }
    }

    // MARK: names

    /// `a.b.c` as its parts, when the node is a chain of names.
    static func dottedPath(_ node: QueryTextSyntax) -> [String]? {
        switch node {
        case .name(let name, _): [name]
        case .attribute(let base, let name, _): dottedPath(base).map { $0 + [name] }
        default: nil
        }
    }

    private func evaluateName(_ path: [String], offset: Int) async throws -> QueryTextValue {
        if path.count == 1 {
            switch path[0] {
            case "True": return .literal(.bool(true))
            case "False": return .literal(.bool(false))
            case "None": return .literal(.null)
            case "...": return .ellipsis
            default: break
            }
        }
        let bare = path.first == "dj" && path.count == 2 ? [path[1]] : path
        if bare.count == 1, Self.functions.contains(bare[0]) { return .function(bare[0]) }
        if let table = try await names.table(path) {
            return .query(try await table.queryExpression())
        }
        if path.count >= 2, Self.fetchMethods.contains(path[path.count - 1]) {
            throw QueryTextError(
                "`\(path[path.count - 1])` fetches or changes data; write only the query expression (the caller fetches its rows)",
                at: offset)
        }
        let known = await names.knownNames()
        throw QueryTextError(
            "no table named `\(path.joined(separator: "."))`"
                + (known.isEmpty ? "" : "; the tables are \(known.joined(separator: ", "))"),
            at: offset)
    }

    static func number(_ text: String, offset: Int) throws -> Value {
        if let i = Int64(text) { return .int(i) }
        if let d = Double(text), d.isFinite { return .double(d) }
        throw QueryTextError("the number `\(text)` is out of range", at: offset)
    }

    // MARK: operators

    private func evaluateBinary(_ op: String, _ lhs: QueryTextSyntax, _ rhs: QueryTextSyntax, offset: Int) async throws
        -> QueryTextValue
    {
        let left = try await evaluate(lhs)
        let right = try await evaluate(rhs)
        let result: QueryExpression
        switch (op, left) {
        case ("&", .universal(let attributes)):
            result = QueryExpression(.universal(attributes, try query(right, rhs, role: "the right side of `U(...) &`").node))
        case ("&", .query(let q)):
            if case .top(let top) = right {
                result = QueryExpression(.top(q.node, top))
            } else {
                result = q.restrict(try QueryTextRestriction.restriction(right, at: rhs.offset))
            }
        case ("-", .query(let q)):
            result = QueryExpression(.restrict(q.node, .not(try QueryTextRestriction.restriction(right, at: rhs.offset)), semanticCheck: true))
        case ("*", .query(let q)):
            result = q.join(try query(right, rhs, role: "the right side of `*`"))
        case ("+", .query(let q)):
            result = q + (try query(right, rhs, role: "the right side of `+`"))
        default:
            throw QueryTextError("the left side of `\(op)` must be a query, not \(left.kindDescription)", at: lhs.offset)
        }
        return .query(try await checked(result, at: offset))
    }

    /// The value as a query, or a positioned error naming its role.
    private func query(_ value: QueryTextValue, _ node: QueryTextSyntax, role: String) throws -> QueryExpression {
        guard case .query(let q) = value else {
            throw QueryTextError("\(role) must be a query, not \(value.kindDescription)", at: node.offset)
        }
        return q
    }

    /// Records the query an operator built, so that an error of the whole query can be traced to its operator.
    private func checked(_ query: QueryExpression, at offset: Int) async throws -> QueryExpression {
        guard built.append(query, at: offset) <= Self.maximumOperators else {
            throw QueryTextError("the text has more than \(Self.maximumOperators) operators and method calls", at: offset)
        }
        return query
    }

    /// Compiles the finished query once. When it fails, the queries of the operators are compiled in the order they
    /// were built: the first to fail is where the error is reported.
    func validate(_ query: QueryExpression) async throws {
        do {
            _ = try await query.sql()
        } catch let error as DataJointError {
            for (part, offset) in built.entries {
                do {
                    _ = try await part.sql()
                } catch let partError as DataJointError {
                    throw PositionedDataJointError(error: partError, offset: offset)
                }
            }
            throw PositionedDataJointError(error: error, offset: built.entries.last?.offset ?? 0)
        }
    }

    // MARK: calls

    private func evaluateCall(_ callee: QueryTextSyntax, _ arguments: [QueryTextArgument], offset: Int) async throws
        -> QueryTextValue
    {
        if case .attribute(let receiver, let method, let methodOffset) = callee, method.first?.isLowercase == true,
            Self.dottedPath(callee).map({ $0.first != "dj" }) ?? true
        {
            guard Self.methods.contains(method) else {
                if Self.fetchMethods.contains(method) {
                    throw QueryTextError(
                        "`\(method)` fetches or changes data; write only the query expression (the caller fetches its rows)",
                        at: methodOffset)
                }
                throw QueryTextError(
                    "`\(method)` is not a query method; the methods are \(Self.methods.sorted().joined(separator: ", "))",
                    at: methodOffset)
            }
            let target = try await evaluate(receiver)
            let call = try await QueryTextCall(arguments, evaluator: self, name: method, offset: offset)
            switch target {
            case .query(let q):
                return .query(try await checked(try call.apply(method, to: q), at: offset))
            case .universal(let attributes) where method == "aggr":
                return .query(try await checked(try call.universalAggregate(attributes), at: offset))
            default:
                throw QueryTextError("`.\(method)(...)` needs a query before it, not \(target.kindDescription)", at: receiver.offset)
            }
        }
        let function = try await evaluate(callee)
        let call = try await QueryTextCall(arguments, evaluator: self, name: Self.dottedPath(callee)?.last ?? "call", offset: offset)
        switch function {
        case .function("U"): return .universal(try call.universalAttributes())
        case .function("Top"): return .top(try call.top())
        case .function("Not"): return .restriction(.not(try call.single(QueryTextCall.restriction)))
        case .function("AndList"): return .restriction(.and(try call.andList(QueryTextCall.restriction)))
        case .query(let q) where arguments.isEmpty:
            // `Session()`: DataJoint-Python's table instance.
            return .query(q)
        default:
            throw QueryTextError("\(function.kindDescription) cannot be called", at: callee.offset)
        }
    }
}

/// The queries built by the operators of one text, in order.
final class QueryTextBuildLog: Sendable {
    private let state = Mutex<[(query: QueryExpression, offset: Int)]>([])

    /// Adds a query; returns how many there are.
    func append(_ query: QueryExpression, at offset: Int) -> Int {
        state.withLock {
            $0.append((query, offset))
            return $0.count
        }
    }

    var entries: [(query: QueryExpression, offset: Int)] { state.withLock { $0 } }
}

/// A `DataJointError` of the query algebra, with where in the text the operator that caused it was written.
struct PositionedDataJointError: Error {
    let error: DataJointError
    let offset: Int
}
