"""Cold start of the command line: `echeancier simulate` and `echeancier schedule` as a user runs them.

Prints the median and best wall time over repeated runs (no assertion: DESIGN §5 targets ≤ 0.5 s, issue 9 ≤ 0.3 s).
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = Path(sys.executable).with_name("echeancier")
COMMANDS = {
    "echeancier simulate --year 2025 --profession artisan --income 40000": [
        "simulate",
        "--year",
        "2025",
        "--profession",
        "artisan",
        "--income",
        "40000",
    ],
    "echeancier schedule docs/examples/01-declaration-mensuel.yaml": [
        "schedule",
        str(ROOT / "docs" / "examples" / "01-declaration-mensuel.yaml"),
    ],
}


# `simulate --jsonl` imports NumPy (the batch path) once it runs: its cold start on one line, for comparison.
JSONL = ("echeancier simulate --jsonl, one line", ["simulate", "--jsonl"])
ONE_LINE = b'{"year": 2025, "profession": "artisan", "income": 40000}\n'


def main(runs: int = 15) -> None:
    for label, arguments in [*COMMANDS.items(), JSONL]:
        given = ONE_LINE if arguments == JSONL[1] else None
        subprocess.run([str(CLI), *arguments], check=True, capture_output=True, input=given)  # warm the file cache
        times, cpus = [], []
        for _ in range(runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run([str(CLI), *arguments], check=True, capture_output=True, input=given)
            times.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        target = " (target ≤ 0.3 s, issue 9)" if arguments == COMMANDS[next(iter(COMMANDS))] else ""
        print(
            f"{label}: median {statistics.median(times):.3f} s, best {min(times):.3f} s over {runs} runs; "
            f"CPU (user + system) median {statistics.median(cpus):.3f} s{target}"
        )


if __name__ == "__main__":
    main()
