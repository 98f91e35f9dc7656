#!/usr/bin/env python3
"""Situations with a conjoint collaborateur, in the project's contract (DESIGN §4), for the conjoint grid.

usage: make_conjoint_grid.py SEED N > in.jsonl
Years 2024-2026, metropolitan France; artisan / commercant / liberal; the five options of `conjoint_collaborateur`
(the bases of CSS D633-19-2) drawn evenly; incomes log-uniform from 300 € to 400,000 € with the edge values of the
PASS multiples (and a few nil incomes); variants: activity started years before (with the start year drawn), full
year without a start date, creation in the year, cessation in the year, ACRE (creation this year or the year
before), RSA. Evaluate with `node tools/oracle/modele_ti.mjs < in.jsonl > out.jsonl`, join with `join_grid.py`.
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
EDGES = [0, 1, 3700, 9420, 15700, 18840, 28260, 47100, 51810, 65940, 141300, 188400, 235500]


def day_in(year: int) -> str:
    return (dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))).isoformat()


for i in range(n):
    year = rng.choice([2024, 2025, 2026])
    if rng.random() < 0.12:
        income = rng.choice(EDGES) * rng.choice([1, 1, 0.98, 1.02])
    else:
        income = math.exp(rng.uniform(math.log(300), math.log(400000)))
    case = {
        "id": f"cc{seed}-{i}",
        "year": year,
        "profession": rng.choice(PROFESSIONS),
        "income": round(income),
        "conjoint_collaborateur": OPTIONS[i % len(OPTIONS)],
    }
    v = rng.random()
    if v < 0.25:
        case["start_date"] = day_in(year - rng.choice([1, 2, 3, 5, 10]))
    elif v < 0.45:
        pass
    elif v < 0.60:
        case["start_date"] = day_in(year)
    elif v < 0.72:
        case["end_date"] = day_in(year)
    elif v < 0.90:
        case["acre"] = True
        case["start_date"] = day_in(year if rng.random() < 0.7 else year - 1)
    else:
        case["rsa"] = True
        case["income"] = round(case["income"] / 8)
    print(json.dumps(case))
