"""The physical limit on PostgreSQL, measured with PostgreSQL's own C clients, for the workloads where one exists:
- insert and fetch: the same 100,000 rows loaded with COPY and read with a plain SELECT, through psql;
- populate: the statements of the makes of 1,000 keys (each reads its key's input; their results go in one
  multi-row INSERT per group, as populate sends the inserts it held back) in transactions of 250 keys, plus with reserveJobs the group's reservation and completion, sent by pgbench over
  libpq, one client, unnamed prepared statements as postgres-nio sends them;
- blob insert and fetch: libdeflate alone compressing the 100 arrays at its fastest level, and inflating them
  again, on all cores (no database at all).
Prints JSON lines like the other benchmarks."""
import argparse
import array
import glob
import json
import multiprocessing
import os
import statistics
import subprocess
import tempfile
import time
import zlib

import deflate

parser = argparse.ArgumentParser()
parser.add_argument("--repetitions", type=int, default=3)
parser.add_argument("--rows", type=int, default=100_000)
parser.add_argument("--populate", type=int, default=1000)
parser.add_argument("--blobs", type=int, default=100)
args = parser.parse_args()
env = dict(os.environ, PGPASSWORD="datajoint", PGOPTIONS="-c client_min_messages=warning")
psql = ["psql", "-h", "127.0.0.1", "-U", "datajoint", "-d", "dj_bench_db", "-q", "-v", "ON_ERROR_STOP=1"]


def run(sql):
    """Seconds psql takes to run `sql`."""
    start = time.perf_counter()
    subprocess.run(psql + ["-c", sql], env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def measure(timed, prepare=lambda: None):
    """Seconds of `timed()` in each repetition, after a warm-up; `prepare()` runs untimed before each."""
    times = []
    for repetition in range(args.repetitions + 1):
        prepare()
        start = time.perf_counter()
        timed()
        if repetition:
            times.append(time.perf_counter() - start)
    return times


runs = {}

# insert and fetch: COPY and a plain SELECT of the same rows through psql.
with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
    for i in range(args.rows):
        f.write(f"{i},{i * 0.5},label {i % 997}\n")
CREATE = ("DROP TABLE IF EXISTS bench_copy; CREATE TABLE bench_copy (item_id integer PRIMARY KEY, "
          "value double precision NOT NULL, label varchar(32) NOT NULL)")
runs[f"insert {args.rows // 1000}k rows"] = measure(
    lambda: run(f"\\copy bench_copy FROM '{f.name}' WITH (FORMAT csv)"), prepare=lambda: run(CREATE))
runs[f"fetch {args.rows // 1000}k rows as dicts"] = measure(lambda: run("SELECT * FROM bench_copy"))
run("DROP TABLE IF EXISTS bench_copy")
os.unlink(f.name)

# populate: the statements DataJoint for Swift sends per key, through pgbench.
PGBENCH = sorted(glob.glob("/usr/lib/postgresql/*/bin/pgbench"))[-1]
run("DROP SCHEMA IF EXISTS bench_pgb CASCADE; CREATE SCHEMA bench_pgb; "
    "CREATE TABLE bench_pgb.number (number_id integer PRIMARY KEY, x double precision NOT NULL); "
    "CREATE TABLE bench_pgb.square (number_id integer PRIMARY KEY REFERENCES bench_pgb.number, x2 double precision NOT NULL); "
    "CREATE TABLE bench_pgb.jobs (number_id integer PRIMARY KEY, status varchar(10) NOT NULL, priority integer NOT NULL DEFAULT 5, "
    "scheduled_time timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), reserved_time timestamp(3), host varchar(255), "
    "pid integer, connection_id bigint, \"user\" varchar(255), version varchar(64)); "
    "INSERT INTO bench_pgb.number SELECT g, g FROM generate_series(0, 99999) g")
# A group of keys in one transaction, as populate commits quick makes (its largest group: 250 keys here, so that
# 1,000 keys are 4 transactions); the keys of a group are consecutive from a random start.
GROUP = 250
KEY = "\\set base random(0, 99000)\n"
# Each key's make reads its input; the group's results go in one multi-row INSERT (bound parameters, as populate
# sends the inserts it held back), before the commit.
MAKE = ("\\set id{k} :base + {k}\n"
        "SELECT x FROM bench_pgb.number WHERE number_id = :id{k};\n")
MAKES = ("".join(MAKE.format(k=k) for k in range(GROUP))
         + "INSERT INTO bench_pgb.square VALUES " + ", ".join(f"(:id{k}, 1.0)" for k in range(GROUP))
         + " ON CONFLICT DO NOTHING;\n")
GROUP_KEYS = f"number_id BETWEEN :base AND :base + {GROUP - 1}"
SCRIPTS = {
    # direct: BEGIN, per key fetch the input and insert the result, COMMIT
    f"populate {args.populate} keys": KEY + "BEGIN;\n" + MAKES + "COMMIT;\n",
    # reserveJobs: reserve the group's jobs and read which were taken, then BEGIN, the makes, complete the jobs, COMMIT
    f"populate {args.populate} keys, reserveJobs": KEY
    + "UPDATE bench_pgb.jobs SET status = 'reserved', host = 'h', pid = 1, connection_id = 2, \"user\" = 'u', "
    f"version = '', reserved_time = CURRENT_TIMESTAMP(3) WHERE {GROUP_KEYS} AND status = 'pending' "
    "AND scheduled_time <= CURRENT_TIMESTAMP(3);\n"
    f"SELECT number_id FROM bench_pgb.jobs WHERE {GROUP_KEYS} AND status = 'reserved' AND host = 'h' AND pid = 1;\n"
    "BEGIN;\n" + MAKES + f"DELETE FROM bench_pgb.jobs WHERE {GROUP_KEYS};\nCOMMIT;\n",
}
for name, script in SCRIPTS.items():
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write(script)
    runs[name] = measure(
        lambda: subprocess.run([PGBENCH, "-h", "127.0.0.1", "-U", "datajoint", "-n", "-M", "extended", "-t",
                                str(max(1, args.populate // GROUP)), "-f", f.name, "dj_bench_db"],
                               env=env, check=True, stdout=subprocess.DEVNULL),
        prepare=lambda: run("TRUNCATE bench_pgb.square; TRUNCATE bench_pgb.jobs; INSERT INTO bench_pgb.jobs "
                            "(number_id, status) SELECT number_id, 'pending' FROM bench_pgb.number"))
    os.unlink(f.name)
run("DROP SCHEMA bench_pgb CASCADE")

# blobs: libdeflate (the compressor DataJoint for Swift uses) at level 1 compressing the arrays of the benchmark
# (131,072 float64 each) into zlib streams and inflating them, all cores.
ARRAYS = [array.array("d", ((i + s) * 0.001 for i in range(131_072))).tobytes() for s in range(args.blobs)]
COMPRESSED = [deflate.zlib_compress(a, 1) for a in ARRAYS]
assert zlib.decompress(COMPRESSED[0]) == ARRAYS[0]


def compress(s):
    return len(deflate.zlib_compress(ARRAYS[s], 1))


def decompress(s):
    return len(deflate.zlib_decompress(COMPRESSED[s], len(ARRAYS[s])))


with multiprocessing.Pool(os.cpu_count()) as pool:
    runs[f"insert {args.blobs} x 1 MB blobs"] = measure(lambda: pool.map(compress, range(args.blobs)))
    runs[f"fetch {args.blobs} x 1 MB blobs"] = measure(lambda: pool.map(decompress, range(args.blobs)))

for name, times in runs.items():
    print(json.dumps({"backend": "postgresql", "language": "psql", "workload": name,
                      "median": statistics.median(times), "runs": times}, sort_keys=True))
