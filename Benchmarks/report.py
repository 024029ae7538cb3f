"""Turns the JSON lines of scripts/benchmark into BENCHMARKS.md."""
import argparse
import json
import os
import platform
import subprocess
import datetime

parser = argparse.ArgumentParser()
parser.add_argument("results")
parser.add_argument("--repetitions", type=int, default=3)
args = parser.parse_args()
rows = [json.loads(line) for line in open(args.results) if line.strip()]
by = {(r["language"], r["backend"], r["workload"]): r["median"] for r in rows}
workloads = []
for r in rows:
    if r["language"] == "swift" and r["backend"] != "blob" and r["workload"] not in workloads:
        workloads.append(r["workload"])

# Most specific first: the first prefix that matches gives the target.
TARGETS = {
    "insert 100 x": "≥ 10x Python", "fetch 100 x": "≥ 4x Python", "insert": "≥ 10x Python, ≤ 1.5x COPY",
    "fetch": "≥ 5x Python", "populate": "≥ 10x Python", "restricted join": "≤ 1x Python (no slower)",
    "cascade": "≤ 1x Python (no slower)",
}


def target(name):
    for prefix, text in TARGETS.items():
        if name.startswith(prefix):
            return text
    return ""


def fmt(seconds):
    if seconds is None:
        return "—"
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def cpu():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


out = ["# Benchmarks", "",
       "DataJoint for Swift against DataJoint-Python 2.3.5, the same workloads on the same servers in one run",
       "(`Benchmarks/DJBenchmark`, `Benchmarks/python/bench.py`). Times are medians of "
       f"{args.repetitions} runs after a warm-up run; ratio = Python time / Swift time (higher is better for Swift).",
       "", "Run it (one command, installs and starts what it needs):", "", "```sh", "scripts/benchmark", "```", "",
       f"Machine: {cpu()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; "
       f"run {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC.", ""]
for backend in ("postgresql", "mysql"):
    out += [f"## {'PostgreSQL' if backend == 'postgresql' else 'MariaDB'}", "",
            "| workload | Swift | Python | ratio | " + ("C floor | Swift / floor | " if backend == "postgresql" else "") + "target |",
            "| --- | ---: | ---: | ---: | " + ("---: | ---: | " if backend == "postgresql" else "") + "--- |"]
    for w in workloads:
        s = by.get(("swift", backend, w))
        p = by.get(("python", backend, w))
        ratio = f"{p / s:.1f}x" if s and p else "—"
        line = f"| {w} | {fmt(s)} | {fmt(p)} | {ratio} | "
        if backend == "postgresql":
            q = by.get(("psql", backend, w))
            line += f"{fmt(q)} | " + (f"{s / q:.2f}x | " if q and s else "— | ")
        out.append(line + target(w) + " |")
    out.append("")
    if backend == "postgresql":
        out += ["C floor: the same work done by PostgreSQL's own C clients, what no client library can beat on this "
                "machine (`Benchmarks/psql_limit.py`): insert and fetch of the 100k rows are `COPY` and a plain "
                "`SELECT` through psql; populate is the statements of one make (and, with reserveJobs, of the job's "
                "reservation and completion) sent by pgbench over libpq for 1,000 keys, one transaction each; the "
                "blob floors are zlib alone compressing the 100 arrays at its fastest level, and inflating them, on "
                "all cores, with no database. Where 10x Python lies below that floor, the target cannot be met by any client.", ""]
out += ["## SQLite (embedded, Swift only)", "", "| workload | Swift |", "| --- | ---: |"]
for w in workloads:
    out.append(f"| {w} | {fmt(by.get(('swift', 'sqlite', w)))} |")
out += ["", "## Blob format (Swift only, no database)", "", "| workload | MB/s | target |", "| --- | ---: | --- |"]
for r in rows:
    if r["backend"] == "blob":
        out.append(f"| {r['workload'].replace(' (MB/s)', '')} | {r['median']:.0f} | ≥ 1000 MB/s |")
print("\n".join(out))
