import DataJoint
import Foundation
import Testing

/// The dependency graph of schemas declared by DataJoint-Python 2.3.5, read by Python (`dj.Diagram(schema)`) and by
/// Swift (`Diagram(schema)`): the same tables, foreign keys and tiers, and Swift's dependency order is a valid order
/// of Python's graph.
@Suite("Dependency graph shared with DataJoint-Python")
struct GraphInteropTests {
    /// The schemas Python declares, from the Swift definitions.
    static let schemas: [(name: String, tables: [any UserTable.Type])] = [
        ("gi_university", University.tables), ("gi_lab", GraphPipeline.tablesA), ("gi_issue", Issue1429.tables),
    ]

    static let script = """
        import datajoint as dj, json, sys
        from datajoint.user_tables import _get_tier
        from datajoint.dependencies import topo_sort
        CONFIG
        cfg = json.load(open(sys.argv[1]))
        bases = dict(manual=dj.Manual, lookup=dj.Lookup, imported=dj.Imported, computed=dj.Computed)

        def split(name):
            q = name[0]
            return name[1:-1].split(q + '.' + q)

        out = {}
        for spec in cfg['schemas']:
            schema = dj.Schema(spec['name'])
            context = dict(dj=dj)
            for t in spec['tables']:
                body = dict(definition=t['definition'])
                if t['tier'] in ('imported', 'computed'):
                    body['make'] = lambda self, key: None
                for p in t['parts']:
                    body[p['name']] = type(p['name'], (dj.Part,), dict(definition=p['definition']))
                context[t['name']] = schema(type(t['name'], (bases[t['tier']],), body), context=dict(context))
            d = dj.Diagram(schema)
            shown = set(d.nodes_to_show)
            out[spec['name']] = dict(
                tables=sorted('.'.join(split(n)) for n in shown),
                edges=[dict(parent='.'.join(split(p)), child='.'.join(split(c)), attr_map=data['attr_map'],
                            primary=data['primary'], aliased=data['aliased'], multi=data['multi'])
                       for p, c, k, data in d.edges(keys=True, data=True) if p in shown and c in shown],
                tiers={'.'.join(split(n)): _get_tier(n).__name__.lower() for n in shown},
                order=['.'.join(split(n)) for n in topo_sort(d) if n in shown])
        print('RESULT ' + json.dumps(out))
        """

    static var backends: [TestBackend] {
        FileManager.default.isExecutableFile(atPath: StoreInteropTests.python) ? TestBackend.all.filter { $0 != .sqlite } : []
    }

    static func definitions() -> [String: Any] {
        func table(_ type: any UserTable.Type) -> [String: Any] {
            [
                "name": type.className, "tier": type.tier.rawValue, "definition": type.definition,
                "parts": type.parts.map { ["name": $0.className, "definition": $0.definition] },
            ]
        }
        return ["schemas": schemas.map { ["name": $0.name, "tables": $0.tables.map(table)] }]
    }

    /// One foreign key as both sides describe it.
    struct Edge: Hashable, CustomStringConvertible {
        let parent: String, child: String, attributeMap: [String: String], primary: Bool, aliased: Bool, multi: Bool
        var description: String {
            "\(parent) → \(child) \(attributeMap.sorted { $0.key < $1.key }) primary=\(primary) aliased=\(aliased) multi=\(multi)"
        }
    }

    @Test("Python's and Swift's Diagram of Python's schemas: same tables, edges, tiers; Swift's order fits Python's graph", arguments: backends)
    func sameGraph(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gi-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let scriptFile = directory.appendingPathComponent("graph.py")
            let configFile = directory.appendingPathComponent("config.json")
            try Self.script.replacingOccurrences(of: "CONFIG", with: ReferenceProcess.connectionConfig(backend))
                .write(to: scriptFile, atomically: true, encoding: .utf8)
            try JSONSerialization.data(withJSONObject: Self.definitions()).write(to: configFile)
            let (status, output) = try await ReferenceProcess.run(StoreInteropTests.python, [scriptFile.path, configFile.path])
            try #require(status == 0, "DataJoint-Python failed:\n\(output.suffix(3000))")
            let line = try #require(output.split(separator: "\n").last { $0.hasPrefix("RESULT ") })
            let result = try #require(try JSONSerialization.jsonObject(with: Data(line.dropFirst(7).utf8)) as? [String: [String: Any]])

            for (name, types) in Self.schemas {
                let python = try #require(result[name], "Python printed no graph of \(name)")
                let schema = try await db.schema(name, tables: [], create: false)
                let diagram = try await Diagram(schema)
                let tables = diagram.tables.map(\.description).sorted()
                #expect(tables == python["tables"] as? [String], "\(name): tables")
                let declared = types.reduce(0) { $0 + 1 + $1.parts.count }
                #expect(tables.count == declared, "\(name): every declared table")

                let theirs = Set((python["edges"] as? [[String: Any]] ?? []).map { edge in
                    Edge(
                        parent: edge["parent"] as? String ?? "", child: edge["child"] as? String ?? "",
                        attributeMap: edge["attr_map"] as? [String: String] ?? [:], primary: edge["primary"] as? Bool ?? false,
                        aliased: edge["aliased"] as? Bool ?? false, multi: edge["multi"] as? Bool ?? false)
                })
                let ours = Set(diagram.graph.edges.filter { diagram.tables.contains($0.parent) && diagram.tables.contains($0.child) }.map {
                    Edge(
                        parent: $0.parent.description, child: $0.child.description,
                        attributeMap: Dictionary(uniqueKeysWithValues: $0.attributeMap.map { ($0.child, $0.parent) }),
                        primary: $0.isPrimary, aliased: $0.isRenamed, multi: $0.isMultiValued)
                })
                #expect(!ours.isEmpty)
                #expect(ours.subtracting(theirs).isEmpty, "\(name): edges only Swift has: \(ours.subtracting(theirs))")
                #expect(theirs.subtracting(ours).isEmpty, "\(name): edges only Python has: \(theirs.subtracting(ours))")

                let tiers = Dictionary(uniqueKeysWithValues: diagram.tables.map { ($0.description, $0.tier?.rawValue ?? "none") })
                #expect(tiers == python["tiers"] as? [String: String], "\(name): tiers")

                // Every order Swift gives is a valid order of Python's graph (parents first), parts after masters.
                let pythonOrder = try #require(python["order"] as? [String])
                #expect(Set(pythonOrder) == Set(tables))
                let schemaOrder = try await schema.tableNames(order: .topological).map { "\(name).\($0)" }
                for order in [schemaOrder, diagram.orderedTables.map(\.description), pythonOrder] {
                    let position = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($0.element, $0.offset) })
                    let misplaced = theirs.filter { (position[$0.parent] ?? 0) >= (position[$0.child] ?? 0) }
                    #expect(misplaced.isEmpty, "\(name): children before parents in \(order): \(misplaced)")
                }
                expectTopological(diagram.orderedTables, in: diagram.graph)
            }
        }
    }
}
