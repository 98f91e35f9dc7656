"""Situations for the rights grid (`tests/data/oracle/rights-grid.jsonl`), in the project's contract (DESIGN §4).

usage: python tools/oracle/make_rights_grid.py SEED N > situations.jsonl
       node tools/oracle/modele_ti_rights.mjs < situations.jsonl > model.jsonl
       python tools/oracle/join_rights_grid.py situations.jsonl model.jsonl > tests/data/oracle/rights-grid.jsonl

Income years 2024-2026 (the model's reliable years, see `tests/data/oracle/README.md`); artisan, commercant,
liberal. A third of the rows receive the RSA (no minimum base), with low incomes spread over the 0-4 quarters and
across 10 % of the PASS; the rest: incomes log-uniform from 500 € to 300,000 € with the thresholds of the
quarters and of the PASS, activities started in the year or the two before (the first years), ACRE, cessations.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import sys

PROFESSIONS = ("artisan", "commercant", "liberal")
YEARS = (2024, 2025, 2026)


def situations(seed: int, n: int) -> list[dict[str, object]]:
    rng = random.Random(seed)
    out: list[dict[str, object]] = []
    for i in range(n):
        year = rng.choice(YEARS)
        case: dict[str, object] = {"id": f"r{seed}-{i}", "year": year, "profession": rng.choice(PROFESSIONS)}
        kind = rng.random()
        if kind < 0.35:
            case["rsa"] = True
            income = rng.uniform(0, 14000)
        else:
            income = math.exp(rng.uniform(math.log(500), math.log(300000)))
        if 0.35 <= kind < 0.55:
            start = dt.date(year - rng.choice((0, 0, 1, 2)), 1, 1) + dt.timedelta(days=rng.randrange(365))
            case["start_date"] = start.isoformat()
        elif 0.55 <= kind < 0.7:
            start = dt.date(year - rng.choice((0, 0, 1)), 1, 1) + dt.timedelta(days=rng.randrange(365))
            case["start_date"] = start.isoformat()
            case["acre"] = True
        elif 0.7 <= kind < 0.78:
            case["end_date"] = (dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))).isoformat()
        case["income"] = round(income)
        out.append(case)
    return out


if __name__ == "__main__":
    for case in situations(int(sys.argv[1]), int(sys.argv[2])):
        print(json.dumps(case))
