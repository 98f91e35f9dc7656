"""A profession libérale réglementée (section Cipav) through every interface: the command line, `--jsonl`, a
portfolio file, the API, a scenario file and its échéancier — each reading the same input layer and giving the
amounts of `simulate` (proven against URSSAF's model in tests/test_oracle_plr.py)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from echeancier import simulate
from echeancier.api import Settings, create_app
from echeancier.cli import app
from echeancier.documents.echeancier import note_sentence
from echeancier.schedule.echeancier import build_echeancier
from echeancier.schedule.scenario import ScenarioError, loads_scenario

CIPAV = {"year": 2025, "profession": "liberal_reglementee", "section": "cipav", "income": 40000}
ARGS = ("simulate", "--year", "2025", "--profession", "liberal_reglementee", "--section", "cipav", "--income", "40000")
runner = CliRunner()


def test_the_command_line_shows_who_collects_and_refuses_a_section_not_computed() -> None:
    result = runner.invoke(app, list(ARGS))
    assert result.exit_code == 0, result.output
    assert "profession libérale réglementée (section CIPAV)" in result.stdout
    assert "Retraite de base : recouvrée par l'Urssaf, pour la CNAVPL (section Cipav)." in result.stdout
    as_json = runner.invoke(app, [*ARGS, "--json"])
    assert json.loads(as_json.stdout) == json.loads(json.dumps(simulate(CIPAV).to_dict()))
    bad = runner.invoke(app, [*ARGS[:-3], "carpv", "--income", "40000"])
    assert bad.exit_code == 2
    assert "--section: carpv n'est pas encore calculée" in bad.output
    alone = runner.invoke(
        app, ["simulate", "--year", "2025", "--profession", "liberal", "--section", "cipav", "--income", "1"]
    )
    assert alone.exit_code == 2 and "--section: ne s'applique qu'à la profession liberal_reglementee" in alone.output


def test_jsonl_gives_the_scalar_explanation_and_an_error_line_naming_the_field() -> None:
    lines = json.dumps(CIPAV) + "\n" + json.dumps({**CIPAV, "section": None}) + "\n"
    result = runner.invoke(app, ["simulate", "--jsonl"], input=lines)
    first, second = result.stdout.splitlines()
    assert first == json.dumps(simulate(CIPAV).to_dict(), ensure_ascii=False)
    assert json.loads(second)["error"] == "section: est obligatoire pour une profession libérale réglementée"


def test_a_portfolio_file_reads_the_section_column(tmp_path: Path) -> None:
    path = tmp_path / "clients.csv"
    path.write_text(
        "client;annee;profession;section;revenu\nA;2025;liberale_reglementee;CIPAV;40000\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["simulate", "--input", str(path)])
    assert result.exit_code == 0, result.output
    row = result.stdout.splitlines()[1].split(";")
    assert row[-2] == str(int(simulate(CIPAV).total))


def test_the_api_takes_the_section_for_one_situation_and_for_columns() -> None:
    client = TestClient(create_app(Settings(rate_limit=0)), raise_server_exceptions=False)
    one = client.post("/v1/simulations", json=CIPAV)
    assert one.status_code == 200, one.text
    assert one.json()["contributions"]["retraite_complementaire"]["collected_by"] == "Urssaf, pour la Cipav"
    columns = {key: [value, value] for key, value in CIPAV.items()}
    columns["section"] = ["cipav", "cipav"]
    batch = client.post("/v1/simulations:batch", json=columns)
    assert batch.status_code == 200, batch.text
    assert batch.json()["total"] == [int(simulate(CIPAV).total)] * 2
    bad = client.post("/v1/simulations", json={**CIPAV, "section": "carpv"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "section"


SCENARIO = """
contributor:
  profession: liberal_reglementee
  section: cipav
  activity_start: 2019-03-01
incomes: {2022: 38000, 2023: 40000, 2024: 42000, 2025: 45000}
events:
  - {date: 2025-05-20, type: declaration, year: 2024}
years: [2024, 2025]
"""


def test_the_echeancier_calls_every_contribution_the_urssaf_collects_for_the_cipav() -> None:
    echeancier = build_echeancier(loads_scenario(SCENARIO), as_of=None)
    assert echeancier.notes[0] == "recouvrement_section:cipav"
    assert "retraite de base (recouvrée par l'Urssaf, pour la CNAVPL (section Cipav))" in note_sentence(
        echeancier.notes[0]
    )
    # Once 2024's income is declared, what the instalments called for 2024 (provisional, ajustement,
    # régularisation; the CFP apart) is the definitive contributions of 2024: retraite de base, complémentaire and
    # invalidité-décès of the Cipav included.
    called = sum(
        (part.amount for i in echeancier.instalments for part in i.parts if part.year == 2024 and part.kind != "cfp"),
        Decimal(0),
    )
    refunded = sum((r.amount + r.imputed + r.on_instalments for r in echeancier.refunds if r.year == 2024), Decimal(0))
    definitive = simulate({**CIPAV, "year": 2024, "income": 42000})
    assert called - refunded == definitive.total - definitive.amount("formation_professionnelle")


@pytest.mark.parametrize(("section", "collector"), [("cavec", "CAVEC"), ("cnbf", "CNBF")])
def test_a_caisse_collecting_its_own_contributions_leaves_them_out_of_the_echeancier(
    section: str, collector: str
) -> None:
    # The CAVEC (CSS R642-2) and the CNBF (R652-34) collect the retraite de base, complémentaire and
    # invalidité-décès themselves: the Urssaf's échéancier calls the rest, and says so.
    echeancier = build_echeancier(loads_scenario(SCENARIO.replace("section: cipav", f"section: {section}")), as_of=None)
    assert echeancier.notes[0] == f"recouvrement_section:{section}"
    assert "sont appelées par la section selon ses statuts et n'y figurent pas" in note_sentence(echeancier.notes[0])
    called = sum(
        (part.amount for i in echeancier.instalments for part in i.parts if part.year == 2024 and part.kind != "cfp"),
        Decimal(0),
    )
    refunded = sum((r.amount + r.imputed + r.on_instalments for r in echeancier.refunds if r.year == 2024), Decimal(0))
    definitive = simulate({**CIPAV, "section": section, "year": 2024, "income": 42000, "start_date": "2019-03-01"})
    elsewhere = sum(definitive.amount(key) for key in ("retraite_base", "retraite_complementaire", "invalidite_deces"))
    assert elsewhere > 0
    assert called - refunded == definitive.total - definitive.amount("formation_professionnelle") - elsewhere
    assert definitive.line("retraite_complementaire").collected_by == collector


def test_the_cnbf_forfaits_of_the_echeancier_follow_the_years_of_practice() -> None:
    # An avocat since 1 March 2022: in 2024 the forfaits are those of 2 to 3 years of practice, not of an old
    # activity; the Urssaf's échéancier leaves them to the CNBF, whose amounts the simulation shows.
    from echeancier.schedule import amounts

    contributor = loads_scenario(
        SCENARIO.replace("section: cipav", "section: cnbf").replace("2019-03-01", "2022-03-01")
    ).contributor
    computed = amounts.definitive(contributor, 2024, Decimal(42000))
    assert computed.simulation is not None
    expected = simulate({**CIPAV, "section": "cnbf", "year": 2024, "income": 42000, "start_date": "2022-03-01"})
    assert computed.simulation.amounts == expected.amounts
    assert expected.line("retraite_base").tranches[0].amount == 1062  # 2024, 2 to 3 years of practice


@pytest.mark.parametrize(
    ("contributor", "message"),
    [
        ("profession: liberal_reglementee", "section: est obligatoire"),
        ("profession: artisan\n  section: cipav", "section: ne s'applique qu'à la profession liberal_reglementee"),
        ("profession: liberal_reglementee\n  section: carpv", "section: carpv n'est pas encore calculée"),
    ],
)
def test_a_scenario_refuses_what_a_situation_refuses(contributor: str, message: str) -> None:
    text = SCENARIO.replace("profession: liberal_reglementee\n  section: cipav", contributor)
    with pytest.raises(ScenarioError) as error:
        loads_scenario(text)
    assert message in str(error.value)
