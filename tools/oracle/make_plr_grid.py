#!/usr/bin/env python3
"""Situations of the professions libérales réglementées grid, in the project's contract (DESIGN §4).

usage: make_plr_grid.py SEED N > in.jsonl
Years 2024-2026; profession liberal_reglementee with a section the model computes (SECTIONS); incomes log-uniform
from 500 € to 400,000 € with edge values (as make_populations_grid.py); variants: full year, creation in the year,
creation one to three years before, cessation in the year, ACRE (creation this year or the year before), RSA.
Evaluate with `node tools/oracle/modele_ti.mjs < in.jsonl > out.jsonl`, join with `join_grid.py`.
"""

import datetime as dt
import json
import math
import random
import sys

seed, n = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(seed)
SECTIONS = ["cipav", "cavec", "cnbf"]
EDGES = [0, 1, 3700, 9420, 14919, 16190, 17451, 18840, 28260, 44790, 47100, 51810, 65940, 79040, 87120, 141300, 188400]


def day_in(year: int) -> str:
    return (dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))).isoformat()


for i in range(n):
    year = rng.choice([2024, 2025, 2026])
    if rng.random() < 0.15:
        income = rng.choice(EDGES) * rng.choice([1, 1, 0.98, 1.02])
    else:
        income = math.exp(rng.uniform(math.log(500), math.log(400000)))
    case = {
        "id": f"plr{seed}-{i}",
        "year": year,
        "profession": "liberal_reglementee",
        "section": rng.choice(SECTIONS),
        "income": round(income),
    }
    v = rng.random()
    if v < 0.35:
        pass
    elif v < 0.50:
        case["start_date"] = day_in(year)
    elif v < 0.62:
        case["start_date"] = day_in(year - rng.choice([1, 2, 3]))
    elif v < 0.72:
        case["end_date"] = day_in(year)
    elif v < 0.90:
        case["acre"] = True
        case["start_date"] = day_in(year if rng.random() < 0.7 else year - 1)
    else:
        case["rsa"] = True
        case["income"] = round(case["income"] / 8)
    print(json.dumps(case))
