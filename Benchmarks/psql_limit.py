"""The physical limit on PostgreSQL for the insert and fetch workloads: the same 100,000 rows loaded with COPY
and read with a plain SELECT, both through psql. Prints JSON lines like the other benchmarks."""
import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time

parser = argparse.ArgumentParser()
parser.add_argument("--repetitions", type=int, default=3)
parser.add_argument("--rows", type=int, default=100_000)
args = parser.parse_args()
env = dict(os.environ, PGPASSWORD="datajoint")
psql = ["psql", "-h", "127.0.0.1", "-U", "datajoint", "-d", "dj_bench_db", "-q", "-v", "ON_ERROR_STOP=1"]

with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
    for i in range(args.rows):
        f.write(f"{i},{i * 0.5},label {i % 997}\n")
    path = f.name


def run(sql):
    start = time.perf_counter()
    subprocess.run(psql + ["-c", sql], env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


runs = {"insert": [], "fetch": []}
for repetition in range(args.repetitions + 1):
    run("DROP TABLE IF EXISTS bench_copy; CREATE TABLE bench_copy (item_id integer PRIMARY KEY, "
        "value double precision NOT NULL, label varchar(32) NOT NULL)")
    insert = run(f"\\copy bench_copy FROM '{path}' WITH (FORMAT csv)")
    fetch = run("SELECT * FROM bench_copy")
    if repetition:  # the first is the warm-up
        runs["insert"].append(insert)
        runs["fetch"].append(fetch)
run("DROP TABLE IF EXISTS bench_copy")
os.unlink(path)
for key, name in (("insert", f"insert {args.rows // 1000}k rows"), ("fetch", f"fetch {args.rows // 1000}k rows as dicts")):
    print(json.dumps({"backend": "postgresql", "language": "psql", "workload": name,
                      "median": statistics.median(runs[key]), "runs": runs[key]}, sort_keys=True))
