"""simulate_many next to OpenFisca-France on the same 1,000,000 situations, in one run (DESIGN §5: ≥ 12× faster).

OpenFisca-France is not a dependency of echeancier: it lives in its own environment, `.venv-openfisca/` at the root
of the repository, made by `sh benchmarks/openfisca/setup.sh` (pip, openfisca-france 176.1.8). Without it this
benchmark says so and prints only our figure.

The situations: income year 2024 (a year both models cover), the three professions drawn at random, a revenu
professionnel in whole euros from 0 to 200,000 €, a whole year of activity, no ACRE, no RSA — what OpenFisca's
`cotisations_non_salarie` takes (`rpns_imposables`, `categorie_non_salarie`). The two models do not compute the
same things (OpenFisca has no CSG-CRDS in this variable, no taux progressif before 2025 for some professions…):
this compares speed on the same inputs, not amounts.

Both sides receive the same encoding of the inputs, each in its own native form: the profession as an integer
code per row into the three categories (OpenFisca: the codes of its `categorie_non_salarie` enum, indexed by the
row codes; echeancier: `pyarrow.DictionaryArray.from_arrays(row codes, ["artisan", "commercant", "liberal"])`),
built inside the timed region on both sides; the income as numbers, not text (OpenFisca: float32, the type of
its `rpns_imposables`; echeancier: int64 whole euros). Each side: best of 3 runs; OpenFisca's time counts building
the simulation and computing, not loading its tax-benefit system (printed apart). Both sides are measured in wall
time and in CPU time of their process (`time.process_time`: user + system, every thread), the CPU ratio being the
one a shared machine does not distort (a loaded machine stretches wall times by its queue, not CPU times).

Run: .venv/bin/python benchmarks/bench_openfisca.py [rows]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from echeancier import simulate_many

ROOT = Path(__file__).resolve().parents[1]
OPENFISCA_PYTHON = ROOT / ".venv-openfisca" / "bin" / "python"
RUNNER = Path(__file__).resolve().parent / "openfisca" / "run_openfisca.py"
ROWS = 1_000_000
RUNS = 3
TARGET = 12


def situations(rows: int, seed: int = 2024) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "year": np.full(rows, 2024),
        "profession": rng.integers(0, 3, rows),
        "income": rng.integers(0, 200_001, rows).astype(np.int64),
    }


def encoded(data: dict[str, np.ndarray]) -> dict[str, Any]:
    """Our columns: the professions encoded as OpenFisca's are (a code per row into the categories)."""
    categories = ["artisan", "commercant", "liberal"]
    return {
        "year": data["year"],
        "profession": pa.DictionaryArray.from_arrays(data["profession"], categories),
        "income": data["income"],
    }


def ours(data: dict[str, np.ndarray]) -> tuple[float, float]:
    """(wall, CPU) seconds of `simulate_many`, best of RUNS each, encoding the professions included."""
    simulate_many(encoded(data))  # the law of the year, read once
    best, best_cpu = float("inf"), float("inf")
    for _ in range(RUNS):
        began, began_cpu = time.perf_counter(), time.process_time()
        simulate_many(encoded(data))
        best, best_cpu = min(best, time.perf_counter() - began), min(best_cpu, time.process_time() - began_cpu)
    return best, best_cpu


def openfisca(data: dict[str, np.ndarray]) -> dict[str, float] | None:
    if not OPENFISCA_PYTHON.exists():
        return None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "situations.npz"
        np.savez(path, **data)
        done = subprocess.run(
            [str(OPENFISCA_PYTHON), str(RUNNER), str(path), str(RUNS)], capture_output=True, text=True, check=True
        )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else ROWS
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    data = situations(rows)
    theirs = openfisca(data)
    mine, mine_cpu = ours(data)
    print(
        f"echeancier simulate_many, {rows:,} situations (2024): best of {RUNS} {mine:.3f} s wall, {mine_cpu:.3f} s CPU"
    )
    if theirs is None:
        print(f"OpenFisca-France: not installed ({OPENFISCA_PYTHON} missing; sh benchmarks/openfisca/setup.sh)")
    else:
        spent = theirs["build_s"] + theirs["compute_s"]
        spent_cpu = theirs["build_cpu_s"] + theirs["compute_cpu_s"]
        print(
            f"OpenFisca-France cotisations_non_salarie, same {rows:,} situations: best of {RUNS} {spent:.3f} s "
            f"wall (build {theirs['build_s']:.3f} s + compute {theirs['compute_s']:.3f} s), {spent_cpu:.3f} s CPU "
            f"(build {theirs['build_cpu_s']:.3f} s + compute {theirs['compute_cpu_s']:.3f} s); loading the "
            f"tax-benefit system {theirs['load_s']:.1f} s apart"
        )
        print(
            f"  ratio in CPU time: echeancier is {spent_cpu / mine_cpu:.1f}× faster (target ≥ {TARGET}×), "
            f"{theirs['compute_cpu_s'] / mine_cpu:.1f}× against OpenFisca's computation alone"
        )
        print(
            f"  ratio in wall time: {spent / mine:.1f}×, {theirs['compute_s'] / mine:.1f}× against its computation "
            f"alone (two threads on our side; on a loaded machine the wall ratio measures the queue too)"
        )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
