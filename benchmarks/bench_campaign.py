"""Benchmark of `echeancier campaign`: N accounts, of which a share not in the steady state, from Parquet to Parquet.

Target (issue 9, DESIGN §5): 3,000,000 accounts, ≥ 25 % not in the steady state, in ≤ 30 s and ≤ 2 GB peak on
2 cores. It prints figures only; nothing here asserts a time.

Run: .venv/bin/python benchmarks/bench_campaign.py [--accounts 20000] [--other 0.3] [--workers 2] [--chunk 50000]
     [--year 2026] [--dask local:2]

- the accounts: random steady-state accounts (the three professions, monthly on the 5th or the 20th or quarterly,
  a tenth without direct debit, départements of the common calendar, Moselle, Alsace and overseas, incomes 0 to
  300,000 €, declarations over the whole year) of which `--other` (default 30 %) are not: first or second year of
  activity, ACRE, RSA, a cessation, a missed payment, a modulation, a payment-day change, a quarterly option —
  written to Parquet files of 100,000 rows;
- the run: `run_campaign` with `--workers` processes (or `--dask`), wall time and CPU time (this process and its
  worker processes, `getrusage`: on a shared machine the fairer figure), accounts per second by path
  (measured on one partition in this process), and the peak of the sum of the resident sets of this process and
  its workers during the run (Linux `/proc`, sampled every 0.2 s; `ru_maxrss` of each process is printed too);
- the extrapolation to 3,000,000 accounts is linear in the accounts of each path, and says so: the machine is
  shared, the figures vary with its load.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from echeancier.schedule.campaign import compute_partition
from echeancier.schedule.campaign_run import file_tasks, run_campaign

TARGET_ACCOUNTS, TARGET_SECONDS, TARGET_MB = 3_000_000, 30.0, 2048
DEPARTMENTS = ("75", "13", "69", "33", "57", "67", "68", "971", "972", "973", "974", "976")
OTHERS = ("first_year", "second_year", "acre", "rsa", "cessation", "missed", "modulation", "payment_day", "quarterly")
FILE_ROWS = 100_000


def accounts(rows: int, year: int, other: float, seed: int = 2026) -> pa.Table:
    """Random accounts (see the module docstring) as one Arrow table."""
    rng = np.random.default_rng(seed)
    first = np.datetime64(f"{year}-01-01")
    frequency = np.array(["monthly", "monthly", "quarterly"])[rng.integers(0, 3, rows)]
    day = np.array([5, 20])[rng.integers(0, 2, rows)]
    direct_debit = rng.random(rows) < 0.9
    start = np.datetime64("1990-01-01") + rng.integers(0, 365 * 25, rows).astype("timedelta64[D]")
    income_n2 = rng.integers(0, 300_000, rows).astype(object)
    acre = np.zeros(rows, dtype=bool)
    rsa = np.zeros(rows, dtype=bool)
    events = np.full(rows, None, dtype=object)
    chosen = np.flatnonzero(rng.random(rows) < other)
    kinds = rng.integers(0, len(OTHERS), len(chosen))
    offsets = rng.integers(0, 330, len(chosen))
    months = rng.integers(2, 12, len(chosen))
    for i, kind, offset, month in zip(chosen.tolist(), kinds.tolist(), offsets.tolist(), months.tolist(), strict=True):
        situation = OTHERS[kind]
        on = (np.datetime64(f"{year}-01-10") + offset).item().isoformat()
        if situation in ("first_year", "acre"):
            start[i] = np.datetime64(f"{year - 1}-01-01") + offset
            income_n2[i] = None
            acre[i] = situation == "acre"
        elif situation == "second_year":
            start[i] = np.datetime64(f"{year - 2}-01-01") + offset
        elif situation == "rsa":
            rsa[i] = True
        elif situation == "cessation":
            events[i] = json.dumps([{"date": on, "type": "cessation"}])
        elif situation == "missed":
            frequency[i], day[i], direct_debit[i] = "monthly", 5, True
            events[i] = json.dumps([{"date": f"{year}-{month:02d}-05", "type": "missed_payment"}])
        elif situation == "modulation":
            events[i] = json.dumps([{"date": on, "type": "modulation", "estimated_income": int(offset) * 100}])
        elif situation == "payment_day":
            frequency[i], direct_debit[i] = "monthly", True
            events[i] = json.dumps([{"date": on, "type": "payment_day_change", "day": 25 - int(day[i])}])
        else:
            frequency[i], direct_debit[i] = "monthly", True
            events[i] = json.dumps([{"date": on, "type": "quarterly_option"}])
    days = (np.datetime64(f"{year + 1}-01-01") - first).astype(int)
    return pa.table(
        {
            "id": pa.array([f"TI-{i}" for i in range(rows)]),
            "profession": np.array(["artisan", "commercant", "liberal"])[rng.integers(0, 3, rows)],
            "activity_start": pa.array(start, pa.date32()),
            "frequency": frequency,
            "day": day,
            "direct_debit": direct_debit,
            "department": np.array(DEPARTMENTS)[rng.integers(0, len(DEPARTMENTS), rows)],
            "acre": acre,
            "rsa": rsa,
            "income_n2": pa.array(income_n2, pa.int64()),
            "income_n1": rng.integers(0, 300_000, rows),
            "declaration_date": pa.array(first + rng.integers(0, days, rows).astype("timedelta64[D]"), pa.date32()),
            "events": pa.array(events, pa.string()),
        }
    )


def _cpu_seconds() -> float:
    """User + system CPU time of this process and of its finished children (the worker processes)."""
    return sum(_cpu_by_process())


def _cpu_by_process() -> tuple[float, float]:
    """User + system CPU time of this process, and of its finished children (the worker processes)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def _tree_rss_mb(root: int) -> float:
    """Resident set of process `root` and of its descendants now, in MB (Linux `/proc`; 0 elsewhere)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir() if Path("/proc/self/stat").exists() else []:
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat[stat.rindex(")") + 2 :].split()[1])
            except (OSError, ValueError):
                continue
    tree, found = {root}, True
    while found:
        found = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                found = True
    pages = 0
    for pid in tree:
        try:
            pages += int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


class _PeakMemory(threading.Thread):
    """The largest sum of the resident sets of this process and its workers, sampled every 0.2 s during the run
    (`ru_maxrss` gives each process's own peak, not the peak of their sum, and this process's includes the
    generation of the input)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0.0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.2):
            self.peak = max(self.peak, _tree_rss_mb(os.getpid()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--other", type=float, default=0.3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk", type=int, default=50_000)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--dask", default=None)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_campaign_"))
    try:
        table = accounts(args.accounts, args.year, args.other)
        (work / "in").mkdir()
        for begin in range(0, len(table), FILE_ROWS):
            pq.write_table(table.slice(begin, FILE_ROWS), work / "in" / f"part-{begin // FILE_ROWS:04d}.parquet")
        # Accounts per second of each path, one partition in this process.
        sample = table.slice(0, min(len(table), 5_000))
        started = time.perf_counter()
        partition = compute_partition(sample, args.year)
        sample_seconds = time.perf_counter() - started
        paths = partition.summary["paths"]
        del table, sample, partition
        monitor = _PeakMemory()
        monitor.start()
        driver_before, workers_before = _cpu_by_process()
        cpu_before = driver_before + workers_before
        started = time.perf_counter()
        report = run_campaign(
            file_tasks(work / "in", args.chunk), args.year, work / "out", workers=args.workers, dask=args.dask
        )
        seconds = time.perf_counter() - started
        monitor.stopped.set()
        monitor.join()
        cpu = _cpu_seconds() - cpu_before
        driver_cpu = _cpu_by_process()[0] - driver_before
        self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        worker_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        summary = report.summary
        written = sum(p.stat().st_size for p in (work / "out").rglob("*.parquet")) / 1e6
        print(
            f"campaign {args.year}: {summary['accounts']:,} accounts ({summary['paths']}), "
            f"{summary['instalments']:,} instalments, {written:.0f} MB of Parquet"
        )
        print(
            f"  wall time {seconds:.1f} s on {args.dask or f'{args.workers} worker process(es)'}, "
            f"chunk {args.chunk:,}: {summary['accounts'] / seconds:,.0f} accounts/s; CPU time (this process and its "
            f"workers) {cpu:.1f} s (of which this process {driver_cpu:.1f} s), "
            f"{summary['accounts'] / cpu:,.0f} accounts per CPU second; load average "
            f"{os.getloadavg()[0]:.1f}"
        )
        print(
            f"  peak memory: the sum of the resident sets of this process and its workers, sampled every 0.2 s "
            f"during the run, {monitor.peak:,.0f} MB at most (ru_maxrss: this process {self_mb:,.0f} MB, which "
            f"includes generating the input; the largest child {worker_mb:,.0f} MB, which under `spawn` counts the "
            f"copy of this process a worker starts as)"
        )
        print(f"  one partition of {sum(paths.values()):,} accounts in this process: {sample_seconds:.1f} s ({paths})")
        scale = TARGET_ACCOUNTS / max(summary["accounts"], 1)
        print(
            f"  extrapolated, linearly, to {TARGET_ACCOUNTS:,} accounts with the same mix: "
            f"{seconds * scale:,.0f} s (target ≤ {TARGET_SECONDS:.0f} s), or {cpu * scale / 2:,.0f} s on two "
            f"otherwise idle cores (CPU time / 2); memory is bounded by the chunk, "
            f"not the accounts: ≈ {monitor.peak:,.0f} MB (target ≤ {TARGET_MB:,} MB)"
        )
        print("  the machine is shared: these figures vary with its load.")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
