"""The workloads of dj-benchmark (Benchmarks/DJBenchmark) with DataJoint-Python, for BENCHMARKS.md.

usage: bench.py postgresql|mysql [--repetitions N] [--rows N] [--blobs N] [--populate N]
Prints one JSON object per workload: {"backend", "language": "python", "workload", "median", "runs"}.
"""
import argparse
import json
import logging
import os
import statistics
import sys
import time
import warnings

warnings.filterwarnings("ignore")
import numpy as np  # noqa: E402
import datajoint as dj  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("backend", choices=["postgresql", "mysql"])
parser.add_argument("--repetitions", type=int, default=3)
parser.add_argument("--rows", type=int, default=100_000)
parser.add_argument("--blobs", type=int, default=100)
parser.add_argument("--populate", type=int, default=1000)
args = parser.parse_args()

dj.config["database.backend"] = args.backend
dj.config["database.host"] = "127.0.0.1"
dj.config["database.port"] = int(os.environ.get("DJ_BENCH_PG_PORT", 5432)) if args.backend == "postgresql" \
    else int(os.environ.get("DJ_BENCH_MYSQL_PORT", 3307))
dj.config["database.user"] = "datajoint"
dj.config["database.password"] = "datajoint"
if args.backend == "postgresql":
    dj.config["database.name"] = os.environ.get("DJ_BENCH_PG_DATABASE", "dj_bench_db")
dj.config["database.use_tls"] = False
dj.config["safemode"] = False
dj.config["loglevel"] = "ERROR"
logging.getLogger("datajoint").setLevel(logging.ERROR)

SCHEMA = "dj_bench_py"


def declare():
    if SCHEMA in dj.list_schemas():
        dj.Schema(SCHEMA).drop(prompt=False)
    schema = dj.Schema(SCHEMA)

    @schema
    class Item(dj.Manual):
        definition = """
        item_id : int32
        ---
        value : float64
        label : varchar(32)
        """

    @schema
    class Detail(dj.Manual):
        definition = """
        -> Item
        ---
        note : varchar(32)
        """

    @schema
    class Signal(dj.Manual):
        definition = """
        signal_id : int32
        ---
        samples : <blob>
        """

    @schema
    class Number(dj.Manual):
        definition = """
        number_id : int32
        ---
        x : float64
        """

    @schema
    class Square(dj.Computed):
        definition = """
        -> Number
        ---
        x2 : float64
        """

        def make(self, key):
            x = (Number & key).fetch1("x")
            self.insert1(dict(key, x2=x * x))

    @schema
    class Slow(dj.Computed):
        definition = """
        -> Number
        ---
        y : float64
        """

        inside = 0.0  # the time spent inside make, summed over a populate

        def make(self, key):
            start = time.perf_counter()
            x = (Number & key).fetch1("x")
            deadline = time.perf_counter() + 0.010  # 10 ms of computation, spent, not slept
            y = x
            while time.perf_counter() < deadline:
                y = (y * 1.000001) % 1e9
            self.insert1(dict(key, y=y))
            type(self).inside += time.perf_counter() - start

    return schema, Item, Detail, Signal, Number, Square, Slow


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run_once():
    schema, Item, Detail, Signal, Number, Square, Slow = declare()
    n, b, p = args.rows, args.blobs, args.populate
    results = []
    items = [dict(item_id=i, value=i * 0.5, label=f"label {i % 997}") for i in range(n)]
    results.append((f"insert {n // 1000}k rows", timed(lambda: Item.insert(items))))
    out = {}
    results.append((f"fetch {n // 1000}k rows as dicts", timed(lambda: out.update(rows=Item.to_dicts()))))
    assert len(out["rows"]) == n
    Detail.insert([dict(item_id=i, note=f"n{i}") for i in range(n)])
    results.append(("restricted join", timed(lambda: out.update(join=((Item & "value < 1000") * Detail).to_dicts()))))
    assert len(out["join"]) == min(n, 2000)
    arrays = [np.arange(131_072, dtype="float64") * 0.001 + s * 0.001 for s in range(b)]
    signals = [dict(signal_id=s, samples=a) for s, a in enumerate(arrays)]
    results.append((f"insert {b} x 1 MB blobs", timed(lambda: Signal.insert(signals))))
    results.append((f"fetch {b} x 1 MB blobs", timed(lambda: out.update(blobs=Signal.to_dicts()))))
    assert len(out["blobs"]) == b and out["blobs"][0]["samples"].size == 131_072
    Number.insert([dict(number_id=i, x=float(i)) for i in range(p)])
    results.append((f"populate {p} keys", timed(lambda: Square.populate())))
    assert len(Square()) == p
    Square.delete_quick()
    results.append((f"populate {p} keys, reserveJobs", timed(lambda: Square.populate(reserve_jobs=True))))
    assert len(Square()) == p
    Square.delete_quick()
    results.append((f"populate {p} keys, 2 workers", timed(lambda: Square.populate(processes=2))))
    assert len(Square()) == p
    Square.delete_quick()
    results.append((f"populate {p} keys, reserveJobs, 2 workers",
                    timed(lambda: Square.populate(reserve_jobs=True, processes=2))))
    assert len(Square()) == p
    slow = min(100, p)
    Slow.inside = 0.0
    results.append((f"populate {slow} keys, 10 ms make", timed(lambda: Slow.populate(f"number_id < {slow}"))))
    results.append((f"populate {slow} keys, 10 ms make: time inside make", Slow.inside))
    assert len(Slow()) == slow
    results.append(("populate, nothing to do", timed(lambda: Slow.populate(f"number_id < {slow}"))))
    results.append((f"cascade delete {n // 1000}k rows", timed(lambda: Item.delete(prompt=False))))
    assert len(Detail()) == 0
    schema.drop(prompt=False)
    return results


run_once()  # warm-up
runs, order = {}, []
for _ in range(args.repetitions):
    for name, seconds in run_once():
        if name not in runs:
            order.append(name)
        runs.setdefault(name, []).append(seconds)
for name in order:
    print(json.dumps({"backend": args.backend, "language": "python", "workload": name,
                      "median": statistics.median(runs[name]), "runs": runs[name]}, sort_keys=True))
    sys.stdout.flush()
