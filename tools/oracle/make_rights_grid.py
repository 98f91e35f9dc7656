"""Situations for the rights grid (`tests/data/oracle/rights-grid.jsonl`), in the project's contract (DESIGN §4).

usage: python tools/oracle/make_rights_grid.py SEED N > situations.jsonl
       node tools/oracle/modele_ti_rights.mjs < situations.jsonl > model.jsonl
       python tools/oracle/join_rights_grid.py situations.jsonl model.jsonl > tests/data/oracle/rights-grid.jsonl

Income years 2024-2026 (the model's reliable years, see `tests/data/oracle/README.md`); artisan, commercant,
liberal. A third of the rows receive the RSA (no minimum base), with low incomes spread over the 0-4 quarters and
across 10 % of the PASS; the rest: incomes log-uniform from 500 € to 300,000 € with the thresholds of the
quarters and of the PASS, activities started in the year or the two before (the first years), ACRE, cessations.
`--populations` (a third argument): the new populations instead (`populations`, seed 4646 for
`tests/data/oracle/rights-populations-grid.jsonl`).
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


OPTIONS = ("forfaitaire", "tiers_sans_partage", "moitie_sans_partage", "tiers_avec_partage", "moitie_avec_partage")


def populations(seed: int, n: int) -> list[dict[str, object]]:
    """--populations: the rights of the new populations, income years 2024-2026, metropolitan France, in thirds:
    invalidity pensioners (artisan / commercant / liberal, 1 to 12 months of pension, never with ACRE; a quarter with
    the RSA and low incomes), professions libérales réglementées (Cipav, CAVEC, CNBF; starts, ACRE, RSA), and heads
    with a conjoint collaborateur (the five options; starts, ACRE, RSA)."""
    rng = random.Random(seed)
    out: list[dict[str, object]] = []
    for i in range(n):
        year = rng.choice(YEARS)
        kind = i % 3
        case: dict[str, object] = {"id": f"rp{seed}-{i}", "year": year}
        low = rng.random() < 0.25
        income = rng.uniform(0, 14000) if low else math.exp(rng.uniform(math.log(500), math.log(300000)))
        v = rng.random()
        if kind == 0:
            case["profession"] = rng.choice(PROFESSIONS)
            case["pension_invalidite_mois"] = 12 if rng.random() < 0.25 else rng.randrange(1, 13)
            if low:
                case["rsa"] = True
            elif v < 0.2:
                case["start_date"] = (
                    dt.date(year - rng.choice((0, 1, 2)), 1, 1) + dt.timedelta(days=rng.randrange(365))
                ).isoformat()
        else:
            if kind == 1:
                case["profession"] = "liberal_reglementee"
                case["section"] = rng.choice(("cipav", "cipav", "cavec", "cnbf"))
            else:
                case["profession"] = rng.choice(PROFESSIONS)
                case["conjoint_collaborateur"] = OPTIONS[(i // 3) % len(OPTIONS)]
            if low:
                case["rsa"] = True
            elif v < 0.25:
                start = dt.date(year - rng.choice((0, 1, 2, 5)), 1, 1) + dt.timedelta(days=rng.randrange(365))
                case["start_date"] = start.isoformat()
            elif v < 0.4:
                start = dt.date(year - rng.choice((0, 0, 1)), 1, 1) + dt.timedelta(days=rng.randrange(365))
                case["start_date"] = start.isoformat()
                case["acre"] = True
            elif v < 0.5:
                case["end_date"] = (dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))).isoformat()
        case["income"] = round(income)
        out.append(case)
    return out


if __name__ == "__main__":
    make = populations if "--populations" in sys.argv[3:] else situations
    for case in make(int(sys.argv[1]), int(sys.argv[2])):
        print(json.dumps(case))
