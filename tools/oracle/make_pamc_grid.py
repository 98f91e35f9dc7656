#!/usr/bin/env python3
"""Situations of the health sections and CNBF classes grid (CARMF, CARPIMKO, CARCDSF, CAVP; CNBF classes 2 and 2+),
in the project's contract (DESIGN §4).

usage: make_pamc_grid.py SEED N > in.jsonl
Years 2024-2026; profession liberal_reglementee with a health section: a médecin (carmf) with its secteur (1, 2,
non_conventionne), an auxiliaire médical (carpimko), a chirurgien-dentiste or a sage-femme (carcdsf with its
metier), a pharmacien (cavp); or an avocat of the CNBF's class 2 or 2+ (classe_cnbf); incomes log-uniform from
500 € to 400,000 € with edge values around the sections' thresholds; variants: full year, creation in the year,
creation one to three years before, cessation in the year,
ACRE (creation this year or the year before), RSA.
Evaluate with `node tools/oracle/modele_ti.mjs < in.jsonl > out.jsonl`, join with `join_grid.py`.
"""

import datetime as dt
import json
import math
import random
import sys

seed, n = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(seed)
KINDS = [
    ("carmf", {"secteur": "1"}),
    ("carmf", {"secteur": "2"}),
    ("carmf", {"secteur": "non_conventionne"}),
    ("carpimko", {}),
    ("carcdsf", {"metier": "chirurgien_dentiste"}),
    ("carcdsf", {"metier": "sage_femme"}),
    ("cavp", {}),
    ("cnbf", {"classe_cnbf": "2"}),
    ("cnbf", {"classe_cnbf": "2+"}),
]
EDGES = [0, 1, 3120, 11500, 25246, 40035, 47100, 48060, 65940, 67284, 117750, 120150, 164850, 168210, 235500, 240300]


def day_in(year: int) -> str:
    return (dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))).isoformat()


for i in range(n):
    year = rng.choice([2024, 2025, 2026])
    if rng.random() < 0.15:
        income = rng.choice(EDGES) * rng.choice([1, 1, 0.98, 1.02])
    else:
        income = math.exp(rng.uniform(math.log(500), math.log(400000)))
    section, extra = rng.choice(KINDS)
    case = {
        "id": f"pamc{seed}-{i}",
        "year": year,
        "profession": "liberal_reglementee",
        "section": section,
        **extra,
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
