"""`echeancier campaign` equals the scalar replay `build_echeancier` account by account, whatever the account's
situation; a bad row is reported with its number and the rest computed; a run killed midway resumes where it
stopped; Dask workers compute the same partitions."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from echeancier.law import Law
from echeancier.schedule.campaign import _Parts, compute_partition, echeancier_of_row
from echeancier.schedule.campaign_run import SUBDIRS, file_tasks, run_campaign
from echeancier.schedule.echeancier import KINDS
from echeancier.schedule.scenario import ScenarioError
from tests.test_one_text import RAISED, RATE_2025, law_with
from tests.test_schedule_vectorized import random_row

PROFESSIONS = ("artisan", "commercant", "liberal")
DEPARTMENTS = ("75", "974", "57", "2A", "971", "976", "13", "69")
SITUATIONS = (
    "steady",
    "first_year",
    "second_year",
    "late_start",
    "acre",
    "rsa",
    "cessation",
    "report_etalement",
    "missed",
    "two_missed",
    "modulation",
    "payment_day",
    "quarterly",
    "no_declaration",
)
ARRAY_SITUATIONS = (
    "steady",
    "first_year",
    "second_year",
    "acre",
    "rsa",
    "cessation",
)  # `campaign_many`'s (docs/campaign.md)


# --------------------------------------------------------------------------------------------------------------
# A generator of random accounts of every kind


def _income(rng: random.Random) -> str:
    """An income as the files give it: a decimal text (a column of Parquet strings, or of a CSV)."""
    kind = rng.random()
    if kind < 0.05:
        return "0"
    if kind < 0.1:
        return str(-rng.randint(1, 20_000))  # a deficit
    if kind < 0.4:
        return f"{rng.randint(0, 200_000_00) / 100:.2f}"  # with cents
    return str(rng.randint(0, 150_000))


def _due_in(row: dict[str, Any], year: int, rng: random.Random, after: date) -> date | None:
    """A due date of N of the account's replay without the event (where an incident can happen)."""
    base = echeancier_of_row(row, year)
    dates = [i.due_date for i in base.instalments if i.due_date.year == year and i.due_date >= after]
    return rng.choice(dates) if dates else None


def random_account(rng: random.Random, year: int, number: int, situation: str) -> dict[str, Any]:
    declared = date(year, 1, 1) + timedelta(days=rng.randint(0, 364))
    row: dict[str, Any] = {
        "id": f"{situation}-{number}",
        "profession": rng.choice(PROFESSIONS),
        "activity_start": date(1990, 1, 1)
        + timedelta(days=rng.randint(0, (date(year - 3, 12, 31) - date(1990, 1, 1)).days)),
        "frequency": "monthly" if rng.random() < 0.8 else "quarterly",
        "day": rng.choice((5, 20)),
        "direct_debit": rng.random() < 0.9,
        "department": rng.choice(DEPARTMENTS),
        # CSS L756-4 overseas: the default, on, off (the row's number: the seeds keep their rows)
        "abattement_outre_mer": (None, True, False)[number % 3],
        "acre": False,
        "rsa": False,
        "income_n2": _income(rng),
        "income_n1": _income(rng),
        "declaration_date": declared,
        "events": None,
        "scenario": None,
    }
    events: list[dict[str, Any]] = []
    if situation == "first_year":  # N-1 was the first year: flat-rate base, 90-day rule, spill-over
        row["activity_start"] = date(year - 1, 1, 1) + timedelta(days=rng.randint(0, 364))
        row["income_n2"] = None
    elif situation == "second_year":  # N-2 the first year
        row["activity_start"] = date(year - 2, 1, 1) + timedelta(days=rng.randint(0, 364))
    elif situation == "late_start":  # the activity starts in N: no declaration of N-1
        row["activity_start"] = date(year, 1, 1) + timedelta(days=rng.randint(0, 340))
        row["income_n2"] = row["income_n1"] = row["declaration_date"] = None
    elif situation == "acre":
        row["activity_start"] = date(year - 1, 1, 1) + timedelta(days=rng.randint(0, 364))
        row["income_n2"] = None
        row["acre"] = True
    elif situation == "rsa":
        row["rsa"] = True
    elif situation == "cessation":
        events.append(
            {"date": (date(year, 1, 15) + timedelta(days=rng.randint(0, 320))).isoformat(), "type": "cessation"}
        )
    elif situation == "report_etalement":
        start = date(year - 1, 1, 1) + timedelta(days=rng.randint(0, 300))
        row["activity_start"], row["income_n2"] = start, None
        events.append({"date": (start + timedelta(days=rng.randint(0, 20))).isoformat(), "type": "report_request"})
        if rng.random() < 0.7:
            asked = min(date(year, 1, 10), row["declaration_date"])  # at the latest with the declaration (R131-9 II)
            events.append({"date": asked.isoformat(), "type": "etalement_request", "years": rng.randint(1, 4)})
    elif situation in ("missed", "two_missed"):
        due = _due_in(row, year, rng, date(year, 1, 1))
        if due is not None:
            events.append({"date": due.isoformat(), "type": "missed_payment"})
            if situation == "two_missed":
                later = _due_in(row, year, rng, due + timedelta(days=1))
                if later is not None:
                    events.append(
                        {
                            "date": later.isoformat(),
                            "type": "rejected_debit",
                            "due_date": later.isoformat(),
                            "reason": "AM04",
                        }
                    )
    elif situation == "modulation":
        on = date(year, 1, 1) + timedelta(days=rng.randint(0, 300))
        events.append({"date": on.isoformat(), "type": "modulation", "estimated_income": rng.randint(0, 90_000)})
    elif situation == "payment_day":
        on = date(year, 1, 1) + timedelta(days=rng.randint(0, 300))
        row["frequency"], row["direct_debit"] = "monthly", True
        events.append({"date": on.isoformat(), "type": "payment_day_change", "day": 25 - row["day"]})
    elif situation == "quarterly":
        on = date(year, 1, 1) + timedelta(days=rng.randint(0, 200))
        row["frequency"], row["direct_debit"] = "monthly", True
        events.append(
            {"date": on.isoformat(), "type": "quarterly_option", "start": rng.choice(("in_year", "next_year"))}
        )
    elif situation == "no_declaration":
        row["declaration_date"] = None
    if events:
        row["events"] = json.dumps(events)
    return row


def random_accounts(seed: int, year: int, count: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    rows = []
    for number in range(count):
        situation = "steady" if number % 3 == 0 else SITUATIONS[number % len(SITUATIONS)]
        rows.append(random_account(rng, year, number, situation))
    return rows


# --------------------------------------------------------------------------------------------------------------
# Comparing with the replay


def _by_account(table: pa.Table) -> dict[str, list[tuple[Any, ...]]]:
    found: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    names = [n for n in table.column_names if n != "account"]
    for record in table.to_pylist():
        found[record["account"]].append(tuple(record[n] for n in names))
    return found


def _cents(amount: Decimal) -> int:
    return int(amount.scaleb(2))


def differences(
    rows: list[dict[str, Any]],
    year: int,
    instalments: pa.Table,
    refunds: pa.Table,
    accounts: pa.Table,
    law: Law | None = None,
) -> list[str]:
    """Every account of the campaign against `build_echeancier` of its scenario (with `law`): each instalment (due
    date, debit date, missed) and each of its parts (kind, year, cents), each refund, the notes, the
    organism; a row the replay refuses is an error row."""
    got_parts, got_refunds = _by_account(instalments), _by_account(refunds)
    got_accounts = {a["account"]: a for a in accounts.to_pylist()}
    found = []
    for row in rows:
        account = got_accounts[row["id"]]
        try:
            expected = echeancier_of_row(row, year, law)
        except (ScenarioError, ValueError) as error:
            if account["error"] is None or str(error) not in account["error"]:
                found.append(f"{row['id']}: the replay refuses it ({error}), the campaign gives {account}")
            continue
        parts_expected = [
            (
                i.due_date,
                i.debit_date,
                i.missed,
                [{"kind": p.kind, "year": p.year, "amount_cents": _cents(p.amount)} for p in i.parts],
            )
            for i in expected.instalments
        ]
        refunds_expected = [
            (r.date, r.kind, r.year, _cents(r.amount), _cents(r.imputed), _cents(r.on_instalments))
            for r in expected.refunds
        ]
        assert expected.organism is not None
        got = (got_parts.get(row["id"], []), got_refunds.get(row["id"], []), account["notes"], account["organism"])
        want = (parts_expected, refunds_expected, ";".join(expected.notes), expected.organism.key)
        if got != want or account["error"] is not None:
            found.append(f"{row['id']} ({account['path']}): {row}\n  campaign: {got}\n  replay:   {want}")
    return found


@pytest.mark.parametrize("year", [2025, 2026])
def test_random_accounts_of_every_kind_equal_the_replay(year: int) -> None:
    rows = random_accounts(year, year, 700)
    partition = compute_partition(pa.Table.from_pylist(rows), year)
    found = differences(rows, year, partition.instalments, partition.refunds, partition.accounts)
    assert not found, "\n".join(found[:3])
    paths = Counter(partition.accounts.column("path").to_pylist())
    assert paths["array"] >= 300 and paths["planner"] >= 250  # both evaluations, ≥ 25 % not in the steady state
    by_situation = {
        (row["id"].rsplit("-", 1)[0], path)
        for row, path in zip(rows, partition.accounts.column("path").to_pylist(), strict=True)
    }
    for situation in ARRAY_SITUATIONS:  # the situations the arrays take: none of their rows replayed
        assert (situation, "array") in by_situation and (situation, "planner") not in by_situation, situation
    kinds = {p["kind"] for parts in partition.instalments.column("parts").to_pylist() for p in parts}
    assert {"provisional", "ajustement", "regularisation", "cfp", "majoration", "etalement", "report"} <= kinds
    assert any(partition.instalments.column("missed").to_pylist())
    notes = ";".join(partition.accounts.column("notes").to_pylist())
    assert (
        "cessation:" in notes
        and "exonerations_outre_mer_non_appliquees:974" in notes
        and "trimestriel_sans_prelevement" in notes
    )


@pytest.mark.parametrize("year", [2025, 2026])
@pytest.mark.parametrize("situation", ARRAY_SITUATIONS)
def test_each_situation_the_arrays_take_equals_the_replay(year: int, situation: str) -> None:
    """Many random accounts of each situation the array path takes (first and second years with and without ACRE,
    RSA), as Parquet would give them (incomes as text): all through `campaign_many`, each equal to the replay."""
    rng = random.Random(f"{situation}-{year}")
    rows = [random_account(rng, year, number, situation) for number in range(300)]
    for row in rows[::3]:
        row["acre"] = True  # ACRE in every situation (it applies only in the first two years)
    for row in rows[1::4]:
        row["rsa"] = True
    partition = compute_partition(pa.Table.from_pylist(rows), year)
    assert set(partition.accounts.column("path").to_pylist()) == {"array"}
    found = differences(rows, year, partition.instalments, partition.refunds, partition.accounts)
    assert not found, "\n".join(found[:3])


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_the_vectorised_cases_through_the_campaign(year: int) -> None:
    """The rows of tests/test_schedule_vectorized.py (steady state, first years, ACRE, RSA), as a campaign's input,
    equal the replay."""
    rng = random.Random(year)
    rows = []
    for i in range(400):
        row = {"id": f"v{i}", **random_row(rng, year)}
        ceased = row.pop("cessation")
        # The campaign's input names a cessation among the events (every row has the column).
        row["events"] = None if ceased is None else json.dumps([{"date": ceased.isoformat(), "type": "cessation"}])
        rows.append(row)
    partition = compute_partition(pa.Table.from_pylist(rows), year)
    assert set(partition.accounts.column("path").to_pylist()) == {"array"}
    found = differences(rows, year, partition.instalments, partition.refunds, partition.accounts)
    assert not found, "\n".join(found[:3])


def test_an_overridden_rate_changes_the_array_and_the_replay_rows_the_same_way(tmp_path: Path) -> None:
    """DESIGN §2.5: an organism's overridden parameters reach both paths. With the retraite de base rate of 2025-2026
    raised, the campaign of 2026 (array and replayed accounts) equals the replay under that law, and every account
    calls more than under the packaged law."""
    law = law_with(tmp_path, "retraite_base", RATE_2025, RAISED)
    rows = random_accounts(5, 2026, 160)
    packaged = compute_partition(pa.Table.from_pylist(rows), 2026)
    raised = compute_partition(pa.Table.from_pylist(rows), 2026, law=law)
    found = differences(rows, 2026, raised.instalments, raised.refunds, raised.accounts, law)
    assert not found, "\n".join(found[:3])
    paths = Counter(raised.accounts.column("path").to_pylist())
    assert paths["array"] >= 40 and paths["planner"] >= 30  # the first years, ACRE, RSA, cessation on the arrays
    before = {a["account"]: a for a in packaged.accounts.to_pylist()}
    changed = Counter(
        a["path"]
        for a in raised.accounts.to_pylist()
        if a["path"] != "error" and a["called_cents"] != before[a["account"]]["called_cents"]
    )
    assert changed["array"] >= 40 and changed["planner"] >= 30, changed


def test_parts_in_any_order_make_the_same_instalments() -> None:
    """The array path's parts become one row per (account, due date), parts in the order of KINDS, whatever the order
    they come in (parts off the monthly slots, with dates of their own, are appended after the slots')."""
    rng = np.random.default_rng(9)
    count = 400
    row = np.sort(rng.integers(0, 30, count))
    due = np.datetime64("2026-01-05") + rng.integers(0, 3, count) * np.timedelta64(30, "D")
    kind = rng.integers(0, len(KINDS), count).astype(np.int8)
    keys = np.unique(np.stack([row, due.view(np.int64), kind]), axis=1)  # distinct (row, due, kind), sorted
    row, due, kind = keys[0], keys[1].view("datetime64[D]"), keys[2].astype(np.int8)
    year = (2025 + kind.astype(np.int16) % 3).astype(np.int16)
    amount = rng.integers(1, 10_000, len(row)).astype(np.int64)
    ids = pa.array([f"A{i}" for i in range(30)])
    ordered = _Parts(row, due, due + np.timedelta64(1, "D"), kind, year, amount).instalments(ids, ordered=True)
    shuffle = rng.permutation(len(row))
    columns = (row[shuffle], due[shuffle], (due + np.timedelta64(1, "D"))[shuffle], kind[shuffle], year[shuffle])
    mixed = _Parts(*columns, amount[shuffle]).instalments(ids)
    assert mixed.equals(ordered)
    assert len(ordered) == len({(r, d) for r, d in zip(row.tolist(), due.tolist(), strict=True)})
    for instalment in ordered.to_pylist():
        ranks = [KINDS.index(p["kind"]) for p in instalment["parts"]]
        assert ranks == sorted(ranks)


# --------------------------------------------------------------------------------------------------------------
# Files, bad rows, restart, Dask


def _write(rows: list[dict[str, Any]], path: Path, per_file: int | None = None) -> None:
    path.mkdir(parents=True, exist_ok=True)
    per_file = per_file or len(rows)
    for start in range(0, len(rows), per_file):
        pq.write_table(pa.Table.from_pylist(rows[start : start + per_file]), path / f"part-{start // per_file}.parquet")


def _read(out: Path, subdir: str) -> pa.Table:
    table = pq.read_table(out / subdir)
    keys = [f.name for f in table.schema if f.name != "missed" and not pa.types.is_list(f.type)]
    return table.sort_by([(name, "ascending") for name in keys])


def _cli(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "echeancier.cli", "campaign", *args],
        capture_output=True,
        text=True,
        check=False,
        **kwargs,
    )


def test_a_bad_row_is_reported_with_its_number_and_the_rest_computed(tmp_path: Path) -> None:
    rows = random_accounts(1, 2026, 6)
    lines = ["id,profession,activity_start,frequency,day,direct_debit,department,income_n2,income_n1,declaration_date"]
    for row in rows[:3]:
        lines.append(f'{row["id"]},artisan,2010-01-01,monthly,5,true,75,40 000,"35000,50",2026-05-20')
    lines.insert(2, "bad,artisan,2010-01-01,weekly,5,true,75,40000,35000,2026-05-20")  # line 3 of the file
    (tmp_path / "in.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = _cli("--year", "2026", "-i", str(tmp_path / "in.csv"), "-o", str(tmp_path / "out"))
    assert result.returncode == 2
    [message] = result.stderr.strip().splitlines()
    assert message.startswith("erreur: ") and "ligne 3 : contributor.payment.frequency" in message
    accounts = pq.read_table(tmp_path / "out" / "accounts").to_pylist()
    assert sorted(a["path"] for a in accounts) == ["array", "array", "array", "error"]
    assert "Campagne 2026 : 4 comptes (3 en régime établi, 0 rejoués, 1 en erreur)" in result.stdout


def test_bad_input_files_are_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "bad.parquet").write_text("pas du parquet", encoding="utf-8")
    for args, words in (
        (["-i", str(tmp_path / "bad.parquet")], "fichier Parquet illisible"),
        (["-i", str(tmp_path / "missing")], "introuvable"),
        (["-i", str(tmp_path / "bad.parquet"), "--year", "2031"], "une campagne demande les paramètres"),
        (["-i", str(tmp_path / "bad.parquet"), "--dask", "nowhere"], "--dask"),
    ):
        year = [] if "--year" in args else ["--year", "2026"]
        result = _cli(*year, *args, "-o", str(tmp_path / "out"))
        assert result.returncode == 2, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and words in result.stderr, result.stderr


def test_a_killed_run_resumes_where_it_stopped(tmp_path: Path) -> None:
    rows = random_accounts(7, 2026, 1_200)
    _write(rows, tmp_path / "in", per_file=600)
    reference = tmp_path / "reference"
    expected = run_campaign(file_tasks(tmp_path / "in", 100), 2026, reference)
    out = tmp_path / "out"
    args = ["--year", "2026", "-i", str(tmp_path / "in"), "-o", str(out), "--chunk-size", "100"]
    process = subprocess.Popen(
        [sys.executable, "-m", "echeancier.cli", "campaign", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and len(list((out / "summaries").glob("*.json"))) < 2 and process.poll() is None:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    done = len(list((out / "summaries").glob("*.json")))
    assert 2 <= done < 12, "the run was to be killed midway"
    result = _cli(*args, "--json")
    assert result.returncode == (2 if expected.errors else 0), result.stderr
    assert result.stderr.splitlines() == [f"erreur: {message}" for message in expected.errors]
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    report = run_campaign(file_tasks(tmp_path / "in", 100), 2026, out)  # a third run: everything is done
    assert (report.computed, report.skipped) == (0, 12)
    for subdir in SUBDIRS:
        assert _read(out, subdir).equals(_read(reference, subdir)), subdir
    assert json.loads(result.stdout)["accounts"] == 1_200 == report.summary["accounts"]


def test_dask_workers_compute_the_same_partitions(tmp_path: Path) -> None:
    rows = random_accounts(11, 2026, 300)
    _write(rows, tmp_path / "in")
    run_campaign(file_tasks(tmp_path / "in", 100), 2026, tmp_path / "local")
    report = run_campaign(file_tasks(tmp_path / "in", 100), 2026, tmp_path / "dask", dask="local:2")
    assert report.computed == 3
    for subdir in SUBDIRS:
        assert _read(tmp_path / "dask", subdir).equals(_read(tmp_path / "local", subdir)), subdir
    assert report.summary == json.loads((tmp_path / "local" / "summary.json").read_text(encoding="utf-8"))


def test_worker_processes_compute_the_same_partitions(tmp_path: Path) -> None:
    rows = random_accounts(12, 2025, 200)
    _write(rows, tmp_path / "in")
    run_campaign(file_tasks(tmp_path / "in", 50), 2025, tmp_path / "one")
    run_campaign(file_tasks(tmp_path / "in", 50), 2025, tmp_path / "two", workers=2)
    for subdir in SUBDIRS:
        assert _read(tmp_path / "two", subdir).equals(_read(tmp_path / "one", subdir)), subdir


def test_the_populations_of_issue_10_are_replayed_with_their_own_rules() -> None:
    """Columns `conjoint_collaborateur`, `section`, `pension_invalidite_mois`, `exoneration_age` (as a CSV gives
    them, text): a row giving one is replayed with the contributor's field of that name (its conjoint's lines, its
    section's collection, its exemptions), equal to `build_echeancier` of its scenario; "0", "false" or empty is
    none, and such a row stays on the arrays; a value the contributor refuses is that row's error."""
    rng = random.Random(1010)
    rows = [random_account(rng, 2026, number, "steady") for number in range(40)]
    cases: list[dict[str, Any]] = [
        {"conjoint_collaborateur": "tiers_avec_partage"},
        {"conjoint_collaborateur": "forfaitaire"},
        {"profession": "liberal_reglementee", "section": "cipav"},
        {"profession": "liberal_reglementee", "section": "cavec"},
        {"pension_invalidite_mois": "7", "acre": "false"},
        {"profession": "artisan", "exoneration_age": "true", "activity_start": "2010-01-01"},
        {"pension_invalidite_mois": "0", "exoneration_age": "false", "conjoint_collaborateur": ""},
        {"conjoint_collaborateur": "la moitie"},  # refused by the contributor: the row's error
    ]
    for row, extra in zip(rows, cases * 5, strict=True):
        row.update(extra, department="75")  # overseas, these populations are refused (law-choices 250, 263)
    names = sorted({key for row in rows for key in row})  # every column on every row (a CSV's header)
    text = [{key: None if row.get(key) is None else str(row[key]) for key in names} for row in rows]
    table = pa.Table.from_pylist(text)
    partition = compute_partition(table, 2026)
    text_rows = table.to_pylist()
    found = differences(text_rows, 2026, partition.instalments, partition.refunds, partition.accounts)
    assert not found, "\n".join(found[:3])
    accounts = partition.accounts.to_pylist()
    paths = {account["account"]: account["path"] for account in accounts}
    for row, extra in zip(rows, cases * 5, strict=True):
        if extra.get("conjoint_collaborateur") == "la moitie":
            assert paths[row["id"]] == "error"
        elif "pension_invalidite_mois" in extra and extra["pension_invalidite_mois"] == "0":
            assert paths[row["id"]] in ("array", "planner")  # not a population: as the other columns decide
        else:
            assert paths[row["id"]] == "planner", extra
    kinds = {p["kind"] for parts in partition.instalments.column("parts").to_pylist() for p in parts}
    assert "conjoint_collaborateur" in kinds
