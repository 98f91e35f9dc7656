"""`echeancier campaign --db URL`: the accounts of the store (SQLite and PostgreSQL), each with its stored
document and current events, equal to the replay of the scenario they were imported from."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
from typer.testing import CliRunner

from echeancier.cli import app
from echeancier.schedule.campaign_run import SUBDIRS, store_tasks
from echeancier.schedule.echeancier import build_echeancier
from echeancier.schedule.scenario import load_scenario
from tests.test_campaign import _cents, differences

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
runner = CliRunner()
CONTRIBUTOR = "contributor: {profession: artisan, activity_start: 2015-01-01, department: '75'}\n"
INCOMES = "incomes: {2024: 42000, 2025: 31000}\n"
SCENARIOS = {
    "steady": "events:\n  - {date: 2026-05-20, type: declaration, year: 2025}\n",
    "missed": "events:\n  - {date: 2026-03-05, type: missed_payment}\n  - {date: 2026-04-05, type: missed_payment}\n",
    "modulation": "events:\n  - {date: 2026-03-02, type: modulation, estimated_income: 20000}\n",
    "first-year": "contributor: {profession: liberal, activity_start: 2025-09-15, acre: true}\n"
    "incomes: {2025: 12000}\nevents:\n  - {date: 2026-05-20, type: declaration, year: 2025}\n",
}


def test_the_campaign_of_the_store_equals_the_replay(database_url: str, tmp_path: Path) -> None:
    for name, text in [*SCENARIOS.items(), ("11-cessation", None)]:
        path = EXAMPLES / f"{name}.yaml"
        if text is not None:
            path = tmp_path / f"{name}.yaml"
            head = "" if text.startswith("contributor") else CONTRIBUTOR + INCOMES
            path.write_text(head + text + "years: [2026]\n", encoding="utf-8")
        result = runner.invoke(app, ["account", "import", name, str(path), "--db", database_url])
        assert result.exit_code == 0, result.stderr
    out = tmp_path / "out"
    result = runner.invoke(app, ["campaign", "--year", "2026", "--db", database_url, "-o", str(out), "--json"])
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["accounts"] == 5 and summary["paths"] == {"planner": 5}
    assert sum(figures["accounts"] for figures in summary["organisms"].values()) == 5
    rows = [row for task in store_tasks(database_url, 2) for row in task.batch.to_pylist()]
    tables = [pq.read_table(out / subdir) for subdir in SUBDIRS]
    assert not differences(rows, 2026, *tables)
    # An account's échéancier of 2026 alone and the campaign's instalments of 2026 are the same.
    alone = build_echeancier(load_scenario(tmp_path / "steady.yaml"))
    parts = [
        (i["due_date"], p["kind"], p["amount_cents"])
        for i in tables[0].to_pylist()
        if i["account"] == "steady" and i["due_date"].year == 2026
        for p in i["parts"]
    ]
    assert parts == [(i.due_date, part.kind, _cents(part.amount)) for i in alone.instalments for part in i.parts]
