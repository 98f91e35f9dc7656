"""Cold start of the command line: `echeancier simulate`, `echeancier --help` and `echeancier schedule` as a user
runs them.

Prints, over repeated runs, the median and best wall time and the median CPU time (user + system of the child,
which a loaded machine does not stretch as it stretches wall time). No assertion: DESIGN §5 targets ≤ 0.5 s, issue 9
≤ 0.3 s for `simulate` and `--help`.

The package's bytecode cache is written first (the warm-up run allows it even where PYTHONDONTWRITEBYTECODE is
set, as in some development shells), as after `pip install`: without it every run of an editable install compiles
each module of the package it imports, about 0.2 s more for `simulate`.

Run: .venv/bin/python benchmarks/bench_cli.py [runs] [--base SRC]
(`--base /path/to/other/checkout/src`: the same commands through another checkout's code, alternately, in the same
minutes, for a side by side comparison.)
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = Path(sys.executable).with_name("echeancier")
SIMULATE = ["simulate", "--year", "2026", "--profession", "artisan", "--income", "40000"]
COMMANDS = {
    "echeancier simulate --year 2026 --profession artisan --income 40000": SIMULATE,
    "echeancier --help": ["--help"],
    "echeancier schedule docs/examples/01-declaration-mensuel.yaml": [
        "schedule",
        str(ROOT / "docs" / "examples" / "01-declaration-mensuel.yaml"),
    ],
}
TARGETS = {  # issue 9
    "echeancier simulate --year 2026 --profession artisan --income 40000": " (target ≤ 0.3 s, issue 9)",
    "echeancier --help": " (target ≤ 0.3 s, issue 9)",
}

# `simulate --jsonl` imports NumPy (the batch path) once it runs: its cold start on one line, for comparison.
JSONL = ("echeancier simulate --jsonl, one line", ["simulate", "--jsonl"])
ONE_LINE = b'{"year": 2025, "profession": "artisan", "income": 40000}\n'


def _environment(source: str | None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONDONTWRITEBYTECODE")}
    if source:
        env["PYTHONPATH"] = source
    return env


def _run(arguments: list[str], env: dict[str, str], given: bytes | None) -> tuple[float, float]:
    """(wall, CPU) seconds of one run of the command in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([str(CLI), *arguments], check=True, capture_output=True, input=given, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def main() -> None:
    args = sys.argv[1:]
    base = None
    if "--base" in args:
        at = args.index("--base")
        base = args[at + 1]
        del args[at : at + 2]
    runs = int(args[0]) if args else 15
    sources = [("this code", None), (f"base {base}", base)] if base else [("this code", None)]
    print(f"bytecode cache of the package written by the first run; {runs} runs of each command per code, alternately")
    for label, arguments in [*COMMANDS.items(), JSONL]:
        given = ONE_LINE if arguments == JSONL[1] else None
        envs = {name: _environment(source) for name, source in sources}
        for name, _ in sources:
            _run(arguments, envs[name], given)  # the file cache, and the bytecode cache
        times: dict[str, list[float]] = {name: [] for name, _ in sources}
        cpus: dict[str, list[float]] = {name: [] for name, _ in sources}
        for _ in range(runs):
            for name, _ in sources:
                wall, cpu = _run(arguments, envs[name], given)
                times[name].append(wall)
                cpus[name].append(cpu)
        target = TARGETS.get(label, "")
        for name, _ in sources:
            print(
                f"{label} [{name}]: median {statistics.median(times[name]):.3f} s, best {min(times[name]):.3f} s "
                f"wall; CPU (user + system) median {statistics.median(cpus[name]):.3f} s{target}"
            )


if __name__ == "__main__":
    main()
