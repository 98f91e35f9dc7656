"""The professions libérales réglementées grid (Cipav, CAVEC, CNBF; URSSAF's official model `modele-ti`) to the euro,
by `simulate` and by `simulate_many` (one text of the law: both paths equal on every row), and worked examples by hand.

Deliberate difference, listed in docs/oracle-differences.md (PLR-ACRE-ID): under ACRE the model leaves the
invalidité-décès (and so the total) in cents; the engine rounds the exact amount to the euro, half up, as every
contribution (DESIGN §2 decision 2): within half a euro of the model's cents (plus the model's own rounding to the
cent, plr6262-401).
"""

from __future__ import annotations

import hashlib
import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from echeancier import simulate
from echeancier.contributions.result import CONTRIBUTIONS
from echeancier.contributions.situation import InputError, situation_from_mapping
from echeancier.contributions.vectorized import RowInputError, simulate_many

GRID = Path(__file__).resolve().parent / "data" / "oracle" / "populations-plr-grid.jsonl"
GRID_SHA256 = "fc9f6758823125c60cd1167a73445e0220d349099b7fc4a40d9e33b21b029475"
ROWS = [json.loads(line) for line in GRID.read_text().splitlines() if line.strip()]


def euro(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def test_the_grid_is_the_one_its_readme_describes() -> None:
    assert hashlib.sha256(GRID.read_bytes()).hexdigest() == GRID_SHA256
    assert len(ROWS) == 500
    assert {row["situation"]["section"] for row in ROWS} == {"cipav", "cavec", "cnbf"}
    assert {row["situation"]["year"] for row in ROWS} == {2024, 2025, 2026}
    assert sum(1 for row in ROWS if row["situation"].get("rsa")) == 50


@pytest.mark.parametrize("row", ROWS, ids=[row["situation"]["id"] for row in ROWS])
def test_every_contribution_to_the_euro_of_the_official_model(row: dict[str, Any]) -> None:
    simulation = simulate(row["situation"])
    for key, expected in row["expected"].items():
        got = simulation.total if key == "total" else simulation.amount(key)
        if expected != int(expected):  # PLR-ACRE-ID: the model's invalidité-décès in cents under ACRE
            assert row["situation"].get("acre") and key in ("invalidite_deces", "total"), key
            assert abs(got - Decimal(str(expected))) <= Decimal("0.505"), key
            assert got == euro(expected) or row["situation"]["id"] == "plr6262-401", key
        else:
            assert got == expected, key


def test_the_one_row_where_the_models_cents_round_the_other_way() -> None:
    # plr6262-401: CAVEC 2026, ACRE from 24 November 2025: its 12 months cover 365 − 38 = 327 days of 2026; the
    # maximum exemption is 25 % (2026): 288 € − 288 × 25 % × 327 / 365 = 288 − 64.504… = 223.496 € → 223 €. The
    # model rounds to the cent first (223.50 €), which rounded again would give 224 €.
    (row,) = [row for row in ROWS if row["situation"]["id"] == "plr6262-401"]
    assert row["expected"]["invalidite_deces"] == 223.5
    assert simulate(row["situation"]).amount("invalidite_deces") == 223


def test_the_batch_path_equals_the_scalar_engine_on_every_row() -> None:
    fields = ("id", "year", "profession", "income", "start_date", "end_date", "acre", "rsa", "section")
    columns = {name: [row["situation"].get(name) for row in ROWS] for name in fields}
    columns["acre"] = [bool(value) for value in columns["acre"]]
    columns["rsa"] = [bool(value) for value in columns["rsa"]]
    for provisional in (False, True):
        batch = simulate_many(columns, provisional=provisional)
        for i, row in enumerate(ROWS):
            if provisional:
                from echeancier.law.snapshot import provisional_snapshot

                simulation = simulate(row["situation"], provisional_snapshot(row["situation"]["year"]))
            else:
                simulation = simulate(row["situation"])
            assert [int(batch[key][i]) for key in CONTRIBUTIONS] == list(simulation.amounts), row["situation"]["id"]
            assert int(batch["total"][i]) == simulation.total


def test_cipav_2025_worked_by_hand() -> None:
    # Revenu brut 40 000 € in 2025: assiette 40 000 − 26 % = 29 600 €, PASS 47 100 €.
    # Retraite de base CNAVPL (D642-3): 8.73 % × 29 600 = 2 584.08 → 2 584 € + 1.87 % × 29 600 = 553.52 → 554 €:
    # 3 138 €. Complémentaire Cipav: 11 % × 29 600 = 3 256 €. Invalidité-décès: 0.5 % × 29 600 = 148 €.
    # IJ (D621-3, professions libérales): 0.30 % × 29 600 = 88.80 → 89 €. Maladie: as every TI, 1 225 €.
    simulation = simulate({"year": 2025, "profession": "liberal_reglementee", "section": "cipav", "income": 40000})
    assert simulation.amounts[:5] == (1225, 89, 3138, 3256, 148)
    line = simulation.line("retraite_base")
    assert [t.amount for t in line.tranches] == [Decimal("2584.08"), Decimal("553.52")]
    assert line.collected_by == "Urssaf, pour la CNAVPL (section Cipav)"
    assert simulation.line("retraite_complementaire").collected_by == "Urssaf, pour la Cipav"
    assert simulation.line("csg_crds").collected_by == "Urssaf"
    # Rights (docs/law-choices.md, 344): CNAVPL points 557 × 2 584 / 4 112 (8.73 % × 47 100 = 4 111.83 → 4 112)
    # = 350.02 → 350.0, plus 25 × 554 / 4 404 (1.87 % × 5 × 47 100 = 4 403.85 → 4 404) = 3.14 → 3.1: 353.1 points,
    # × 0.6540 € = 230.93 € a year; revenu cotisé 3 138 / 8.73 % = 35 945 €, 4 quarters (1 782 € each); Cipav
    # points 3 256 / 47.40 = 68.69, × 2.89 € = 198.52 €.
    rights = simulation.to_dict()["rights"]
    assert {k: rights["retraite_base"][k] for k in ("trimestres", "revenu_cotise", "points", "pension_annuelle")} == {
        "trimestres": 4,
        "revenu_cotise": 35945,
        "points": 353.1,
        "pension_annuelle": 230.93,
    }
    assert (rights["retraite_complementaire"]["points"], rights["retraite_complementaire"]["pension_annuelle"]) == (
        68.69,
        198.52,
    )


def test_cipav_minimums_worked_by_hand() -> None:
    # Nil income in 2026 (PASS 48 060 €, SMIC horaire 12.02 €): retraite de base on 450 h × 12.02 = 5 409 €:
    # 8.73 % × 5 409 = 472.21 → 472 € + 1.87 % × 5 409 = 101.15 → 101 €: 573 €; invalidité-décès on 37 % ×
    # 48 060 = 17 782.20 → 17 782 €: 0.5 % → 88.91 → 89 €; IJ on 40 % × 48 060 = 19 224 €: 0.30 % → 57.67 → 58 €;
    # no minimum for the complémentaire.
    simulation = simulate({"year": 2026, "profession": "liberal_reglementee", "section": "cipav", "income": 0})
    assert simulation.amounts[1:5] == (58, 573, 0, 89)


def test_the_rc_tranche_2_ends_at_4_pass_in_2025() -> None:
    # 300 000 € brut in 2025: RC = 11 % × 47 100 + 21 % × (min(assiette, 4 × 47 100 = 188 400) − 47 100), the
    # assiette (after the capped abattement of L136-3) read from the simulation.
    simulation = simulate({"year": 2025, "profession": "liberal_reglementee", "section": "cipav", "income": 300000})
    assiette = simulation.assiette_sociale
    expected = Decimal("0.11") * 47100 + Decimal("0.21") * (min(assiette, Decimal(188400)) - 47100)
    assert simulation.amount("retraite_complementaire") == expected.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def test_cavec_classes_worked_by_hand() -> None:
    # CAVEC, revenu professionnel 2024: the class is the last whose lower bound the income reaches (16 190 € opens
    # the second class: 2 851 € of complémentaire, 396 € of invalidité-décès; 16 189 € stays in the first: 760 €,
    # 288 €); the retraite de base is the CNAVPL's (8.23 % × 16 190 = 1 332.44 → 1 332 € + 1.87 % × 16 190 =
    # 302.75 → 303 €: 1 635 €).
    below = simulate({"year": 2024, "profession": "liberal_reglementee", "section": "cavec", "income": 16189})
    at = simulate({"year": 2024, "profession": "liberal_reglementee", "section": "cavec", "income": 16190})
    assert below.amounts[2:5] == (1635, 760, 288)
    assert at.amounts[2:5] == (1635, 2851, 396)
    assert at.line("retraite_complementaire").tranches[0].label == "classe 2 (revenu de 16190 € à 32350 €)"
    assert at.line("retraite_base").collected_by == "CAVEC, pour la CNAVPL"


def test_cnbf_worked_by_hand() -> None:
    # An avocat, revenu brut 40 000 € in 2025, practising since 1 March 2023: at 31 December 2025 that is 1 037
    # days, the third class of the forfait (2 to 3 years): 1 106 €, plus 3.2 % × 29 600 = 947.20 → 947 €: 2 053 € of
    # retraite de base; complémentaire (class 1) 5.2 % × 29 600 = 1 539.20 → 1 539 €; invalidité-décès 68 € (less
    # than 5 years); no IJ contribution; each collected by the CNBF (CSS R652-34), not by the Urssaf.
    simulation = simulate(
        {
            "year": 2025,
            "profession": "liberal_reglementee",
            "section": "cnbf",
            "income": 40000,
            "start_date": "2023-03-01",
        }
    )
    assert simulation.amounts[1:5] == (0, 2053, 1539, 68)
    assert simulation.line("retraite_base").collected_by == "CNBF"
    assert simulation.line("maladie_maternite").collected_by == "Urssaf"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"profession": "liberal_reglementee"}, "section", "est obligatoire pour une profession libérale réglementée"),
        (
            {"profession": "liberal", "section": "cipav"},
            "section",
            "ne s'applique qu'à la profession liberal_reglementee",
        ),
        ({"profession": "liberal_reglementee", "section": "cprn"}, "section", "cprn n'est pas encore calculée"),
        ({"profession": "liberal_reglementee", "section": "carpv"}, "section", "carpv n'est pas encore calculée"),
        ({"profession": "liberal_reglementee", "section": "CIPAV"}, "section", "doit être l'une des sections"),
        ({"profession": "liberal_reglementee", "section": "cipav", "department": "971"}, "department", "métropole"),
    ],
)
def test_excluded_combinations_name_the_field_in_french(data: dict[str, Any], field: str, message: str) -> None:
    situation = {"year": 2025, "income": 30000, **data}
    with pytest.raises(InputError) as scalar:
        situation_from_mapping(situation)
    assert scalar.value.field == field and message in scalar.value.message
    with pytest.raises(RowInputError) as batch:
        simulate_many({key: [value] for key, value in situation.items()})
    assert (batch.value.field, batch.value.message) == (scalar.value.field, scalar.value.message)
