import DataJoint
import Foundation
import Testing

// The query-algebra conformance suite on the University database.
//
// Every query below also exists, written in Python, in Resources/university-queries/reference.py, which runs it
// with DataJoint-Python 2.3.5 on PostgreSQL and records the answer in expected.json: primary key, heading
// names, row count and the rows sorted by primary key (all of them up to 60 rows, else the first 5). Each test
// here runs one family of operators on every backend and compares with that file. Regenerate the file with
//
//     /tmp/djpy/bin/python Tests/DataJointTests/Resources/university-queries/reference.py
//
// Where the reference contradicts the query-algebra spec (see "reference_disagrees_with_spec" in the file), the
// file holds the answer the spec defines, and the query's comment below says so.

@Suite("University query conformance")
struct UniversityQueryTests {
    @Test("restriction by row, SQL, OR list, AndList, Not, query, true/false; anti-restriction", arguments: TestBackend.all)
    func restriction(backend: TestBackend) async throws {
        try await UniversityConformance.run(UniversityConformance.restriction, on: backend)
    }

    @Test("projection: key only, selection, renaming (also of the key), computed attributes, ...", arguments: TestBackend.all)
    func projection(backend: TestBackend) async throws {
        try await UniversityConformance.run(UniversityConformance.projection, on: backend)
    }

    @Test("projection with date functions (YEAR, EXTRACT)", arguments: TestBackend.all)
    func dateFunctions(backend: TestBackend) async throws {
        try await UniversityConformance.run(UniversityConformance.dateFunctions, on: backend)
    }

    @Test("join, left join and extend", arguments: TestBackend.all)
    func join(backend: TestBackend) async throws {
        try await UniversityConformance.run(UniversityConformance.join, on: backend)
    }

    @Test("aggregation", arguments: TestBackend.all)
    func aggregation(backend: TestBackend) async throws {
        try await UniversityConformance.run(UniversityConformance.aggregation, on: backend)
    }

    @Test("union and universal sets", arguments: TestBackend.all)
    func unionAndUniversal(backend: TestBackend) async throws {
        try await UniversityConformance.run(UniversityConformance.unionAndUniversal, on: backend)
    }

    @Test("Top: limits, ordering, offsets, chaining, and Top operands of other operators", arguments: TestBackend.all)
    func top(backend: TestBackend) async throws {
        try await UniversityConformance.run(UniversityConformance.top, on: backend)
    }

    @Test("queries the spec rejects throw DataJointError", arguments: TestBackend.all)
    func errors(backend: TestBackend) async throws {
        try await UniversityConformance.run(UniversityConformance.errors, on: backend)
    }

    @Test("every query of expected.json has a Swift counterpart, and the file holds the known answers")
    func coverage() throws {
        let expected = try UniversityConformance.expected()
        let swiftIDs = UniversityConformance.all.map(\.id)
        #expect(Set(swiftIDs).count == swiftIDs.count, "duplicate ids among the Swift queries")
        let missing = Set(expected.keys).subtracting(swiftIDs).subtracting(UniversityConformance.notExpressible)
        #expect(missing.isEmpty, "queries of expected.json without a Swift counterpart: \(missing.sorted())")
        let unknown = Set(swiftIDs).subtracting(expected.keys)
        #expect(unknown.isEmpty, "Swift queries missing from expected.json: \(unknown.sorted())")
        #expect(expected.count >= 45)
        #expect(expected["restrict.dict"]?.count == 7)
        #expect(expected["antirestrict.current_ungraded"]?.count == 34)
        #expect(expected["aggr.avg_grade"]?.count == 45)
        // Queries the spec rejects are in the errors test; all others compare answers.
        for query in UniversityConformance.all {
            guard let e = expected[query.id] else { continue }
            let inErrors = UniversityConformance.errors.contains { $0.id == query.id }
            #expect(inErrors == !e.specValid, "\(query.id) belongs \(e.specValid ? "outside" : "in") the errors test")
        }
    }
}

/// The tables of the University schema, to write queries with.
struct UniversityTables: Sendable {
    let student, department, studentMajor, course, term, section, currentTerm, enroll, letterGrade, grade: Table

    init(_ u: Schema) {
        student = u[University.Student.self]
        department = u[University.Department.self]
        studentMajor = u[University.StudentMajor.self]
        course = u[University.Course.self]
        term = u[University.Term.self]
        section = u[University.Section.self]
        currentTerm = u[University.CurrentTerm.self]
        enroll = u[University.Enroll.self]
        letterGrade = u[University.LetterGrade.self]
        grade = u[University.Grade.self]
    }
}

/// One query of the suite: its id in expected.json and the Swift expression.
struct ConformanceQuery: Sendable {
    let id: String
    let build: @Sendable (UniversityTables) -> any QueryConvertible
    /// The error kind the query must throw (queries the spec rejects), when the spec implies one.
    var errorKind: DataJointError.Kind?
    /// How far numbers may differ on SQLite, which computes decimals in binary floating point.
    var sqliteTolerance: Double?
}

/// Collects queries one statement at a time (keeps the type checker fast).
struct QueryList {
    var items: [ConformanceQuery] = []

    mutating func add(
        _ id: String, sqliteTolerance: Double? = nil, _ build: @escaping @Sendable (UniversityTables) -> any QueryConvertible
    ) {
        items.append(ConformanceQuery(id: id, build: build, sqliteTolerance: sqliteTolerance))
    }

    mutating func fails(
        _ id: String, _ kind: DataJointError.Kind? = nil, _ build: @escaping @Sendable (UniversityTables) -> any QueryConvertible
    ) {
        items.append(ConformanceQuery(id: id, build: build, errorKind: kind))
    }
}

enum UniversityConformance {
    // MARK: the queries (Python text of each in expected.json / reference.py)

    static let restriction: [ConformanceQuery] = {
        var q = QueryList()
        q.add("restrict.dict") { $0.student & ["home_state": "UT"] }
        q.add("restrict.dict_two_attributes") { $0.student & ["home_state": "UT", "sex": "F"] }
        q.add("restrict.dict_enum_and_int") { $0.term & ["term": "Fall", "term_year": 2020] }
        q.add("restrict.dict_date") { $0.studentMajor & ["declare_date": "2019-01-13"] }
        q.add("restrict.dict_decimal") { $0.letterGrade & ["points": 3.67] }
        q.add("restrict.string") { $0.course & "credits > 3.5" }
        q.add("restrict.string_date") { $0.student & "date_of_birth >= '2000-01-01'" }
        q.add("restrict.string_like") { $0.student & "last_name LIKE 'Mc%'" }
        q.add("restrict.string_in") { $0.student & "student_id IN (100, 101, 102, 999)" }
        q.add("restrict.or_list_dicts") { $0.student & ([["home_state": "UT"], ["home_state": "WY"]] as [Row]) }
        q.add("restrict.or_list_mixed") { $0.course & [Restriction.row(["dept": "MATH"]), .sql("credits > 3.5")] }
        q.add("restrict.or_list_empty") { $0.department & [Row]() }
        q.add("restrict.and_list") { $0.student & AndList(["home_state": "UT"] as Row, "sex = 'F'") }
        q.add("restrict.not_dict") { $0.student & Not(["home_state": "UT"] as Row) }
        q.add("restrict.not_list") { $0.student & Not([["home_state": "UT"], ["home_state": "CA"]] as [Row]) }
        q.add("restrict.not_string") { $0.course & Not("credits < 4") }
        q.add("restrict.by_query") { $0.student & $0.studentMajor }
        q.add("restrict.by_restricted_query") { $0.student & ($0.studentMajor & ["dept": "MATH"]) }
        q.add("restrict.by_query_secondary_fk") { $0.department & ($0.studentMajor & "student_id < 103") }
        q.add("restrict.by_query_no_semantic_check") { $0.student.restrict($0.studentMajor, semanticCheck: false) }
        q.add("restrict.true") { $0.department & true }
        q.add("restrict.false") { $0.department & false }
        // A row whose attributes the query lacks restricts nothing (spec 2.4).
        q.add("restrict.unmatched_dict") { $0.department & ["nonexistent": 1] }
        q.add("restrict.partly_unmatched_dict") { $0.student & ["home_state": "UT", "nonexistent": "x"] }
        q.add("restrict.chained") { ($0.student & ["sex": "F"]) & "home_state = 'UT'" }
        q.add("restrict.chained_three") { (($0.enroll & ["dept": "MATH"]) & ["term_year": 2020]) & "student_id < 200" }
        q.add("restrict.no_matching_value") { $0.student & ["home_state": "ZZ"] }

        q.add("antirestrict.by_table") { $0.student - $0.studentMajor }
        q.add("antirestrict.by_dict") { $0.course - ["dept": "BIOL"] }
        q.add("antirestrict.by_string") { $0.course - "credits < 4" }
        q.add("antirestrict.by_list") { $0.department - ([["dept": "BIOL"], ["dept": "CS"]] as [Row]) }
        q.add("antirestrict.by_restricted_query") { $0.student - ($0.enroll & ["term_year": 2020]) }
        // Python: Enroll * CurrentTerm - Grade (join first: * binds tighter than -).
        q.add("antirestrict.current_ungraded") { ($0.enroll * $0.currentTerm) - $0.grade }
        q.add("antirestrict.then_restrict") { ($0.student - $0.studentMajor) & ["sex": "M"] }
        q.add("antirestrict.by_unmatched_dict") { $0.department - ["nonexistent": 1] }
        q.add("antirestrict.by_true") { $0.department - true }
        return q.items
    }()

    static let projection: [ConformanceQuery] = {
        var q = QueryList()
        q.add("proj.key_only") { $0.student.proj() }
        q.add("proj.select") { ($0.student & ["home_state": "UT"]).proj("first_name", "last_name") }
        q.add("proj.rename_secondary") { $0.department.proj(named: ["name": "dept_name"]) }
        q.add("proj.rename_primary_key") { $0.department.proj("dept_name", named: ["department": "dept"]) }
        q.add("proj.rename_key_then_restrict") { $0.student.proj("last_name", named: ["sid": "student_id"]) & "sid < 106" }
        q.add("proj.computed_arithmetic") {
            ($0.course & ["dept": "MATH"]).proj("credits", named: ["double_credits": "credits * 2"])
        }
        q.add("proj.computed_concat") {
            ($0.student & ["home_state": "UT"]).proj(named: ["full_name": "CONCAT(first_name, ' ', last_name)"])
        }
        q.add("proj.ellipsis_excluding") { $0.student.proj("...", "-home_address", "-home_phone", "-home_zip", "-home_city") }
        q.add("proj.ellipsis_with_computed") {
            ($0.course & ["dept": "PHYS"]).proj("...", "-course_name", named: ["half": "credits / 2"])
        }
        q.add("proj.restrict_on_renamed") { $0.department.proj(named: ["name": "dept_name"]) & "name = 'Physics'" }
        q.add("proj.restrict_on_computed") { $0.course.proj(named: ["double_credits": "credits * 2"]) & "double_credits > 7" }
        q.add("proj.computed_of_computed") {
            ($0.course & ["dept": "CS"]).proj(named: ["dc": "credits * 2"]).proj(named: ["qc": "dc * 2"])
        }
        // Python's '(dept_name)' duplicates an attribute; as a SQL expression it computes the same value.
        q.add("proj.duplicate_attribute") { ($0.department & ["dept": "CS"]).proj("dept_name", named: ["label": "(dept_name)"]) }
        q.add("proj.rounded") { $0.letterGrade.proj(named: ["rounded": "ROUND(points, 0)"]) }
        return q.items
    }()

    /// Date functions are not portable SQL: YEAR is MySQL's (the spec's examples use it and the reference
    /// rewrites it on PostgreSQL), EXTRACT is standard SQL that MySQL and PostgreSQL have but SQLite lacks.
    static let dateFunctions: [ConformanceQuery] = {
        var q = QueryList()
        q.add("datefunc.extract_year") {
            ($0.student & "student_id < 110").proj(named: ["birth_year": "EXTRACT(YEAR FROM date_of_birth)"])
        }
        q.add("datefunc.year") { ($0.student & "student_id < 110").proj(named: ["birth_year": "YEAR(date_of_birth)"]) }
        q.add("datefunc.restrict_on_year") {
            $0.student.proj(named: ["birth_year": "YEAR(date_of_birth)"]) & "birth_year = 1991"
        }
        return q.items
    }()

    static let join: [ConformanceQuery] = {
        var q = QueryList()
        q.add("join.homologous") { $0.student * $0.studentMajor }
        q.add("join.homologous_restricted") { ($0.student & ["home_state": "UT"]) * $0.studentMajor }
        q.add("join.homologous_reversed") { $0.studentMajor * ($0.student & ["home_state": "UT"]) }
        q.add("join.right_determines_left") { ($0.student & ["home_state": "UT"]) * ($0.enroll & ["term_year": 2020]) }
        q.add("join.secondary_fk_to_primary") { ($0.studentMajor & "student_id < 106") * $0.department.proj("dept_name") }
        q.add("join.neither_determines") { ($0.studentMajor & "student_id < 106") * $0.course }
        q.add("join.neither_current_term") { ($0.enroll & "student_id < 130") * $0.currentTerm }
        q.add("join.of_projection") { $0.student.proj("last_name") * ($0.grade & ["grade": "F"]) }
        q.add("join.restricted_operands") {
            ($0.course & ["dept": "MATH"]) * ($0.section & ["term_year": 2020, "term": "Fall"])
        }
        q.add("join.three_way") { ($0.student & ["home_state": "UT"]) * $0.enroll * $0.course }
        q.add("join.three_way_lookup") { ($0.grade & ["student_id": 101]) * $0.letterGrade * $0.course.proj("course_name") }
        q.add("join.grade_points") { $0.grade * $0.letterGrade }
        q.add("join.renamed_homologous") {
            $0.department.proj(named: ["department": "dept", "name": "dept_name"])
                * $0.course.proj("course_name", named: ["department": "dept"])
        }
        q.add("join.then_restrict") { (($0.enroll * $0.grade) & ["grade": "A"]) & ["dept": "PHYS", "term_year": 2019] }
        q.add("join.no_semantic_check") {
            ($0.student & "student_id < 105").proj(named: ["dept": "'CS'"]).join($0.department, semanticCheck: false)
        }

        q.add("extend.left_join") { ($0.student & "student_id < 115").join($0.studentMajor, left: true) }
        q.add("extend.extend") { ($0.student & "student_id < 115").extend($0.studentMajor) }
        q.add("extend.extend_secondary_fk") { ($0.studentMajor & "student_id < 106").extend($0.department.proj("dept_name")) }
        q.add("extend.extend_counts_all") { $0.student.extend($0.studentMajor) }
        return q.items
    }()

    static let aggregation: [ConformanceQuery] = {
        var q = QueryList()
        q.add("aggr.count_keep_all") { $0.student.aggr($0.enroll, named: ["n": "count(course)"]) }
        q.add("aggr.count_keep_all_small") { ($0.student & "student_id < 110").aggr($0.enroll, named: ["n": "count(course)"]) }
        // count(*) counts the NULL row of a student without enrollments as 1 (spec 5.7).
        q.add("aggr.count_star_keep_all") { ($0.student & "student_id < 110").aggr($0.enroll, named: ["n": "count(*)"]) }
        q.add("aggr.count_exclude_nonmatching") {
            $0.student.aggr($0.enroll, named: ["n": "count(course)"], excludeNonmatching: true)
        }
        q.add("aggr.zero_enrollments") { $0.student.aggr($0.enroll, named: ["n": "count(course)"]) & "n = 0" }
        // SQLite averages in binary floating point, so an exact average of x.xx5 may round down (2.315 -> 2.31).
        q.add("aggr.avg_grade", sqliteTolerance: 0.01) { $0.course.aggr($0.grade * $0.letterGrade, named: ["avg_grade": "round(avg(points), 2)"]) }
        q.add("aggr.count_sum_max_min") {
            $0.department.aggr(
                $0.course, named: ["n": "count(*)", "total": "sum(credits)", "most": "max(credits)", "least": "min(credits)"])
        }
        q.add("aggr.with_attributes") { $0.department.aggr($0.course, "dept_name", named: ["n": "count(*)"]) }
        q.add("aggr.with_ellipsis") { $0.department.aggr($0.studentMajor, "...", named: ["n": "count(student_id)"]) }
        q.add("aggr.of_join") {
            ($0.student & "student_id < 110").aggr($0.enroll * $0.course, named: ["total_credits": "sum(credits)"])
        }
        q.add("aggr.of_aggr") {
            $0.department.aggr($0.course.aggr($0.section, named: ["n": "count(*)"]), named: ["most_sections": "max(n)"])
        }
        q.add("aggr.as_join_operand") { ($0.course & ["dept": "MATH"]) * $0.course.aggr($0.section, named: ["n": "count(*)"]) }
        q.add("aggr.restrict_computed") { $0.course.aggr($0.section, named: ["n": "count(*)"]) & "n > 20" }
        q.add("aggr.restricted_grouping") {
            ($0.student & ["home_state": "UT"]).aggr($0.enroll, named: ["n": "count(course)"])
        }
        q.add("aggr.restricted_group") { $0.department.aggr($0.course & "credits > 3.5", named: ["n": "count(course)"]) }
        q.add("aggr.restricted_group_exclude") {
            $0.department.aggr($0.course & "credits > 3.5", named: ["n": "count(course)"], excludeNonmatching: true)
        }
        q.add("aggr.term_section_counts") {
            $0.term.aggr($0.section, named: ["n": "count(*)", "rooms": "count(distinct auditorium)"])
        }
        return q.items
    }()

    static let unionAndUniversal: [ConformanceQuery] = {
        var q = QueryList()
        q.add("union.key_only") { ($0.student & ["home_state": "UT"]).proj() + ($0.student & ["home_state": "WY"]).proj() }
        q.add("union.overlapping") {
            ($0.student & "student_id < 110").proj() + ($0.student & "student_id between 105 and 114").proj()
        }
        q.add("union.secondary_each_side") {
            ($0.student & "student_id < 105").proj("first_name") + ($0.student & "student_id between 103 and 107").proj("last_name")
        }
        q.add("union.restrict_after") {
            (($0.student & ["home_state": "UT"]).proj() + ($0.student & ["home_state": "WY"]).proj()) & "student_id > 200"
        }

        q.add("universal.distinct_values") { U("home_state") & $0.student }
        q.add("universal.distinct_restricted") { U("last_name") & ($0.student & ["home_state": "CA"]) }
        q.add("universal.distinct_pairs") { U("dept", "term_year") & $0.section }
        q.add("universal.distinct_of_projection") { U("double_credits") & $0.course.proj(named: ["double_credits": "credits * 2"]) }
        q.add("universal.aggr_grouped") { U("home_state").aggr($0.student, named: ["n": "count(*)"]) }
        q.add("universal.aggr_global") { U().aggr($0.student, named: ["n": "count(*)"]) }
        q.add("universal.aggr_global_stats") {
            U().aggr($0.course, named: ["n": "count(*)", "total": "sum(credits)", "most": "max(credits)"])
        }
        q.add("universal.aggr_of_projection") { U("dc").aggr($0.course.proj(named: ["dc": "credits * 2"]), named: ["n": "count(*)"]) }
        q.add("universal.aggr_two_attributes") { U("dept", "term").aggr($0.section & ["term_year": 2020], named: ["n": "count(*)"]) }
        q.add("universal.aggr_restrict_computed") { U("home_state").aggr($0.student, named: ["n": "count(*)"]) & "n >= 10" }
        q.add("universal.aggr_of_restricted") { U("grade").aggr($0.grade & ["dept": "MATH"], named: ["n": "count(*)"]) }
        // The reference fails here (it renders `SELECT DISTINCT  FROM ...`); spec 8.5 says `dj.U() & table` has an
        // empty primary key and a single row, which is what expected.json holds.
        q.add("universal.empty_u_restrict") { U() & $0.student }
        return q.items
    }()

    static let top: [ConformanceQuery] = {
        var q = QueryList()
        q.add("top.default_first_by_key") { $0.student & Top() }
        q.add("top.limit_key") { $0.student & Top(5) }
        q.add("top.order_desc") { $0.student & Top(5, orderBy: ["last_name DESC", "student_id"]) }
        q.add("top.order_offset") { $0.student & Top(3, orderBy: ["date_of_birth", "student_id"], offset: 2) }
        q.add("top.unlimited_ordered") { $0.student & Top(nil, orderBy: ["last_name"]) }
        q.add("top.then_restrict") { ($0.student & Top(10, orderBy: ["student_id DESC"])) & ["sex": "F"] }
        q.add("top.then_antirestrict") { ($0.student & Top(5)) - $0.studentMajor }
        q.add("top.restrict_then_top") { ($0.student & ["sex": "F"]) & Top(4, orderBy: ["student_id DESC"]) }
        q.add("top.chained_merge_inherit") {
            ($0.student & Top(10, orderBy: ["student_id DESC"])) & Top(3, orderBy: nil, offset: 2)
        }
        // Spec 12.5: same order_by merges as limit = min(10, 20), offset = 5 + 2: ten rows, not eight.
        q.add("top.chained_merge_same_order") {
            ($0.student & Top(10, orderBy: ["student_id DESC"], offset: 5)) & Top(20, orderBy: ["student_id DESC"], offset: 2)
        }
        q.add("top.chained_subquery") { ($0.student & Top(10, orderBy: ["student_id DESC"])) & Top(3, orderBy: ["student_id"]) }
        q.add("top.of_aggr") {
            $0.course.aggr($0.section, named: ["n": "count(*)"]) & Top(3, orderBy: ["n DESC", "dept", "course"])
        }
        q.add("top.then_proj") { ($0.student & Top(3, orderBy: ["student_id DESC"])).proj("last_name") }
        q.add("top.then_proj_computed") {
            ($0.student & Top(3, orderBy: ["student_id DESC"])).proj(named: ["twice": "student_id * 2"])
        }
        q.add("top.as_restriction") { $0.enroll & ($0.student & Top(2)) }
        q.add("top.union_of_tops") { ($0.student & Top(2)).proj() + ($0.student & Top(2, orderBy: ["student_id DESC"])).proj() }
        // The reference gets the next six wrong: it merges the Top operand into the outer SELECT, dropping its
        // LIMIT (or applying it after DISTINCT). Spec 11, 13.5.1 and 13.5.3 materialise a Top operand as a
        // subquery first; expected.json holds that answer (computed with make_subquery()).
        q.add("top.then_join") { ($0.course & Top(2)) * ($0.section & ["term_year": 2020]) }
        q.add("top.join_with_top_operand") { $0.enroll * ($0.student & Top(2)) }
        q.add("top.then_aggr") { ($0.student & Top(3)).aggr($0.enroll, named: ["n": "count(course)"]) }
        q.add("top.aggr_of_top") {
            $0.student.aggr($0.enroll & Top(5), named: ["n": "count(course)"], excludeNonmatching: true)
        }
        q.add("top.universal_of_top") { U("home_state") & ($0.student & Top(5)) }
        q.add("top.universal_aggr_of_top") { U("sex").aggr($0.student & Top(5), named: ["n": "count(*)"]) }
        return q.items
    }()

    /// Queries the spec rejects. The reference raises DataJointError for each (KeyError for the U one).
    static let errors: [ConformanceQuery] = {
        var q = QueryList()
        q.fails("restrict.unknown_attribute_error") { $0.student & "nonexistent = 1" }
        q.fails("proj.exclude_primary_key_error") { $0.student.proj("...", "-student_id") }
        q.fails("proj.missing_attribute_error", .missingAttribute) { $0.student.proj("nonexistent") }
        q.fails("join.non_homologous_error", .semanticMismatch) { $0.student.proj(named: ["dept": "home_state"]) * $0.department }
        q.fails("join.computed_namesake_error", .semanticMismatch) {
            ($0.student & "student_id < 105").proj(named: ["dept": "'CS'"]) * $0.department
        }
        q.fails("join.restrict_non_homologous_error", .semanticMismatch) {
            $0.department & $0.student.proj(named: ["dept": "home_state"])
        }
        q.fails("extend.extend_error") { $0.department.extend($0.course) }
        q.fails("extend.left_join_error") { $0.student.join($0.enroll, left: true) }
        q.fails("aggr.missing_key_error") { $0.enroll.aggr($0.student, named: ["n": "count(*)"]) }
        q.fails("union.shared_secondary_error") { ($0.course & ["dept": "MATH"]) + ($0.course & "credits > 3.5") }
        q.fails("union.different_key_error") { $0.student.proj() + $0.department.proj() }
        q.fails("universal.missing_attribute_error", .missingAttribute) { U("nonexistent") & $0.student }
        return q.items
    }()

    /// Queries of expected.json the Swift API cannot even express: `Top` is not a restriction, so it cannot be
    /// put in an OR list (spec 12.9 makes that an error; Swift rejects it at compile time).
    static let notExpressible: Set<String> = ["top.in_or_list_error"]

    static var all: [ConformanceQuery] {
        restriction + projection + dateFunctions + join + aggregation + unionAndUniversal + top + errors
    }

    // MARK: running and comparing

    /// Loads the University database on the backend and checks each query against expected.json.
    static func run(_ queries: [ConformanceQuery], on backend: TestBackend) async throws {
        let expected = try expected()
        try await backend.withDatabase { db in
            let u = try await University.load(into: db)
            let tables = UniversityTables(u)
            for query in queries {
                guard let e = expected[query.id] else {
                    Issue.record("\(query.id): not in expected.json")
                    continue
                }
                await check(query, e, tables, backend)
            }
        }
    }

    static func check(_ query: ConformanceQuery, _ e: ExpectedQuery, _ tables: UniversityTables, _ backend: TestBackend) async {
        let label = "[\(backend.rawValue)] \(query.id) — \(e.python)"
        if !e.specValid {
            do {
                let expression = try await query.build(tables).queryExpression()
                _ = try await expression.heading()
                let rows = try await expression.toDicts()
                Issue.record("\(label): the spec rejects this query but it returned \(rows.count) rows")
            } catch let error as DataJointError {
                if let kind = query.errorKind {
                    #expect(error.kind == kind, "\(label): \(error)")
                }
            } catch {
                Issue.record("\(label): expected a DataJointError, got \(error)")
            }
            return
        }
        guard let count = e.count, let primaryKey = e.primaryKey, let names = e.heading, let expectedRows = e.rows else {
            Issue.record("\(label): expected.json has no answer for this query")
            return
        }
        do {
            let expression = try await query.build(tables).queryExpression()
            let heading = try await expression.heading()
            #expect(heading.primaryKey == primaryKey, "\(label): primary key")
            #expect(heading.names == names, "\(label): heading")
            #expect(try await expression.count() == count, "\(label): count()")
            let rows = try await expression.toDicts()
            guard rows.count == count else {
                Issue.record("\(label): fetched \(rows.count) rows, expected \(count)")
                return
            }
            let sorted = rows.sorted { sortKey($0, heading.primaryKey) < sortKey($1, heading.primaryKey) }
            let compared = e.sampled == true ? Array(sorted.prefix(expectedRows.count)) : sorted
            let tolerance = backend == .sqlite ? query.sqliteTolerance ?? 0 : 0
            for (index, (actual, wanted)) in zip(compared, expectedRows).enumerated() {
                if let problem = mismatch(actual, wanted, tolerance: tolerance) {
                    Issue.record("\(label): row \(index) \(problem)\n  got      \(actual)\n  expected \(wanted)")
                    break
                }
            }
        } catch {
            Issue.record("\(label): \(error)")
        }
    }

    /// What differs between a fetched row and an expected one, or nil.
    static func mismatch(_ actual: Row, _ expected: [String: ExpectedValue], tolerance: Double = 0) -> String? {
        if Set(actual.names) != Set(expected.keys) {
            return "has attributes \(actual.names.sorted()), expected \(expected.keys.sorted())"
        }
        for (name, value) in expected where !matches(actual[name]!, value, tolerance: tolerance) {
            return "differs in `\(name)`: \(actual[name]!) vs \(value)"
        }
        return nil
    }

    /// Compares by meaning: numbers by value whatever their type (decimals are strings in the file), dates as
    /// ISO text, char(n) values without trailing blanks, nulls.
    static func matches(_ actual: Value, _ expected: ExpectedValue, tolerance: Double = 0) -> Bool {
        func close(_ a: Double, _ b: Double) -> Bool {
            abs(a - b) <= max(tolerance + 1e-9, 1e-9 * max(1, abs(a), abs(b)))
        }
        switch expected {
        case .null:
            return actual.isNull
        case .bool(let b):
            if case .bool(let a) = actual { return a == b }
            return number(actual).map { $0 == (b ? 1 : 0) } ?? false
        case .int(let i):
            return number(actual).map { close($0, Double(i)) } ?? false
        case .double(let d):
            return number(actual).map { close($0, d) } ?? false
        case .string(let s):
            if let text = text(actual), trimmed(text) == trimmed(s) { return true }
            if let wanted = numeric(s), let got = number(actual) { return close(got, wanted) }
            return false
        }
    }

    static func trimmed(_ s: String) -> Substring {
        s[..<(s.lastIndex { $0 != " " }.map { s.index(after: $0) } ?? s.startIndex)]
    }

    /// A value as a number, when it is one (or text that spells one).
    static func number(_ value: Value) -> Double? {
        switch value {
        case .int(let i): Double(i)
        case .double(let d): d
        case .decimal(let d): NSDecimalNumber(decimal: d).doubleValue
        case .bool(let b): b ? 1 : 0
        case .string(let s): numeric(s)
        default: nil
        }
    }

    static func numeric(_ s: String) -> Double? {
        guard s.range(of: #"^\s*-?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?\s*$"#, options: .regularExpression) != nil else { return nil }
        return Double(s.trimmingCharacters(in: .whitespaces))
    }

    /// A value as the text the reference writes for it (dates in ISO form).
    static func text(_ value: Value) -> String? {
        switch value {
        case .string(let s): s
        case .date(let d): d.description
        case .datetime(let d): d.description
        case .uuid(let u): u.uuidString.lowercased()
        default: nil
        }
    }

    /// Sorts as reference.py does: nulls, then numbers by value, then text (and ISO dates) by code point.
    struct SortKey: Comparable {
        var parts: [SortPart]
        static func < (a: SortKey, b: SortKey) -> Bool { a.parts.lexicographicallyPrecedes(b.parts) }
    }

    struct SortPart: Comparable {
        var rank: Int
        var number: Double
        var text: [Unicode.Scalar]
        static func < (a: SortPart, b: SortPart) -> Bool {
            if a.rank != b.rank { return a.rank < b.rank }
            if a.number != b.number { return a.number < b.number }
            return a.text.lexicographicallyPrecedes(b.text) { $0.value < $1.value }
        }
        static func == (a: SortPart, b: SortPart) -> Bool {
            a.rank == b.rank && a.number == b.number && a.text.elementsEqual(b.text) { $0.value == $1.value }
        }
    }

    static func sortKey(_ row: Row, _ key: [String]) -> SortKey {
        SortKey(parts: key.map { name in
            let value = row[name] ?? .null
            switch value {
            case .null: return SortPart(rank: 0, number: 0, text: [])
            case .int, .double, .decimal, .bool: return SortPart(rank: 1, number: number(value)!, text: [])
            default: return SortPart(rank: 2, number: 0, text: Array(trimmed(text(value) ?? value.description).unicodeScalars))
            }
        })
    }

    // MARK: expected.json

    static func expected() throws -> [String: ExpectedQuery] {
        let data = try Data(contentsOf: TestDatabase.resource("university-queries/expected.json"))
        // No key-decoding strategy: it would rename the attribute names of the rows too.
        let file = try JSONDecoder().decode(ExpectedFile.self, from: data)
        return Dictionary(uniqueKeysWithValues: file.queries.map { ($0.id, $0) })
    }
}

struct ExpectedFile: Decodable {
    let queries: [ExpectedQuery]
}

/// One query's answer in expected.json.
struct ExpectedQuery: Decodable, Sendable {
    let id: String
    let group: String
    let python: String
    /// False when the spec says the query must fail.
    let specValid: Bool
    let specNote: String?
    let referenceError: Bool?
    let error: String?
    let referenceDisagreesWithSpec: Bool?
    let primaryKey: [String]?
    let heading: [String]?
    let count: Int?
    /// True when `rows` holds only the first rows (sorted by primary key) of a larger result.
    let sampled: Bool?
    let rows: [[String: ExpectedValue]]?

    enum CodingKeys: String, CodingKey {
        case id, group, python, error, heading, count, sampled, rows
        case specValid = "spec_valid", specNote = "spec_note", referenceError = "reference_error"
        case referenceDisagreesWithSpec = "reference_disagrees_with_spec", primaryKey = "primary_key"
    }
}

/// A JSON value of expected.json: decimals are strings, dates ISO strings.
enum ExpectedValue: Decodable, Sendable, CustomStringConvertible {
    case null, bool(Bool), int(Int64), double(Double), string(String)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let i = try? container.decode(Int64.self) {
            self = .int(i)
        } else if let d = try? container.decode(Double.self) {
            self = .double(d)
        } else if let b = try? container.decode(Bool.self) {
            self = .bool(b)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    var description: String {
        switch self {
        case .null: "null"
        case .bool(let b): String(b)
        case .int(let i): String(i)
        case .double(let d): String(d)
        case .string(let s): "\"\(s)\""
        }
    }
}
