#!/usr/bin/env python3
"""Situations at Mayotte with a conjoint collaborateur, in the project's contract (DESIGN §4), for the grid of
docs/law-choices.md row 340.

usage: make_conjoint_mayotte_grid.py SEED N > in.jsonl
Mayotte (976), income years 2025-2026 (its own law here from income 2025); artisan / commercant / liberal; the five
options of `conjoint_collaborateur` in turn (the model sets one base at Mayotte whatever the option); incomes
log-uniform from 300 € to 400,000 € with edge values (a few nil); variants: activity started one to three years
before (around the 24th and 25th months on 1 January: the exemption of art. 28-8, the halving of art. 28-5), no
start date, creation or cessation in the year (early cessations: the prorated PASS below the conjoint's base,
fewer than 90 days), ACRE (not applied at Mayotte), RSA. Evaluate with `node tools/oracle/modele_ti.mjs`, join
with `join_grid.py`.
"""

import datetime as dt
import json
import math
import random
import sys

seed, n = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(seed)
PROFESSIONS = ["artisan", "commercant", "liberal"]
OPTIONS = ["forfaitaire", "tiers_sans_partage", "moitie_sans_partage", "tiers_avec_partage", "moitie_avec_partage"]
EDGES = [0, 1, 3700, 4041, 4199, 11284, 12088, 33852, 36264, 50000]


def day_in(year: int, days: int = 365) -> str:
    return (dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(days))).isoformat()


for i in range(n):
    year = rng.choice([2025, 2026])
    if rng.random() < 0.12:
        income = rng.choice(EDGES) * rng.choice([1, 1, 0.98, 1.02])
    else:
        income = math.exp(rng.uniform(math.log(300), math.log(400000)))
    case: dict[str, object] = {
        "id": f"ccmy{seed}-{i}",
        "year": year,
        "profession": rng.choice(PROFESSIONS),
        "income": round(income),
        "department": "976",
        "conjoint_collaborateur": OPTIONS[i % len(OPTIONS)],
    }
    v = rng.random()
    if v < 0.35:
        case["start_date"] = day_in(year - rng.choice([1, 2, 2, 2, 3]))
    elif v < 0.50:
        pass
    elif v < 0.60:
        case["start_date"] = day_in(year)
    elif v < 0.75:
        case["end_date"] = day_in(year, 120 if rng.random() < 0.5 else 365)
        if rng.random() < 0.5:
            case["start_date"] = day_in(year - rng.choice([2, 3, 5]))
    elif v < 0.85:
        case["acre"] = True
        case["start_date"] = day_in(year if rng.random() < 0.5 else year - 1)
    else:
        case["rsa"] = True
        case["income"] = round(int(case["income"]) / 8)  # type: ignore[call-overload]
    print(json.dumps(case))
