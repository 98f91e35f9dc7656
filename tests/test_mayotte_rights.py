"""Mayotte from income 2025: a simulation's rights are not computed and say so, on every path (law-choices 187).

The simulation of a Mayotte situation from 2025 used to stop with an internal error when its rights were written
(`'NonDue' object has no attribute 'base'`): the rights rules read the IJ base that Mayotte's law does not have."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np

from echeancier.contributions.engine import simulate
from echeancier.contributions.vectorized import simulate_many
from echeancier.rights import COLUMNS as RIGHTS_COLUMNS


def test_the_rights_of_mayotte_from_2025_are_said_not_computed() -> None:
    for year in (2025, 2026):
        for income in (0, 12_000, 45_000, 250_000):
            result = simulate({"year": year, "profession": "artisan", "income": income, "department": "976"})
            data = result.to_dict()
            assert "Mayotte" in data["rights"]["non_calcules"]
            assert result.rights.effets == ()


def test_before_2025_mayotte_keeps_the_metropolitan_rules_and_their_rights() -> None:
    result = simulate({"year": 2024, "profession": "commercant", "income": 30_000, "department": "976"})
    assert result.rights.non_calcules is None
    assert result.rights.retraite_base.trimestres == 4


def test_the_batch_with_rights_equals_one_situation_at_a_time_for_mayotte_rows() -> None:
    columns = {
        "year": np.array([2025, 2026, 2024, 2026]),
        "profession": ["artisan", "liberal", "commercant", "artisan"],
        "income": np.array([30_000, 80_000, 30_000, 30_000]),
        "department": ["976", "976", "976", None],
    }
    out = simulate_many(columns, rights=True)
    for i in range(4):
        one = simulate({key: (v[i].item() if hasattr(v[i], "item") else v[i]) for key, v in columns.items()})
        assert int(out["total"][i]) == int(one.total)
        if i < 2:
            assert all(int(out[key][i]) == 0 for key in RIGHTS_COLUMNS)
    assert int(out[RIGHTS_COLUMNS[0]][3]) > 0


def test_the_command_line_and_jsonl_answer_for_mayotte_2025() -> None:
    args = ["--year", "2025", "--profession", "artisan", "--income", "30000", "--department", "976"]
    table = subprocess.run([sys.executable, "-m", "echeancier.cli", "simulate", *args], capture_output=True, text=True)
    assert table.returncode == 0, table.stderr
    assert "droits à Mayotte" in table.stdout
    line = json.dumps({"id": 1, "year": 2025, "profession": "artisan", "income": 30000, "department": "976"})
    run = subprocess.run(
        [sys.executable, "-m", "echeancier.cli", "simulate", "--jsonl"],
        input=line + "\n",
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert "non_calcules" in json.loads(run.stdout)["rights"]
