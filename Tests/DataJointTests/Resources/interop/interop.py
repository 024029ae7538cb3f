#!/usr/bin/env python3
"""DataJoint-Python 2.3.5 side of Tests/DataJointTests/InteropTests.swift.

    python interop.py CONFIG.json

The Swift test writes CONFIG.json: the connection, the schema names, the table definitions (the Swift
declarations, so both sides declare exactly the same text), the rows to insert as typed values and the
queries as Python expressions. The last line printed is `RESULT {json}`.

mode "write":  declares the pipeline and the University schema, inserts the rows, populates the Computed
               table with reserve_jobs=True (leaving success, error, ignore and pending jobs), and prints
               every table's rows, the query answers and the jobs table.
mode "read":   reads the schemas Swift declared and filled, twice: through dj.VirtualModule and through
               Python classes declared over the existing tables (must be a no-op); prints rows and query
               answers of each; then re-declares every table from its describe() text in new schemas.

Every value is printed as a typed pair ["tag", text], see canon().
"""

import csv
import datetime
import decimal
import json
import logging
import os
import re
import sys
import uuid
import warnings

warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
import datajoint as dj  # noqa: E402

with open(sys.argv[1]) as f:
    CFG = json.load(f)
BACKEND = CFG["backend"]
D = CFG["definitions"]

dj.config["database.backend"] = BACKEND
dj.config["database.host"] = "127.0.0.1"
dj.config["database.port"] = CFG["port"]
dj.config["database.user"] = "datajoint"
dj.config["database.password"] = "datajoint"
if CFG.get("database"):
    dj.config["database.name"] = CFG["database"]
dj.config["database.use_tls"] = False
dj.config["safemode"] = False
dj.config["download_path"] = CFG["download"]
dj.config["jobs.keep_completed"] = True  # completed jobs stay as 'success', so Swift sees every status
logging.getLogger("datajoint").setLevel(logging.ERROR)

if BACKEND == "postgresql":
    # DataJoint-Python 2.3.5 cannot read an in-table <attach> value on PostgreSQL: psycopg2 returns bytea as a
    # memoryview and AttachCodec.decode calls stored.index(b"\x00") on it ("'memoryview' object has no attribute
    # 'index'"), for its own rows as for Swift's. The workaround hands the codec the bytes it expects.
    from datajoint.builtin_codecs.attach import AttachCodec

    _attach_decode = AttachCodec.decode

    def _decode_bytes(self, stored, *args, **kwargs):
        return _attach_decode(self, bytes(stored) if isinstance(stored, memoryview) else stored, *args, **kwargs)

    AttachCodec.decode = _decode_bytes


# ---- typed values ----------------------------------------------------------------------------------------


def canon_blob(v):
    """A blob value as a tree of typed pairs (ndarray elements in C order)."""
    if v is None:
        return ["none"]
    if isinstance(v, (bool, np.bool_)):
        return ["bool", bool(v)]
    if isinstance(v, np.ndarray):
        dtype = "<U" if v.dtype.kind == "U" else v.dtype.name
        return ["ndarray", dtype, list(v.shape), [canon_blob(x.item() if hasattr(x, "item") else x) for x in v.ravel(order="C")]]
    if isinstance(v, np.generic):
        return ["ndarray", v.dtype.name, [], [canon_blob(v.item())]]
    if isinstance(v, int):
        return ["int", str(v)]
    if isinstance(v, float):
        return ["float", repr(v)]
    if isinstance(v, str):
        return ["str", v]
    if isinstance(v, bytes):
        return ["bytes", v.hex()]
    if isinstance(v, dict):
        return ["dict", [[canon_blob(k), canon_blob(x)] for k, x in v.items()]]
    if isinstance(v, list):
        return ["list", [canon_blob(x) for x in v]]
    if isinstance(v, tuple):
        return ["tuple", [canon_blob(x) for x in v]]
    return ["unknown", repr(v)]


def blob_value(t):
    """The inverse of canon_blob: a Python/NumPy value from its typed tree."""
    tag = t[0]
    if tag == "none":
        return None
    if tag == "bool":
        return bool(t[1])
    if tag == "int":
        return int(t[1])
    if tag == "float":
        return float(t[1])
    if tag == "str":
        return t[1]
    if tag == "bytes":
        return bytes.fromhex(t[1])
    if tag == "dict":
        return {blob_value(k): blob_value(x) for k, x in t[1]}
    if tag == "list":
        return [blob_value(x) for x in t[1]]
    if tag == "tuple":
        return tuple(blob_value(x) for x in t[1])
    if tag == "ndarray":
        dtype = "U" if t[1] == "<U" else t[1]
        return np.array([blob_value(x) for x in t[3]], dtype=dtype).reshape(t[2])
    raise ValueError(t)


def canon(value, attr=None):
    """A fetched value as ["tag", text]. `attr` (a heading attribute) tells declared types apart."""
    if value is None:
        return ["null"]
    kind = (attr.original_type or attr.type) if attr is not None else ""
    codec = attr.codec.name if attr is not None and attr.codec is not None else None
    if codec == "blob":
        return ["blob", canon_blob(value)]
    if codec == "attach":
        with open(value, "rb") as f:
            return ["attach", os.path.basename(value), f.read().hex()]
    if kind == "bool":
        return ["bool", bool(value)]
    if kind == "json":
        return ["json", value]
    if kind == "float32":
        return ["float32", repr(float(value))]
    if kind.startswith("char("):
        # PostgreSQL pads char(n) values with blanks (MySQL and the Swift library do not).
        return ["str", value.rstrip(" ")]
    if hasattr(value, "item") and not isinstance(value, (bytes, str)):
        value = value.item()
    if isinstance(value, bool):
        return ["bool", value]
    if isinstance(value, int):
        return ["int", str(value)]
    if isinstance(value, float):
        return ["float", repr(value)]
    if isinstance(value, decimal.Decimal):
        return ["decimal", str(value)]
    if isinstance(value, datetime.datetime):
        return ["datetime", value.strftime("%Y-%m-%d %H:%M:%S.%f").rjust(26, "0")]
    if isinstance(value, datetime.date):
        return ["date", value.isoformat()]
    if isinstance(value, uuid.UUID):
        return ["uuid", str(value)]
    if isinstance(value, (bytes, bytearray, memoryview)):
        return ["bytes", bytes(value).hex()]
    if isinstance(value, str):
        return ["str", value]
    return ["unknown", repr(value)]


def python_value(t):
    """A value to insert, from its typed pair."""
    tag = t[0]
    if tag == "null":
        return None
    if tag == "bool":
        return bool(t[1])
    if tag == "int":
        return int(t[1])
    if tag in ("float", "float32"):
        return float(t[1])
    if tag == "decimal":
        return decimal.Decimal(t[1])
    if tag == "str":
        return t[1]
    if tag == "date":
        return datetime.date.fromisoformat(t[1])
    if tag == "datetime":
        return datetime.datetime.fromisoformat(t[1])
    if tag == "uuid":
        return uuid.UUID(t[1])
    if tag == "bytes":
        return bytes.fromhex(t[1])
    if tag == "json":
        return t[1]
    if tag == "blob":
        return blob_value(t[1])
    if tag == "attach":
        return t[1]  # the path of the file to attach
    raise ValueError(t)


def sort_part(pair):
    # Rows are sorted by primary key: nulls, then numbers by value, then text by code point.
    tag = pair[0]
    if tag == "null":
        return (0, 0.0, "")
    if tag in ("int", "float", "float32", "decimal"):
        return (1, float(pair[1]), "")
    if tag == "bool":
        return (1, float(pair[1]), "")
    return (2, 0.0, str(pair[1]))


def rows_of(q):
    """Primary key, heading and the typed rows of a query, sorted by primary key."""
    heading = q.heading
    names = list(heading.names)
    rows = [{k: canon(r[k], heading[k]) for k in names} for r in q.to_dicts()]
    rows.sort(key=lambda r: tuple(sort_part(r[k]) for k in q.primary_key))
    return dict(primary_key=list(q.primary_key), heading=names, rows=rows)


# ---- the pipeline ----------------------------------------------------------------------------------------


def declare_pipeline(name):
    """The test pipeline, as Python classes of schema `name` (the definitions are Swift's)."""
    schema = dj.Schema(name)

    @schema
    class Kind(dj.Lookup):
        definition = D["Kind"]
        contents = [[python_value(v) for v in row] for row in CFG["kind_contents"]]

    @schema
    class Device(dj.Manual):
        definition = D["Device"]

    @schema
    class Subject(dj.Manual):
        definition = D["Subject"]

    @schema
    class Session(dj.Manual):
        definition = D["Session"]

    @schema
    class Recording(dj.Manual):
        definition = D["Recording"]

    @schema
    class Pair(dj.Manual):
        definition = D["Pair"]

    @schema
    class SessionStats(dj.Computed):
        definition = D["SessionStats"]

        class Item(dj.Part):
            definition = D["SessionStats.Item"]

        def make(self, key):
            # The same computation as InteropPipeline.SessionStats.make in Swift.
            signal = np.asarray((Recording & key).fetch1("signal"), dtype="float64").ravel()
            if signal.size == 0:
                raise ValueError("empty signal for session %d" % key["session_idx"])
            values = sorted(float(v) for v in signal)
            self.insert1(dict(key, n_items=len(values), total=float(sum(values))))
            self.Item.insert([dict(key, item_idx=i, value=v) for i, v in enumerate(values)])

    return schema, dict(Kind=Kind, Device=Device, Subject=Subject, Session=Session, Recording=Recording, Pair=Pair,
                        SessionStats=SessionStats)


def declare_university(name):
    schema = dj.Schema(name)

    @schema
    class Student(dj.Manual):
        definition = D["Student"]

    @schema
    class Department(dj.Manual):
        definition = D["Department"]

    @schema
    class StudentMajor(dj.Manual):
        definition = D["StudentMajor"]

    @schema
    class Course(dj.Manual):
        definition = D["Course"]

    @schema
    class Term(dj.Manual):
        definition = D["Term"]

    @schema
    class Section(dj.Manual):
        definition = D["Section"]

    @schema
    class CurrentTerm(dj.Manual):
        definition = D["CurrentTerm"]

    @schema
    class Enroll(dj.Manual):
        definition = D["Enroll"]

    @schema
    class LetterGrade(dj.Lookup):
        definition = D["LetterGrade"]
        contents = [[python_value(v) for v in row] for row in CFG["letter_grade_contents"]]

    @schema
    class Grade(dj.Manual):
        definition = D["Grade"]

    return schema, dict(Student=Student, Department=Department, StudentMajor=StudentMajor, Course=Course, Term=Term,
                        Section=Section, CurrentTerm=CurrentTerm, Enroll=Enroll, LetterGrade=LetterGrade, Grade=Grade)


def load_university(u):
    """Loads the CSVs of Resources/university (as reference.py of university-queries does)."""
    integer = {"student_id", "course", "term_year", "omega"}
    for name in ("Student", "Department", "StudentMajor", "Course", "Term", "Section", "CurrentTerm", "Enroll", "Grade"):
        with open(os.path.join(CFG["csv"], name + ".csv"), newline="") as f:
            rows = [{k: int(v) if k in integer else v for k, v in row.items()} for row in csv.DictReader(f)]
        u[name].insert(rows)


# ---- reading -------------------------------------------------------------------------------------------


def table_classes(ns):
    """Every table class of a namespace, parts included, by database table name."""
    out = {}
    for cls in ns.values():
        out[cls.table_name] = cls
        for attr in dir(cls):
            member = getattr(cls, attr, None)
            if attr[:1].isupper() and isinstance(member, type) and issubclass(member, dj.Part):
                out[member.table_name] = member
    return out


def all_rows(ns):
    return {name: rows_of(cls()) for name, cls in table_classes(ns).items()}


def run_queries(ns):
    namespace = dict(dj=dj, **ns)
    out = {}
    for qid, text in CFG["queries"].items():
        try:
            q = eval(text, namespace)
            if isinstance(q, type):
                q = q()
            out[qid] = rows_of(q)
        except Exception as e:  # noqa: BLE001
            out[qid] = dict(error="%s: %s" % (type(e).__name__, e))
    return out


def virtual_namespace(schema_name):
    vm = dj.VirtualModule(schema_name, schema_name)
    return {k: v for k, v in vars(vm).items() if isinstance(v, type) and issubclass(v, dj.Table)}


def jobs_rows(ns):
    jobs = ns["SessionStats"].jobs
    rows = []
    for r in jobs.to_dicts():
        rows.append(dict(subject_id=str(r["subject_id"]), session_idx=str(r["session_idx"]), status=r["status"],
                         error_message=r["error_message"] or ""))
    rows.sort(key=lambda r: (int(r["subject_id"]), int(r["session_idx"])))
    return dict(table=jobs.table_name, rows=rows)


def write():
    names = CFG["schemas"]
    _, p = declare_pipeline(names["pipeline"])
    _, u = declare_university(names["university"])
    for table in CFG["insert_order"]:
        rows, cls = CFG["rows"][table], p[table]
        # One insert per row: DataJoint-Python refuses a batch whose rows name different attributes ("Attempt to
        # insert rows with different fields"), and some rows leave attributes to their defaults.
        for r in rows:
            cls.insert1({k: python_value(v) for k, v in r.items()})
    load_university(u)
    # One job of each status: an ignored key, a failing make (empty signal), successes, and a pending key added
    # after populate.
    stats = p["SessionStats"]
    stats.jobs.ignore({k: python_value(v) for k, v in CFG["ignore_key"].items()})
    stats.populate(reserve_jobs=True, suppress_errors=True)
    late = CFG["late_rows"]
    for table in ("Session", "Recording"):
        for r in late[table]:
            p[table].insert1({k: python_value(v) for k, v in r.items()})
    stats.jobs.refresh()
    ns = dict(p, **u)
    result = dict(rows=dict(pipeline=all_rows(p), university=all_rows(u)), queries=run_queries(ns),
                  jobs=jobs_rows(p), version=dj.__version__)
    print("RESULT " + json.dumps(result))


def as_written_on_postgres(definition):
    """Undoes two defects of DataJoint-Python 2.3.5's describe() on PostgreSQL (its own tables have them too):

    - each default is written as the catalog holds it, with its cast, and quoted as a string when the column is
      text: `rank='0'::smallint`, `description="''::character varying"`, `quality="'good'::<enum type>"`. Declaring
      such a line fails (a parse error) or declares another default (the text `''::character varying`);
    - a comment is written as stored, with its double quotes escaped (`e.g. \\"Neurobiology ...\\"`): declaring it
      escapes them again.
    """
    out = []
    for line in definition.splitlines():
        if "#" in line:
            line = line.replace('\\"', '"')
        m = re.match(r"^(\w+)=(.*?)(\s+:\s.*)$", line)
        if m and "::" in m.group(2):
            name, default, rest = m.groups()
            if default.startswith('"') and default.endswith('"'):
                default = default[1:-1]
            if default.startswith("'"):
                end = 1
                while end < len(default):
                    if default[end] == "'" and default[end + 1 : end + 2] == "'":
                        end += 2
                    elif default[end] == "'":
                        break
                    else:
                        end += 1
                default = default[: end + 1]
            else:
                default = default.split("::")[0]
            line = name + "=" + default + rest
        out.append(line)
    return "\n".join(out) + "\n"


def redeclare(source_schema, target_schema, ns):
    """Declares in `target_schema` every table of `source_schema` from the definition describe() gives."""
    context = dict(ns)
    target = dj.Schema(target_schema)
    declared, definitions = {}, {}
    # Declare in dependency order: a table after the tables it references.
    conn = dj.conn()
    conn.dependencies.load()
    order = [n for n in conn.dependencies.topo_sort() if n.split(".")[0].strip('"`') == source_schema]
    by_full_name = {}
    for cname, cls in ns.items():
        by_full_name[cls.full_table_name] = (cname, cls, None)
        for attr in dir(cls):
            member = getattr(cls, attr, None)
            if attr[:1].isupper() and isinstance(member, type) and issubclass(member, dj.Part):
                by_full_name[member.full_table_name] = (attr, member, cname)
    tiers = (dj.Lookup, dj.Manual, dj.Computed, dj.Imported)
    for full_name in order:
        if full_name not in by_full_name:
            continue
        cname, cls, master = by_full_name[full_name]
        text = cls().describe(context=context)
        if BACKEND == "postgresql":
            text = as_written_on_postgres(text)
        definitions[cls.table_name] = text
        if master is not None:
            continue  # declared with its master below
        base = next(b for b in tiers if issubclass(cls, b))
        body = {"definition": text}
        if base in (dj.Computed, dj.Imported):
            body["make"] = lambda self, key: None
        parts = {}
        for attr in dir(cls):
            member = getattr(cls, attr, None)
            if attr[:1].isupper() and isinstance(member, type) and issubclass(member, dj.Part):
                part_text = member().describe(context=context)
                if BACKEND == "postgresql":
                    part_text = as_written_on_postgres(part_text)
                definitions[member.table_name] = part_text
                parts[attr] = type(attr, (dj.Part,), {"definition": part_text})
        body.update(parts)
        new = target(type(cname, (base,), body), context=dict(declared))
        declared[cname] = new
    return definitions


def read():
    names = CFG["schemas"]
    out = {}
    # 1. Virtual modules: no Python source.
    vp = virtual_namespace(names["pipeline"])
    vu = virtual_namespace(names["university"])
    ns = dict(vp, **vu)
    out["virtual"] = dict(rows=dict(pipeline=all_rows(vp), university=all_rows(vu)), queries=run_queries(ns),
                          classes=sorted(vp) + sorted(vu))
    out["jobs"] = jobs_rows(vp)
    # 2. Python classes with the same definitions over the existing tables: declaring must change nothing.
    before = sorted(dj.Schema(names["pipeline"]).list_tables()) + sorted(dj.Schema(names["university"]).list_tables())
    _, p = declare_pipeline(names["pipeline"])
    _, u = declare_university(names["university"])
    after = sorted(dj.Schema(names["pipeline"]).list_tables()) + sorted(dj.Schema(names["university"]).list_tables())
    ns = dict(p, **u)
    out["classes"] = dict(rows=dict(pipeline=all_rows(p), university=all_rows(u)), queries=run_queries(ns),
                          tables_before=before, tables_after=after)
    # 3. describe() of every Swift table declares the same table again in another schema.
    out["definitions"] = dict(
        pipeline=redeclare(names["pipeline"], names["redeclared_pipeline"], vp),
        university=redeclare(names["university"], names["redeclared_university"], vu))
    out["version"] = dj.__version__
    print("RESULT " + json.dumps(out))


if CFG["mode"] == "write":
    write()
else:
    read()
