#!/usr/bin/env python3
"""Reference answers for the University query-algebra conformance suite.

Declares the University schema with DataJoint-Python 2.3.5 on PostgreSQL (schema `univ_ref` in database
`dj_test`), loads the CSVs of ../university/, runs every query of QUERIES and writes expected.json next to
this script. The Swift suite (Tests/DataJointTests/UniversityQueryTests.swift) runs the same queries on every
backend and compares against that file.

Run from any directory other than DataJoint's site-packages, e.g.

    /tmp/djpy/bin/python Tests/DataJointTests/Resources/university-queries/reference.py

For each query expected.json records: id, group, the Python expression, the primary key, heading names,
row count and the rows sorted by primary key (all rows when there are at most 60, else the first 5, with
"sampled": true). Values are JSON numbers, strings, ISO dates, decimals as strings, null; char(n) values
without PostgreSQL's trailing blanks. "spec_valid" says whether the query-algebra spec allows the query and
"spec_note" cites it. A query that fails records "reference_error": true with the message. Where the
reference's answer contradicts the spec, "reference_disagrees_with_spec" is true and the recorded answer is
the spec's (from "spec_python", an equivalent expression the reference gets right, or written out), with the
reference's own answer kept under "reference_result".
"""

import csv
import datetime
import decimal
import json
import logging
import os
import sys
import warnings

warnings.filterwarnings("ignore")

import datajoint as dj  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "university")
SCHEMA = "univ_ref"
FULL_LIMIT = 60
SAMPLE_SIZE = 5

dj.config["database.backend"] = "postgresql"
dj.config["database.host"] = "127.0.0.1"
dj.config["database.port"] = 5432
dj.config["database.user"] = "datajoint"
dj.config["database.password"] = "datajoint"
dj.config["database.name"] = "dj_test"
dj.config["safemode"] = False
logging.getLogger("datajoint").setLevel(logging.ERROR)

conn = dj.conn()
if SCHEMA in dj.list_schemas():
    dj.Schema(SCHEMA).drop(prompt=False)
schema = dj.Schema(SCHEMA)


# ---- the University schema, with the definitions of Tests/DataJointTests/University.swift -----------------


@schema
class Student(dj.Manual):
    definition = """
    student_id : int64
    ---
    first_name : varchar(40)
    last_name : varchar(40)
    sex : enum('F', 'M', 'U')
    date_of_birth : date
    home_address : varchar(120)
    home_city : varchar(60)
    home_state : char(2)
    home_zip : char(10)
    home_phone : varchar(20)
    """


@schema
class Department(dj.Manual):
    definition = """
    dept : varchar(6)   # abbreviated department name, e.g. BIOL
    ---
    dept_name : varchar(200)  # full department name
    dept_address : varchar(200)  # mailing address
    dept_phone : varchar(20)
    """


@schema
class StudentMajor(dj.Manual):
    definition = """
    -> Student
    ---
    -> Department
    declare_date : date  # when student declared her major
    """


@schema
class Course(dj.Manual):
    definition = """
    -> Department
    course : int64   # course number, e.g. 1010
    ---
    course_name : varchar(200)  # e.g. "Neurobiology of Sensation and Movement."
    credits : decimal(3,1)  # number of credits earned by completing the course
    """


@schema
class Term(dj.Manual):
    definition = """
    term_year : int16
    term : enum('Spring', 'Summer', 'Fall')
    """


@schema
class Section(dj.Manual):
    definition = """
    -> Course
    -> Term
    section : char(1)
    ---
    auditorium : varchar(12)
    """


@schema
class CurrentTerm(dj.Manual):
    definition = """
    omega = 0 : int8
    ---
    -> Term
    """


@schema
class Enroll(dj.Manual):
    definition = """
    -> Student
    -> Section
    """


@schema
class LetterGrade(dj.Lookup):
    definition = """
    grade : char(2)
    ---
    points : decimal(3,2)
    """
    contents = [
        ("A", "4.00"), ("A-", "3.67"), ("B+", "3.33"), ("B", "3.00"), ("B-", "2.67"), ("C+", "2.33"),
        ("C", "2.00"), ("C-", "1.67"), ("D+", "1.33"), ("D", "1.00"), ("F", "0.00"),
    ]


@schema
class Grade(dj.Manual):
    definition = """
    -> Enroll
    ---
    -> LetterGrade
    """


INTEGER = {"student_id", "course", "term_year", "omega"}
for table in (Student, Department, StudentMajor, Course, Term, Section, CurrentTerm, Enroll, Grade):
    with open(os.path.join(DATA, table.__name__ + ".csv"), newline="") as f:
        rows = [{k: int(v) if k in INTEGER else v for k, v in row.items()} for row in csv.DictReader(f)]
    table.insert(rows)

EXPECTED_COUNTS = dict(Student=300, Department=4, StudentMajor=226, Course=45, Term=18, Section=756,
                       CurrentTerm=1, Enroll=3364, LetterGrade=11, Grade=3027)
for name, n in EXPECTED_COUNTS.items():
    assert len(globals()[name]()) == n, (name, len(globals()[name]()))

# ---- the queries ----------------------------------------------------------------------------------------
# Q(group, id, python expression, ...). The expression is evaluated as written, so the text recorded in
# expected.json is exactly what ran. Options:
#   valid=False      the spec says the query must fail (the reference is expected to raise);
#   note="..."       what the spec says, for queries that fail or that the reference gets wrong;
#   spec_python="…"  the reference returns a result that contradicts the spec: the expected answer is taken
#                    from this equivalent expression instead (the reference's own answer is kept under
#                    "reference_result");
#   spec_result={…}  the reference cannot run a query the spec defines: the expected answer, written out.


def Q(group, qid, python, valid=True, note=None, spec_python=None, spec_result=None):
    return dict(group=group, id=qid, python=python, valid=valid, note=note, spec_python=spec_python,
                spec_result=spec_result)


TOP_NOTE = ("spec 11, 13.5.1 and 13.5.3: an operand restricted by Top is materialised as a subquery before any "
            "further operator; DataJoint-Python 2.3.5 merges it into the outer SELECT instead (dropping its "
            "ORDER BY/LIMIT, or applying them after DISTINCT), so the expected answer comes from the same query "
            "with the Top operand wrapped by make_subquery()")

QUERIES = [
    # --- restriction
    Q("restrict", "dict", "Student & {'home_state': 'UT'}"),
    Q("restrict", "dict_two_attributes", "Student & {'home_state': 'UT', 'sex': 'F'}"),
    Q("restrict", "dict_enum_and_int", "Term & {'term': 'Fall', 'term_year': 2020}"),
    Q("restrict", "dict_date", "StudentMajor & {'declare_date': '2019-01-13'}"),
    Q("restrict", "dict_decimal", "LetterGrade & {'points': 3.67}"),
    Q("restrict", "string", "Course & 'credits > 3.5'"),
    Q("restrict", "string_date", "Student & \"date_of_birth >= '2000-01-01'\""),
    Q("restrict", "string_like", "Student & \"last_name LIKE 'Mc%'\""),
    Q("restrict", "string_in", "Student & 'student_id IN (100, 101, 102, 999)'"),
    Q("restrict", "or_list_dicts", "Student & [{'home_state': 'UT'}, {'home_state': 'WY'}]"),
    Q("restrict", "or_list_mixed", "Course & [{'dept': 'MATH'}, 'credits > 3.5']"),
    Q("restrict", "or_list_empty", "Department & []"),
    Q("restrict", "and_list", "Student & dj.AndList([{'home_state': 'UT'}, \"sex = 'F'\"])"),
    Q("restrict", "not_dict", "Student & dj.Not({'home_state': 'UT'})"),
    Q("restrict", "not_list", "Student & dj.Not([{'home_state': 'UT'}, {'home_state': 'CA'}])"),
    Q("restrict", "not_string", "Course & dj.Not('credits < 4')"),
    Q("restrict", "by_query", "Student & StudentMajor"),
    Q("restrict", "by_restricted_query", "Student & (StudentMajor & {'dept': 'MATH'})"),
    Q("restrict", "by_query_secondary_fk", "Department & (StudentMajor & 'student_id < 103')"),
    Q("restrict", "by_query_no_semantic_check", "Student().restrict(StudentMajor, semantic_check=False)"),
    Q("restrict", "true", "Department & True"),
    Q("restrict", "false", "Department & False"),
    Q("restrict", "unmatched_dict", "Department & {'nonexistent': 1}"),
    Q("restrict", "partly_unmatched_dict", "Student & {'home_state': 'UT', 'nonexistent': 'x'}"),
    Q("restrict", "chained", "Student & {'sex': 'F'} & \"home_state = 'UT'\""),
    Q("restrict", "chained_three", "Enroll & {'dept': 'MATH'} & {'term_year': 2020} & 'student_id < 200'"),
    Q("restrict", "no_matching_value", "Student & {'home_state': 'ZZ'}"),
    Q("restrict", "unknown_attribute_error", "Student & 'nonexistent = 1'", valid=False,
      note="spec 2.11: an unknown attribute in a string condition is an error"),
    # --- anti-restriction
    Q("antirestrict", "by_table", "Student - StudentMajor"),
    Q("antirestrict", "by_dict", "Course - {'dept': 'BIOL'}"),
    Q("antirestrict", "by_string", "Course - 'credits < 4'"),
    Q("antirestrict", "by_list", "Department - [{'dept': 'BIOL'}, {'dept': 'CS'}]"),
    Q("antirestrict", "by_restricted_query", "Student - (Enroll & {'term_year': 2020})"),
    Q("antirestrict", "current_ungraded", "Enroll * CurrentTerm - Grade"),
    Q("antirestrict", "then_restrict", "(Student - StudentMajor) & {'sex': 'M'}"),
    Q("antirestrict", "by_unmatched_dict", "Department - {'nonexistent': 1}"),
    Q("antirestrict", "by_true", "Department - True"),
    # --- projection
    Q("proj", "key_only", "Student.proj()"),
    Q("proj", "select", "(Student & {'home_state': 'UT'}).proj('first_name', 'last_name')"),
    Q("proj", "rename_secondary", "Department.proj(name='dept_name')"),
    Q("proj", "rename_primary_key", "Department.proj('dept_name', department='dept')"),
    Q("proj", "rename_key_then_restrict", "Student.proj('last_name', sid='student_id') & 'sid < 106'"),
    Q("proj", "computed_arithmetic", "(Course & {'dept': 'MATH'}).proj('credits', double_credits='credits * 2')"),
    Q("proj", "computed_concat", "(Student & {'home_state': 'UT'}).proj(full_name=\"CONCAT(first_name, ' ', last_name)\")"),
    Q("proj", "ellipsis_excluding", "Student.proj(..., '-home_address', '-home_phone', '-home_zip', '-home_city')"),
    Q("proj", "ellipsis_with_computed", "(Course & {'dept': 'PHYS'}).proj(..., '-course_name', half='credits / 2')"),
    Q("proj", "restrict_on_renamed", "Department.proj(name='dept_name') & \"name = 'Physics'\""),
    Q("proj", "restrict_on_computed", "Course.proj(double_credits='credits * 2') & 'double_credits > 7'"),
    Q("proj", "computed_of_computed", "(Course & {'dept': 'CS'}).proj(dc='credits * 2').proj(qc='dc * 2')"),
    Q("proj", "duplicate_attribute", "(Department & {'dept': 'CS'}).proj('dept_name', label='(dept_name)')"),
    Q("proj", "rounded", "LetterGrade.proj(rounded='ROUND(points, 0)')"),
    Q("proj", "exclude_primary_key_error", "Student.proj(..., '-student_id')", valid=False,
      note="spec 3.8: excluding a primary-key attribute is a DataJointError"),
    Q("proj", "missing_attribute_error", "Student.proj('nonexistent')", valid=False,
      note="spec 3.8: attribute not found"),
    # --- date functions: not portable SQL (YEAR is MySQL's; EXTRACT is standard but SQLite lacks it)
    Q("datefunc", "extract_year", "(Student & 'student_id < 110').proj(birth_year='EXTRACT(YEAR FROM date_of_birth)')"),
    Q("datefunc", "year", "(Student & 'student_id < 110').proj(birth_year='YEAR(date_of_birth)')",
      note="spec 3.4 and 13.5 use YEAR(session_date); on PostgreSQL the reference rewrites YEAR(x) as "
           "EXTRACT(YEAR FROM x)::int"),
    Q("datefunc", "restrict_on_year", "Student.proj(birth_year='YEAR(date_of_birth)') & 'birth_year = 1991'"),
    # --- join
    Q("join", "homologous", "Student * StudentMajor"),
    Q("join", "homologous_restricted", "(Student & {'home_state': 'UT'}) * StudentMajor"),
    Q("join", "homologous_reversed", "StudentMajor * (Student & {'home_state': 'UT'})"),
    Q("join", "right_determines_left", "(Student & {'home_state': 'UT'}) * (Enroll & {'term_year': 2020})"),
    Q("join", "secondary_fk_to_primary", "(StudentMajor & 'student_id < 106') * Department.proj('dept_name')"),
    Q("join", "neither_determines", "(StudentMajor & 'student_id < 106') * Course"),
    Q("join", "neither_current_term", "(Enroll & 'student_id < 130') * CurrentTerm"),
    Q("join", "of_projection", "Student.proj('last_name') * (Grade & {'grade': 'F'})"),
    Q("join", "restricted_operands", "(Course & {'dept': 'MATH'}) * (Section & {'term_year': 2020, 'term': 'Fall'})"),
    Q("join", "three_way", "(Student & {'home_state': 'UT'}) * Enroll * Course"),
    Q("join", "three_way_lookup", "(Grade & {'student_id': 101}) * LetterGrade * Course.proj('course_name')"),
    Q("join", "grade_points", "Grade * LetterGrade"),
    Q("join", "renamed_homologous", "Department.proj(department='dept', name='dept_name') * Course.proj('course_name', department='dept')"),
    Q("join", "then_restrict", "(Enroll * Grade) & {'grade': 'A'} & {'dept': 'PHYS', 'term_year': 2019}"),
    Q("join", "no_semantic_check", "(Student & 'student_id < 105').proj(dept=\"'CS'\").join(Department, semantic_check=False)"),
    Q("join", "non_homologous_error", "Student.proj(dept='home_state') * Department", valid=False,
      note="spec 4.9 / semantic-matching: namesakes of different lineage (here null vs department.dept) are an error"),
    Q("join", "computed_namesake_error", "(Student & 'student_id < 105').proj(dept=\"'CS'\") * Department", valid=False,
      note="semantic-matching: a namesake whose lineage is null on one side cannot be matched"),
    Q("join", "restrict_non_homologous_error", "Department & Student.proj(dept='home_state')", valid=False,
      note="semantic-matching: restriction by a query checks lineage like a join"),
    # --- left join / extend
    Q("extend", "left_join", "(Student & 'student_id < 115').join(StudentMajor, left=True)"),
    Q("extend", "extend", "(Student & 'student_id < 115').extend(StudentMajor)"),
    Q("extend", "extend_secondary_fk", "(StudentMajor & 'student_id < 106').extend(Department.proj('dept_name'))"),
    Q("extend", "extend_counts_all", "Student.extend(StudentMajor)"),
    Q("extend", "extend_error", "Department.extend(Course)", valid=False, note="spec 6.6: A must determine B"),
    Q("extend", "left_join_error", "Student.join(Enroll, left=True)", valid=False,
      note="spec 4.9: left join without A -> B"),
    # --- aggregation
    Q("aggr", "count_keep_all", "Student.aggr(Enroll, n='count(course)')"),
    Q("aggr", "count_keep_all_small", "(Student & 'student_id < 110').aggr(Enroll, n='count(course)')"),
    Q("aggr", "count_star_keep_all", "(Student & 'student_id < 110').aggr(Enroll, n='count(*)')"),
    Q("aggr", "count_exclude_nonmatching", "Student.aggr(Enroll, n='count(course)', exclude_nonmatching=True)"),
    Q("aggr", "zero_enrollments", "Student.aggr(Enroll, n='count(course)') & 'n = 0'"),
    Q("aggr", "avg_grade", "Course.aggr(Grade * LetterGrade, avg_grade='round(avg(points), 2)')"),
    Q("aggr", "count_sum_max_min", "Department.aggr(Course, n='count(*)', total='sum(credits)', most='max(credits)', least='min(credits)')"),
    Q("aggr", "with_attributes", "Department.aggr(Course, 'dept_name', n='count(*)')"),
    Q("aggr", "with_ellipsis", "Department.aggr(StudentMajor, ..., n='count(student_id)')"),
    Q("aggr", "of_join", "(Student & 'student_id < 110').aggr(Enroll * Course, total_credits='sum(credits)')"),
    Q("aggr", "of_aggr", "Department.aggr(Course.aggr(Section, n='count(*)'), most_sections='max(n)')"),
    Q("aggr", "as_join_operand", "(Course & {'dept': 'MATH'}) * Course.aggr(Section, n='count(*)')"),
    Q("aggr", "restrict_computed", "Course.aggr(Section, n='count(*)') & 'n > 20'"),
    Q("aggr", "restricted_grouping", "(Student & {'home_state': 'UT'}).aggr(Enroll, n='count(course)')"),
    Q("aggr", "restricted_group", "Department.aggr(Course & 'credits > 3.5', n='count(course)')"),
    Q("aggr", "restricted_group_exclude", "Department.aggr(Course & 'credits > 3.5', n='count(course)', exclude_nonmatching=True)"),
    Q("aggr", "term_section_counts", "Term.aggr(Section, n='count(*)', rooms='count(distinct auditorium)')"),
    Q("aggr", "missing_key_error", "Enroll.aggr(Student, n='count(*)')", valid=False,
      note="spec 5.9: B missing A's primary-key attributes"),
    # --- union
    Q("union", "key_only", "(Student & {'home_state': 'UT'}).proj() + (Student & {'home_state': 'WY'}).proj()"),
    Q("union", "overlapping", "(Student & 'student_id < 110').proj() + (Student & 'student_id between 105 and 114').proj()"),
    Q("union", "secondary_each_side", "(Student & 'student_id < 105').proj('first_name') + (Student & 'student_id between 103 and 107').proj('last_name')"),
    Q("union", "restrict_after", "((Student & {'home_state': 'UT'}).proj() + (Student & {'home_state': 'WY'}).proj()) & 'student_id > 200'"),
    Q("union", "shared_secondary_error", "(Course & {'dept': 'MATH'}) + (Course & 'credits > 3.5')", valid=False,
      note="spec 7.2: operands may not share secondary attributes"),
    Q("union", "different_key_error", "Student.proj() + Department.proj()", valid=False,
      note="spec 7.7: different primary keys"),
    # --- universal sets
    Q("universal", "distinct_values", "dj.U('home_state') & Student"),
    Q("universal", "distinct_restricted", "dj.U('last_name') & (Student & {'home_state': 'CA'})"),
    Q("universal", "distinct_pairs", "dj.U('dept', 'term_year') & Section"),
    Q("universal", "distinct_of_projection", "dj.U('double_credits') & Course.proj(double_credits='credits * 2')"),
    Q("universal", "aggr_grouped", "dj.U('home_state').aggr(Student, n='count(*)')"),
    Q("universal", "aggr_global", "dj.U().aggr(Student, n='count(*)')"),
    Q("universal", "aggr_global_stats", "dj.U().aggr(Course, n='count(*)', total='sum(credits)', most='max(credits)')"),
    Q("universal", "aggr_of_projection", "dj.U('dc').aggr(Course.proj(dc='credits * 2'), n='count(*)')"),
    Q("universal", "aggr_two_attributes", "dj.U('dept', 'term').aggr(Section & {'term_year': 2020}, n='count(*)')"),
    Q("universal", "aggr_restrict_computed", "dj.U('home_state').aggr(Student, n='count(*)') & 'n >= 10'"),
    Q("universal", "aggr_of_restricted", "dj.U('grade').aggr(Grade & {'dept': 'MATH'}, n='count(*)')"),
    Q("universal", "empty_u_restrict", "dj.U() & Student",
      note="spec 8.5: dj.U() & table has an empty primary key and a single row; the reference renders "
           "'SELECT DISTINCT  FROM ...', a syntax error (semantic-matching.md instead calls it "
           "'distinct primary keys of A')",
      spec_result=dict(primary_key=[], heading=[], count=1, rows=[{}])),
    Q("universal", "missing_attribute_error", "dj.U('nonexistent') & Student", valid=False,
      note="spec 8.6/8.7: U attributes must exist in the table (DataJointError; the reference raises KeyError)"),
    # --- top
    Q("top", "default_first_by_key", "Student & dj.Top()"),
    Q("top", "limit_key", "Student & dj.Top(5)"),
    Q("top", "order_desc", "Student & dj.Top(5, ['last_name DESC', 'student_id'])"),
    Q("top", "order_offset", "Student & dj.Top(3, ['date_of_birth', 'student_id'], offset=2)"),
    Q("top", "unlimited_ordered", "Student & dj.Top(None, 'last_name')"),
    Q("top", "then_restrict", "(Student & dj.Top(10, 'student_id DESC')) & {'sex': 'F'}"),
    Q("top", "then_antirestrict", "(Student & dj.Top(5)) - StudentMajor"),
    Q("top", "restrict_then_top", "(Student & {'sex': 'F'}) & dj.Top(4, 'student_id DESC')"),
    Q("top", "chained_merge_inherit", "(Student & dj.Top(10, 'student_id DESC')) & dj.Top(3, order_by=None, offset=2)"),
    Q("top", "chained_merge_same_order", "(Student & dj.Top(10, 'student_id DESC', offset=5)) & dj.Top(20, 'student_id DESC', offset=2)",
      note="spec 12.5: Tops with identical order_by merge: limit = min(10, 20), offset = 5 + 2, so 10 rows "
           "(not the 8 that nesting would give)"),
    Q("top", "chained_subquery", "(Student & dj.Top(10, 'student_id DESC')) & dj.Top(3, 'student_id')"),
    Q("top", "of_aggr", "Course.aggr(Section, n='count(*)') & dj.Top(3, ['n DESC', 'dept', 'course'])"),
    Q("top", "then_proj", "(Student & dj.Top(3, 'student_id DESC')).proj('last_name')"),
    Q("top", "then_proj_computed", "(Student & dj.Top(3, 'student_id DESC')).proj(twice='student_id * 2')"),
    Q("top", "as_restriction", "Enroll & (Student & dj.Top(2))"),
    Q("top", "union_of_tops", "(Student & dj.Top(2)).proj() + (Student & dj.Top(2, 'student_id DESC')).proj()"),
    Q("top", "then_join", "(Course & dj.Top(2)) * (Section & {'term_year': 2020})", note=TOP_NOTE,
      spec_python="(Course & dj.Top(2)).make_subquery() * (Section & {'term_year': 2020})"),
    Q("top", "join_with_top_operand", "Enroll * (Student & dj.Top(2))", note=TOP_NOTE,
      spec_python="Enroll * (Student & dj.Top(2)).make_subquery()"),
    Q("top", "then_aggr", "(Student & dj.Top(3)).aggr(Enroll, n='count(course)')", note=TOP_NOTE,
      spec_python="(Student & dj.Top(3)).make_subquery().aggr(Enroll, n='count(course)')"),
    Q("top", "aggr_of_top", "Student.aggr(Enroll & dj.Top(5), n='count(course)', exclude_nonmatching=True)", note=TOP_NOTE,
      spec_python="Student.aggr((Enroll & dj.Top(5)).make_subquery(), n='count(course)', exclude_nonmatching=True)"),
    Q("top", "universal_of_top", "dj.U('home_state') & (Student & dj.Top(5))", note=TOP_NOTE,
      spec_python="dj.U('home_state') & (Student & dj.Top(5)).make_subquery()"),
    Q("top", "universal_aggr_of_top", "dj.U('sex').aggr(Student & dj.Top(5), n='count(*)')", note=TOP_NOTE,
      spec_python="dj.U('sex').aggr((Student & dj.Top(5)).make_subquery(), n='count(*)')"),
    Q("top", "in_or_list_error", "Student & [dj.Top(2), {'home_state': 'UT'}]", valid=False,
      note="spec 12.9: Top in an OR list is a DataJointError (the Swift API rejects it at compile time)"),
]


# ---- running them ---------------------------------------------------------------------------------------


def to_json(value):
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return to_json(value.item())
    return str(value)


def sort_key(row, key):
    # None first, then numbers (decimals too) by value, then text and ISO dates by code point; the Swift
    # suite sorts its rows the same way before comparing.
    def part(v):
        if v is None:
            return (0, 0, "")
        if isinstance(v, (bool, int, float, decimal.Decimal)):
            return (1, float(v), "")
        if isinstance(v, (datetime.date, datetime.datetime)):
            return (2, 0, v.isoformat())
        return (2, 0, str(v))
    return tuple(part(row[k]) for k in key)


namespace = dict(dj=dj, **{c.__name__: c for c in (Student, Department, StudentMajor, Course, Term, Section,
                                                    CurrentTerm, Enroll, LetterGrade, Grade)})


def evaluate(text):
    """Runs one expression: its primary key, heading, count and rows (all, or a sorted sample)."""
    q = eval(text, namespace)
    if isinstance(q, type):
        q = q()
    primary_key = list(q.primary_key)
    names = list(q.heading.names)
    count = len(q)
    # PostgreSQL pads char(n) values with blanks; MySQL and the Swift library do not.
    padded = {n for n in names if q.heading[n].type.startswith("char(")}
    rows = [{k: v.rstrip(" ") if k in padded and isinstance(v, str) else v for k, v in r.items()}
            for r in q.to_dicts()]
    assert len(rows) == count, (text, len(rows), count)
    rows.sort(key=lambda r: sort_key(r, primary_key))  # on the fetched values: decimals sort as numbers
    rows = [{k: to_json(v) for k, v in r.items()} for r in rows]
    sampled = count > FULL_LIMIT
    return dict(primary_key=primary_key, heading=names, count=count, sampled=sampled,
                rows=rows[:SAMPLE_SIZE] if sampled else rows)


results = []
ids = set()
for entry in QUERIES:
    full_id = f"{entry['group']}.{entry['id']}"
    assert full_id not in ids, full_id
    ids.add(full_id)
    record = dict(id=full_id, group=entry["group"], python=entry["python"], spec_valid=entry["valid"])
    if entry["note"]:
        record["spec_note"] = entry["note"]
    try:
        outcome = evaluate(entry["python"])
    except Exception as e:  # noqa: BLE001
        outcome = None
        record.update(reference_error=True, error_type=type(e).__name__,
                      error=" ".join(str(e).split())[:400])
    if entry["spec_python"]:
        # The reference answers, but not as the spec says: expect the answer of the equivalent expression.
        record.update(reference_disagrees_with_spec=True, spec_python=entry["spec_python"],
                      reference_result=outcome)
        outcome = evaluate(entry["spec_python"])
    elif entry["spec_result"]:
        record.update(reference_disagrees_with_spec=True)
        outcome = entry["spec_result"]
        outcome.setdefault("sampled", False)
    if outcome is not None:
        record.update(outcome)
    elif entry["valid"]:
        record["reference_disagrees_with_spec"] = True
    results.append(record)

with open(os.path.join(HERE, "expected.json"), "w") as f:
    json.dump(dict(
        generator="reference.py with DataJoint-Python %s on PostgreSQL" % dj.__version__,
        full_limit=FULL_LIMIT, sample_size=SAMPLE_SIZE, queries=results), f, indent=1, ensure_ascii=False)
    f.write("\n")

print(f"{len(results)} queries, {sum(1 for r in results if r.get('reference_error'))} reference errors, "
      f"{sum(1 for r in results if r.get('reference_disagrees_with_spec'))} disagreeing with the spec",
      file=sys.stderr)
for r in results:
    flag = ""
    if r.get("reference_disagrees_with_spec"):
        flag = "  [REFERENCE DISAGREES WITH SPEC]"
    elif r.get("reference_error") is None and not r["spec_valid"]:
        flag = "  [SUCCEEDS BUT SPEC SAYS ERROR]"
    if r.get("reference_error"):
        print(f"  ERROR {r['id']}: {r['error_type']}: {r['error'][:140]}{flag}", file=sys.stderr)
    if "count" in r:
        print(f"  {r['id']}: {r['count']} rows pk={r['primary_key']}{flag}", file=sys.stderr)
