"""The exemption fields (`pension_invalidite_mois`, `exoneration_age`) through every input of the one input layer:
the CLI, `--jsonl`, a portfolio file, the API (one situation and a batch) and a scenario file."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from echeancier import simulate
from echeancier.api import Settings, create_app
from echeancier.cli import app
from echeancier.schedule.scenario import ScenarioError, parse_scenario

runner = CliRunner()
PENSIONER = {"year": 2025, "profession": "artisan", "income": 40000, "pension_invalidite_mois": 7}
AGE = {"year": 2024, "profession": "commercant", "income": 40000, "exoneration_age": True}


def test_the_cli_options_and_their_french_messages() -> None:
    result = runner.invoke(
        app,
        [
            "simulate",
            "--year",
            "2025",
            "--profession",
            "artisan",
            "--income",
            "40000",
            "--pension-invalidite-mois",
            "7",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == simulate(PENSIONER).to_dict()
    result = runner.invoke(
        app, ["simulate", "--year", "2024", "--profession", "liberal", "--income", "1", "--exoneration-age"]
    )
    assert result.exit_code == 2
    assert result.stderr.strip().startswith("erreur: --exoneration-age: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_jsonl_gives_the_scalar_json_and_the_error_in_place() -> None:
    lines = [json.dumps(PENSIONER), json.dumps(AGE), json.dumps({**PENSIONER, "pension_invalidite_mois": 13})]
    result = runner.invoke(app, ["simulate", "--jsonl"], input="\n".join(lines) + "\n")
    out = result.stdout.splitlines()
    assert out[0] == json.dumps(simulate(PENSIONER).to_dict(), ensure_ascii=False)
    assert out[1] == json.dumps(simulate(AGE).to_dict(), ensure_ascii=False)
    assert json.loads(out[2])["error"].startswith("pension_invalidite_mois")


def test_a_portfolio_file_with_the_exemption_columns(tmp_path: Path) -> None:
    source = tmp_path / "clients.csv"
    source.write_text(
        "id,year,profession,income,pension_invalidite_mois,exoneration_age\n"
        "A,2025,artisan,40000,7,\n"
        "B,2025,commercant,40000,,true\n"
        "C,2025,liberal,1000,,true\n",
        encoding="utf-8",
    )
    output = tmp_path / "out.csv"
    errors = tmp_path / "errors.txt"
    result = runner.invoke(app, ["simulate", "--input", str(source), "--output", str(output), "--errors", str(errors)])
    rows = list(csv.DictReader(io.StringIO(output.read_text(encoding="utf-8"))))
    assert int(rows[0]["total"]) == simulate(PENSIONER).total
    assert int(rows[1]["total"]) == simulate({**AGE, "year": 2025}).total
    assert result.exit_code != 0
    assert "exoneration_age" in errors.read_text(encoding="utf-8")


def test_the_api_one_situation_and_a_batch() -> None:
    client = TestClient(create_app(Settings(rate_limit=0)), raise_server_exceptions=False)
    assert client.post("/v1/simulations", json=PENSIONER).json() == simulate(PENSIONER).to_dict()
    bad = client.post("/v1/simulations", json={**PENSIONER, "acre": True, "start_date": "2025-02-01"})
    assert bad.status_code == 422
    assert "pension_invalidite_mois" in bad.text
    columns = {
        "year": [2025, 2024, 2025],
        "profession": ["artisan", "commercant", "artisan"],
        "income": [40000, 40000, 40000],
        "pension_invalidite_mois": [7, None, 0],
        "exoneration_age": [None, True, False],
    }
    out = client.post("/v1/simulations:batch", json=columns).json()
    plain = {"year": 2025, "profession": "artisan", "income": 40000}
    assert out["total"] == [simulate(PENSIONER).total, simulate(AGE).total, simulate(plain).total]


def test_a_scenario_contributor_with_a_pension() -> None:
    document = {
        "contributor": {"profession": "artisan", "activity_start": "2015-01-01", "pension_invalidite_mois": 12},
        "incomes": {2024: 30000},
        "years": [2025],
    }
    assert parse_scenario(document).contributor.pension_invalidite_mois == 12
    with pytest.raises(ScenarioError, match="ACRE"):
        parse_scenario({**document, "contributor": {**document["contributor"], "acre": True}})
