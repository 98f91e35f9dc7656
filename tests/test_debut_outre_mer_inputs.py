"""The field `exoneration_debut_outre_mer` (CSS L756-2) through every input: the CLI, `--jsonl`, the API (one
situation and a batch), a scenario's contributor and a campaign row."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from echeancier import simulate
from echeancier.api import Settings, create_app
from echeancier.cli import app
from echeancier.contributions.debut_outre_mer import NOTE
from echeancier.schedule.campaign import echeancier_of_row
from echeancier.schedule.scenario import ScenarioError, parse_scenario

runner = CliRunner()
CREATED = {
    "year": 2025,
    "profession": "commercant",
    "income": 30000,
    "department": "974",
    "start_date": "2024-06-01",
    "exoneration_debut_outre_mer": True,
}


def test_the_cli_option_and_its_french_message() -> None:
    options = ["--year", "2025", "--profession", "commercant", "--income", "30000", "--department", "974"]
    result = runner.invoke(
        app, ["simulate", *options, "--start-date", "2024-06-01", "--exoneration-debut-outre-mer", "--json"]
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == simulate(CREATED).to_dict()
    assert json.loads(result.stdout)["notes"] == [NOTE]
    result = runner.invoke(app, ["simulate", *options, "--exoneration-debut-outre-mer"])
    assert result.exit_code == 2
    assert result.stderr.strip().startswith("erreur: --exoneration-debut-outre-mer: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_jsonl_gives_the_scalar_json_and_the_error_in_place() -> None:
    lines = [json.dumps(CREATED), json.dumps({**CREATED, "department": "13"})]
    result = runner.invoke(app, ["simulate", "--jsonl"], input="\n".join(lines) + "\n")
    out = result.stdout.splitlines()
    assert out[0] == json.dumps(simulate(CREATED).to_dict(), ensure_ascii=False)
    assert json.loads(out[1])["error"].startswith("exoneration_debut_outre_mer")


def test_the_api_one_situation_and_a_batch() -> None:
    client = TestClient(create_app(Settings(rate_limit=0)), raise_server_exceptions=False)
    assert client.post("/v1/simulations", json=CREATED).json() == simulate(CREATED).to_dict()
    bad = client.post("/v1/simulations", json={**CREATED, "exoneration_debut_outre_mer": "oui"})
    assert bad.status_code == 422 and "exoneration_debut_outre_mer" in bad.text
    columns: dict[str, list[Any]] = {name: [value, value] for name, value in CREATED.items()}
    columns["exoneration_debut_outre_mer"] = [True, None]
    out = client.post("/v1/simulations:batch", json=columns).json()
    plain = {**CREATED, "exoneration_debut_outre_mer": False}
    assert out["total"] == [simulate(CREATED).total, simulate(plain).total]


def test_a_scenario_contributor_and_its_refusal() -> None:
    document = {
        "contributor": {
            "profession": "artisan",
            "activity_start": "2025-03-01",
            "department": "972",
            "exoneration_debut_outre_mer": True,
        },
        "incomes": {2025: 20000},
        "years": [2025],
    }
    assert parse_scenario(document).contributor.exoneration_debut_outre_mer
    with pytest.raises(ScenarioError, match="L751-1"):
        parse_scenario({**document, "contributor": {**document["contributor"], "department": "69"}})


def test_a_campaign_row_asking_for_it_is_replayed_with_it() -> None:
    row: dict[str, Any] = {
        "id": "A1",
        "profession": "artisan",
        "activity_start": date(2025, 3, 1),
        "department": "971",
        "income_n1": "30000",
        "declaration_date": date(2026, 5, 20),
        "exoneration_debut_outre_mer": "true",
    }
    with_it = echeancier_of_row(row, 2026)
    without = echeancier_of_row({**row, "exoneration_debut_outre_mer": ""}, 2026)
    assert NOTE in with_it.notes and NOTE not in without.notes

    def called(e: Any) -> int:
        return sum(part.amount for instalment in e.instalments for part in instalment.parts)

    assert called(with_it) < called(without)
