"""One text of each rule (docs/one-text-of-the-law.md): the law comes from a `Law` passed in, a changed figure
changes `simulate` and `simulate_many` the same way, and the law travels to a worker process."""

from __future__ import annotations

import pickle
import shutil
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from echeancier import simulate, simulate_many
from echeancier.contributions.result import CONTRIBUTIONS
from echeancier.law import LawError
from echeancier.law.loader import PARAMETERS_DIR, Law, load_directory, load_law
from echeancier.law.snapshot import snapshot, snapshot_of

KEYS = (*CONTRIBUTIONS, "total")


def law_with(tmp_path: Path, file: str, old: str, new: str) -> Law:
    """The packaged law with one text replaced in one parameter file (a temporary copy of the YAML)."""
    directory = tmp_path / "parameters"
    shutil.copytree(PARAMETERS_DIR, directory)
    path = directory / f"{file}.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {file}.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return load_directory(directory)


def batch(rows: int, seed: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    situations = []
    for _ in range(rows):
        year = int(rng.integers(2023, 2027))
        situation: dict[str, Any] = {
            "year": year,
            "profession": ("artisan", "commercant", "liberal")[int(rng.integers(0, 3))],
            "income": int(rng.integers(-1000, 250_000_00)) / 100,
            "rsa": bool(rng.random() < 0.1),
        }
        if rng.random() < 0.4:
            situation["start_date"] = date(year, 1, 1) + timedelta(days=int(rng.integers(-400, 300)))
            situation["acre"] = bool(rng.random() < 0.6)
        situations.append(situation)
    return situations


def columns_of(situations: list[dict[str, Any]]) -> dict[str, list[Any]]:
    names = ("year", "profession", "income", "start_date", "acre", "rsa")
    return {name: [s.get(name) for s in situations] for name in names}


def scalar(situations: list[dict[str, Any]], law: Law | None = None) -> dict[str, list[int]]:
    results = [simulate(s, law) for s in situations]
    out = {key: [int(r.amount(key)) for r in results] for key in CONTRIBUTIONS}
    out["total"] = [int(r.total) for r in results]
    return out


def as_lists(result: dict[str, Any]) -> dict[str, list[int]]:
    return {key: [int(v) for v in result[key]] for key in KEYS}


# The retraite de base rate of 2025-2026 raised from 17.87 % to 19 % in a copy of retraite_base.yaml.
RATE_2025 = "2025-01-01: {value: 0.1787,"
RAISED = "2025-01-01: {value: 0.19,"


def test_a_changed_rate_changes_both_paths_the_same_way(tmp_path: Path) -> None:
    law = law_with(tmp_path, "retraite_base", RATE_2025, RAISED)
    situations = batch(3000, seed=9)
    default, changed = scalar(situations), scalar(situations, law)
    assert as_lists(simulate_many(columns_of(situations))) == default
    assert as_lists(simulate_many(columns_of(situations), law=law)) == changed
    # Worked example: 2025, revenu brut 50 000 €, assiette 37 000 € (within the PASS): 19 % × 37 000 = 7 030 €
    # instead of 17.87 % × 37 000 = 6 612 € (6 611.90 rounded); nothing else changes (CSG-CRDS: the single base).
    example = {"year": 2025, "profession": "artisan", "income": 50_000}
    before, after = simulate(example), simulate(example, law)
    assert (before.amount("retraite_base"), after.amount("retraite_base")) == (6612, 7030)
    assert after.line("retraite_base").rate == Decimal("0.19")
    assert after.total - before.total == 7030 - 6612
    # Only the years 2025 and 2026 changed; the rows of other years are equal.
    for i, situation in enumerate(situations):
        if situation["year"] < 2025:
            assert changed["total"][i] == default["total"][i]
    assert any(c != d for c, d in zip(changed["retraite_base"], default["retraite_base"], strict=True))


def test_before_2025_the_changed_rate_reaches_csg_crds_through_its_base(tmp_path: Path) -> None:
    # Up to 2024 the CSG-CRDS base is the income plus the cotisations: raising a rate raises both, on both paths.
    law = law_with(tmp_path, "retraite_base", "2023-01-01: {value: 0.1775,", "2023-01-01: {value: 0.2,")
    example = {"year": 2024, "profession": "commercant", "income": 30_000}
    before, after = simulate(example), simulate(example, law)
    assert after.amount("retraite_base") == 6000  # 20 % × 30 000
    assert after.amount("csg_crds") > before.amount("csg_crds")
    columns = {key: [value] for key, value in example.items()}
    assert int(simulate_many(columns, law=law)["total"][0]) == after.total


def _in_worker(law: Law, columns: dict[str, list[Any]]) -> dict[str, list[int]]:
    return as_lists(simulate_many(columns, law=law))


def test_the_law_travels_to_a_worker_process(tmp_path: Path) -> None:
    law = law_with(tmp_path, "retraite_base", RATE_2025, RAISED)
    situations = batch(200, seed=4)
    expected = scalar(situations, law)
    assert pickle.loads(pickle.dumps(snapshot_of(law, 2025))) == snapshot_of(law, 2025)
    with ProcessPoolExecutor(max_workers=1) as pool:
        assert pool.submit(_in_worker, law, columns_of(situations)).result() == expected


def test_each_law_object_keeps_its_own_snapshots(tmp_path: Path) -> None:
    law = law_with(tmp_path, "retraite_base", RATE_2025, RAISED)
    assert snapshot_of(law, 2025).rb_taux_plafonne == Decimal("0.19")
    assert snapshot(2025).rb_taux_plafonne == Decimal("0.1787")
    assert snapshot_of(load_law(), 2025) is snapshot(2025)


def test_a_figure_the_integer_rules_cannot_hold_is_refused_when_the_law_is_read(tmp_path: Path) -> None:
    law = law_with(tmp_path, "retraite_base", RATE_2025, "2025-01-01: {value: 0.17871234,")
    with pytest.raises(LawError, match=r"retraite_base\.taux_plafonne"):
        snapshot_of(law, 2025)


def test_incomes_below_the_cent_are_rounded_half_up_by_both_paths() -> None:
    situations = [
        {"year": 2024, "profession": "artisan", "income": "12345.675"},
        {"year": 2024, "profession": "artisan", "income": 0.125},
        {"year": 2025, "profession": "liberal", "income": "40000.005", "start_date": date(2025, 2, 1), "acre": True},
    ]
    assert as_lists(simulate_many(columns_of(situations))) == scalar(situations)
    assert simulate(situations[0]).income == Decimal("12345.68")
    assert simulate(situations[0]).assiette_sociale == Decimal("12345.68")


def test_a_simulation_and_its_explanation_travel_to_a_worker_process() -> None:
    # The explanation is derived when asked for, from plain data the Simulation keeps: it pickles.
    situation = {"year": 2026, "profession": "artisan", "income": 30_000, "start_date": "2025-06-01", "acre": True}
    result = simulate(situation)
    copy = pickle.loads(pickle.dumps(result))
    assert copy.to_dict() == result.to_dict()
    assert copy.forfait is not None and copy.forfait.total == result.forfait.total  # type: ignore[union-attr]


# One figure of every contribution (and of the overseas rates, the law of Mayotte, the PASS, ACRE and the rights)
# changed in a copy of its YAML: (file, text, replacement, the columns that must change).
CHANGES = [
    ("maladie_maternite", "[[0.20, 0], [0.40, 0.015],", "[[0.20, 0], [0.40, 0.017],", ("maladie_maternite",)),
    (
        "indemnites_journalieres",
        '{value: 0.005, reference: "CSS D621-3; barème',
        '{value: 0.006, reference: "CSS D621-3; barème',
        ("indemnites_journalieres",),
    ),
    ("retraite_base", RATE_2025, RAISED, ("retraite_base",)),
    (
        "retraite_complementaire",
        "2025-01-01: {value: 0.081,",
        "2025-01-01: {value: 0.085,",
        ("retraite_complementaire",),
    ),
    ("invalidite_deces", "2023-01-01: {value: 0.013,", "2023-01-01: {value: 0.015,", ("invalidite_deces",)),
    ("allocations_familiales", "[[1.10, 0], [1.40, 0.031]]", "[[1.10, 0], [1.40, 0.035]]", ("allocations_familiales",)),
    ("csg_crds", "2023-01-01: {value: 0.068,", "2023-01-01: {value: 0.07,", ("csg_crds",)),
    (
        "formation_professionnelle",
        "2023-01-01: {value: 0.0029,",
        "2023-01-01: {value: 0.003,",
        ("formation_professionnelle",),
    ),
    ("outre_mer", "2025-01-01: {value: 0.085,", "2025-01-01: {value: 0.09,", ("maladie_maternite",)),
    ("mayotte", "2025-01-01: {value: 0.1005,", "2025-01-01: {value: 0.11,", ("retraite_base",)),
    ("plafond_securite_sociale", "2024-01-01: {value: 46368,", "2024-01-01: {value: 46000,", ("retraite_base",)),
    ("acre", "2023-01-01: {value: 0.75,", "2023-01-01: {value: 0.8,", ("maladie_maternite",)),
]


def places(situations: list[dict[str, Any]], seed: int) -> list[dict[str, Any]]:
    """The same situations, a fifth overseas (L751-1) and a fifth at Mayotte."""
    rng = np.random.default_rng(seed)
    return [{**s, "department": (None, None, None, "971", "976")[int(rng.integers(0, 5))]} for s in situations]


@pytest.mark.parametrize(("file", "old", "new", "changed"), CHANGES, ids=[change[0] for change in CHANGES])
def test_every_contribution_reads_its_figures_from_the_law_passed_in(
    tmp_path: Path, file: str, old: str, new: str, changed: tuple[str, ...]
) -> None:
    law = law_with(tmp_path, file, old, new)
    situations = places(batch(600, seed=21), seed=22)
    columns = {**columns_of(situations), "department": [s["department"] for s in situations]}
    expected = scalar(situations, law)
    assert as_lists(simulate_many(columns, law=law)) == expected
    default = scalar(situations)
    for key in changed:
        assert expected[key] != default[key], f"{file}: {key} did not change"


def test_the_rights_read_their_figures_from_the_law_passed_in(tmp_path: Path) -> None:
    from echeancier.rights import COLUMNS
    from echeancier.rights import columns_of as rights_of

    law = law_with(tmp_path, "droits", "2025-01-01: {value: 1.335,", "2025-01-01: {value: 1.4,")
    situations = [s for s in batch(400, seed=23) if s["year"] >= 2025]
    expected = [rights_of(simulate(s, law).rights) for s in situations]
    default = [rights_of(simulate(s).rights) for s in situations]
    found = simulate_many(columns_of(situations), law=law, rights=True)
    assert [tuple(int(found[key][i]) for key in COLUMNS) for i in range(len(situations))] == [
        tuple(int(v) for v in row) for row in expected
    ]
    assert expected != default
