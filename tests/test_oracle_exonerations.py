"""The exemptions of a contributor's own situation (`contributions.exonerations`): invalidity pensioners (CSS D621-4,
D635-2) and the invalidité-décès exemption by age, against URSSAF's official model `modele-ti` (200 situations,
tests/data/oracle/README.md), by `simulate`, `simulate_many` and `simulate --jsonl`, and worked by hand.

Deliberate differences (docs/oracle-differences.md, "The exemptions grid"):
- D2023, as for the other grids: the 2023 rows are checked against the engine given the model's 2023 figures.
- RCI-CENTS: the model keeps the cents of a pensioner's retraite complémentaire; the engine rounds it to the euro
  (half up), as every contribution; the expected amounts are rounded so.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from echeancier import simulate
from echeancier.contributions import engine, jsonl
from echeancier.contributions.exact import SCALAR
from echeancier.contributions.result import CONTRIBUTIONS
from echeancier.contributions.situation import InputError, situation_from_mapping
from echeancier.contributions.vectorized import FIELDS, VECTOR, simulate_many
from echeancier.law import snapshot

GRID = Path(__file__).resolve().parent / "data" / "oracle" / "populations-exonerations-grid.jsonl"
GRID_SHA256 = "a9a83879e21de620d6b7b552bd8a7c4bda9994d7aa414ebbf6ac0f070c93b5f3"
ROWS = [json.loads(line) for line in GRID.read_text().splitlines() if line.strip()]


def euros(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP)  # RCI-CENTS


def model_2023_figures() -> Any:
    law_2023, law_2024 = snapshot(2023), snapshot(2024)
    return dataclasses.replace(law_2023, maladie_bareme=law_2024.maladie_bareme, ij_taux_revenu_faible=law_2023.ij_taux)


def test_the_grid_is_the_one_its_readme_describes() -> None:
    assert hashlib.sha256(GRID.read_bytes()).hexdigest() == GRID_SHA256
    assert len(ROWS) == 200
    situations = [row["situation"] for row in ROWS]
    assert {s["year"] for s in situations} == {2023, 2024, 2025, 2026}
    assert {s.get("pension_invalidite_mois", 0) for s in situations} == set(range(13))
    assert sum(bool(s.get("exoneration_age")) for s in situations) == 58
    assert {s.get("department") for s in situations} == {None, "971", "972", "973", "974"}


@pytest.mark.parametrize("row", ROWS, ids=[row["situation"]["id"] for row in ROWS])
def test_every_contribution_to_the_euro_of_the_official_model(row: dict[str, Any]) -> None:
    situation = situation_from_mapping(row["situation"])
    if situation.year == 2023:
        simulation = engine.compute(situation, model_2023_figures(), situation.income)  # D2023
    else:
        simulation = simulate(situation)
    for key, expected in row["expected"].items():
        got = simulation.total if key == "total" else simulation.line(key).amount
        assert got == euros(expected), key


def test_the_batch_path_equals_the_scalar_engine_on_every_row() -> None:
    situations = [row["situation"] for row in ROWS]
    columns: dict[str, Any] = {name: [s.get(name) for s in situations] for name in FIELDS}
    for name in ("acre", "rsa", "income_is_net", "exoneration_age"):
        columns[name] = np.array([bool(value) for value in columns[name]])
    columns["pension_invalidite_mois"] = np.array([value or 0 for value in columns["pension_invalidite_mois"]])
    batch = simulate_many(columns)
    for i, situation in enumerate(situations):
        simulation = simulate(situation)
        assert [int(batch[key][i]) for key in CONTRIBUTIONS] == list(simulation.amounts), situation["id"]


def test_simulate_jsonl_writes_what_the_scalar_engine_explains() -> None:
    lines = [json.dumps(row["situation"]).encode() for row in ROWS]
    texts, failed = jsonl.simulate_chunk(lines, 1)
    assert not failed
    for text, row in zip(texts, ROWS, strict=True):
        assert text == json.dumps(simulate(row["situation"]).to_dict(), ensure_ascii=False)


def test_one_text_the_rules_on_arrays_equal_the_rules_on_python_ints() -> None:
    # The exemption rows are computed by the scalar engine in a batch (vectorized.SCALAR_FIELDS); the rules
    # themselves are written once over integers: on NumPy arrays they give the amounts of one situation.
    law = snapshot(2025)
    figures = law.exact
    incomes = [0, 500_000, 1_880_000, 2_960_000, 4_000_000, 9_420_000, 30_000_000]
    months = [0, 1, 6, 7, 11, 12, 3]
    ages = [False, True, False, True, False, False, True]
    last = figures.last_day

    def of(k: Any, cents: Any, mois: Any, age: Any) -> engine.Year:
        start = np.full(len(cents), -(10**6)) if k is VECTOR else -(10**6)
        end = np.full(len(cents), last) if k is VECTOR else last
        false = np.zeros(len(cents), dtype=bool) if k is VECTOR else False
        true = np.ones(len(cents), dtype=bool) if k is VECTOR else True
        profession = np.zeros(len(cents), dtype=np.intp) if k is VECTOR else 0
        return engine.of_year(k, figures, cents, start, end, false, true, profession, false, invalidite=mois, age=age)

    batch = of(VECTOR, np.array(incomes), np.array(months), np.array(ages))
    for i, (cents, mois, age) in enumerate(zip(incomes, months, ages, strict=True)):
        one = of(SCALAR, cents, mois or None, age or None)
        assert [int(t.amount[i]) for t in batch.computed.traces] == [t.amount for t in one.computed.traces]


def test_a_pension_paid_seven_months_worked_by_hand() -> None:
    # 2025, artisan, revenu brut 40 000 €: assiette 29 600 € (26 % abatement). 7 months / 12 = 58.33 %, rounded
    # to 58 %: 42 % of each exempted contribution remains. Maladie 4.14 % × 29 600 = 1 225.44 € → 514.68 → 515 €;
    # IJ 0.50 % × 29 600 = 148 € → 62.16 → 62 €; retraite complémentaire 8.10 % × 29 600 = 2 397.60 → 2 398 € →
    # 1 007.16 → 1 007 €. Retraite de base, invalidité-décès, AF, CSG-CRDS and CFP as without the pension.
    situation = {"year": 2025, "profession": "artisan", "income": 40000}
    pensioner = simulate({**situation, "pension_invalidite_mois": 7})
    plain = simulate(situation)
    assert pensioner.amounts[:4] == (515, 62, plain.amount("retraite_base"), 1007)
    assert pensioner.amounts[4:] == plain.amounts[4:]
    line = pensioner.to_dict()["contributions"]["retraite_complementaire"]
    assert line["exoneration_invalidite"] == 2398 - 1007
    assert "CSS D635-2" in line["reference"]
    assert pensioner.line("maladie_maternite").exoneration_reference == "CSS D621-4"
    assert any(text.startswith("Pension d'invalidité") for text in pensioner.rights.effets)
    assert not any(text.startswith("Pension d'invalidité") for text in plain.rights.effets)


def test_a_whole_year_of_pension_exempts_the_three_contributions() -> None:
    simulation = simulate({"year": 2026, "profession": "commercant", "income": 0, "pension_invalidite_mois": 12})
    assert simulation.amounts[0] == simulation.amounts[1] == simulation.amounts[3] == 0
    assert simulation.amount("retraite_base") > 0  # the minimum stays due (D633-2)


def test_one_month_is_eight_percent() -> None:
    # 1 / 12 = 8.33 % → 8 %: 92 % of 2 800 € (retraite complémentaire 7 % × 40 000 €, income 2024) = 2 576 €.
    simulation = simulate({"year": 2024, "profession": "artisan", "income": 40000, "pension_invalidite_mois": 1})
    assert simulation.amount("retraite_complementaire") == 2576


def test_the_exemption_by_age_makes_invalidite_deces_nil() -> None:
    situation = {"year": 2024, "profession": "commercant", "income": 40000}
    exempted = simulate({**situation, "exoneration_age": True})
    assert exempted.amount("invalidite_deces") == 0
    assert simulate(situation).amount("invalidite_deces") == 520  # 1.3 % × 40 000 €
    assert exempted.to_dict()["contributions"]["invalidite_deces"]["exoneration_age"] == 520


def test_the_flat_rate_contributions_of_the_first_years_are_exempted_too() -> None:
    simulation = simulate(
        {
            "year": 2025,
            "profession": "artisan",
            "income": 10000,
            "start_date": "2025-03-01",
            "pension_invalidite_mois": 12,
        }
    )
    forfait = simulation.forfait
    assert forfait is not None
    assert forfait.amount("maladie_maternite") == forfait.amount("retraite_complementaire") == 0


@pytest.mark.parametrize(
    ("extra", "field", "words"),
    [
        ({"pension_invalidite_mois": 3, "acre": True, "start_date": "2025-02-01"}, "pension_invalidite_mois", "ACRE"),
        ({"pension_invalidite_mois": 3, "department": "976"}, "pension_invalidite_mois", "Mayotte"),
        ({"pension_invalidite_mois": 13}, "pension_invalidite_mois", "entre 0 et 12"),
        ({"pension_invalidite_mois": -1}, "pension_invalidite_mois", "entre 0 et 12"),
        ({"pension_invalidite_mois": True}, "pension_invalidite_mois", "nombre entier"),
        ({"pension_invalidite_mois": 2.5}, "pension_invalidite_mois", "nombre entier"),
        ({"exoneration_age": True, "profession": "liberal"}, "exoneration_age", "commerçants"),
        ({"exoneration_age": True, "start_date": "2016-01-01"}, "exoneration_age", "2016-01-01"),
        ({"exoneration_age": "oui"}, "exoneration_age", "true ou false"),
    ],
)
def test_combinations_the_rules_exclude_get_one_french_line(extra: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(InputError) as raised:
        simulate({"year": 2025, "profession": "artisan", "income": 30000, **extra})
    assert raised.value.field == field
    assert words in raised.value.message
    assert "\n" not in raised.value.message


# --------------------------------------------------------------------------------------------------------------
# The 2026 ACRE cap for an activity created before 2026 (docs/law-choices.md, 280)


def _law_with_full_acre_for_earlier_creations(tmp_path: Path) -> Any:
    from echeancier.law.loader import PARAMETERS_DIR, load_directory

    for source in PARAMETERS_DIR.glob("*.yaml"):
        text = source.read_text(encoding="utf-8")
        if source.name == "acre.yaml":
            marker = "exoneration_maximale_creation_anterieure:"
            head, tail = text.split(marker)
            tail = tail.replace("2026-01-01: {value: 0.25,", "2026-01-01: {value: 1,", 1)
            text = head + marker + tail
        (tmp_path / source.name).write_text(text, encoding="utf-8")
    return load_directory(tmp_path)


CREATED_2025 = {"year": 2026, "profession": "artisan", "income": 20000, "start_date": "2025-06-01", "acre": True}


def test_by_default_the_cap_follows_the_period_of_activity_as_the_model() -> None:
    # The 2026 months of an ACRE granted in 2025 are capped at 25 % (LFSS 2026 art. 23 V-B); URSSAF's model does
    # the same (the public grid's 2026 ACRE rows created in 2025 match, tests/test_oracle.py).
    law = snapshot(2026)
    assert law.acre_exoneration_maximale_anterieure == law.acre_exoneration_maximale == Decimal("0.25")
    capped = simulate(CREATED_2025)
    uncapped = engine.compute(
        situation_from_mapping(CREATED_2025),
        dataclasses.replace(law, acre_exoneration_maximale=Decimal(1), acre_exoneration_maximale_anterieure=Decimal(1)),
        Decimal(20000),
    )
    assert capped.total > uncapped.total


def test_the_other_reading_is_a_parameter_and_both_paths_apply_it(tmp_path: Path) -> None:
    law = _law_with_full_acre_for_earlier_creations(tmp_path)
    other = simulate(CREATED_2025, law)
    full = engine.compute(
        situation_from_mapping(CREATED_2025),
        dataclasses.replace(
            snapshot(2026), acre_exoneration_maximale=Decimal(1), acre_exoneration_maximale_anterieure=Decimal(1)
        ),
        Decimal(20000),
    )
    assert other.amounts == full.amounts
    created_2026 = {**CREATED_2025, "start_date": "2026-02-01"}
    assert simulate(created_2026, law).amounts == simulate(created_2026).amounts  # a 2026 creation: 25 % in both
    rows = [CREATED_2025, created_2026, {**CREATED_2025, "acre": False}]
    columns: dict[str, Any] = {name: [row[name] for row in rows] for name in rows[0]}
    batch = simulate_many(columns, law=law)
    for i, row in enumerate(rows):
        assert [int(batch[key][i]) for key in CONTRIBUTIONS] == list(simulate(row, law).amounts)


def test_the_acre_sentence_states_the_cap_the_rules_applied(tmp_path: Path) -> None:
    """The French "À savoir" sentence names the cap of the situation's own law, not the packaged year's."""
    from echeancier.cli import simulation_explanations

    law = _law_with_full_acre_for_earlier_creations(tmp_path)
    capped = simulate(CREATED_2025)
    other = simulate(CREATED_2025, law)
    say = [line for line in simulation_explanations(capped, snapshot(2026)) if line.startswith("ACRE")]
    assert "dans la limite de 25\xa0% des cotisations" in say[0]
    say = [line for line in simulation_explanations(other, snapshot(2026)) if line.startswith("ACRE")]
    assert "dans la limite" not in say[0]
