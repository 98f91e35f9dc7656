"""The cost of the rights: `simulate_many` with and without `rights=True`, `Simulation.rights` for one situation,
and one 24-month forecast (the planner run two to ~25 times). Prints the figures, asserts nothing.

usage: python benchmarks/bench_rights.py [ROWS]   (default 200,000)
"""

from __future__ import annotations

import sys
import time
from datetime import date
from decimal import Decimal

import numpy as np

from echeancier.contributions.engine import simulate
from echeancier.contributions.vectorized import simulate_many
from echeancier.schedule.forecast import forecast
from echeancier.schedule.scenario import loads_scenario

SCENARIO = """\
contributor: {profession: artisan, activity_start: 2015-01-01}
incomes: {2024: 30000, 2025: 36000}
events:
  - {date: 2026-05-20, type: declaration, year: 2025, income: 36000}
years: [2026]
"""


def main(rows: int) -> None:
    rng = np.random.default_rng(11)
    columns = {
        "year": rng.choice([2024, 2025, 2026], rows),
        "profession": rng.choice(["artisan", "commercant", "liberal"], rows),
        "income": rng.integers(0, 20_000_000, rows) / 100,
        "rsa": rng.random(rows) < 0.1,
    }
    simulate_many(columns, rights=True)  # warm-up (law snapshots)
    for label, rights in (("without rights", False), ("with rights", True)):
        started = time.perf_counter()
        simulate_many(columns, rights=rights)
        elapsed = time.perf_counter() - started
        print(f"simulate_many {rows:,} rows {label}: {elapsed:.3f} s ({rows / elapsed:,.0f} rows/s)")
    situation = {"year": 2026, "profession": "artisan", "income": 40000}
    n = 2000
    started = time.perf_counter()
    for _ in range(n):
        simulate(situation).rights  # noqa: B018 - the property computes the rights
    print(f"simulate + rights, one situation: {(time.perf_counter() - started) / n * 1e6:.0f} µs")
    scenario = loads_scenario(SCENARIO)
    for estimate in (Decimal(60000), Decimal(61234)):
        started = time.perf_counter()
        result = forecast(scenario, date(2026, 3, 1), estimate)
        found = result.modulation.estimated_income if result.modulation else None
        print(f"forecast, estimate {estimate} €: {time.perf_counter() - started:.2f} s (modulation {found})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000)
