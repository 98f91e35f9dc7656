"""Dev tool: compare every contribution of the official grid (tests/data/oracle/public-grid.jsonl, a copy of
../shared/oracle/public-grid.jsonl) with the engine and print the differences (used to study deviations; the
test suite has the authoritative check)."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from echeancier import simulate

GRID = Path(__file__).resolve().parents[1] / "tests" / "data" / "oracle" / "public-grid.jsonl"


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else GRID
    counts: Counter[str] = Counter()
    for raw in path.read_text().splitlines():
        row = json.loads(raw)
        sim = simulate(row["situation"])
        for key, expected in row["expected"].items():
            got = sim.total if key == "total" else sim.line(key).amount
            if abs(float(got) - expected) > 1:
                counts[f"{row['situation']['year']}:{key}"] += 1
                print(row["situation"], key, "expected", expected, "got", got, row["also"])
    print(counts)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
