"""Benchmark of the vectorised path (DESIGN §5: 1,000,000 situations in ≤ 0.2 s and ≤ 300 MB) and of one scalar
simulation (≤ 0.1 ms). It prints figures only; nothing here asserts a time.

Run: .venv/bin/python benchmarks/bench_simulate_many.py [rows]

- time: best of several runs of `simulate_many` on the same random NumPy columns — income years 2023 to 2026
  mixed (the rows of each year are computed apart), then a single year (a yearly campaign); the three professions
  as strings; incomes in cents from −1,000 € to 2,000,000 €; a third of the rows with a start date in the year or
  the year before (half of them with ACRE), a tenth with an end date, 5 % with RSA;
- memory, in a fresh subprocess: the peak resident set of the whole process (interpreter, libraries, the input
  columns and the call), and how much the call adds to what the process held just before it (Linux: the peak is
  reset through /proc/self/clear_refs before the call; elsewhere the figure is the process's lifetime peak);
- scalar: mean time of one `simulate` call over 20,000 calls (timeit) on one situation with ACRE, then the mean,
  median and 99th percentile over 20,000 random situations drawn like the columns above (each call timed alone),
  for `simulate` and for `simulate` followed by its whole explanation (`to_dict()`: every line, tranche, minimum
  and the flat-rate base of the first years, which `simulate` derives only when asked).
"""

from __future__ import annotations

import statistics
import sys
import time
import timeit
from typing import Any

import memory
import numpy as np
from memory import print_peak_kb

from echeancier import simulate, simulate_many

ROWS = 1_000_000
RUNS = 7
SCALAR_CALLS = 20_000


def columns(rows: int, seed: int = 2026, year: int | None = None) -> dict[str, Any]:
    """Random situations as NumPy columns (whole-cent incomes, so that every row takes the vectorised path)."""
    rng = np.random.default_rng(seed)
    years = np.full(rows, year) if year else rng.integers(2023, 2027, rows)
    year_start = (years - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    year_end = (years - 1969).astype("datetime64[Y]").astype("datetime64[D]") - np.timedelta64(1, "D")
    has_start = rng.random(rows) < 1 / 3
    nat = np.datetime64("NaT", "D")
    start = np.where(has_start, year_start + rng.integers(-365, 365, rows).astype("timedelta64[D]"), nat)
    has_end = rng.random(rows) < 0.1
    first = np.where(has_start & (start > year_start), start, year_start)
    end = np.where(has_end, first + rng.integers(0, 365, rows).astype("timedelta64[D]"), nat)
    end = np.where(has_end & (end > year_end), year_end, end)
    return {
        "year": years,
        "profession": np.array(["artisan", "commercant", "liberal"])[rng.integers(0, 3, rows)],
        "income": rng.integers(-100_000, 200_000_000, rows) / 100,
        "start_date": start,
        "end_date": end,
        "acre": has_start & (rng.random(rows) < 0.5),
        "rsa": rng.random(rows) < 0.05,
    }


def best_time(data: dict[str, Any], runs: int = RUNS) -> tuple[float, float]:
    """(wall, CPU) seconds, best of `runs` each (CPU: `time.process_time`, every thread of the process)."""
    simulate_many(data)  # builds the law of each year once
    best, best_cpu = float("inf"), float("inf")
    for _ in range(runs):
        began, began_cpu = time.perf_counter(), time.process_time()
        simulate_many(data)
        best, best_cpu = min(best, time.perf_counter() - began), min(best_cpu, time.process_time() - began_cpu)
    return best, best_cpu


def _measure_child(rows: int) -> None:
    """In a fresh process: build the columns, run once, print 'peak_kb before_kb' (see the module docstring)."""
    data = columns(rows)
    simulate_many({key: value[:1000] for key, value in data.items()})  # imports and the law, before the baseline
    print_peak_kb(lambda: simulate_many(data))


def peak_memory_mb(rows: int) -> tuple[float, float]:
    """(peak resident set of the process, what the call adds to it), in MB, measured in a fresh subprocess."""
    return memory.peak_memory_mb("bench_simulate_many", f"_measure_child({rows})")


def scalar_mean_ms(calls: int = SCALAR_CALLS) -> float:
    situation = {"year": 2025, "profession": "artisan", "income": 40_000, "start_date": "2025-03-01", "acre": True}
    simulate(situation)
    return timeit.timeit(lambda: simulate(situation), number=calls) / calls * 1000


def random_situations(count: int = SCALAR_CALLS, seed: int = 5) -> list[dict[str, Any]]:
    """The rows of `columns` as situation mappings, for the scalar engine."""
    data = columns(count, seed=seed)
    situations = []
    for i in range(count):
        situation: dict[str, Any] = {
            "year": int(data["year"][i]),
            "profession": str(data["profession"][i]),
            "income": float(data["income"][i]),
            "acre": bool(data["acre"][i]),
            "rsa": bool(data["rsa"][i]),
        }
        for name in ("start_date", "end_date"):
            if not np.isnat(data[name][i]):
                situation[name] = str(data[name][i])
        situations.append(situation)
    return situations


def scalar_random_ms(explain: bool = False) -> tuple[float, float, float, float]:
    """(mean, median, 99th percentile, CPU time per call) in ms of one `simulate` call on random situations."""
    situations = random_situations()
    for situation in situations[:500]:
        simulate(situation)
    times = []
    clock = time.perf_counter
    began_cpu = time.process_time()
    for situation in situations:
        began = clock()
        result = simulate(situation)
        if explain:
            result.to_dict()
        times.append(clock() - began)
    cpu = (time.process_time() - began_cpu) / len(situations) * 1000
    times.sort()
    return statistics.fmean(times) * 1000, times[len(times) // 2] * 1000, times[int(len(times) * 0.99)] * 1000, cpu


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else ROWS
    for label, data in (("years 2023-2026 mixed", columns(rows)), ("income year 2026 only", columns(rows, year=2026))):
        wall, cpu = best_time(data)
        print(
            f"simulate_many, {rows:,} situations, {label}: best of {RUNS} runs {wall:.3f} s wall, {cpu:.3f} s CPU "
            f"(target ≤ 0.2 s for 1,000,000, DESIGN §5)"
        )
    peak, call = peak_memory_mb(rows)
    print(
        f"  peak resident memory of a process running it (years mixed): {peak:.0f} MB, of which the call {call:.0f} MB "
        f"(target ≤ 300 MB)"
    )
    print(f"simulate (scalar), one situation with ACRE, mean of {SCALAR_CALLS:,} calls: {scalar_mean_ms():.4f} ms")
    for label, explain in (("simulate", False), ("simulate + to_dict()", True)):
        mean, median, p99, cpu = scalar_random_ms(explain)
        target = " (target: mean ≤ 0.05 ms, issue 9)" if not explain else ""
        print(
            f"{label} (scalar), {SCALAR_CALLS:,} random situations: mean {mean:.4f} ms, median {median:.4f} ms, "
            f"p99 {p99:.4f} ms wall; {cpu:.4f} ms CPU per call{target}"
        )


if __name__ == "__main__":
    main()
