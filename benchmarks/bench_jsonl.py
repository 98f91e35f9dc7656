"""`echeancier simulate --jsonl` end to end through the command line: lines per second and peak memory.

200,000 random situations (drawn like bench_simulate_many: income years 2023-2026, the three professions, a
third with a start date, half of those with ACRE, a tenth with an end date, 5 % RSA; an id on each line) are
written to a file, then `echeancier simulate --jsonl < file > /dev/null` runs as a user runs it: the wall time, the
CPU time of the process and its peak resident memory (getrusage of the child) are printed, with the load average
of the machine (it is shared). For comparison, the scalar path line by line (`cli.run_jsonl`, the former loop and
the reference of the tests) on the first 5,000 lines, in this process.

Each code runs twice: through the command (two processes for a long input) and in one process
(`jsonl.run(..., workers=1)`).

Run: .venv/bin/python benchmarks/bench_jsonl.py [lines] [--base SRC]
(`--base /work/wt/x-base/src`: the same file through another checkout's code, in the same minutes, for a side by side
figure on a shared machine; the output of both is compared byte for byte.)
"""

from __future__ import annotations

import io
import json
import os
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


ONE_PROCESS = (
    "import sys; from echeancier.contributions import jsonl; "
    "sys.exit(jsonl.run(sys.stdin.buffer, sys.stdout, workers=1))"
)


def through_the_command(
    path: Path, out: Path | None = None, source: str | None = None, *, processes: int = 2
) -> tuple[float, float, float]:
    """(wall s, CPU s, peak resident MB) of `echeancier simulate --jsonl < path > out` (or /dev/null); `source`:
    the code of another checkout (PYTHONPATH); `processes=1`: the same run in one process (`jsonl.run(...,
    workers=1)`, what the command does for a short input)."""
    env = dict(os.environ)
    if source:
        env["PYTHONPATH"] = source
    command = [str(CLI), "simulate", "--jsonl"] if processes > 1 else [sys.executable, "-c", ONE_PROCESS]
    # Through a wrapper process, whose children are only this run: their peak memory is this run's alone.
    wrapper = [sys.executable, "-c", MEASURE, *command]
    with path.open("rb") as stdin, open(out or os.devnull, "wb") as stdout:
        done = subprocess.run(wrapper, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE, env=env, check=True)
    wall, cpu, peak = (float(x) for x in done.stderr.decode().split()[-3:])
    return wall, cpu, peak


MEASURE = """
import resource, subprocess, sys, time
began = time.perf_counter()
status = subprocess.run(sys.argv[1:]).returncode
wall = time.perf_counter() - began
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, file=sys.stderr)
sys.exit(status)
"""


def scalar_path(path: Path, count: int) -> float:
    with path.open("rb") as source:
        lines = [next(source) for _ in range(count)]
    began = time.perf_counter()
    run_jsonl(lines, io.StringIO())
    return time.perf_counter() - began


def main() -> None:
    args = sys.argv[1:]
    base = None
    if "--base" in args:
        at = args.index("--base")
        base = args[at + 1]
        del args[at : at + 2]
    count = int(args[0]) if args else LINES
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "situations.jsonl"
        write_lines(path, count)
        outputs = []
        for processes in (2, 1):
            for name, source in (("this code", None), (f"base {base}", base)) if base else (("this code", None),):
                outputs.append(Path(folder) / f"out-{len(outputs)}.jsonl")
                wall, cpu, peak = through_the_command(path, outputs[-1], source, processes=processes)
                print(
                    f"{name}, {processes} process{'es' if processes > 1 else ''}: {count:,} lines: {wall:.2f} s wall, "
                    f"{count / wall:,.0f} lines/s ({cpu:.2f} s CPU, {count / cpu:,.0f} lines per CPU second, "
                    f"{cpu / count * 1e6:,.0f} µs per line), peak resident memory {peak:.0f} MB (the largest process)"
                )
        same = all(output.read_bytes() == outputs[0].read_bytes() for output in outputs)
        print(f"  outputs identical byte for byte: {same}")
        scalar = scalar_path(path, min(SCALAR_LINES, count))
        lines = min(SCALAR_LINES, count)
        print(f"  scalar path line by line (run_jsonl), first {lines:,} lines: {lines / scalar:,.0f} lines/s")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
