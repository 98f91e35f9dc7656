"""The conjoint collaborateur at Mayotte (docs/law-choices.md, 340–343): its grid of URSSAF's official model
`modele-ti` to the euro by `simulate` and by `simulate_many`, `--jsonl` equal to `simulate`, worked examples by
hand, the échéancier's part `conjoint_collaborateur`; and the échéancier of a Mayotte account whose 24 months
reach a third civil year, equal to `simulate` (the start date kept every year, `schedule.amounts._situation`).
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from echeancier import simulate
from echeancier.contributions import conjoint_collaborateur
from echeancier.contributions.result import CONTRIBUTIONS
from echeancier.contributions.vectorized import simulate_many

GRID = Path(__file__).resolve().parent / "data" / "oracle" / "populations-conjoint-mayotte-grid.jsonl"
GRID_SHA256 = "147e4878e73dce60c9c330476395e80beae6f030aaedcebecb1d48820bf5e4df"
ROWS = [json.loads(line) for line in GRID.read_text().splitlines() if line.strip()]
FIELDS = (
    "year",
    "profession",
    "income",
    "start_date",
    "end_date",
    "acre",
    "rsa",
    "department",
    "conjoint_collaborateur",
)


def amount(simulation: Any, key: str) -> Decimal:
    if key == "total":
        return simulation.total
    if key.startswith("conjoint_"):
        return Decimal(simulation.conjoint_amounts[conjoint_collaborateur.KEYS.index(key.removeprefix("conjoint_"))])
    return simulation.amount(key)


def test_the_grid_is_the_one_its_readme_describes() -> None:
    assert hashlib.sha256(GRID.read_bytes()).hexdigest() == GRID_SHA256
    assert len(ROWS) == 150
    assert {row["situation"]["year"] for row in ROWS} == {2025, 2026}
    assert {row["situation"]["department"] for row in ROWS} == {"976"}
    assert {row["situation"]["conjoint_collaborateur"] for row in ROWS} == set(conjoint_collaborateur.OPTIONS[1:])
    exempted = [row for row in ROWS if row["expected"]["conjoint_retraite_base"] == 0]
    assert 50 < len(exempted) < 100  # both sides of the 24 months (ordonnance 96-1122 art. 28-8)


@pytest.mark.parametrize("row", ROWS, ids=[row["situation"]["id"] for row in ROWS])
def test_every_contribution_to_the_euro_of_the_official_model(row: dict[str, Any]) -> None:
    simulation = simulate(row["situation"])
    for key, expected in row["expected"].items():
        assert amount(simulation, key) == Decimal(str(expected)), key
    assert Decimal(sum(simulation.conjoint_amounts)) == Decimal(str(row["also"]["conjoint_total"]))
    assert simulation.conjoint_assiette == Decimal(str(row["also"]["conjoint_assiette"]))


def test_the_batch_path_equals_the_scalar_engine_and_the_model_on_every_row() -> None:
    situations = [row["situation"] for row in ROWS]
    # mixed with rows elsewhere and without a conjoint, and a year of the metropolitan rules at Mayotte
    situations += [
        {"year": 2025, "profession": "artisan", "income": 30000, "conjoint_collaborateur": "moitie_avec_partage"},
        {"year": 2026, "profession": "commercant", "income": 30000, "department": "976"},
        {
            "year": 2024,
            "profession": "liberal",
            "income": 30000,
            "department": "976",
            "conjoint_collaborateur": "tiers_avec_partage",
        },
    ]
    columns = {name: [s.get(name) for s in situations] for name in FIELDS}
    columns["acre"] = [bool(value) for value in columns["acre"]]
    columns["rsa"] = [bool(value) for value in columns["rsa"]]
    batch = simulate_many(columns)
    keys = (*CONTRIBUTIONS, *conjoint_collaborateur.COLUMNS, "total")
    for i, situation in enumerate(situations):
        simulation = simulate(situation)
        expected = [*simulation.amounts, *(simulation.conjoint_amounts or (0, 0, 0, 0)), int(simulation.total)]
        assert [int(batch[key][i]) for key in keys] == expected, situation.get("id")
    for i, row in enumerate(ROWS):
        assert int(batch["conjoint_retraite_base"][i]) == row["expected"]["conjoint_retraite_base"]


def test_jsonl_writes_what_simulate_writes() -> None:
    import io

    from echeancier.cli import run_jsonl
    from echeancier.contributions import jsonl

    raw = [(json.dumps(row["situation"]) + "\n").encode() for row in ROWS[:60]]
    scalar, chunks = io.StringIO(), io.StringIO()
    run_jsonl(raw, scalar)
    jsonl.run_lines([raw[i : i + 25] for i in range(0, len(raw), 25)], chunks)
    assert chunks.getvalue() == scalar.getvalue()
    for line, row in zip(scalar.getvalue().splitlines(), ROWS[:60], strict=True):
        assert json.loads(line) == json.loads(json.dumps(simulate(row["situation"]).to_dict()))


# --- worked by hand ---------------------------------------------------------------------------------------------


def test_worked_by_hand_2026_every_option_is_450_hours_of_mayottes_smic() -> None:
    # 450 h × 9.33 € (SMIC of Mayotte on 1 January 2026) = 4,198.50 → 4,199 €; 10.75 % × 4,199 = 451.39 → 451 €.
    # The head (artisan, 30,000 € brut: 22,200 € of base) keeps the whole base: 10.75 % × 22,200 = 2,386.50 → 2,387 €.
    alone = simulate({"year": 2026, "profession": "artisan", "income": 30000, "department": "976"})
    for option in conjoint_collaborateur.OPTIONS[1:]:
        s = simulate({**alone.situation.model_dump(), "conjoint_collaborateur": option})
        assert s.conjoint_assiette == 4199
        assert s.conjoint_amounts == (0, 451, 0, 0)
        assert s.amounts == alone.amounts  # no sharing, the artisan's CFP not raised (0.29 % × 36,264 → 105 €)
        assert s.amount("retraite_base") == 2387 and s.amount("formation_professionnelle") == 105
        assert s.total == alone.total + 451 == 6733  # the model's total (tools/oracle, 2026-12-07)
    # a commerçant's CFP is raised by the conjoint: 0.34 % × 36,264 = 123.30 → 123 € (0.25 %: 91 €)
    commercant = simulate({"year": 2026, "profession": "commercant", "income": 30000, "department": "976"})
    with_conjoint = simulate({**commercant.situation.model_dump(), "conjoint_collaborateur": "forfaitaire"})
    assert (commercant.amount("formation_professionnelle"), with_conjoint.amount("formation_professionnelle")) == (
        91,
        123,
    )
    cfp = with_conjoint.line("formation_professionnelle")
    assert cfp.rate == Decimal("0.0034")


def test_worked_by_hand_2025_and_the_24_months() -> None:
    # 2025: 450 h × 8.98 € = 4,041 €; 10.05 % × 4,041 = 406.12 → 406 €.
    base = {"year": 2025, "profession": "liberal", "income": 2000, "department": "976", "rsa": True}
    s = simulate({**base, "conjoint_collaborateur": "tiers_avec_partage"})
    assert (s.conjoint_assiette, s.conjoint_amounts) == (4041, (0, 406, 0, 0))  # the RSA does not remove it
    # Started 1 March 2024: 10 months on 1 January 2025, the exemption of art. 28-8 covers the conjoint too.
    created = simulate({**base, "start_date": "2024-03-01", "conjoint_collaborateur": "forfaitaire"})
    assert created.conjoint_amounts == (0, 0, 0, 0)
    line = created.conjoint_lines[1]
    assert (line.gross, line.exoneration, line.amount) == (406, 406, 0)
    assert line.exoneration_label == "exonération de début d'activité (24 mois)"
    # A cessation on 31 January: the base is capped at the prorated PASS of Mayotte, 33,852 × 31 / 365 → 2,875 €,
    # and the minimum does not apply under 90 days (the base stays the conjoint's own).
    ceased = simulate({**base, "rsa": False, "end_date": "2025-01-31", "conjoint_collaborateur": "moitie_sans_partage"})
    assert ceased.conjoint_lines[1].base == 2875
    assert ceased.conjoint_amounts[1] == 289  # 10.05 % × 2,875 = 288.94


def test_the_explanation_and_the_json() -> None:
    s = simulate(
        {
            "year": 2026,
            "profession": "artisan",
            "income": 30000,
            "department": "976",
            "conjoint_collaborateur": "forfaitaire",
        }
    )
    data = s.to_dict()
    block = data["conjoint_collaborateur"]
    assert block["assiette"] == 4199 and block["total"] == 451
    assert block["contributions"]["retraite_base"]["reference"].startswith("ordonnance n° 96-1122 art. 28-2")
    assert "450 heures de SMIC de Mayotte" in block["contributions"]["retraite_base"]["reference"]
    assert block["contributions"]["indemnites_journalieres"]["reference"].startswith("ordonnance n° 96-1122 (non due")
    assert data["total"] == 6733


def test_before_2025_mayotte_is_computed_with_the_metropolitan_rules_and_says_so() -> None:
    # Row 186: before income 2025 Mayotte's amounts are the metropolitan ones; the conjoint's too (D633-19-2).
    situation = {
        "year": 2024,
        "profession": "commercant",
        "income": 42000,
        "conjoint_collaborateur": "tiers_avec_partage",
    }
    mayotte = simulate({**situation, "department": "976"})
    metropole = simulate(situation)
    assert mayotte.conjoint_amounts == metropole.conjoint_amounts and mayotte.total == metropole.total
    assert mayotte.notes == ("regles_metropolitaines:976",)


def test_the_command_line_and_the_api() -> None:
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from echeancier.api.app import Settings, create_app
    from echeancier.cli import app

    args = ["simulate", "--year", "2026", "--profession", "artisan", "--income", "30000", "--department", "976"]
    table = CliRunner().invoke(app, [*args, "--conjoint-collaborateur", "tiers_avec_partage"])
    assert table.exit_code == 0, table.output
    assert (
        "Conjoint collaborateur à Mayotte : assiette de 450 heures de SMIC de Mayotte, 4\u202f199\xa0€" in table.stdout
    )
    client = TestClient(create_app(Settings(rate_limit=0)), raise_server_exceptions=False)
    situation = {"year": 2026, "profession": "artisan", "income": 30000, "department": "976"}
    one = client.post("/v1/simulations", json={**situation, "conjoint_collaborateur": "forfaitaire"})
    assert one.status_code == 200, one.text
    assert one.json()["conjoint_collaborateur"]["total"] == 451


# --- the échéancier -----------------------------------------------------------------------------------------------

SCENARIO = """
contributor:
  profession: artisan
  activity_start: 2023-06-01
  payment: {frequency: monthly, day: 5, direct_debit: true}
  department: "976"
  conjoint_collaborateur: forfaitaire
incomes: {2023: 12000, 2024: 20000, 2025: 30000}
events:
  - {date: 2025-05-20, type: declaration, year: 2024}
  - {date: 2026-05-20, type: declaration, year: 2025}
years: [2025, 2026]
"""


def _called_for(echeancier: Any, year: int) -> Decimal:
    """What the échéancier calls for `year`, CFP apart, once regularised (its refunds deducted)."""
    from echeancier.schedule.echeancier import KINDS

    kinds = tuple(kind for kind in KINDS if kind != "cfp")
    refunded = sum((r.amount + r.imputed + r.on_instalments for r in echeancier.refunds if r.year == year), Decimal(0))
    return echeancier.year_total(year, kinds) - refunded


@pytest.mark.parametrize("conjoint", ["forfaitaire", None])
def test_the_echeancier_of_a_start_whose_24_months_reach_a_third_year_equals_simulate(conjoint: str | None) -> None:
    # Started 1 June 2023: on 1 January 2025 the activity has lasted 19 months, so 2025 is exempted (art. 28-8) —
    # only CSG-CRDS is due: 9.70 % × 22,200 = 2,153.40 → 2,154 €. Before the start date was kept every year, the
    # échéancier computed 2025 as an old activity (5,894 € called, 6,300 € with the conjoint).
    from echeancier.schedule.echeancier import build_echeancier
    from echeancier.schedule.scenario import loads_scenario

    text = SCENARIO if conjoint else SCENARIO.replace("  conjoint_collaborateur: forfaitaire\n", "")
    e = build_echeancier(loads_scenario(text))
    situation = {"year": 2025, "profession": "artisan", "income": 30000, "department": "976"}
    s = simulate({**situation, "start_date": "2023-06-01", "conjoint_collaborateur": conjoint})
    assert _called_for(e, 2025) == s.total - s.amount("formation_professionnelle") == 2154
    # 2026: 31 months on 1 January, due and halved; the conjoint's 451 € called as their own part on the twelve
    # due dates of the provisional contributions (docs/law-choices.md, 256).
    parts = [p.amount for i in e.instalments for p in i.parts if p.kind == "conjoint_collaborateur" and p.year == 2026]
    assert (len(parts), sum(parts)) == ((12, 451) if conjoint else (0, 0))


def test_the_cnbf_years_of_practice_in_the_echeancier_equal_simulate() -> None:
    # The CNBF's forfaits of an avocat follow the years of practice: a start on 1 February 2022 is in its fourth
    # year in 2025. What the échéancier calls for 2025 once regularised is what `simulate` gives with that start,
    # less what the CNBF collects itself (R652-34: its retraite de base, complémentaire, invalidité-décès).
    from echeancier.contributions.professions_liberales import collected_elsewhere
    from echeancier.schedule.echeancier import build_echeancier
    from echeancier.schedule.scenario import loads_scenario

    text = """
contributor:
  profession: liberal_reglementee
  section: cnbf
  activity_start: 2022-02-01
  payment: {frequency: monthly, day: 5, direct_debit: true}
incomes: {2023: 40000, 2024: 42000, 2025: 45000}
events:
  - {date: 2025-05-20, type: declaration, year: 2024}
  - {date: 2026-05-20, type: declaration, year: 2025}
years: [2025, 2026]
"""
    e = build_echeancier(loads_scenario(text))
    situation = {"year": 2025, "profession": "liberal_reglementee", "section": "cnbf", "income": 45000}
    s = simulate({**situation, "start_date": "2022-02-01"})
    urssaf = s.total - s.amount("formation_professionnelle") - collected_elsewhere(s.amounts, "cnbf")
    assert _called_for(e, 2025) == urssaf
    # The CNBF's own lines do not reach the Urssaf's call; the échéancier's computation of the year keeps them right
    # (the forfaits of a fourth year: retraite de base 2,571 €, invalidité-décès 68 €, against 2,987 € and 170 €
    # for an activity started long before).
    from echeancier.schedule import amounts

    computed = amounts.definitive(loads_scenario(text).contributor, 2025, Decimal(45000))
    assert computed.simulation is not None and computed.simulation.amounts == s.amounts
    old = simulate(situation)
    assert (s.amount("retraite_base"), old.amount("retraite_base")) == (2571, 2987)


def test_a_scenario_at_mayotte_with_a_conjoint_is_accepted() -> None:
    from echeancier.schedule.scenario import loads_scenario

    assert loads_scenario(SCENARIO).contributor.conjoint_collaborateur is not None


def test_mayottes_exemption_has_its_own_json_key_and_acre_keeps_its_own() -> None:
    # Started 1 May 2024: 8 months on 1 January 2025, exempted (art. 28-8): 10.05 % × 22,200 = 2,231.10 → 2,231 €.
    exempted = simulate(
        {"year": 2025, "profession": "artisan", "income": 30000, "department": "976", "start_date": "2024-05-01"}
    )
    line = exempted.to_dict()["contributions"]["retraite_base"]
    assert line["exoneration_mayotte"] == 2231 and "exoneration_acre" not in line
    acre = simulate({"year": 2025, "profession": "artisan", "income": 30000, "start_date": "2025-03-01", "acre": True})
    assert "exoneration_acre" in acre.to_dict()["contributions"]["retraite_base"]
    assert "exoneration_mayotte" not in acre.to_dict()["contributions"]["retraite_base"]
