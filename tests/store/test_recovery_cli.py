"""`echeancier recovery …` end to end on SQLite and PostgreSQL (issue #7): steps recorded as events of the account,
refusals that write nothing, the worklist equal to a naive replay of every account, the mise en demeure PDF."""

from __future__ import annotations

import json
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from echeancier.cli import app
from echeancier.cli_account import _projector
from echeancier.recovery.service import account_procedure, items_of, payloads_of, worklist
from echeancier.store import EventStore

runner = CliRunner()


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("echeancier.cli_account._today", lambda: date(2026, 12, 1))


def create(db: str, account: str, department: str = "75") -> None:
    code, _, err = run(
        "account", "create", account, "--profession", "artisan", "--activity-start", "2015-01-01",
        "--income", "2024=30000", "--income", "2025=30000", "--department", department, "--db", db,
    )  # fmt: skip
    assert code == 0, err


def reject(db: str, account: str, *months: str) -> None:
    for month in months:
        event = f'{{"date": "2026-{month}-07", "type": "rejected_debit", "due_date": "2026-{month}-05"}}'
        code, _, err = run("account", "record", account, "--db", db, stdin=event)
        assert code == 0, err


def count(db: str, account: str) -> int:
    with EventStore(db, projector=_projector) as store:
        return store.last_sequence(account)


def step(db: str, account: str, kind: str, day: str, *extra: str) -> tuple[int, str, str]:
    return run("recovery", "step", account, kind, "--date", day, "--agent", "agent-7", "--db", db, *extra)


def test_the_procedure_is_recorded_step_by_step_and_refusals_write_nothing(database_url: str, tmp_path: Path) -> None:
    db = database_url
    create(db, "TI-1")
    reject(db, "TI-1", "05", "06", "08")
    code, out, _ = run("recovery", "worklist", "--as-of", "2026-05-20", "--db", db, "--format", "json")
    assert code == 0
    assert [(r["account"], r["step"], r["amount_cents"], r["due_on"]) for r in json.loads(out)] == [
        ("TI-1", "relance", 100392, "2026-05-20")
    ]
    for kind, early, day in (
        ("relance", "2026-05-19", "2026-05-20"),
        ("mise_en_demeure", "2026-06-03", "2026-06-04"),
        ("mise_en_demeure_receipt", None, "2026-06-08"),
        ("contrainte", "2026-07-08", "2026-07-09"),
        ("contrainte_notification", None, "2026-07-15"),
    ):
        if early is not None:
            before = count(db, "TI-1")
            code, _, err = step(db, "TI-1", kind, early)
            assert code == 2 and err.count("\n") == 1 and "possible à partir" in err, err
            assert count(db, "TI-1") == before  # nothing written
        code, out, err = step(db, "TI-1", kind, day)
        assert code == 0, err
        assert "enregistrée" in out
    code, out, _ = step(db, "TI-1", "contrainte_notification", "2026-07-15")
    assert code == 0 and "déjà enregistrée" in out  # idempotent
    before = count(db, "TI-1")
    code, _, err = step(db, "TI-1", "opposition", "2026-07-31")
    assert code == 2 and "hors délai" in err and err.count("\n") == 1 and count(db, "TI-1") == before
    for bad in (("teleportation", "2026-07-20"), ("relance", "2026-02-30"), ("opposition_decision", "2026-07-20")):
        code, _, err = step(db, "TI-1", *bad)
        assert code == 2 and err.count("\n") == 1, err
    code, _, err = step(db, "TI-1", "opposition_decision", "2026-07-20", "--decision", "peut-etre")
    assert code == 2 and "decision" in err
    assert count(db, "TI-1") == before
    code, _, _ = step(db, "TI-1", "opposition", "2026-07-28")
    assert code == 0
    code, out, _ = run("recovery", "show", "TI-1", "--as-of", "2026-08-01", "--db", db)
    assert "opposition formée, jugement attendu" in out and "agent agent-7" in out
    code, out, _ = run("account", "show", "TI-1", "--as-of", "2026-08-01", "--db", db, "--format", "json")
    shown = json.loads(out)["recovery"]
    assert [s["type"] for s in shown["steps"]][-1] == "opposition"
    assert {d["debt"]: d["stage"] for d in shown["debts"]}["provisional:2026:2026-05-05"] == "opposition"
    code, out, _ = run("account", "show", "TI-1", "--as-of", "2026-08-01", "--db", db)
    assert "Recouvrement au 01/08/2026" in out
    # The mise en demeure as a PDF: what R244-1 requires, read back with pdftotext.
    pdf = tmp_path / "med.pdf"
    code, out, err = run("recovery", "document", "TI-1", "--output", str(pdf), "--db", db)
    assert code == 0, err
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    words = " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())
    for expected in (
        "Urssaf Île-de-France", "Mise en demeure", "Envoyée le 04/06/2026", "cotisations provisionnelles 2026",
        "année 2026, échéance du 05/05/2026", "1 003,92 €", "dans le délai d'un mois", "commission de recours amiable",
        "pôle social du tribunal judiciaire", "Majorations de retard", "Pénalités", "Total réclamé", "CSS R244-1",
    ):  # fmt: skip
        assert expected in words, expected


def test_accounts_overseas_name_their_organism_and_saint_pierre_is_refused(database_url: str, tmp_path: Path) -> None:
    db = database_url
    for account, code in (("CORSE", "2A"), ("GUADELOUPE", "971"), ("MAYOTTE", "976")):
        create(db, account, code)
        reject(db, account, "05", "06", "08")
    status, _, err = run(
        "account", "create", "SPM", "--profession", "artisan", "--activity-start", "2015-01-01",
        "--department", "975", "--db", db,
    )  # fmt: skip
    assert status == 2 and "975" in err and err.count("\n") == 1
    code, out, _ = run("recovery", "worklist", "--as-of", "2026-06-01", "--db", db, "--format", "json")
    assert {(r["account"], r["organism"]) for r in json.loads(out)} == {
        ("CORSE", "urssaf_corse"),
        ("GUADELOUPE", "cgss_guadeloupe"),
        ("MAYOTTE", "css_mayotte"),
    }
    code, out, _ = run("recovery", "worklist", "--as-of", "2026-06-01", "--organism", "css_mayotte", "--db", db)
    # Mayotte has its own contributions from income 2025 (ordonnance 96-1122): 673,25 € a month in 2026
    assert "MAYOTTE : relance amiable, 673,25\u00a0€" in out and "CORSE" not in out
    for chosen in ("976", "Caisse de sécurité sociale de Mayotte"):  # a COG code, or the organism's name
        code, by_code, _ = run("recovery", "worklist", "--as-of", "2026-06-01", "--organism", chosen, "--db", db)
        assert code == 0 and by_code == out
    code, out, _ = run("recovery", "worklist", "--as-of", "2026-06-01", "--db", db, "--format", "csv")
    assert out.splitlines()[0].startswith("account,organism,step,amount")
    assert step(db, "MAYOTTE", "relance", "2026-05-20")[0] == 0
    assert step(db, "MAYOTTE", "mise_en_demeure", "2026-06-04")[0] == 0
    pdf = tmp_path / "mayotte.pdf"
    assert run("recovery", "document", "MAYOTTE", "--output", str(pdf), "--db", db)[0] == 0
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    words = " ".join(text.split())
    assert "Caisse de sécurité sociale de Mayotte" in words and "métropol" in words
    code, _, err = run("recovery", "worklist", "--as-of", "26/05/2026", "--db", db)
    assert code == 2 and "--as-of" in err and err.count("\n") == 1


def naive(db: str, as_of: date) -> list[dict[str, object]]:
    """Every account replayed, no projection read: what the events imply on `as_of`."""
    rows: list[dict[str, object]] = []
    with EventStore(db, projector=_projector) as store:
        for account in store.accounts():
            state = account_procedure(account.contributor, payloads_of(store.events(account.account_id)), as_of)
            rows += [item.to_dict() for item in items_of(account.account_id, state.procedure)]
    return rows


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offset=st.integers(0, 330) | st.integers(45, 60))
def test_the_worklist_is_what_the_events_imply_on_that_date(new_database: object, offset: int) -> None:
    db = _accounts(new_database)
    as_of = date(2026, 1, 10) + timedelta(days=offset)
    with EventStore(db, projector=_projector) as store:
        listed = [item.to_dict() for item in worklist(store, as_of)]
    assert listed == naive(db, as_of)


_BUILT: dict[int, tuple[object, str]] = {}


def _accounts(new_database: object) -> str:
    """Four accounts (built once per database factory): one paying, one with three rejections and steps, one in
    Corsica with two, one without direct debit."""
    key = id(new_database)
    if key in _BUILT:
        return _BUILT[key][1]
    db: str = new_database()  # type: ignore[operator]
    import echeancier.cli_account as cli_account

    # The projections cached on 1 March 2026 (or the account's last event): for later dates the worklist keeps only
    # the accounts they leave room for (`may_have_work`), which this test compares with replaying every account.
    fixed = cli_account._today
    cli_account._today = lambda: date(2026, 3, 1)  # type: ignore[assignment]
    try:
        _fill(db)
    finally:
        cli_account._today = fixed  # type: ignore[assignment]
    _BUILT[key] = (new_database, db)  # the factory kept: its id is not reused by another test's
    return db


def _fill(db: str) -> None:
    create(db, "A-PAYS")
    create(db, "B-LATE")
    reject(db, "B-LATE", "05", "06", "08")
    assert step(db, "B-LATE", "relance", "2026-05-20")[0] == 0
    assert step(db, "B-LATE", "mise_en_demeure", "2026-06-04")[0] == 0
    assert step(db, "B-LATE", "mise_en_demeure_receipt", "2026-06-09")[0] == 0
    create(db, "C-CORSE", "2B")
    reject(db, "C-CORSE", "03", "04")
    code, _, err = run(
        "account", "create", "D-NODEBIT", "--profession", "commercant", "--activity-start", "2020-01-01",
        "--income", "2024=20000", "--income", "2025=20000", "--no-direct-debit", "--db", db,
    )  # fmt: skip
    assert code == 0, err


def test_account_record_takes_recovery_steps_with_the_same_checks(database_url: str) -> None:
    db = database_url
    create(db, "TI-9")
    reject(db, "TI-9", "05", "06")
    early = '{"date": "2026-05-19", "type": "relance", "agent": "agent-2"}'
    code, _, err = run("account", "record", "TI-9", "--db", db, stdin=early)
    assert code == 2 and err.count("\n") == 1 and "20/05/2026" in err
    assert count(db, "TI-9") == 2
    for bad, field in (
        ('{"date": "2026-05-20", "type": "relance", "agent": ""}', "agent"),
        ('{"date": "2026-05-20", "type": "relance", "agent": "a", "means": "pigeon"}', "means"),
        ('{"date": "2026-05-20", "type": "relance"}', "agent"),
    ):
        code, _, err = run("account", "record", "TI-9", "--db", db, stdin=bad)
        assert code == 2 and err.count("\n") == 1 and field in err, err
    good = "{date: 2026-05-20, type: relance, agent: agent-2, means: courriel}"
    assert run("account", "record", "TI-9", "--db", db, stdin=good)[0] == 0
    code, out, _ = run("account", "record", "TI-9", "--db", db, stdin=good)
    assert code == 0 and count(db, "TI-9") == 3
    code, out, _ = run("recovery", "show", "TI-9", "--as-of", "2026-05-21", "--db", db, "--format", "json")
    shown = json.loads(out)
    assert [(s["type"], s["agent"]) for s in shown["steps"]] == [("relance", "agent-2")]


def test_dates_outside_the_law_are_refused_in_one_line(database_url: str) -> None:
    create(database_url, "TI-8")
    for args in (
        ("recovery", "step", "TI-8", "relance", "--agent", "a", "--date", "1900-01-01"),
        ("recovery", "worklist", "--as-of", "9999-12-31"),
        ("recovery", "show", "TI-8", "--as-of", "2014-01-01"),
    ):
        code, _, err = run(*args, "--db", database_url)
        assert code == 2 and err.count("\n") == 1 and "paramètres de la loi" in err, err
    assert count(database_url, "TI-8") == 0


def test_a_coordinated_plan_and_an_abandonment_recorded_from_the_command_line(database_url: str) -> None:
    db = database_url
    code, _, err = run(
        "account", "create", "Q-1", "--profession", "commercant", "--activity-start", "2015-01-01",
        "--income", "2024=30000", "--income", "2025=30000", "--department", "2A", "--no-direct-debit", "--db", db,
    )  # fmt: skip
    assert code == 0, err
    for month in ("02", "05", "08"):
        assert (
            run("account", "record", "Q-1", "--db", db, stdin=f"{{date: 2026-{month}-05, type: missed_payment}}")[0]
            == 0
        )
    code, out, _ = run("recovery", "show", "Q-1", "--as-of", "2026-08-05", "--format", "json", "--db", db)
    shown = json.loads(out)
    assert shown["coordinated"] and shown["creditors"] == ["urssaf_corse"]
    debt = shown["outstanding_cents"]
    euros = f"{debt // 100}.{debt % 100:02d}"
    before = count(db, "Q-1")
    code, _, err = step(db, "Q-1", "recovery_abandoned", "2026-08-05")
    assert code == 2 and "D133-1" in err and count(db, "Q-1") == before
    code, out, err = step(
        db, "Q-1", "coordinated_plan", "2026-08-05", "--share", f"urssaf_corse={euros}",
        "--instalment", f"2026-09-05={euros}",
    )  # fmt: skip
    assert code == 0, err
    code, out, _ = run("recovery", "worklist", "--as-of", "2026-09-01", "--db", db, "--format", "json")
    assert [r for r in json.loads(out) if r["account"] == "Q-1"] == []  # the plan suspends the procedure
