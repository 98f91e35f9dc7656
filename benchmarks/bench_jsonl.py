"""`echeancier simulate --jsonl` end to end through the command line: lines per second and peak memory.

200,000 random situations (drawn like bench_simulate_many: income years 2023-2026, the three professions, a
third with a start date, half of those with ACRE, a tenth with an end date, 5 % RSA; an id on each line) are
written to a file, then `echeancier simulate --jsonl < file > /dev/null` runs as a user runs it: the wall time, the
CPU time of the process and its peak resident memory (getrusage of the child) are printed, with the load average
of the machine (it is shared). For comparison, the scalar path line by line (`cli.run_jsonl`, the former loop and
the reference of the tests) on the first 5,000 lines, in this process.

Run: .venv/bin/python benchmarks/bench_jsonl.py [lines]
"""

from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_simulate_many import random_situations

from echeancier.cli import run_jsonl

LINES = 200_000
SCALAR_LINES = 5_000
CLI = Path(sys.executable).with_name("echeancier")


def write_lines(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for i, situation in enumerate(random_situations(count, seed=11)):
            out.write(json.dumps({"id": i, **situation}) + "\n")


def through_the_command(path: Path) -> tuple[float, float, float]:
    """(wall s, CPU s, peak resident MB) of `echeancier simulate --jsonl < path > /dev/null`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with path.open("rb") as stdin, open(os.devnull, "wb") as stdout:
        began = time.perf_counter()
        subprocess.run([str(CLI), "simulate", "--jsonl"], stdin=stdin, stdout=stdout, check=True)
        wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024


def scalar_path(path: Path, count: int) -> float:
    with path.open("rb") as source:
        lines = [next(source) for _ in range(count)]
    began = time.perf_counter()
    run_jsonl(lines, io.StringIO())
    return time.perf_counter() - began


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else LINES
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "situations.jsonl"
        write_lines(path, count)
        wall, cpu, peak = through_the_command(path)
        print(
            f"echeancier simulate --jsonl, {count:,} lines: {wall:.2f} s wall, {count / wall:,.0f} lines/s "
            f"({cpu:.2f} s CPU, {count / cpu:,.0f} lines per CPU second), peak resident memory {peak:.0f} MB"
        )
        scalar = scalar_path(path, min(SCALAR_LINES, count))
        lines = min(SCALAR_LINES, count)
        print(f"  scalar path line by line (run_jsonl), first {lines:,} lines: {lines / scalar:,.0f} lines/s")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
