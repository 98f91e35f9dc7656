"""The populations grid (overseas departments, URSSAF's official model `modele-ti`) to the euro, by `simulate`
and by `simulate_many` (one text of the law: both paths equal on every row).

Deliberate differences, each listed in docs/oracle-differences.md with its legal reasoning:
- D2023 (as for the public grid, tests/test_oracle.py): for income 2023 the model applies the 2024 maladie-maternité
  scale and an IJ rate of 0.85 %; the 2023 rows are checked against the engine given those two figures.
- DLEAP: om8642-515 starts on 1 January 2024, a leap year: the model prorates the PASS over 366/365 days (100.27 %,
  a PASS of 46,495 € above the annual 46,368 €); R613-17 only reduces the PASS for an affiliation of less than a
  year, so the engine keeps the annual PASS and retraite de base, retraite complémentaire, CSG-CRDS (and
  maladie-maternité, invalidité-décès by 1 €) differ.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from echeancier import simulate
from echeancier.contributions.engine import compute
from echeancier.contributions.result import CONTRIBUTIONS
from echeancier.contributions.situation import situation_from_mapping
from echeancier.contributions.vectorized import simulate_many
from echeancier.law import snapshot

GRID = Path(__file__).resolve().parent / "data" / "oracle" / "populations-grid.jsonl"
GRID_SHA256 = "018b06870edbb4c5f64aaa2751ade42d593bb3baf97fd80ab0892578803e5c98"
ROWS = [json.loads(line) for line in GRID.read_text().splitlines() if line.strip()]
DLEAP = "om8642-515"
# The official model does not compute the régime de croisière abattement (CSS L756-4, docs/oracle-differences.md
# DOM): the grid is the proof of the amounts without it, asked for explicitly.
OFF = {"abattement_outre_mer": False}


def amount(simulation: Any, key: str) -> Decimal:
    return simulation.total if key == "total" else simulation.line(key).amount


def model_2023_figures() -> Any:
    law_2023, law_2024 = snapshot(2023), snapshot(2024)
    return dataclasses.replace(law_2023, maladie_bareme=law_2024.maladie_bareme, ij_taux_revenu_faible=law_2023.ij_taux)


def test_the_grid_is_the_one_its_readme_describes() -> None:
    assert hashlib.sha256(GRID.read_bytes()).hexdigest() == GRID_SHA256
    assert len(ROWS) == 640
    assert {row["situation"]["department"] for row in ROWS} == {"971", "972", "973", "974"}
    assert {row["situation"]["year"] for row in ROWS} == {2023, 2024, 2025, 2026}


@pytest.mark.parametrize("row", ROWS, ids=[row["situation"]["id"] for row in ROWS])
def test_every_contribution_to_the_euro_of_the_official_model(row: dict[str, Any]) -> None:
    situation = situation_from_mapping({**row["situation"], **OFF})
    if situation.year == 2023:
        simulation = compute(situation, model_2023_figures(), situation.income)  # D2023
    else:
        simulation = simulate(situation)
    assert f"exonerations_outre_mer_non_appliquees:{situation.department}" in simulation.notes
    for key, expected in row["expected"].items():
        if situation.id == DLEAP and key != "formation_professionnelle":
            continue  # DLEAP, checked below
        assert amount(simulation, key) == Decimal(str(expected)), key


def test_the_leap_year_difference_is_only_the_models_prorata_above_one() -> None:
    (row,) = [row for row in ROWS if row["situation"]["id"] == DLEAP]
    assert row["also"]["prorata_temporis_percent"] > 100  # the model's 366/365
    simulation = simulate({**row["situation"], **OFF})
    assert simulation.pass_proratise == simulation.pass_annuel  # R613-17: a whole year is never reduced
    assert simulation.total < Decimal(str(row["expected"]["total"]))


def test_the_batch_path_equals_the_scalar_engine_on_every_row() -> None:
    fields = ("id", "year", "profession", "income", "start_date", "end_date", "acre", "rsa", "department")
    columns = {name: [row["situation"].get(name) for row in ROWS] for name in fields}
    columns["acre"] = [bool(value) for value in columns["acre"]]
    columns["rsa"] = [bool(value) for value in columns["rsa"]]
    # Without the abattement (the arrays) and with it (the overseas rows through the scalar engine, by default).
    for extra in (OFF, {}):
        batch = simulate_many({**columns, **{name: [value] * len(ROWS) for name, value in extra.items()}})
        for i, row in enumerate(ROWS):
            simulation = simulate({**row["situation"], **extra})
            assert [int(batch[key][i]) for key in CONTRIBUTIONS] == list(simulation.amounts), row["situation"]["id"]
            assert int(batch["total"][i]) == simulation.total


def test_overseas_rates_differ_from_metropolitan_france_only_in_maladie_and_allocations_familiales() -> None:
    # 2025, artisan, revenu brut 30 000 €: assiette 30 000 − 26 % = 22 200 €. Metropolitan France: maladie at the
    # taux progressif (22 200 / 47 100 = 47.13 % of the PASS: 1.5 % + 2.5 % × 7.13 / 20 = 2.39 %) = 531 €, AF 0 %
    # (below 110 % of the PASS). Guadeloupe: maladie 8.5 % × 22 200 = 1 887 €, AF 3.1 % × 22 200 = 688.20 → 688 €.
    metro = simulate({"year": 2025, "profession": "artisan", "income": 30000})
    overseas = simulate({"year": 2025, "profession": "artisan", "income": 30000, "department": "971", **OFF})
    assert (metro.amount("maladie_maternite"), metro.amount("allocations_familiales")) == (531, 0)
    assert (overseas.amount("maladie_maternite"), overseas.amount("allocations_familiales")) == (1887, 688)
    others = [key for key in CONTRIBUTIONS if key not in ("maladie_maternite", "allocations_familiales")]
    assert [metro.amount(key) for key in others] == [overseas.amount(key) for key in others]
    assert overseas.notes == ("exonerations_outre_mer_non_appliquees:971",)


def test_overseas_minimum_contributions_worked_by_hand() -> None:
    # 2025, nil income, La Réunion (model: 0 / 94 / 955 / 0 / 70 / 0 / 0 / CFP). By hand from the texts:
    # IJ 0.50 % × 40 % × 47 100 = 0.5 % × 18 840 = 94.20 → 94 € (D621-3); retraite de base 17.87 % × 450 h ×
    # 11.88 € = 17.87 % × 5 346 = 955.33 → 955 € (D633-2, D633-3); invalidité-décès 1.3 % × 11.5 % × 47 100 =
    # 1.3 % × 5 416.50 → base rounded to 5 417 € → 70.42 → 70 € (D632-1); maladie 8.5 % × 0 and AF 3.1 % × 0 = 0.
    simulation = simulate({"year": 2025, "profession": "commercant", "income": 0, "department": "974", **OFF})
    assert simulation.amounts[:6] == (0, 94, 955, 0, 70, 0)


@pytest.mark.parametrize("department", ["971", "972", "973", "974", "977", "978"])
def test_the_overseas_cfp_a_professional_publication_reproduces_for_2025(department: str) -> None:
    """The one overseas amount due at every income, nil included, that a published page was found to state.

    WebLex, "Tableau des cotisations sociales dues par les travailleurs indépendants non-agricoles d'outremer -
    Année 2025", 28 July 2025,
    https://www.weblex.fr/chiffres-cles/tableau-des-cotisations-sociales-dues-par-les-travailleurs-independants-non-agricoles-d-outremer-annee-2025
    (the same table at
    https://www.efisciences.fr/actualites/chiffres/tableau-des-cotisations-sociales-dues-par-les-travailleurs-independants-non-agricoles-doutremer-annee-2025-2):
    CFP "Sur la base de 47 100 € (soit 1 fois le plafond annuel de la Sécurité sociale) : 0,25 % soit 118 € (0,29 %
    pour les artisans inscrits et 0,34 % pour les professions libérale et les conjoints collaborateurs)".
    118 € is the page's own amount; for the artisan and the conjoint collaborateur it gives the rate only:
    0.29 % × 47 100 = 136.59 → 137 € and 0.34 % × 47 100 = 160.14 → 160 €. Its "0,34 % pour les professions
    libérale" is read with C. trav. L6331-48 and URSSAF's own table ("Commerçant (ou profession libérale non
    réglementée) seul 0,25 %", "+ conjoint collaborateur 0,34 %"): 0.34 % only with a conjoint collaborateur, so
    a profession libérale alone pays 118 € (docs/oracle-differences.md, "Published overseas figures").

    No page was found that states the overseas IJ, retraite de base or invalidité-décès minimums
    (docs/overseas-exemptions.md §7); those are worked by hand above. The CFP is neither in L756-4's list nor
    exempted by L756-2, so it is the same with and without the abattement, and at any income.
    """
    for abattement in (True, False):
        for income in (0, 30000):
            base = {"year": 2025, "income": income, "department": department, "abattement_outre_mer": abattement}
            for profession, expected in (("commercant", 118), ("liberal", 118), ("artisan", 137)):
                simulation = simulate({**base, "profession": profession})
                assert simulation.line("formation_professionnelle").amount == expected, (profession, income)
            with_conjoint = simulate({**base, "profession": "commercant", "conjoint_collaborateur": "forfaitaire"})
            assert with_conjoint.line("formation_professionnelle").amount == 160


def test_no_acre_overseas_and_the_situation_says_so() -> None:
    with_acre = {"year": 2025, "profession": "liberal", "income": 20000, "start_date": "2025-02-01", "acre": True}
    overseas = simulate({**with_acre, "department": "973"})
    without = simulate({**with_acre, "acre": False, "department": "973"})
    assert overseas.amounts == without.amounts
    assert "acre_non_applicable_outre_mer" in overseas.notes
    assert simulate(with_acre).total < overseas.total  # in metropolitan France ACRE exempts


@pytest.mark.parametrize("code", ["977", "978"])
def test_saint_barthelemy_and_saint_martin_follow_l751_1(code: str) -> None:
    guadeloupe = simulate({"year": 2026, "profession": "artisan", "income": 41000, "department": "971"})
    assert simulate({"year": 2026, "profession": "artisan", "income": 41000, "department": code}).amounts == (
        guadeloupe.amounts
    )


def test_mayotte_before_2025_keeps_metropolitan_amounts_with_the_warning() -> None:
    metro = simulate({"year": 2024, "profession": "artisan", "income": 30000})
    mayotte = simulate({"year": 2024, "profession": "artisan", "income": 30000, "department": 976})
    assert mayotte.amounts == metro.amounts
    assert mayotte.notes == ("regles_metropolitaines:976",)


# --------------------------------------------------------------------------------------------------------------
# Mayotte (ordonnance 96-1122), from income 2025

MAYOTTE_GRID = Path(__file__).resolve().parent / "data" / "oracle" / "populations-mayotte-grid.jsonl"
MAYOTTE_SHA256 = "a7209eaaf869541f803c923f56fd957ebb57fbbd59fa372d2dbafbff81415f80"
MAYOTTE_ROWS = [json.loads(line) for line in MAYOTTE_GRID.read_text().splitlines() if line.strip()]


def test_the_mayotte_grid_is_the_one_its_readme_describes() -> None:
    assert hashlib.sha256(MAYOTTE_GRID.read_bytes()).hexdigest() == MAYOTTE_SHA256
    assert len(MAYOTTE_ROWS) == 240
    assert {row["situation"]["year"] for row in MAYOTTE_ROWS} == {2025, 2026}
    assert {row["situation"]["department"] for row in MAYOTTE_ROWS} == {"976"}


@pytest.mark.parametrize("row", MAYOTTE_ROWS, ids=[row["situation"]["id"] for row in MAYOTTE_ROWS])
def test_every_mayotte_contribution_to_the_euro_of_the_official_model(row: dict[str, Any]) -> None:
    simulation = simulate(row["situation"])
    assert simulation.notes[:1] != ("regles_metropolitaines:976",)
    for key, expected in row["expected"].items():
        assert amount(simulation, key) == Decimal(str(expected)), key


def test_the_batch_path_equals_the_scalar_engine_at_mayotte_and_mixed_with_other_rows() -> None:
    rows = [row["situation"] for row in MAYOTTE_ROWS + ROWS[:200]]
    fields = ("year", "profession", "income", "start_date", "end_date", "acre", "rsa", "department")
    columns = {name: [situation.get(name) for situation in rows] for name in fields}
    columns["acre"] = [bool(value) for value in columns["acre"]]
    columns["rsa"] = [bool(value) for value in columns["rsa"]]
    batch = simulate_many(columns)
    provisional = simulate_many(columns, provisional=True)
    from echeancier.law.snapshot import provisional_snapshot

    for i, situation in enumerate(rows):
        simulation = simulate(situation)
        assert [int(batch[key][i]) for key in CONTRIBUTIONS] == list(simulation.amounts), situation["id"]
        parsed = situation_from_mapping(situation)
        former = compute(parsed, provisional_snapshot(parsed.year), parsed.income)
        assert [int(provisional[key][i]) for key in CONTRIBUTIONS] == list(former.amounts), situation["id"]


def test_mayotte_worked_by_hand() -> None:
    # 2025, artisan, revenu brut 30 000 €, activity started long before: assiette 22 200 € (30 000 − 26 %; the
    # bounds of the abatement on the PASS of Mayotte, 33 852 €, do not bind). Maladie: contribution 4.12 % × 22 200
    # = 914.64 → 915 €; cotisation 3.90 % × (22 200 − 50 % × 22 200 = 11 100) = 432.90 → 433 €; line 1 348 €.
    # Retraite de base 10.05 % × 22 200 = 2 231.10 → 2 231 €. AF 1.45 % × 11 100 = 160.95 → 161 €. No IJ,
    # retraite complémentaire or invalidité-décès. CSG-CRDS as in metropolitan France: 6.8 % × 22 200 = 1 509.60
    # → 1 510 and 2.9 % × 22 200 = 643.80 → 644, 2 154 €. CFP 0.29 % × 33 852 = 98.17 → 98 €. Total 5 992 €
    # (URSSAF's model: 5 992 €).
    simulation = simulate({"year": 2025, "profession": "artisan", "income": 30000, "department": "976"})
    assert simulation.amounts == (1348, 0, 2231, 0, 0, 161, 2154, 98)
    assert simulation.pass_annuel == 33852
    maladie = simulation.line("maladie_maternite")
    assert [t.base for t in maladie.tranches] == [22200, 11100]
    # Created on 1 March 2025: within the 24 months of art. 28-8, every cotisation is exempted; CSG-CRDS and the
    # CFP remain (URSSAF's model: 2 252 €).
    created = simulate(
        {"year": 2025, "profession": "artisan", "income": 30000, "department": "976", "start_date": "2025-03-01"}
    )
    assert created.amounts == (0, 0, 0, 0, 0, 0, 2154, 98)
    # exempted: 10.05 % × 22 200 (below the prorated PASS of Mayotte, 33 852 × 306/365 = 28 380) = 2 231 €
    assert created.line("retraite_base").exoneration == 2231
    # Nil income with the RSA: the minimum retraite de base still applies at Mayotte, 10.05 % × 450 × 8.98 €
    # = 10.05 % × 4 041 = 406.12 → 406 € (URSSAF's model: 406 €).
    minimum = simulate({"year": 2025, "profession": "artisan", "income": 0, "department": "976", "rsa": True})
    assert minimum.amounts[:6] == (0, 0, 406, 0, 0, 0)


@pytest.mark.parametrize(
    ("start", "exempted", "halved"),
    [
        ("2023-01-04", True, False),  # 729 days on 1 January 2025: less than 24 months of 365/12 days
        ("2023-01-03", False, False),  # 730 days: the 24 months are over, the 25th month not yet reached
        ("2022-12-04", False, False),  # 760 days
        ("2022-12-03", False, True),  # 761 days: from the 25th month, the halving of art. 28-5
    ],
)
def test_the_24_and_25_months_at_mayotte(start: str, exempted: bool, halved: bool) -> None:
    # The boundaries of URSSAF's model, probed with it: months of 365/12 days, counted on 1 January.
    simulation = simulate(
        {"year": 2025, "profession": "artisan", "income": 30000, "department": "976", "start_date": start}
    )
    assert (simulation.amount("retraite_base") == 0) is exempted
    if not exempted:
        assert simulation.amount("allocations_familiales") == (161 if halved else 322)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("99", "n'est pas un code de département"),
        ("975", "Saint-Pierre-et-Miquelon"),
        (True, "n'est pas un code"),
        ("", "vide"),
        (971.0, "n'est pas un code"),
    ],
)
def test_a_bad_department_is_one_message_naming_the_field(value: Any, message: str) -> None:
    from echeancier.contributions.situation import InputError

    with pytest.raises(InputError) as caught:
        simulate({"year": 2025, "profession": "artisan", "income": 1000, "department": value})
    assert caught.value.field == "department"
    assert message in caught.value.message
    from echeancier.contributions.vectorized import RowInputError

    with pytest.raises(RowInputError) as row_error:
        simulate_many(
            {"year": [2025, 2025], "profession": ["artisan"] * 2, "income": [1, 2], "department": ["75", value]}
        )
    assert (row_error.value.row, row_error.value.field) == (1, "department")
    assert message in row_error.value.message  # (a list mixing texts and others is read as texts by NumPy)


def test_departments_in_a_numpy_column() -> None:
    batch = simulate_many(
        {
            "year": np.array([2025, 2025, 2025]),
            "profession": np.array(["artisan"] * 3),
            "income": np.array([30000, 30000, 30000]),
            "department": np.array(["75", "971", "2a"]),
            "abattement_outre_mer": np.array([True, False, True]),
        }
    )
    assert list(batch["maladie_maternite"]) == [531, 1887, 531]


def test_the_echeancier_of_an_overseas_account_is_computed_with_the_overseas_rates() -> None:
    from echeancier.schedule.echeancier import build_echeancier
    from echeancier.schedule.scenario import loads_scenario
    from tests.test_organisms import scenario_in

    metropolitan = build_echeancier(loads_scenario(scenario_in("75")))
    off = "\n  abattement_outre_mer: false"  # the rates alone (the abattement: tests/test_abattement_outre_mer.py)
    guadeloupe = build_echeancier(
        loads_scenario(scenario_in("971").replace('department: "971"', f'department: "971"{off}'))
    )
    mayotte = build_echeancier(loads_scenario(scenario_in("976")))
    total = [sum(i.amount for i in e.instalments) for e in (metropolitan, guadeloupe, mayotte)]
    assert total[1] > total[0] != total[2]  # maladie at 8.5 % and AF at 3.1 % in Guadeloupe; Mayotte: its own
    assert guadeloupe.notes[0] == "exonerations_outre_mer_non_appliquees:971"
    assert not any(note.startswith("regles_metropolitaines") for note in guadeloupe.notes)


# --------------------------------------------------------------------------------------------------------------
# Every interface reads the field the same way (CLI option, --jsonl, API situation and batch)


def test_the_department_through_the_api_single_and_batch() -> None:
    from fastapi.testclient import TestClient

    from echeancier.api.app import Settings, create_app

    client = TestClient(create_app(Settings(rate_limit=0)), raise_server_exceptions=False)
    situation = {"year": 2025, "profession": "artisan", "income": 30000, "department": "971", **OFF}
    one = client.post("/v1/simulations", json=situation)
    assert one.status_code == 200, one.text
    assert one.json()["contributions"]["allocations_familiales"]["amount"] == 688
    assert one.json()["notes"] == ["exonerations_outre_mer_non_appliquees:971"]
    batch = client.post(
        "/v1/simulations:batch",
        json={"year": [2025, 2025], "profession": ["artisan"] * 2, "income": [30000, 30000], "department": [None, 972]}
        | {"abattement_outre_mer": [None, False]},
    )
    assert batch.status_code == 200, batch.text
    assert batch.json()["maladie_maternite"] == [531, 1887]
    bad = client.post("/v1/simulations", json={**situation, "department": "975"})
    assert bad.status_code == 422, bad.text
    assert bad.json()["error"]["field"] == "department"
    assert "Saint-Pierre-et-Miquelon" in bad.json()["error"]["message"]
    columns = {"year": [2025, 2025], "profession": ["artisan"] * 2, "income": [1, 1]}
    for values in (["75", "99"], ["75", True]):
        bad = client.post("/v1/simulations:batch", json={**columns, "department": values})
        assert bad.status_code == 422, bad.text
        assert bad.json()["error"]["field"].startswith("department")


def test_the_department_on_the_command_line_and_in_jsonl() -> None:
    from typer.testing import CliRunner

    from echeancier.cli import app

    runner = CliRunner()
    table = runner.invoke(
        app,
        [
            "simulate",
            "--year",
            "2025",
            "--profession",
            "artisan",
            "--income",
            "30000",
            "--department",
            "974",
            "--json",
            "--sans-abattement-outre-mer",
        ],
    )
    assert table.exit_code == 0, table.output
    assert json.loads(table.stdout)["total"] == 11031
    bad = runner.invoke(
        app, ["simulate", "--year", "2025", "--profession", "artisan", "--income", "1", "--department", "20"]
    )
    assert bad.exit_code == 2
    assert bad.stderr.startswith("erreur: --department: ")
    lines = (
        '{"year": 2025, "profession": "artisan", "income": 30000, "department": "978", "abattement_outre_mer": false}\n'
        '{"year": 2025, '
        '"profession": "artisan", "income": 30000, "department": "xyz"}\n'
    )
    streamed = runner.invoke(app, ["simulate", "--jsonl"], input=lines)
    assert streamed.exit_code == 1
    first, second = (json.loads(line) for line in streamed.stdout.splitlines())
    assert first["total"] == 11031
    assert second["error"].startswith("department: ")
    mixed = runner.invoke(app, ["simulate", "--jsonl", "--department", "971"], input=lines)
    assert mixed.exit_code == 2


def test_departments_in_polars_and_arrow_tables() -> None:
    import polars as pl
    import pyarrow as pa

    data = {"year": [2025] * 3, "profession": ["artisan"] * 3, "income": [30000] * 3, "department": ["75", None, "976"]}
    # metropolitan (given, then not given) and Mayotte (contribution 915 € + cotisation 433 €, halved base)
    assert simulate_many(pl.DataFrame(data))["maladie_maternite"].to_list() == [531, 531, 1348]
    assert simulate_many(pa.table(data))["maladie_maternite"].to_pylist() == [531, 531, 1348]
    off = {"abattement_outre_mer": [False] * 3}
    categorical = pl.DataFrame({**data, **off, "department": pl.Series(["971", "972", "976"], dtype=pl.Categorical)})
    assert simulate_many(categorical)["maladie_maternite"].to_list() == [1887, 1887, 1348]
