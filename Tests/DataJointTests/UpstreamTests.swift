import DataJoint
import Foundation
import Testing

/// A pipeline whose makes read their inputs through `ctx.upstream`.
enum UpstreamPipeline {
    struct UpAnimal: Manual {
        static let definition = """
            animal_id : int32
            ---
            name : varchar(16)
            """
    }

    struct UpVisit: Manual {
        static let definition = """
            -> UpAnimal
            visit : int16
            ---
            visit_date : date
            """
        struct Sample: Part {
            static let definition = """
                -> master
                sample : int16
                ---
                value : float64
                """
        }
        static var parts: [any Part.Type] { [Sample.self] }
    }

    /// A table no computed table here depends on.
    struct UpOther: Manual {
        static let definition = """
            other_id : int32
            """
    }

    struct UpSummary: Computed {
        static let definition = """
            -> UpVisit
            ---
            total : float64
            n_samples : int32
            animal_name : varchar(16)
            visit_date : date
            """
        static func make(_ key: Row, _ ctx: MakeContext) async throws {
            // A part of an upstream master, a table two levels up, and the direct parent.
            let values: [Double] = try await ctx.upstream[UpVisit.Sample.self].toArray("value")
            let name: String = try await ctx.upstream[UpAnimal.self].fetch1("name")
            let date: CalendarDate = try await ctx.upstream[UpVisit.self].fetch1("visit_date")
            let result: Row = [
                "total": Value.double(values.reduce(0, +)), "n_samples": Value.int(Int64(values.count)),
                "animal_name": Value.string(name), "visit_date": Value.date(date),
            ]
            try await ctx.insert1(key + result)
        }
    }

    /// Compares two visits; the second is referenced through a renamed foreign key.
    struct UpComparison: Computed {
        static let definition = """
            -> UpSummary
            -> UpVisit.proj(other_animal='animal_id', other_visit='visit')
            ---
            n_animals : int32
            other_total : float64
            """
        static func make(_ key: Row, _ ctx: MakeContext) async throws {
            // Both animals are upstream: one through each foreign key.
            let animals = try await ctx.upstream[UpAnimal.self].count()
            let totals: [Double] = try await ctx.upstream[UpVisit.Sample.self].toArray("value")
            let own: Double = try await ctx.upstream[UpSummary.self].fetch1("total")
            try await ctx.insert1(key + ["n_animals": animals, "other_total": totals.reduce(0, +) - own])
        }
    }

    /// Reads a table that is not upstream of it.
    struct UpStray: Computed {
        static let definition = """
            -> UpAnimal
            ---
            n : int32
            """
        static func make(_ key: Row, _ ctx: MakeContext) async throws {
            let n = try await ctx.upstream[UpOther.self].count()
            try await ctx.insert1(key + ["n": n])
        }
    }

    static let tables: [any UserTable.Type] = [
        UpAnimal.self, UpVisit.self, UpOther.self, UpSummary.self, UpComparison.self, UpStray.self,
    ]

    static func fill(_ schema: Schema) async throws {
        try await schema[UpAnimal.self].insert([["animal_id": 1, "name": "ada"], ["animal_id": 2, "name": "bo"]])
        try await schema[UpVisit.self].insert([
            ["animal_id": 1, "visit": 1, "visit_date": "2024-01-01"],
            ["animal_id": 1, "visit": 2, "visit_date": "2024-01-08"],
            ["animal_id": 2, "visit": 1, "visit_date": "2024-02-01"],
        ])
        var samples: [Row] = []
        for (animal, visit, count) in [(1, 1, 3), (1, 2, 1), (2, 1, 2)] {
            for sample in 0..<count {
                samples.append(["animal_id": animal, "visit": visit, "sample": sample, "value": Double(10 * animal + visit + sample)])
            }
        }
        try await schema[UpVisit.Sample.self].insert(samples)
        try await schema[UpOther.self].insert([["other_id": 1]])
    }
}

@Suite("make reads through upstream")
struct UpstreamTests {
    @Test("upstream gives each ancestor (and the parts of ancestor masters) restricted to the key", arguments: TestBackend.all)
    func upstreamReads(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let schema = try await db.schema("upstream", tables: UpstreamPipeline.tables)
            try await UpstreamPipeline.fill(schema)
            let report = try await schema[UpstreamPipeline.UpSummary.self].populate()
            #expect(report.success == 3)
            let rows = try await schema[UpstreamPipeline.UpSummary.self].toDicts(orderBy: ["animal_id", "visit"])
            let totals: [Value?] = rows.map { $0["total"] }
            #expect(totals == [.double(36), .double(12), .double(43)])
            let counts: [Value?] = rows.map { $0["n_samples"] }
            #expect(counts == [.int(3), .int(1), .int(2)])
            let names: [Value?] = rows.map { $0["animal_name"] }
            #expect(names == [.string("ada"), .string("ada"), .string("bo")])
            let dates: [String] = rows.map { $0["visit_date"].map { "\($0)" } ?? "" }
            #expect(dates == ["2024-01-01", "2024-01-08", "2024-02-01"])
        }
    }

    @Test("a renamed foreign key is traced back: both animals of a comparison are upstream", arguments: TestBackend.all)
    func renamedForeignKey(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let schema = try await db.schema("upstream", tables: UpstreamPipeline.tables)
            try await UpstreamPipeline.fill(schema)
            try await schema[UpstreamPipeline.UpSummary.self].populate()
            let report = try await schema[UpstreamPipeline.UpComparison.self].populate()
            #expect(report.success == 9)
            let same = try await (schema[UpstreamPipeline.UpComparison.self]
                & ["animal_id": 1, "visit": 1, "other_animal": 1, "other_visit": 2]).fetch1()
            #expect(same["n_animals"] == .int(1))
            #expect(same["other_total"] == .double(12))
            let cross = try await (schema[UpstreamPipeline.UpComparison.self]
                & ["animal_id": 1, "visit": 2, "other_animal": 2, "other_visit": 1]).fetch1()
            #expect(cross["n_animals"] == .int(2))
            #expect(cross["other_total"] == .double(43))
            let itself = try await (schema[UpstreamPipeline.UpComparison.self]
                & ["animal_id": 2, "visit": 1, "other_animal": 2, "other_visit": 1]).fetch1()
            #expect(itself["other_total"] == .double(0))
        }
    }

    @Test("reading a table that is not upstream fails the make and inserts nothing", arguments: TestBackend.all)
    func notUpstream(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let schema = try await db.schema("upstream", tables: UpstreamPipeline.tables)
            try await UpstreamPipeline.fill(schema)
            let report = try await schema[UpstreamPipeline.UpStray.self].populate(suppressErrors: true)
            #expect(report.success == 0)
            #expect(report.error == 2)
            let error = try #require(report.errors.first?.error as? DataJointError)
            #expect(error.kind == .missingTable)
            #expect(error.message.contains("UpOther"))
            #expect(error.message.contains("upstream"))
            #expect(try await schema[UpstreamPipeline.UpStray.self].count() == 0)
        }
    }

    @Test("Diagram.trace outside make gives what upstream gives inside", arguments: TestBackend.all)
    func traceOutsideMake(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let schema = try await db.schema("upstream", tables: UpstreamPipeline.tables)
            try await UpstreamPipeline.fill(schema)
            try await schema[UpstreamPipeline.UpSummary.self].populate()
            let trace = try await Diagram.trace(schema[UpstreamPipeline.UpSummary.self] & ["animal_id": 1, "visit": 1])
            let counts = try await trace.counts()
            func count(_ table: String) -> Int? { counts[SQLTableName(schema: "upstream", table: table)] }
            #expect(count("__up_summary") == 1)
            #expect(count("up_visit") == 1)
            #expect(count("up_visit__sample") == 3)
            #expect(count("up_animal") == 1)
            #expect(count("up_other") == nil)
            #expect(counts.count == 4)
            let name: String = try await trace.table("UpAnimal").fetch1("name")
            #expect(name == "ada")
            #expect(throws: DataJointError.self) { try trace[UpstreamPipeline.UpComparison.self] }
            #expect(throws: DataJointError.self) { try trace.table("upstream.nothing") }
        }
    }
}
