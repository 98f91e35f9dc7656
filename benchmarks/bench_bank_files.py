"""Parsing bank files: lines per second and memory of `parse_bank_bytes` on generated files of 100,000 payments
(international and French CSV, camt.054). It prints figures only; nothing here asserts a time. The CPU time is
printed beside the wall time because the machine is shared: the wall time includes waiting for a core.

Run: .venv/bin/python benchmarks/bench_bank_files.py [count]
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from make_bank_files import payments_camt054, payments_csv
from memory import peak_memory_mb, print_peak_kb

from echeancier.payments import parse_bank_bytes

REFERENCES = [f"TI-{n:06d}" for n in range(1, 1001)]
FILES: dict[str, Callable[[int], bytes]] = {
    "csv international": lambda count: payments_csv(REFERENCES, count),
    "csv french": lambda count: payments_csv(REFERENCES, count, french=True, with_ids=False),
    "camt.054": lambda count: payments_camt054(REFERENCES, count),
}


def parse(kind: str, count: int) -> None:
    data = FILES[kind](count)
    print_peak_kb(lambda: parse_bank_bytes(data, kind))


def main(count: int = 100_000) -> None:
    for kind, make in FILES.items():
        data = make(count)
        best, best_cpu = float("inf"), float("inf")
        for _ in range(3):
            start, start_cpu = time.perf_counter(), time.process_time()
            lines = parse_bank_bytes(data, kind)
            best, best_cpu = min(best, time.perf_counter() - start), min(best_cpu, time.process_time() - start_cpu)
        assert len(lines) == count
        peak, added = peak_memory_mb("bench_bank_files", f"parse({kind!r}, {count})")
        print(
            f"{kind:18} {count} lines, {len(data) / 1e6:.1f} MB: best {best:.2f} s ({count / best:,.0f} lines/s),"
            f" CPU {best_cpu:.2f} s,"
            f" peak {peak:.0f} MB (parse adds {added:.0f} MB)"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
