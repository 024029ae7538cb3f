import Foundation

extension QueryConvertible {
    /// Compiles the query (reading table headings as needed).
    func compiled() async throws -> CompiledQuery {
        try await QueryCompiler.compile(queryNode)
    }

    /// All rows as `Row` values with every visible attribute. `orderBy` takes attribute names, optionally
    /// followed by ` DESC`, or `KEY` for the primary key.
    public func toDicts(orderBy: [String] = [], limit: Int? = nil, offset: Int? = nil) async throws -> [Row] {
        try await fetchRows(nil, orderBy: orderBy, limit: limit, offset: offset)
    }

    /// The values of one attribute, converted to a Swift type.
    public func toArray<T: ValueConvertible>(
        _ attribute: String, as type: T.Type = T.self, orderBy: [String] = [], limit: Int? = nil, offset: Int? = nil
    ) async throws -> [T] {
        let rows = try await fetchRows([attribute], orderBy: orderBy, limit: limit, offset: offset)
        return try rows.map { try $0.get(attribute, as: T.self) }
    }

    /// The values of several attributes, one array per attribute, in the order given.
    public func toArrays(_ attributes: String..., orderBy: [String] = [], limit: Int? = nil, offset: Int? = nil)
        async throws -> [[Value]]
    {
        let rows = try await fetchRows(attributes, orderBy: orderBy, limit: limit, offset: offset)
        return attributes.map { name in rows.map { $0[name] ?? .null } }
    }

    /// The primary-key values of all rows.
    public func keys(orderBy: [String] = [], limit: Int? = nil, offset: Int? = nil) async throws -> [Row] {
        let query = try await compiled()
        return try await Self.fetch(query, query.heading.primaryKey, orderBy: orderBy, limit: limit, offset: offset)
    }

    /// The one row of the query; an error unless there is exactly one.
    public func fetch1() async throws -> Row {
        try await Self.fetchOne(try await compiled(), nil)
    }

    /// One attribute of the one row of the query.
    public func fetch1<T: ValueConvertible>(_ attribute: String, as type: T.Type = T.self) async throws -> T {
        try await Self.fetchOne(try await compiled(), [attribute]).get(attribute, as: T.self)
    }

    /// The one row of a compiled query; an error unless there is exactly one.
    static func fetchOne(_ query: CompiledQuery, _ attributes: [String]?) async throws -> Row {
        let rows = try await fetch(query, attributes, orderBy: [], limit: 2, offset: nil)
        guard rows.count == 1 else {
            throw DataJointError(
                .cardinality,
                "fetch1 expects exactly one row but the query on \(QueryCompiler.description(of: query)) returned "
                    + (rows.isEmpty ? "none" : "more than one"))
        }
        return rows[0]
    }

    /// All rows decoded as a `Decodable` type (properties matched to attribute names).
    public func fetch<T: Decodable>(as type: T.Type, orderBy: [String] = [], limit: Int? = nil, offset: Int? = nil)
        async throws -> [T]
    {
        let decoder = RowDecoder()
        return try await toDicts(orderBy: orderBy, limit: limit, offset: offset).map { try decoder.decode(T.self, from: $0) }
    }

    /// The number of rows.
    public func count() async throws -> Int {
        try await Self.count(try await compiled())
    }

    /// The number of rows of a compiled query.
    static func count(_ query: CompiledQuery) async throws -> Int {
        let outer = SQLSelect(columns: [(.function("COUNT", [.star]), nil)], from: .subquery(query.select, alias: "counted"))
        let rows = try await query.connection.query(query.connection.dialect.render(.select(outer)))
        guard let first = rows.first?.first, let n = Int(dataJointValue: first) else { return 0 }
        return n
    }

    /// True when the query has no rows.
    public func isEmpty() async throws -> Bool {
        let query = try await compiled()
        return try await Self.fetch(query, nil, orderBy: [], limit: 1, offset: nil).isEmpty
    }

    /// Streams the rows as the loop over them asks for them, without holding them all in memory (see ``RowStream``).
    public func rows(orderBy: [String] = [], limit: Int? = nil, offset: Int? = nil) -> RowStream {
        RowStream {
            let query = try await compiled()
            let (statement, decoder) = try Self.fetchStatement(query, nil, orderBy: orderBy, limit: limit, offset: offset)
            return RowStream.Source(connection: query.connection, statement: statement, decoder: decoder)
        }
    }

    func fetchRows(_ attributes: [String]?, orderBy: [String], limit: Int?, offset: Int?) async throws -> [Row] {
        try await Self.fetch(try await compiled(), attributes, orderBy: orderBy, limit: limit, offset: offset)
    }

    static func fetch(_ query: CompiledQuery, _ attributes: [String]?, orderBy: [String], limit: Int?, offset: Int?)
        async throws -> [Row]
    {
        let (statement, decoder) = try fetchStatement(query, attributes, orderBy: orderBy, limit: limit, offset: offset)
        var raw = try await query.connection.query(statement)
        guard decoder.hasCodecs else {
            // Each row's values are converted in place and handed to its `Row`: no second array per row.
            var rows: [Row] = []
            rows.reserveCapacity(raw.count)
            for index in raw.indices { rows.append(try decoder.decodeWithoutCodecs(taking: &raw[index])) }
            return rows
        }
        return try await decoder.decodeInParallel(raw)
    }

    /// The statement fetching the attributes (nil: all) of a compiled query in an order and page, and the decoder
    /// of its rows.
    static func fetchStatement(
        _ query: CompiledQuery, _ attributes: [String]?, orderBy: [String], limit: Int?, offset: Int?
    ) throws -> (RenderedSQL, RowValueDecoder) {
        let (select, selected) = try QueryCompiler().fetchSelect(
            query, attributes: attributes, orderBy: orderBy, limit: limit, offset: offset)
        let decoder = try RowValueDecoder(
            attributes: selected, computed: query.computed, connection: query.connection,
            schema: query.baseTable?.schema ?? "", table: query.baseTable?.table ?? QueryCompiler.description(of: query))
        return (query.connection.dialect.render(.select(select)), decoder)
    }
}

/// Turns the driver's values of one result row into typed values.
struct RowValueDecoder {
    let attributes: [Attribute]
    let computed: Set<String>
    let connection: Connection
    let names: [String]
    /// Whether each attribute, by position, is computed (its value is taken as the database gives it).
    let isComputed: [Bool]
    /// For codec attributes: the core type their column stores.
    let storage: [String: AttributeType]
    /// The schema and table the rows come from (for a query of several tables: a description of it), for codecs'
    /// contexts and messages.
    let schema: String
    let table: String

    init(attributes: [Attribute], computed: Set<String>, connection: Connection, schema: String, table: String) throws {
        self.attributes = attributes
        self.computed = computed
        self.connection = connection
        self.schema = schema
        self.table = table
        names = attributes.map(\.name)
        isComputed = attributes.map { computed.contains($0.name) }
        var storage: [String: AttributeType] = [:]
        for attribute in attributes {
            if case .codec(let name, let store) = attribute.type {
                storage[attribute.name] = try connection.codecs.resolve(name: name, store: store).storage
            }
        }
        self.storage = storage
    }

    /// Decodes rows with codec attributes several at a time (decompression and store reads run in parallel),
    /// keeping their order.
    func decodeInParallel(_ raw: [[Value]]) async throws -> [Row] {
        guard !raw.isEmpty else { return [] }
        var rows = [Row?](repeating: nil, count: raw.count)
        let width = max(1, min(ProcessorCount.active, raw.count))
        try await withThrowingTaskGroup(of: (Int, Row).self) { group in
            var next = 0
            func start() {
                let index = next
                next += 1
                let values = raw[index]
                group.addTask(executorPreference: globalConcurrentExecutor) { (index, try await self.decode(values)) }
            }
            while next < width { start() }
            while let (index, row) = try await group.next() {
                rows[index] = row
                if next < raw.count { start() }
            }
        }
        return rows.map { $0! }
    }

    /// Whether any selected attribute has a codec.
    var hasCodecs: Bool { !storage.isEmpty }

    /// Decodes a row none of whose attributes has a codec, without suspending.
    func decodeWithoutCodecs(_ raw: [Value]) throws -> Row {
        var values = raw
        return try decodeWithoutCodecs(taking: &values)
    }

    /// Decodes a row none of whose attributes has a codec in place, and moves its values into the row returned
    /// (leaving `raw` empty): the row keeps the driver's array instead of a copy.
    func decodeWithoutCodecs(taking raw: inout [Value]) throws -> Row {
        let dialect = connection.dialect
        // Columns the statement selects beyond the attributes (for its ordering) are not part of the row.
        if raw.count > attributes.count { raw.removeLast(raw.count - attributes.count) }
        for index in raw.indices where !isComputed[index] {
            raw[index] = try dialect.decode(raw[index], as: attributes[index].type)
        }
        var values: [Value] = []
        swap(&values, &raw)
        return Row(names: names, values: values)
    }

    func decode(_ raw: [Value]) async throws -> Row {
        guard hasCodecs else { return try decodeWithoutCodecs(raw) }
        let dialect = connection.dialect
        var values: [Value] = []
        values.reserveCapacity(raw.count)
        for (value, attribute) in zip(raw, attributes) {
            if computed.contains(attribute.name) {
                // Computed attributes have no declared type: values come as the database gives them.
                values.append(value)
            } else if case .codec(let name, let store) = attribute.type, let stored = storage[attribute.name] {
                let decoded = try dialect.decode(value, as: stored)
                if decoded.isNull {
                    values.append(.null)
                } else {
                    let context = CodecContext(
                        schema: schema, table: table, attribute: attribute.name, store: store,
                        downloadPath: connection.settings.downloadPath, stores: connection.stores)
                    values.append(try await connection.codecs.decode(decoded, name: name, store: store, context: context))
                }
            } else {
                values.append(try dialect.decode(value, as: attribute.type))
            }
        }
        return Row(names: names, values: values)
    }
}
