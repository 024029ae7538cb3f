extension DependencyGraph {
    /// The tables in dependency order: every table after the tables it references, each part table right after its
    /// master (and after its sibling parts that it references). Ties are broken by name, so the order is stable.
    ///
    /// Pass `subset` to order some of the tables only.
    public func topologicalOrder(_ subset: Set<SQLTableName>? = nil) -> [SQLTableName] {
        guard let subset else { return order }
        // A subsequence of a dependency order is a dependency order of its tables, parts still after their masters.
        return order.filter(subset.contains)
    }

    /// Orders `nodes` (Kahn's algorithm, ties by name), then moves parts next to their masters.
    func computeTopologicalOrder(_ nodes: Set<SQLTableName>) -> [SQLTableName] {
        // A master must come after everything its parts reference (other than the master itself and its parts), so
        // that its parts can follow it directly.
        // A part that references a descendant of its master cannot follow the master directly; it stays in place.
        var extraParents: [SQLTableName: Set<SQLTableName>] = [:]
        var staying = Set<SQLTableName>()
        for part in nodes {
            guard let master = master(of: part), nodes.contains(master) else { continue }
            let others = parents(of: part).filter {
                nodes.contains($0) && $0 != master && self.master(of: $0) != master && $0 != part
            }
            if others.contains(where: { ancestors(of: $0).contains(master) }) {
                staying.insert(part)
            } else {
                extraParents[master, default: []].formUnion(others)
            }
        }
        var changed = true
        while changed {
            changed = false
            for part in nodes where !staying.contains(part) && master(of: part) != nil {
                if parents(of: part).contains(where: staying.contains) {
                    staying.insert(part)
                    changed = true
                }
            }
        }
        var indegree: [SQLTableName: Int] = [:]
        var successors: [SQLTableName: [SQLTableName]] = [:]
        for node in nodes { indegree[node] = 0 }
        func link(_ parent: SQLTableName, _ child: SQLTableName) {
            successors[parent, default: []].append(child)
            indegree[child, default: 0] += 1
        }
        for node in nodes {
            for parent in Set(parents(of: node)) where nodes.contains(parent) { link(parent, node) }
            for parent in extraParents[node] ?? [] { link(parent, node) }
        }
        var ready = nodes.filter { indegree[$0] == 0 }.sorted(by: Self.nameOrder)
        var order: [SQLTableName] = []
        while !ready.isEmpty {
            let node = ready.removeFirst()
            order.append(node)
            for child in successors[node] ?? [] {
                indegree[child]! -= 1
                if indegree[child] == 0 {
                    let position = ready.firstIndex { Self.nameOrder(child, $0) } ?? ready.count
                    ready.insert(child, at: position)
                }
            }
        }
        return keepingPartsWithMasters(order, except: staying)
    }

    /// Moves each part table to directly after its master, keeping the parts' relative order.
    private func keepingPartsWithMasters(_ order: [SQLTableName], except staying: Set<SQLTableName>) -> [SQLTableName] {
        let present = Set(order)
        var partsOf: [SQLTableName: [SQLTableName]] = [:]
        var moved = Set<SQLTableName>()
        for node in order {
            if !staying.contains(node), let master = master(of: node), present.contains(master) {
                partsOf[master, default: []].append(node)
                moved.insert(node)
            }
        }
        var result: [SQLTableName] = []
        func place(_ node: SQLTableName) {
            result.append(node)
            for part in partsOf[node] ?? [] { place(part) }
        }
        for node in order where !moved.contains(node) { place(node) }
        return result
    }

    /// Orders table names by schema, then table name.
    static func nameOrder(_ a: SQLTableName, _ b: SQLTableName) -> Bool {
        (a.schema, a.table) < (b.schema, b.table)
    }
}
