#!/usr/bin/env python3
"""Situations of the populations grid (overseas departments), in the project's contract (DESIGN §4).

usage: make_populations_grid.py SEED N [--mayotte] > in.jsonl
Years 2023-2026; artisan / commercant / liberal; incomes log-uniform with edge values (as shared/oracle's
make_grid.py); variants: full year, creation in the year, cessation in the year, ACRE (creation this year or the
year before), RSA; department drawn among the four départements d'outre-mer the model knows (971-974).
--mayotte: Mayotte (976), years 2025-2026 (its rules here start with income 2025), and starts one to three years
before the income year as well (the 24-month exemption and the halving from the 25th month).
--exonerations: the exemptions of a contributor's own situation, years 2023-2026, metropolitan France or one of
the four départements d'outre-mer: an invalidity pension paid 1 to 12 months of the year (`pension_invalidite_mois`,
never with ACRE) or, for artisans and commerçants, the invalidité-décès exemption by age (`exoneration_age`, no
start or a start before 2016).
Evaluate with `node tools/oracle/modele_ti.mjs < in.jsonl > out.jsonl`, join with `join_grid.py`.
"""

import datetime as dt
import json
import math
import random
import sys

seed, n = int(sys.argv[1]), int(sys.argv[2])
mayotte = "--mayotte" in sys.argv[3:]
exonerations = "--exonerations" in sys.argv[3:]
rng = random.Random(seed)
PROFESSIONS = ["artisan", "commercant", "liberal"]
DEPARTMENTS = ["971", "972", "973", "974"]
EDGES = [0, 1, 3700, 9420, 18840, 28260, 47100, 51810, 65940, 141300, 188400, 235500]


def day_in(year: int) -> str:
    return (dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))).isoformat()


def exemption_case(i: int) -> dict[str, object]:
    year = rng.choice([2023, 2024, 2025, 2026])
    if rng.random() < 0.12:
        income = rng.choice(EDGES) * rng.choice([1, 1, 0.98, 1.02])
    else:
        income = math.exp(rng.uniform(math.log(500), math.log(400000)))
    case: dict[str, object] = {"id": f"ex{seed}-{i}", "year": year, "income": round(income)}
    age = rng.random() < 0.3
    case["profession"] = rng.choice(PROFESSIONS[:2] if age else PROFESSIONS)
    if rng.random() < 0.2:
        case["department"] = rng.choice(DEPARTMENTS)
    v = rng.random()
    if age:
        case["exoneration_age"] = True
        if v < 0.3:
            case["start_date"] = day_in(rng.randrange(1995, 2016))
        elif v < 0.45:
            case["end_date"] = day_in(year)
        elif v < 0.55:
            case["rsa"] = True
            case["income"] = round(income / 8)
        return case
    case["pension_invalidite_mois"] = 12 if rng.random() < 0.3 else rng.randrange(1, 13)
    if v < 0.15:
        case["start_date"] = day_in(year)
    elif v < 0.25:
        case["start_date"] = day_in(year - 1)
    elif v < 0.35:
        case["end_date"] = day_in(year)
    elif v < 0.45:
        case["rsa"] = True
        case["income"] = round(income / 8)
    return case


for i in range(n):
    if exonerations:
        print(json.dumps(exemption_case(i)))
        continue
    year = rng.choice([2025, 2026] if mayotte else [2023, 2024, 2025, 2026])
    if rng.random() < 0.12:
        income = rng.choice(EDGES) * rng.choice([1, 1, 0.98, 1.02])
    else:
        income = math.exp(rng.uniform(math.log(500), math.log(400000)))
    case = {
        "id": f"{'my' if mayotte else 'om'}{seed}-{i}",
        "year": year,
        "profession": rng.choice(PROFESSIONS),
        "income": round(income),
        "department": "976" if mayotte else rng.choice(DEPARTMENTS),
    }
    v = rng.random()
    if mayotte and v < 0.30:
        # a start one to three years before: around the 24th and 25th months on 1 January
        case["start_date"] = day_in(year - rng.choice([1, 2, 2, 2, 3]))
        print(json.dumps(case))
        continue
    if v < 0.45:
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
