import DataJoint
import Testing

enum LineagePipeline {
    struct LnSubject: Manual {
        static let definition = """
            subject_id : int32
            ---
            name : varchar(30)
            """
    }

    struct LnSession: Manual {
        static let definition = """
            -> LnSubject
            session_idx : int16
            ---
            -> [nullable] LnSubject.proj(buddy_id='subject_id')
            """
    }
}

@Suite("Lineage")
struct LineageTests {
    @Test("declaration records the origin of every key and foreign-key attribute in ~lineage", arguments: TestBackend.all)
    func lineageWritten(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let lab = try await db.schema("lab", tables: LineagePipeline.LnSubject.self, LineagePipeline.LnSession.self)
            let rows = try await lab.table("~lineage").toDicts(orderBy: ["table_name", "attribute_name"])
            let entries = rows.map { "\($0["table_name"]!).\($0["attribute_name"]!) <- \($0["lineage"]!)" }
            #expect(entries == [
                "ln_session.buddy_id <- lab.ln_subject.subject_id",
                "ln_session.session_idx <- lab.ln_session.session_idx",
                "ln_session.subject_id <- lab.ln_subject.subject_id",
                "ln_subject.subject_id <- lab.ln_subject.subject_id",
            ])
            // Secondary attributes that do not come from a foreign key have no lineage.
            #expect(!entries.contains { $0.hasPrefix("ln_subject.name") })
            // Dropping a table removes its entries.
            try await lab[LineagePipeline.LnSession.self].drop(confirm: true)
            #expect(try await lab.table("~lineage").count() == 1)
        }
    }

    @Test("rebuildLineage restores the lineage table from the foreign keys", arguments: TestBackend.all)
    func rebuild(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let lab = try await db.schema("lab", tables: LineagePipeline.LnSubject.self, LineagePipeline.LnSession.self)
            let before = Set(try await lab.table("~lineage").toDicts())
            let lineageTable = SQLTableName(schema: "lab", table: "~lineage")
            try await db.execute(.delete(SQLDelete(table: lineageTable, where: nil)))
            try await lab.rebuildLineage()
            #expect(Set(try await lab.table("~lineage").toDicts()) == before)
        }
    }

    @Test("without a ~lineage table, joins work with the semantic check skipped", arguments: TestBackend.all)
    func missingLineageTable(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let lab = try await db.schema("lab", tables: LineagePipeline.LnSubject.self, LineagePipeline.LnSession.self)
            try await lab[LineagePipeline.LnSubject.self].insert1(["subject_id": 1, "name": "a"])
            try await lab[LineagePipeline.LnSession.self].insert1(["subject_id": 1, "session_idx": 1])
            for statement in db.dialect.dropTable(SQLTableName(schema: "lab", table: "~lineage")) {
                try await db.execute(statement)
            }
            let fresh = try await TestDatabase.connect()
            let reopened = try await fresh.schema("lab", tables: [], create: false)
            let joined = reopened.table("ln_subject") * reopened.table("ln_session")
            #expect(try await joined.count() == 1)
            #expect(try await joined.heading().lineageAvailable == false)
        }
    }
}
