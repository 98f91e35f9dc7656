"""Portfolio files: `echeancier simulate --input` on a generated French CSV (and Parquet) of clients. Prints the
time of each step (reading the file, checking each row as a Situation, `simulate_many`, writing the result), wall
and CPU; nothing here asserts a time (the machine is shared: the wall time includes waiting for a core).

Run: .venv/bin/python benchmarks/bench_portfolio.py [rows]   (default 100,000; 200 is an accountant's portfolio)
"""

from __future__ import annotations

import io
import random
import sys
import tempfile
import time
from pathlib import Path

from echeancier.portfolio.simulation import simulate_table
from echeancier.portfolio.tables import read_table, write_table

PROFESSIONS = ("artisan", "commerçant", "libéral")


def french_csv(rows: int, seed: int = 8) -> str:
    """Clients of 2023–2026, revenu professionnel up to 2024 and revenu brut from 2025, as a French sheet writes."""
    rng = random.Random(seed)
    lines = ["client;année;profession;revenu_professionnel;revenu_brut;date_début;acre;rsa"]
    for n in range(rows):
        year = rng.choice((2023, 2024, 2025, 2026))
        income = f"{rng.randrange(0, 150_000):,}".replace(",", " ") + rng.choice(("", ",50"))
        pro, brut = (income, "") if year <= 2024 else ("", income)
        start = f"{rng.randrange(1, 28):02d}/{rng.randrange(1, 13):02d}/{year}" if rng.random() < 0.1 else ""
        acre = "oui" if start and rng.random() < 0.5 else "non"
        lines.append(f"C{n:06d};{year};{rng.choice(PROFESSIONS)};{pro};{brut};{start};{acre};non")
    return "\r\n".join(lines) + "\r\n"


def timed(label: str, step: object) -> object:
    start, cpu = time.perf_counter(), time.process_time()
    result = step() if callable(step) else step
    print(f"  {label:<28} {time.perf_counter() - start:7.2f} s wall  {time.process_time() - cpu:7.2f} s CPU")
    return result


def main(rows: int = 100_000) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "clients.csv"
        source.write_text(french_csv(rows), encoding="utf-8-sig")
        print(f"simulate --input, {rows} rows (French CSV, {source.stat().st_size / 1e6:.1f} MB)")
        total = time.perf_counter()
        table = timed("read the CSV", lambda: read_table(str(source)))
        result = timed("check the rows and compute", lambda: simulate_table(table))  # type: ignore[arg-type]
        timed("write a French CSV", lambda: write_table(io.StringIO(), result.columns, result.rows, french=True))  # type: ignore[attr-defined]
        parquet = Path(folder) / "out.parquet"
        timed("write Parquet", lambda: write_table(str(parquet), result.columns, result.rows, kind="parquet"))  # type: ignore[attr-defined]
        print(f"  {'total':<28} {time.perf_counter() - total:7.2f} s wall; {len(result.errors)} rows refused")  # type: ignore[attr-defined]


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
