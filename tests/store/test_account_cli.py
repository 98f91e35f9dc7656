"""`echeancier account …` and `echeancier payments import` end to end, on SQLite and on PostgreSQL (issue #6): the
real ledger as the store's projector, idempotent writes, refusals that write nothing, bank files with a suspense
list."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from echeancier.cli import app
from echeancier.cli_account import _projector
from echeancier.store import EventStore

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
runner = CliRunner()


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("echeancier.cli_account._today", lambda: date(2026, 12, 1))


def create(db: str, account: str = "TI-1", *extra: str) -> None:
    code, out, err = run(
        "account", "create", account, "--profession", "artisan", "--activity-start", "2015-01-01",
        "--income", "2024=30000", "--reference", f"REF-{account}", "--db", db, *extra,
    )  # fmt: skip
    assert code == 0, err
    assert "créé" in out


def events_of(db: str, account: str = "TI-1") -> int:
    with EventStore(db, projector=_projector) as store:
        return store.last_sequence(account)


def test_create_is_idempotent_and_refuses_bad_fields(database_url: str) -> None:
    create(database_url)
    create(database_url)  # the same command again changes nothing
    code, _, err = run(
        "account", "create", "TI-2", "--profession", "artisan", "--activity-start", "2015-01-01",
        "--department", "975", "--db", database_url,
    )  # fmt: skip
    assert code == 2 and err.count("\n") == 1 and "975" in err
    code, out, _ = run("account", "list", "--db", database_url, "--format", "json")
    assert code == 0 and [row["account"] for row in json.loads(out)] == ["TI-1"]


def test_record_show_and_refusals_write_nothing(database_url: str) -> None:
    create(database_url)
    declaration = '{"date": "2026-05-20", "type": "declaration", "year": 2025, "income": 35000}'
    assert run("account", "record", "TI-1", "--db", database_url, stdin=declaration)[0] == 0
    rejected = "{date: 2026-06-07, type: rejected_debit, due_date: 2026-06-05, reason: AM04}"  # YAML too
    assert run("account", "record", "TI-1", "--db", database_url, stdin=rejected)[0] == 0
    code, out, _ = run("account", "record", "TI-1", "--db", database_url, stdin=rejected)
    assert code == 0 and "déjà présent" in out  # idempotent
    assert events_of(database_url) == 2
    for bad, field in (
        ('{"date": "2026-06-08", "type": "payment", "amount": -5}', "event.amount"),
        ('{"date": "2026-06-08", "type": "payment", "amount": 0}', "event.amount"),
        ('{"date": "2014-06-08", "type": "payment", "amount": 5}', "event"),  # before the activity starts
        ('{"date": "2026-06-08", "type": "declaration", "year": 2026}', "event"),  # a year not yet over
        ('{"date": "2026-06-08", "type": "teleportation"}', "event"),
        ("{date: 2026-06-08, type: payment, amount: " + "9" * 5000 + "}", ""),
        ("[" * 200_000, ""),
    ):
        code, _, err = run("account", "record", "TI-1", "--db", database_url, stdin=bad)
        assert code == 2, (bad[:60], err)
        assert err.count("\n") == 1 and field in err
        assert events_of(database_url) == 2  # a refusal writes nothing
    code, _, err = run("account", "record", "NOBODY", "--db", database_url, stdin=declaration)
    assert code == 2 and "NOBODY" in err
    code, out, _ = run("account", "show", "TI-1", "--db", database_url, "--format", "json")
    assert code == 0
    document = json.loads(out)
    # The account's id and its statement (allocations, majorations…) are two keys: neither hides the other.
    assert document["account_id"] == "TI-1"
    assert {"allocations", "majorations"} <= set(document["account"])
    assert document["account"]["allocations"]  # the payments set against the instalments
    june = next(i for i in document["instalments"] if i["due_date"] == "2026-06-05")
    assert june["missed"]
    debit = next(p for p in document["ledger"] if p["kind"] == "debit" and p["date"] == "2026-06-05")
    assert debit["settled_on"] == "2026-07-05"  # carried to July's debit (R613-2 III)
    code, out, _ = run("account", "show", "TI-1", "--db", database_url)
    assert code == 0 and "Relevé de compte" in out and "prélèvement" in out
    assert run("account", "show", "TI-1", "--db", database_url, "--format", "csv")[1].startswith("id,date,kind")
    assert "BEGIN:VCALENDAR" in run("account", "show", "TI-1", "--db", database_url, "--format", "ics")[1]


def test_a_taxation_d_office_then_a_late_declaration_on_the_account(database_url: str) -> None:
    # As docs/examples/25, on an account: the taxation d'office notified on 6 July 2026, the declaration filed on
    # 8 September and recorded on 10 September; the relevé shows both in French, with the penalty's reason.
    create(database_url, "TO-1", "--income", "2023=30000")
    taxation = '{"date": "2026-07-06", "type": "taxation_office", "year": 2025}'
    assert run("account", "record", "TO-1", "--db", database_url, stdin=taxation)[0] == 0
    future = '{"date": "2026-09-10", "type": "declaration", "year": 2025, "received_on": "2026-09-18"}'
    code, _, err = run("account", "record", "TO-1", "--db", database_url, stdin=future)
    assert code == 2 and err.count("\n") == 1 and "received_on" in err
    negative = '{"date": "2026-07-07", "type": "taxation_office", "year": 2024, "base": -1}'
    code, _, err = run("account", "record", "TO-1", "--db", database_url, stdin=negative)
    assert code == 2 and err.count("\n") == 1 and "base" in err
    assert events_of(database_url, "TO-1") == 1  # the refusals wrote nothing
    declaration = (
        '{"date": "2026-09-10", "type": "declaration", "year": 2025, "income": 42000, "received_on": "2026-09-08"}'
    )
    assert run("account", "record", "TO-1", "--db", database_url, stdin=declaration)[0] == 0
    code, out, _ = run("account", "show", "TO-1", "--as-of", "2026-12-31", "--db", database_url)
    text = out.replace("\u202f", " ").replace("\xa0", " ")
    assert code == 0
    assert "Taxations d'office (CSS R613-1-2)" in text and "remplacée par la déclaration du 10/09/2026" in text
    assert "après la date limite du 04/06/2026 : 5,00 %" in text
    assert "appelé" in text and "pénalité de déclaration tardive 2025" in text and "(CSS R613-1-1 III)" in text
    code, out, _ = run("account", "show", "TO-1", "--as-of", "2026-12-31", "--db", database_url, "--format", "json")
    document = json.loads(out)
    # R613-1-2 I: max((30 000 + 30 000) / 2, 50 % × 47 100) × 1.25 = 37 500 €.
    assert document["taxations"][0]["base"] == 37500.0 and document["penalties"][0]["filed_on"] == "2026-09-08"


def test_list_late_accounts_as_of_a_date(database_url: str) -> None:
    create(database_url, "TI-1")
    create(database_url, "TI-2")
    missed = '{"date": "2026-10-05", "type": "missed_payment"}'
    assert run("account", "record", "TI-2", "--db", database_url, stdin=missed)[0] == 0
    code, out, _ = run("account", "list", "--late", "--as-of", "2026-10-20", "--db", database_url, "--format", "json")
    rows = json.loads(out)
    assert code == 0 and [r["account"] for r in rows] == ["TI-2"]
    assert rows[0]["late_since"] == "2026-10-05" and rows[0]["late_amount"] > 0
    # After November's debit took the carried sum, nothing is late any more.
    code, out, _ = run("account", "list", "--late", "--db", database_url, "--format", "json")
    assert code == 0 and json.loads(out) == []
    assert "solde" in run("account", "list", "--db", database_url)[1]


def test_import_a_scenario(database_url: str) -> None:
    scenario = EXAMPLES / "19-droit-erreur-refuse.yaml"
    code, out, err = run("account", "import", "Q-1", str(scenario), "--db", database_url)
    assert code == 0, err
    assert run("account", "import", "Q-1", str(scenario), "--db", database_url)[0] == 0  # again: nothing changes
    assert events_of(database_url, "Q-1") == 2
    code, out, _ = run("account", "show", "Q-1", "--db", database_url, "--format", "json", "--as-of", "2026-12-31")
    assert sum(m["amount"] for m in json.loads(out)["majorations"]) == 162


def test_payments_import_matches_references_keeps_the_rest_in_suspense(database_url: str, tmp_path: Path) -> None:
    create(database_url)
    missed = '{"date": "2026-06-05", "type": "missed_payment"}'
    assert run("account", "record", "TI-1", "--db", database_url, stdin=missed)[0] == 0
    bank = tmp_path / "releve.csv"
    bank.write_text(
        "date;montant;référence;id\n10/06/2026;1 003,92;REF-TI-1;TX-1\n11/06/2026;50,00;INCONNU;TX-2\n",
        encoding="utf-8",
    )
    code, out, err = run("payments", "import", str(bank), "--db", database_url)
    assert code == 0, err
    assert "1 ligne(s) enregistrée(s)" in out and "1 en attente" in out
    code, out, _ = run("payments", "import", str(bank), "--db", database_url)
    assert "0 ligne(s) enregistrée(s), 2 déjà présente(s), 0 en attente" in out  # the same file twice: nothing
    with EventStore(database_url, projector=_projector) as store:
        assert [line.reference for line in store.suspense_lines()] == ["INCONNU"]
        assert store.last_sequence("TI-1") == 2
    code, out, _ = run("account", "show", "TI-1", "--db", database_url, "--format", "json", "--as-of", "2026-06-30")
    june = next(p for p in json.loads(out)["ledger"] if p["kind"] == "debit" and p["date"] == "2026-06-05")
    assert june["settled_on"] == "2026-06-10"
    bad = tmp_path / "bad.csv"
    bad.write_text("date;montant;référence\n10/06/2026;40.000;REF-TI-1\n", encoding="utf-8")
    code, _, err = run("payments", "import", str(bad), "--db", database_url)
    assert code == 2 and err.count("\n") == 1


def test_a_correction_replaces_the_event_it_cites(database_url: str) -> None:
    create(database_url)
    wrong = '{"date": "2026-06-08", "type": "payment", "amount": 5000}'
    assert run("account", "record", "TI-1", "--db", database_url, stdin=wrong)[0] == 0
    right = '{"date": "2026-06-08", "type": "payment", "amount": 500}'
    code, _, err = run("account", "record", "TI-1", "--corrects", "1", "--db", database_url, stdin=right)
    assert code == 0, err
    assert events_of(database_url) == 2  # nothing is updated: the correction is a new event citing the first
    code, out, _ = run("account", "show", "TI-1", "--db", database_url, "--format", "json", "--as-of", "2026-06-30")
    transfers = [p for p in json.loads(out)["ledger"] if p["origin"] == "transfer"]
    assert [p["amount"] for p in transfers] == [500.0]
    code, _, err = run("account", "record", "TI-1", "--corrects", "9", "--db", database_url, stdin=right)
    assert code == 2 and err.count("\n") == 1


@pytest.mark.parametrize(
    "db", ["postgresql+psycopg://nobody@127.0.0.1:1/none", "nonsense://", "sqlite:////no/such/dir/x.db"]
)
def test_a_database_that_cannot_be_reached_is_one_line_not_a_traceback(db: str) -> None:
    code, _, err = run(
        "account", "create", "X", "--profession", "artisan", "--activity-start", "2015-01-01", "--db", db
    )
    assert code == 2 and err.count("\n") == 1 and err.startswith("erreur: ")


def test_a_bad_activity_start_is_refused_before_anything_is_written(database_url: str) -> None:
    code, _, err = run(
        "account", "create", "X", "--profession", "artisan", "--activity-start", "2015-13-01", "--db", database_url
    )
    assert code == 2 and "--activity-start" in err
    assert run("account", "list", "--db", database_url)[1] == "Aucun compte.\n"


def test_show_the_releve_as_pdf(database_url: str, tmp_path: Path) -> None:
    import subprocess

    create(database_url, "TI-1", "--name", "Jeanne Dupont", "--siren", "732 829 320")
    missed = '{"date": "2026-06-05", "type": "missed_payment"}'
    assert run("account", "record", "TI-1", "--db", database_url, stdin=missed)[0] == 0
    out = tmp_path / "releve.pdf"
    code, _, err = run(
        "account", "show", "TI-1", "--db", database_url, "--format", "pdf", "--output", str(out),
        "--as-of", "2026-06-20",
    )  # fmt: skip
    assert code == 0, err
    text = subprocess.run(["pdftotext", "-raw", str(out), "-"], check=True, capture_output=True, text=True).stdout
    words = " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())
    for expected in (
        "Relevé de compte",
        "Urssaf Île-de-France",
        "Document établi le 01/12/2026",
        "Situation au 20/06/2026",
        "Compte : TI-1",
        "Cotisant : Jeanne Dupont",
        "SIREN : 732 829 320",
        "non réglé",  # the instalment of 5 June, unpaid on 20 June (presented again on 5 July)
        "CSS R613-2 II (cotisations provisionnelles)",
        "Solde",
    ):
        assert expected in words, expected
    # a monthly payer's first incident bears no majoration (R613-2 III): none is listed
    assert "Majorations de retard (CSS R243-16)" not in words

    code, _, err = run("account", "show", "TI-1", "--db", database_url, "--output", str(out))
    assert code == 2 and "--output: s'utilise avec --format pdf" in err
    code, _, err = run("account", "create", "TI-2", "--profession", "artisan", "--activity-start", "2015-01-01",
                       "--siren", "732 829 321", "--db", database_url)  # fmt: skip
    assert code == 2 and err.count("\n") == 1 and "siren" in err
