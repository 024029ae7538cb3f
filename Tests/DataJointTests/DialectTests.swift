import DataJoint
import Foundation
import Testing

/// The SQL each dialect renders for INSERT and its handling of existing keys, and how each reads values back.
/// No database needed.
@Suite("Dialects")
struct DialectTests {
    let table = SQLTableName(schema: "lab", table: "t")
    let source = SQLTableName(schema: "lab", table: "s")

    @Test("identifiers are quoted with each quote mark inside them doubled, whatever characters they hold")
    func quoting() {
        let postgres = PostgresDialect(), sqlite = SQLiteDialect(), mysql = MySQLDialect()
        for dialect in [postgres, sqlite] as [any Dialect] {
            #expect(dialect.quote("session") == #""session""#)
            #expect(dialect.quote(#"a"b""#) == #""a""b""""#)
            #expect(dialect.quote("") == #""""#)
            #expect(dialect.quote("naïve \u{1F42D}`") == "\"naïve \u{1F42D}`\"")
        }
        #expect(mysql.quote("session") == "`session`")
        #expect(mysql.quote("a`b``") == "`a``b`````")
        #expect(mysql.quote(#"x"y"#) == #"`x"y`"#)
        #expect(mysql.quote("é`\u{301}") == "`é``\u{301}`")
    }

    /// Renders an INSERT of columns `k`, `v` (or only the key `k`) from two literal rows or from a SELECT
    /// (restricted to `k > 0` when `restricted`).
    func insert(
        _ dialect: any Dialect, _ action: SQLConflictAction, keyOnly: Bool = false, fromSelect: Bool = false,
        restricted: Bool = false
    ) -> RenderedSQL {
        let columns = keyOnly ? ["k"] : ["k", "v"]
        let condition: SQLExpression? = restricted ? .binary(.column("k"), ">", .bind(0)) : nil
        let rows: SQLInsert.Rows =
            fromSelect
            ? .select(SQLSelect(columns: columns.map { (.column($0), nil) }, from: .table(source), where: condition))
            : .values(keyOnly ? [[1], [3]] : [[1, 2], [3, 4]])
        return dialect.render(.insert(SQLInsert(table: table, columns: columns, rows: rows, onConflict: action)))
    }

    @Test("SQLite: INSERT OR IGNORE, ON CONFLICT ... excluded, WHERE true before ON CONFLICT after a SELECT")
    func sqliteInsert() {
        let d = SQLiteDialect()
        #expect(insert(d, .fail).sql == #"INSERT INTO "lab.t" ("k", "v") VALUES (?1, ?2), (?3, ?4)"#)
        #expect(insert(d, .fail).binds == [1, 2, 3, 4])
        #expect(insert(d, .ignore).sql == #"INSERT OR IGNORE INTO "lab.t" ("k", "v") VALUES (?1, ?2), (?3, ?4)"#)
        #expect(
            insert(d, .replace(key: ["k"])).sql
                == #"INSERT INTO "lab.t" ("k", "v") VALUES (?1, ?2), (?3, ?4) ON CONFLICT ("k") DO UPDATE SET "v" = excluded."v""#)
        #expect(
            insert(d, .replace(key: ["k"]), keyOnly: true).sql
                == #"INSERT INTO "lab.t" ("k") VALUES (?1), (?2) ON CONFLICT ("k") DO NOTHING"#)
        #expect(insert(d, .fail, fromSelect: true).sql == #"INSERT INTO "lab.t" ("k", "v") SELECT "k", "v" FROM "lab.s""#)
        #expect(
            insert(d, .ignore, fromSelect: true).sql == #"INSERT OR IGNORE INTO "lab.t" ("k", "v") SELECT "k", "v" FROM "lab.s""#)
        #expect(
            insert(d, .replace(key: ["k"]), fromSelect: true).sql
                == #"INSERT INTO "lab.t" ("k", "v") SELECT "k", "v" FROM "lab.s" WHERE true ON CONFLICT ("k") DO UPDATE SET "v" = excluded."v""#)
        // A SELECT with a WHERE clause of its own needs no second one.
        #expect(
            insert(d, .replace(key: ["k"]), fromSelect: true, restricted: true).sql
                == #"INSERT INTO "lab.t" ("k", "v") SELECT "k", "v" FROM "lab.s" WHERE "k" > ?1 ON CONFLICT ("k") DO UPDATE SET "v" = excluded."v""#)
    }

    @Test("PostgreSQL: ON CONFLICT DO NOTHING and ON CONFLICT (key) DO UPDATE SET ... EXCLUDED")
    func postgresInsert() {
        let d = PostgresDialect()
        #expect(insert(d, .fail).sql == #"INSERT INTO "lab"."t" ("k", "v") VALUES ($1, $2), ($3, $4)"#)
        #expect(insert(d, .ignore).sql == #"INSERT INTO "lab"."t" ("k", "v") VALUES ($1, $2), ($3, $4) ON CONFLICT DO NOTHING"#)
        #expect(
            insert(d, .replace(key: ["k"])).sql
                == #"INSERT INTO "lab"."t" ("k", "v") VALUES ($1, $2), ($3, $4) ON CONFLICT ("k") DO UPDATE SET "v" = EXCLUDED."v""#)
        #expect(
            insert(d, .replace(key: ["k"]), keyOnly: true).sql
                == #"INSERT INTO "lab"."t" ("k") VALUES ($1), ($2) ON CONFLICT ("k") DO NOTHING"#)
        #expect(
            insert(d, .ignore, fromSelect: true).sql
                == #"INSERT INTO "lab"."t" ("k", "v") SELECT "k", "v" FROM "lab"."s" ON CONFLICT DO NOTHING"#)
        #expect(
            insert(d, .replace(key: ["k"]), fromSelect: true).sql
                == #"INSERT INTO "lab"."t" ("k", "v") SELECT "k", "v" FROM "lab"."s" ON CONFLICT ("k") DO UPDATE SET "v" = EXCLUDED."v""#)
    }

    @Test("MySQL: skipping is a no-op ON DUPLICATE KEY UPDATE, replacing updates the secondary columns from VALUES()")
    func mysqlInsert() {
        let d = MySQLDialect()
        #expect(insert(d, .fail).sql == "INSERT INTO `lab`.`t` (`k`, `v`) VALUES (?, ?), (?, ?)")
        #expect(
            insert(d, .ignore).sql == "INSERT INTO `lab`.`t` (`k`, `v`) VALUES (?, ?), (?, ?) ON DUPLICATE KEY UPDATE `k`=`lab`.`t`.`k`")
        #expect(
            insert(d, .replace(key: ["k"])).sql
                == "INSERT INTO `lab`.`t` (`k`, `v`) VALUES (?, ?), (?, ?) ON DUPLICATE KEY UPDATE `v`=VALUES(`v`)")
        #expect(
            insert(d, .replace(key: ["k"]), keyOnly: true).sql
                == "INSERT INTO `lab`.`t` (`k`) VALUES (?), (?) ON DUPLICATE KEY UPDATE `k`=`lab`.`t`.`k`")
        #expect(
            insert(d, .ignore, fromSelect: true).sql
                == "INSERT INTO `lab`.`t` (`k`, `v`) SELECT `k`, `v` FROM `lab`.`s` ON DUPLICATE KEY UPDATE `k`=`lab`.`t`.`k`")
        #expect(
            insert(d, .replace(key: ["k"]), fromSelect: true).sql
                == "INSERT INTO `lab`.`t` (`k`, `v`) SELECT `k`, `v` FROM `lab`.`s` ON DUPLICATE KEY UPDATE `v`=VALUES(`v`)")
    }

    @Test("every dialect reads the forms any driver delivers alike; PostgreSQL also trims the padding of char(n)")
    func decoding() throws {
        let posix = Locale(identifier: "en_US_POSIX")
        let dialects: [any Dialect] = [SQLiteDialect(), MySQLDialect(), PostgresDialect()]
        for d in dialects {
            #expect(try d.decode(.null, as: .int32) == .null)
            #expect(try d.decode(.string("42"), as: .int64) == .int(42))
            #expect(try d.decode(.double(7), as: .int16) == .int(7))
            #expect(try d.decode(.decimal(12_345_678_901_234_567), as: .int64) == .int(12_345_678_901_234_567))
            #expect(try d.decode(.int(1), as: .bool) == .bool(true))
            #expect(try d.decode(.string("f"), as: .bool) == .bool(false))
            #expect(try d.decode(.int(3), as: .float32) == .double(3))
            // A float in a decimal column (SQLite keeps decimal(p<=15, s) as REAL) is rounded to the column's scale.
            #expect(try d.decode(.double(0.1 + 0.2), as: .decimal(precision: 5, scale: 2)) == .decimal(Decimal(string: "0.3", locale: posix)!))
            #expect(try d.decode(.string("12.50"), as: .decimal(precision: 4, scale: 2)) == .decimal(Decimal(string: "12.5", locale: posix)!))
            #expect(try d.decode(.bytes(Data("2024-01-02".utf8)), as: .date) == .date(CalendarDate(iso: "2024-01-02")!))
            #expect(try d.decode(.string("2024-01-02 03:04:05.120"), as: .datetime(fractionalDigits: 3)) == .datetime(DateTime(iso: "2024-01-02 03:04:05.12")!))
            #expect(try d.decode(.string(#"{"a":1}"#), as: .json) == .json(try JSON(parsing: #"{"a":1}"#)))
            let id = UUID(uuidString: "00000000-0000-0000-0000-0000000000ff")!
            #expect(try d.decode(.bytes(Data(repeating: 0, count: 15) + [0xFF]), as: .uuid) == .uuid(id))
            #expect(try d.decode(.bytes(Data("text".utf8)), as: .varchar(8)) == .string("text"))
            #expect(try d.decode(.string("raw"), as: .bytes) == .bytes(Data("raw".utf8)))
            // PostgreSQL's numeric NaN and infinities, which `Decimal` cannot hold, stay floats.
            #expect(try d.decode(.double(.infinity), as: .decimal(precision: 5, scale: 2)) == .double(.infinity))
            #expect(try d.decode(.double(.nan), as: .native("numeric", .numeric)).isNaNFloat)
            // Bad input is an error naming what could not be read, never a crash.
            for (raw, type) in [(Value.string("maybe"), AttributeType.bool), (.string("x"), .decimal(precision: 5, scale: 2)),
                                (.string("no date"), .date),
                                (.bytes(Data([1, 2])), .uuid), (.double(1), .json)] {
                let error = #expect(throws: DataJointError.self) { try d.decode(raw, as: type) }
                #expect(error?.kind == .codec, "\(d.backendName): \(raw) as \(type)")
            }
        }
        #expect(try PostgresDialect().decode(.string("ab  "), as: .char(4)) == .string("ab"))
        #expect(try PostgresDialect().decode(.string("ab  "), as: .native("character(4)", .string)) == .string("ab"))
        #expect(try PostgresDialect().decode(.string("ab  "), as: .varchar(4)) == .string("ab  "))
        #expect(try SQLiteDialect().decode(.string("ab  "), as: .char(4)) == .string("ab  "))
    }

    @Test("only the backends DataJoint-Python also uses follow it in what they persist")
    func sharedWithPython() {
        #expect(!SQLiteDialect().isSharedWithDataJointPython)
        #expect(MySQLDialect().isSharedWithDataJointPython)
        #expect(PostgresDialect().isSharedWithDataJointPython)
    }
}

extension Value {
    fileprivate var isNaNFloat: Bool {
        if case .double(let d) = self { return d.isNaN }
        return false
    }
}

enum ReplaceFromQueryPipeline {
    struct RqSource: Manual {
        static let definition = """
            k : int32
            ---
            v : int32
            """
    }

    struct RqTarget: Manual {
        static let definition = """
            k : int32
            ---
            v : int32
            """
    }
}

@Suite("Insert from a query, replacing")
struct ReplaceFromQueryTests {
    typealias P = ReplaceFromQueryPipeline

    @Test("the rows of a restricted query replace existing rows and add new ones", arguments: TestBackend.all)
    func replaceFromRestrictedQuery(backend: TestBackend) async throws {
        try await backend.withDatabase { db in
            let s = try await db.schema("replace_from_query", tables: P.RqSource.self, P.RqTarget.self)
            try await s[P.RqSource.self].insert([["k": 1, "v": 10], ["k": 2, "v": 20], ["k": 3, "v": 30]])
            try await s[P.RqTarget.self].insert([["k": 1, "v": 1], ["k": 3, "v": 3]])
            try await s[P.RqTarget.self].insert(from: s[P.RqSource.self] & "k < 3", replace: true)
            #expect(try await s[P.RqTarget.self].toArray("v", as: Int.self, orderBy: ["k"]) == [10, 20, 3])
            try await s[P.RqTarget.self].insert(from: s[P.RqSource.self], replace: true)
            #expect(try await s[P.RqTarget.self].toArray("v", as: Int.self, orderBy: ["k"]) == [10, 20, 30])
        }
    }
}
