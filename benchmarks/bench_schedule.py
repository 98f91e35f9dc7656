"""Benchmark of the échéancier: one scalar `build_echeancier`, and the yearly campaign through the vectorised path
`campaign_many` (DESIGN §5: 3,000,000 accounts in ≤ 30 s on 2 cores; the issue: 1,000,000 yearly schedules in
≤ 10 s on this machine). It prints figures only; nothing here asserts a time.

Run: .venv/bin/python benchmarks/bench_schedule.py [year]

- scalar: mean time of one `build_echeancier` (timeit) for a steady-state account declaring in May (the scenario
  `campaign_many` mirrors) and for docs/examples/05-deux-impayes.yaml (two missed payments, majorations);
- campaign: best of 3 runs of `campaign_many` on the same random NumPy columns, 100,000 then 1,000,000 accounts of
  campaign year 2026 by default — the three professions, monthly on the 5th or the 20th or quarterly, a tenth
  without direct debit, départements of the common calendar, Moselle, Alsace and overseas, incomes from 0 to
  300,000 € (N-2 and N-1 drawn apart: rises and falls, refunds and imputed credits), declaration dates over the
  whole year (late ones spill into N+1);
- memory, in a fresh subprocess: the peak resident set of the whole process and what the call adds to what the
  process held just before it (Linux: the peak is reset through /proc/self/clear_refs before the call).
"""

from __future__ import annotations

import sys
import time
import timeit
from datetime import date
from pathlib import Path
from typing import Any

import memory
import numpy as np
from memory import print_peak_kb

from echeancier.schedule.echeancier import build_echeancier
from echeancier.schedule.scenario import load_scenario, parse_scenario
from echeancier.schedule.vectorized import campaign_many

YEAR = 2026
SIZES = (100_000, 1_000_000)
RUNS = 3
SCALAR_CALLS = 2_000
EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "05-deux-impayes.yaml"
DEPARTMENTS = ("75", "13", "69", "33", "57", "67", "68", "971", "972", "973", "974", "976")


def columns(rows: int, year: int, seed: int = 2026) -> dict[str, Any]:
    """Random steady-state accounts as NumPy columns."""
    rng = np.random.default_rng(seed)
    first = np.datetime64(f"{year}-01-01")
    days = (np.datetime64(f"{year + 1}-01-01") - first).astype(int)
    return {
        "id": np.arange(rows),
        "profession": np.array(["artisan", "commercant", "liberal"])[rng.integers(0, 3, rows)],
        "frequency": np.array(["monthly", "monthly", "quarterly"])[rng.integers(0, 3, rows)],
        "day": np.array([5, 20])[rng.integers(0, 2, rows)],
        "direct_debit": rng.random(rows) < 0.9,
        "department": np.array(DEPARTMENTS)[rng.integers(0, len(DEPARTMENTS), rows)],
        "income_n2": rng.integers(0, 300_000, rows),
        "income_n1": rng.integers(0, 300_000, rows),
        "declaration_date": first + rng.integers(0, days, rows).astype("timedelta64[D]"),
        "activity_start": np.datetime64("1990-01-01") + rng.integers(0, 365 * 25, rows).astype("timedelta64[D]"),
    }


def best_time(data: dict[str, Any], year: int, runs: int = RUNS) -> float:
    best = float("inf")
    for _ in range(runs):
        began = time.perf_counter()
        result = campaign_many(data, year)
        best = min(best, time.perf_counter() - began)
        del result
    return best


def _measure_child(rows: int, year: int) -> None:
    """In a fresh process: build the columns, run once, print 'peak_kb before_kb' (see the module docstring)."""
    data = columns(rows, year)
    campaign_many({key: value[:1000] for key, value in data.items()}, year)  # imports, law, calendars
    print_peak_kb(lambda: campaign_many(data, year))


def peak_memory_mb(rows: int, year: int) -> tuple[float, float]:
    """(peak resident set of the process, what the call adds to it), in MB, measured in a fresh subprocess."""
    return memory.peak_memory_mb("bench_schedule", f"_measure_child({rows}, {year})")


def scalar_mean_ms(year: int, calls: int = SCALAR_CALLS) -> tuple[float, float]:
    steady = parse_scenario(
        {
            "contributor": {
                "profession": "artisan",
                "activity_start": date(2015, 1, 1),
                "payment": {"frequency": "monthly", "day": 5, "direct_debit": True},
                "department": "75",
            },
            "incomes": {year - 2: 38_000, year - 1: 42_500},
            "events": [{"date": date(year, 5, 20), "type": "declaration", "year": year - 1}],
            "years": [year, year + 1],
        }
    )
    example = load_scenario(EXAMPLE)
    results = []
    for scenario in (steady, example):
        build_echeancier(scenario)
        results.append(timeit.timeit(lambda s=scenario: build_echeancier(s), number=calls) / calls * 1000)
    return results[0], results[1]


def main() -> None:
    year = int(sys.argv[1]) if len(sys.argv) > 1 else YEAR
    steady, example = scalar_mean_ms(year)
    print(f"build_echeancier (scalar), steady-state account of {year}, mean of {SCALAR_CALLS:,} calls: {steady:.3f} ms")
    print(f"build_echeancier (scalar), {EXAMPLE.name}, mean of {SCALAR_CALLS:,} calls: {example:.3f} ms")
    campaign_many({key: value[:1000] for key, value in columns(1000, year).items()}, year)  # law and calendars
    for rows in SIZES:
        data = columns(rows, year)
        best = best_time(data, year)
        print(
            f"campaign_many, {rows:,} accounts of {year}: best of {RUNS} runs {best:.3f} s "
            f"({rows / best:,.0f} accounts/s; the scalar engine would take about {steady * rows / 1000:,.0f} s)"
        )
        peak, call = peak_memory_mb(rows, year)
        print(f"  peak resident memory of a process running it: {peak:.0f} MB, of which the call {call:.0f} MB")


if __name__ == "__main__":
    main()
