"""`echeancier campaign` equals the scalar replay `build_echeancier` account by account, whatever the account's
situation; a bad row is reported with its number and the rest computed; a run killed midway resumes where it
stopped; Dask workers compute the same partitions."""

from __future__ import annotations

import json
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from echeancier import simulate, simulate_many
from echeancier.contributions.vectorized import RowInputError
from echeancier.kernel.inputs import InputError
from echeancier.law import Law
from echeancier.law.loader import PARAMETERS_DIR, load_directory
from echeancier.schedule import campaign as campaign_module
from echeancier.schedule.campaign import _PART_ORDER, _Parts, compute_partition, echeancier_of_row
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
    "payment_day",
    "quarterly",
)  # `campaign_many`'s (docs/campaign.md); a modulation too, unless its provisional contributions of N spill into N+1
# (tests/test_campaign_changes.py)


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
    print(dict(paths))
    assert paths["array"] >= 450 and paths["planner"] >= 50  # both evaluations
    assert sum(not row["id"].startswith("steady-") for row in rows) >= 0.25 * len(rows)  # ≥ 25 % not steady
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


def _incident_account(rng: random.Random, year: int, number: int) -> dict[str, Any]:
    """A random account of a situation the arrays take, with one payment incident of N: a missed payment, or a
    rejected direct debit known on its due date or up to 40 days later."""
    row = random_account(rng, year, number, rng.choice(("steady", "first_year", "second_year", "acre", "rsa")))
    row["id"] = f"incident-{number}"
    row["rsa"] = row["rsa"] or rng.random() < 0.2
    due = _due_in(row, year, rng, date(year, 1, 1))
    if due is None:
        return row
    events = [_incident(rng, due, year)]
    if rng.random() < 0.3:  # a second incident: of its own (an instalment paid between) or consecutive
        later = _due_in(row, year, rng, due + timedelta(days=1))
        if later is not None:
            events.append(_incident(rng, later, year))
    row["events"] = json.dumps(events)
    return row


def _incident(rng: random.Random, due: date, year: int) -> dict[str, Any]:
    if rng.random() < 0.5:
        return {"date": due.isoformat(), "type": "missed_payment"}
    known = min(due + timedelta(days=rng.choice((0, 0, 3, 12, 40))), date(year, 12, 31))
    event = {"date": known.isoformat(), "type": "rejected_debit", "due_date": due.isoformat()}
    if rng.random() < 0.5:
        event["reason"] = rng.choice(("AM04", "MS02", "AC04"))
    return event


@pytest.mark.parametrize("year", [2025, 2026])
def test_payment_incidents_on_the_arrays_equal_the_replay(year: int) -> None:
    """R613-2 III al. 1 on the arrays: 400 random accounts with one missed payment or rejected direct debit (first
    and second years, ACRE, RSA, the steady state; monthly and quarterly), each equal to `build_echeancier`
    account by account — the missed instalment flagged, its sum carried to the next due date, a quarterly payer's
    majorations (R613-3 I, R243-16) with it; a second incident of its own likewise — and most of them computed on
    the arrays; those the arrays leave (consecutive incidents, a credit note while the sum is unpaid, a day with
    nothing due) replayed or refused as the replay refuses them."""
    rng = random.Random(f"incidents-{year}")
    rows = [_incident_account(rng, year, number) for number in range(400)]
    partition = compute_partition(pa.Table.from_pylist(rows), year)
    found = differences(rows, year, partition.instalments, partition.refunds, partition.accounts)
    assert not found, "\n".join(found[:3])
    paths = {a["account"]: a["path"] for a in partition.accounts.to_pylist()}
    taken = [row for row in rows if row["events"] and paths[row["id"]] != "error"]
    on_arrays = [row for row in taken if paths[row["id"]] == "array"]
    assert len(on_arrays) >= 0.7 * len(taken) and len(on_arrays) >= 250, (len(on_arrays), len(taken))
    assert sum(len(json.loads(row["events"])) == 2 for row in on_arrays) >= 20  # two incidents of their own
    quarterly = [row for row in on_arrays if row["frequency"] == "quarterly" or not row["direct_debit"]]
    majorations = {
        record["account"]
        for record in partition.instalments.to_pylist()
        if any(p["kind"] == "majoration" for p in record["parts"]) and paths[record["account"]] == "array"
    }
    # Every quarterly one bears majorations, but where the missed instalment was only a late declaration's penalty
    # (no base of majorations, R613-1-1 III).
    assert len(quarterly) >= 40 and majorations <= {row["id"] for row in quarterly}
    assert len(majorations) >= 0.9 * len(quarterly)
    carried = {
        record["account"]
        for record in partition.instalments.to_pylist()
        if any(p["kind"] == "carried_over" for p in record["parts"]) and paths[record["account"]] == "array"
    }
    missed = {r["account"] for r in partition.instalments.to_pylist() if r["missed"] and paths[r["account"]] == "array"}
    # A credit of the declaration arising while the sum is unpaid is set against it first (R613-1-3 al. 2): only
    # what it leaves is carried, nothing when it covers the sum.
    imputed = {
        r["account"] for r in partition.refunds.to_pylist() if r["imputed_cents"] and paths[r["account"]] == "array"
    }
    assert len(carried) >= 250 and carried <= missed and missed - carried <= imputed
    assert len(imputed) >= 10, len(imputed)


def _incident_row(income_n2: str, income_n1: str) -> dict[str, Any]:
    """A monthly commerçant paying on the 20th, declared on 2 May 2026: the row the incident tests vary."""
    return {
        "profession": "commercant",
        "activity_start": date(2015, 6, 1),
        "frequency": "monthly",
        "day": 20,
        "direct_debit": True,
        "department": "75",
        "acre": False,
        "rsa": False,
        "income_n2": income_n2,
        "income_n1": income_n1,
        "declaration_date": date(2026, 5, 2),
        "scenario": None,
    }


def test_hostile_payment_incidents_go_to_the_replay_which_names_their_error() -> None:
    """What the arrays cannot read for sure, or where the ledger does more than carry the sum, is the replay's:
    two incidents (the second consecutive one switches the year to quarterly, R613-2 III), a day that is no due
    date, a rejection before its due date or without it, an unknown key, a reason too long, an incident of N+1,
    a December incident (carried to January of N+1, on the arrays), a credit note while the sum is unpaid."""
    base = _incident_row("42000", "50000")
    missed = {"type": "missed_payment"}
    cases: dict[str, tuple[list[dict[str, Any]], str]] = {
        "two": ([dict(missed, date="2026-03-20"), dict(missed, date="2026-04-20")], "planner"),  # consecutive
        "two_apart": ([dict(missed, date="2026-06-20"), dict(missed, date="2026-03-20")], "array"),
        "two_quarterly": ([dict(missed, date="2026-02-05"), dict(missed, date="2026-05-05")], "planner"),
        "two_quarterly_apart": ([dict(missed, date="2026-02-05"), dict(missed, date="2026-08-05")], "array"),
        "same_instalment": (
            [
                dict(missed, date="2026-03-20"),
                {"date": "2026-03-25", "type": "rejected_debit", "due_date": "2026-03-20"},
            ],
            "error",
        ),
        "not_a_due_date": ([dict(missed, date="2026-03-05")], "error"),
        "before": ([{"date": "2026-03-10", "type": "rejected_debit", "due_date": "2026-03-20"}], "error"),
        "no_due_date": ([{"date": "2026-03-25", "type": "rejected_debit"}], "planner"),
        "extra_key": ([dict(missed, date="2026-03-20", amount=12)], "error"),
        "long_reason": (
            [{"date": "2026-03-20", "type": "rejected_debit", "due_date": "2026-03-20", "reason": "X" * 36}],
            "error",
        ),
        "next_year": ([dict(missed, date="2027-02-20")], "error"),  # past the law's dates: the replay refuses it
        "december": ([dict(missed, date="2026-12-20")], "array"),
        "late_rejection": ([{"date": "2026-04-25", "type": "rejected_debit", "due_date": "2026-03-20"}], "array"),
        "after_the_declaration": ([dict(missed, date="2026-06-20")], "array"),
        "quarterly": ([dict(missed, date="2026-08-05")], "array"),  # majorations from the first incident
        # An income of N-1 of 40,000 €: declared on 2 May, a régularisation credit of 114.32 € refunded while the
        # sum missed on 20 April is unpaid (until 20 May): the ledger sets the credit against it first (R613-1-3
        # al. 2), on the arrays too (`rules.imputation`), and carries the rest; a quarterly payer's (its
        # majorations on two portions) is the replay's.
        "credit_while_unpaid": ([dict(missed, date="2026-04-20")], "array"),
        "quarterly_credit_while_unpaid": ([dict(missed, date="2026-05-05")], "planner"),
        # 30,000 €: the credit covers the whole sum, nothing is carried.
        "credit_covers_it": ([dict(missed, date="2026-04-20")], "array"),
        # 80,000 € then 30,000 €: an ajustement credit and a régularisation credit, set against the sum in the order
        # the replay makes them (the ajustement's first, all of it; the régularisation's for the rest).
        "two_credits": ([dict(missed, date="2026-04-20")], "array"),
        # 42,000 € then 20,000 €: the two credits again, the régularisation's mostly refunded.
        "two_credits_refunded": ([dict(missed, date="2026-04-20")], "array"),
    }
    incomes = {
        "credit_while_unpaid": ("42000", "40000"),
        "quarterly_credit_while_unpaid": ("42000", "30000"),
        "credit_covers_it": ("42000", "30000"),
        "two_credits": ("80000", "30000"),
        "two_credits_refunded": ("42000", "20000"),
    }
    rows = [dict(base, id=name, events=json.dumps(events)) for name, (events, _) in cases.items()]
    for row in rows:
        row["income_n2"], row["income_n1"] = incomes.get(row["id"], (row["income_n2"], row["income_n1"]))
        if row["id"] == "quarterly_credit_while_unpaid":
            row["declaration_date"] = date(2026, 5, 10)
        if row["id"].startswith(("quarterly", "two_quarterly")):
            row["frequency"] = "quarterly"
    partition = compute_partition(pa.Table.from_pylist(rows), 2026)
    found = differences(rows, 2026, partition.instalments, partition.refunds, partition.accounts)
    assert not found, "\n".join(found[:3])
    paths = {a["account"]: a["path"] for a in partition.accounts.to_pylist()}
    assert paths == {name: path for name, (_, path) in cases.items()}, paths
    # Worked example: the December instalment missed is carried, whole, to the 20 January 2027.
    december = [r for r in partition.instalments.to_pylist() if r["account"] == "december"]
    (missed_row,) = [r for r in december if r["missed"]]
    (january,) = [r for r in december if r["due_date"] == date(2027, 1, 20)]
    assert missed_row["due_date"] == date(2026, 12, 20)
    carried = [p for p in january["parts"] if p["kind"] == "carried_over"]
    assert carried == [
        {"kind": "carried_over", "year": 2027, "amount_cents": sum(p["amount_cents"] for p in missed_row["parts"])}
    ]
    refunds = partition.refunds.to_pylist()
    assert any(r["account"] == "credit_while_unpaid" and r["imputed_cents"] > 0 for r in refunds)
    # The credit set against the unpaid sum and what is carried make the missed instalment, whole.
    for name in incomes:
        if name.startswith("quarterly"):
            continue
        records = [r for r in partition.instalments.to_pylist() if r["account"] == name]
        (missed_row,) = [r for r in records if r["missed"]]
        carried_parts = [p["amount_cents"] for r in records for p in r["parts"] if p["kind"] == "carried_over"]
        imputed = sum(r["imputed_cents"] for r in refunds if r["account"] == name)
        assert imputed > 0 and imputed + sum(carried_parts) == sum(p["amount_cents"] for p in missed_row["parts"])
        assert (name == "credit_while_unpaid") == bool(carried_parts), name
    two = [r for r in refunds if r["account"] == "two_credits" and r["imputed_cents"]]
    assert [(r["kind"], r["amount_cents"] == 0) for r in two] == [("ajustement", True), ("regularisation", False)]
    # Worked example: the quarterly instalment of 5 August missed, carried to 5 November (3 months): 5 % + 3 × 0.2 %
    # of its contributions (R243-16 I and II), each rounded to the cent.
    rows_q = [r for r in partition.instalments.to_pylist() if r["account"] == "quarterly"]
    (august,) = [r for r in rows_q if r["missed"]]
    (november,) = [r for r in rows_q if r["due_date"] == date(2026, 11, 5)]
    unpaid = sum(p["amount_cents"] for p in august["parts"])
    surcharge = [p for p in november["parts"] if p["kind"] in ("carried_over", "majoration")]
    assert [p["kind"] for p in surcharge] == ["carried_over", "majoration"]
    assert surcharge[0]["amount_cents"] == unpaid
    five, six = (Decimal(unpaid) * Decimal(r) for r in ("0.05", "0.006"))
    assert surcharge[1] == {
        "kind": "majoration",
        "year": 2026,
        "amount_cents": int(five.quantize(Decimal(1), ROUND_HALF_UP) + six.quantize(Decimal(1), ROUND_HALF_UP)),
    }


def _replayed_ids(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The identifiers of the rows `compute_partition` hands to the replay from now on."""
    replayed: list[str] = []
    replay = campaign_module.echeancier_of_row

    def recording(row: Any, year: int, law: Law | None = None) -> Any:
        replayed.append(row["id"])
        return replay(row, year, law)

    monkeypatch.setattr(campaign_module, "echeancier_of_row", recording)
    return replayed


def test_an_incident_where_nothing_is_due_is_refused_on_the_arrays_as_the_replay_refuses_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`echeancier.nothing_due`, the replay's rule, asked on the arrays: an incident on a day the régularisation
    credit brought to nothing (an income of N-1 of 0 € after 150,000 € in N-2, declared on 2 May: nothing is
    called from 20 May to 20 October nor on 20 December), or on a day that is no due date, is the replay's error,
    word for word, without replaying the row — the first incident the replay reaches (the day each is known, then
    the order of the event types), not the first due. An incident after a monthly payer's second consecutive one
    (the rest of the year re-spread quarterly, R613-2 III) is the replay's to decide; a quarterly payer's
    consecutive incidents switch nothing, so its third is decided on the arrays."""
    base = _incident_row("150000", "0")
    missed = {"type": "missed_payment"}

    def rejected(known: str, due: str) -> dict[str, Any]:
        return {"date": known, "type": "rejected_debit", "due_date": due}

    nothing = "missed_payment : rien n'est dû le 20/07/2026"
    cases: dict[str, tuple[list[dict[str, Any]], str | None, bool]] = {
        # name: (events, the error, replayed)
        "brought_to_nothing": ([dict(missed, date="2026-07-20")], nothing, False),
        "on_the_effect_date": (
            [dict(missed, date="2026-05-20")],
            "missed_payment : rien n'est dû le 20/05/2026",
            False,
        ),
        "december": ([dict(missed, date="2026-12-20")], "missed_payment : rien n'est dû le 20/12/2026", False),
        "no_due_date": ([dict(missed, date="2026-03-05")], "missed_payment : rien n'est dû le 05/03/2026", False),
        "late_rejection": (
            [rejected("2026-06-03", "2026-05-20")],
            "rejected_debit : rien n'est dû le 20/05/2026",
            False,
        ),
        "after_one_of_its_own": ([dict(missed, date="2026-03-20"), dict(missed, date="2026-07-20")], nothing, False),
        # The replay reaches the missed payment of 20 July before the rejection known on 25 August.
        "replay_order": ([rejected("2026-08-25", "2026-03-05"), dict(missed, date="2026-07-20")], nothing, False),
        # The same day: the missed payment before the rejection (EVENT_ORDER).
        "same_day": ([rejected("2026-07-20", "2026-03-05"), dict(missed, date="2026-07-20")], nothing, False),
        "rejection_first": (
            [rejected("2026-07-19", "2026-03-05"), dict(missed, date="2026-07-20")],
            "rejected_debit : rien n'est dû le 05/03/2026",
            False,
        ),
        # 20 March and 20 April missed: the rest of the year quarterly from 21 April (the replay's to re-spread).
        "after_consecutive": (
            [dict(missed, date="2026-03-20"), dict(missed, date="2026-04-20"), dict(missed, date="2026-07-20")],
            None,
            True,
        ),
        "quarterly_after_consecutive": (
            [dict(missed, date="2026-02-05"), dict(missed, date="2026-05-05"), dict(missed, date="2026-08-05")],
            "missed_payment : rien n'est dû le 05/08/2026",
            False,
        ),
        # Something due, the credit of 2 May set against it while it is unpaid (until 20 May): on the arrays.
        "credit_while_unpaid": ([dict(missed, date="2026-04-20")], None, False),
        "something_due": ([dict(missed, date="2026-04-20")], None, False),  # declared 2 June: on the arrays
    }
    rows = [dict(base, id=name, events=json.dumps(events)) for name, (events, _, _) in cases.items()]
    for row in rows:
        if row["id"].startswith("quarterly"):
            row["frequency"] = "quarterly"
    rows[-1]["declaration_date"] = date(2026, 6, 2)
    replayed = _replayed_ids(monkeypatch)
    partition = compute_partition(pa.Table.from_pylist(rows), 2026)
    found = differences(rows, 2026, partition.instalments, partition.refunds, partition.accounts)
    assert not found, "\n".join(found[:3])
    accounts = {a["account"]: a for a in partition.accounts.to_pylist()}
    for number, (name, (_, error, replay)) in enumerate(cases.items(), start=1):
        assert (name in replayed) == replay, name
        if error is not None:
            message = f"ligne {number} : {error}"
            assert accounts[name]["error"] == message and accounts[name]["path"] == "error", (name, accounts[name])
            assert message in partition.errors
        elif not replay:
            assert accounts[name]["path"] == "array", name
    assert accounts["after_consecutive"]["path"] in ("planner", "error")


@pytest.mark.parametrize("year", [2025, 2026])
def test_random_incidents_on_any_day_with_credits_equal_the_replay(year: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """300 random accounts whose income fell (a régularisation or ajustement credit at the declaration), with one to
    three missed payments or rejections on any 5th or 20th of N — due dates or not, brought to nothing by the credit
    or not, consecutive or apart, known up to 40 days late, monthly and quarterly: each equal to `build_echeancier`
    account by account (its instalments, refunds with what they set against the unpaid sum, or its error word for
    word), and no row replayed whose error the arrays named (`nothing_due`)."""
    rng = random.Random(f"any-day-{year}")
    rows = []
    for number in range(300):
        row = random_account(rng, year, number, rng.choice(("steady", "first_year", "second_year", "acre", "rsa")))
        row["id"] = f"any-day-{number}"
        row["income_n2"] = str(rng.randint(20_000, 150_000))
        row["income_n1"] = str(rng.randint(0, int(row["income_n2"])))
        quarterly = row["frequency"] == "quarterly" or not row["direct_debit"]
        own = (
            [date(year, m, 5) for m in (2, 5, 8, 11)]
            if quarterly
            else [date(year, m, row["day"]) for m in range(1, 13)]
        )
        anywhere = [date(year, month, day) for month in range(1, 13) for day in (5, 20)]
        count = rng.choice((1, 1, 2, 3))
        days = sorted({rng.choice(own if rng.random() < 0.8 else anywhere) for _ in range(count)})
        row["events"] = json.dumps([_incident(rng, day, year) for day in days])
        if rng.random() < 0.5:  # declared while the first sum is unpaid: its credits set against it
            row["declaration_date"] = min(days[0] + timedelta(days=rng.randint(1, 31)), date(year, 12, 31))
        rows.append(row)
    replayed = _replayed_ids(monkeypatch)
    partition = compute_partition(pa.Table.from_pylist(rows), year)
    found = differences(rows, year, partition.instalments, partition.refunds, partition.accounts)
    assert not found, "\n".join(found[:3])
    accounts = {a["account"]: a for a in partition.accounts.to_pylist()}
    named = {name for name, a in accounts.items() if a["path"] == "error" and name not in replayed}
    assert named and all("rien n'est dû le" in accounts[name]["error"] for name in named)
    assert len(named) >= 30, len(named)
    on_arrays = {name for name, a in accounts.items() if a["path"] == "array"}
    imputed = {r["account"] for r in partition.refunds.to_pylist() if r["imputed_cents"]}
    assert len(on_arrays) >= 60 and len(on_arrays & imputed) >= 10, (len(on_arrays), len(on_arrays & imputed))


def test_payment_incidents_read_from_text_columns_as_a_csv_gives_them() -> None:
    """Every column as text (a CSV's), spaces around the declaration date and French amounts: the incidents are
    read as the replay reads them and computed on the arrays, equal to it."""
    base = {
        "profession": "commercant",
        "activity_start": "2015-06-01",
        "frequency": "monthly",
        "day": "20",
        "direct_debit": "true",
        "department": " 75 ",
        "acre": "",
        "rsa": "0",
        "income_n2": "42 000",
        "income_n1": "50000,50",
        "declaration_date": " 2026-05-02 ",
        "scenario": None,
    }
    rows = [
        dict(base, id="a", events=json.dumps([{"date": "2026-03-20", "type": "missed_payment"}])),
        dict(base, id="b", events=None),
        dict(
            base,
            id="c",
            events=json.dumps(
                [{"date": "2026-06-24", "type": "rejected_debit", "due_date": "2026-06-20", "reason": "AM04"}]
            ),
        ),
    ]
    partition = compute_partition(pa.Table.from_pylist(rows), 2026)
    assert partition.accounts.column("path").to_pylist() == ["array"] * 3
    assert not differences(rows, 2026, partition.instalments, partition.refunds, partition.accounts)
    assert sum(partition.instalments.column("missed").to_pylist()) == 2


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
    assert paths["array"] >= 40 and paths["planner"] >= 10  # the first years, ACRE, RSA, cessation on the arrays
    before = {a["account"]: a for a in packaged.accounts.to_pylist()}
    changed = Counter(
        a["path"]
        for a in raised.accounts.to_pylist()
        if a["path"] != "error" and a["called_cents"] != before[a["account"]]["called_cents"]
    )
    assert changed["array"] >= 40 and changed["planner"] >= 10, changed


def test_parts_in_any_order_make_the_same_instalments() -> None:
    """The array path's parts become one row per (account, due date), parts in the order of KINDS (but the carried
    sum before the majorations, as `build_echeancier` gives them), whatever the order they come in (parts off the
    monthly slots, with dates of their own, are appended after the slots')."""
    rng = np.random.default_rng(9)
    count = 400
    row = np.sort(rng.integers(0, 30, count))
    due = np.datetime64("2026-01-05") + rng.integers(0, 3, count) * np.timedelta64(30, "D")
    kind = rng.integers(0, len(KINDS), count).astype(np.int8)
    keys = np.unique(np.stack([row, due.view(np.int64), kind]), axis=1)  # distinct (row, due, kind)
    keys = keys[:, np.lexsort((_PART_ORDER[keys[2]], keys[1], keys[0]))]  # in the parts' order
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
        ranks = [_PART_ORDER[KINDS.index(p["kind"])] for p in instalment["parts"]]
        assert ranks == sorted(ranks)
    assert _PART_ORDER.argsort().tolist() == [KINDS.index(kind) for kind in (*KINDS[:-2], "carried_over", "majoration")]


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


# --------------------------------------------------------------------------------------------------------------
# Every figure of the schedule read from the Law passed in (issue 9, DESIGN §2.5)

# (file, packaged text, overridden text): one Law changing every figure of the schedule that the campaign reads
# outside the contributions — the calendar's payment days, the CFP's month, the refund delay, the cessation's
# delays, the majorations de retard, the taxation d'office's uplift and first due date, Mayotte's own law.
SCHEDULE_OVERRIDES = (
    ("echeances", '{value: 5, reference: "CSS R613-3 I al. 1",', '{value: 6, reference: "CSS R613-3 I al. 1",'),
    ("formation_professionnelle", "{value: 11, reference:", "{value: 10, reference:"),  # mois_appel
    ("delais", '{value: 15, reference: "CSS R613-5 I (', '{value: 21, reference: "CSS R613-5 I ('),
    ("delais", '{value: 60, reference: "CSS R131-9 IV"', '{value: 45, reference: "CSS R131-9 IV"'),
    ("delais", '{value: 30, reference: "CSS R613-1-5 2°', '{value: 40, reference: "CSS R613-1-5 2°'),
    ("majorations", "2023-01-01: {value: 0.05,", "2023-01-01: {value: 0.08,"),  # taux_initial
    (
        "declaration",
        '2023-01-01: {value: 0.25, reference: "CSS R613-1-2 I al. 4',
        '2023-01-01: {value: 0.5, reference: "CSS R613-1-2 I al. 4',
    ),
    ("declaration", '{value: 15, reference: "CSS R613-1-2 IV al. 1', '{value: 45, reference: "CSS R613-1-2 IV al. 1'),
    ("mayotte", "2025-01-01: {value: 33852,", "2026-01-01: {value: 33852,"),  # Mayotte's own law from 2026
)


def law_overriding(tmp_path: Path, replacements: tuple[tuple[str, str, str], ...]) -> Law:
    """The packaged law with texts replaced in a temporary copy of its YAML files."""
    directory = tmp_path / "parameters"
    shutil.copytree(PARAMETERS_DIR, directory)
    for file, old, new in replacements:
        path = directory / f"{file}.yaml"
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} must occur once in {file}.yaml"
        path.write_text(text.replace(old, new), encoding="utf-8")
    return load_directory(directory)


def test_every_figure_of_the_schedule_follows_the_law_passed_in_on_both_paths(tmp_path: Path) -> None:
    """Under one Law overriding the calendar (the quarterly due dates on the 6th instead of the 5th), the CFP's
    month (October), the declaration's delay (21 days: effect and refund date), the cessation's (45 and 40 days),
    the majoration of R243-16 I (8 %), the taxation d'office (+ 50 %, first due date 45 days after the notice) and
    Mayotte's own law (from 2026 only), the campaign of 2026 — array and replayed rows — equals the replay under
    that Law account by account, and each figure shows in the rows."""
    law = law_overriding(tmp_path, SCHEDULE_OVERRIDES)
    rows = random_accounts(11, 2026, 420)
    partition = compute_partition(pa.Table.from_pylist(rows), 2026, law=law)
    found = differences(rows, 2026, partition.instalments, partition.refunds, partition.accounts, law)
    assert not found, "\n".join(found[:3])
    accounts = {a["account"]: a for a in partition.accounts.to_pylist()}
    paths = Counter(a["path"] for a in accounts.values())
    assert paths["array"] >= 150 and paths["planner"] >= 40, paths
    by_row = {row["id"]: row for row in rows}
    days: dict[str, set[int]] = defaultdict(set)
    cfp_months: dict[str, set[int]] = defaultdict(set)
    for record in partition.instalments.to_pylist():
        row, path = by_row[record["account"]], accounts[record["account"]]["path"]
        monthly = row["frequency"] == "monthly" and row["direct_debit"] and not row["events"]
        if monthly and record["due_date"].year == 2026:
            days[path].add(record["due_date"].day)
            if any(p["kind"] == "cfp" and p["year"] == 2026 for p in record["parts"]):
                cfp_months[path].add(record["due_date"].month)
        elif not monthly and not row["events"]:
            days[f"{path} quarterly"].add(record["due_date"].day)
    assert days["array"] == days["planner"] == {5, 20}, days
    assert days["array quarterly"] == days["planner quarterly"] == {6}, days  # R613-3 I's day: the 6th, not the 5th
    # The CFP with October's instalment (a replayed account may call it later: an activity started in N, R613-4).
    assert cfp_months["array"] == {10} and min(cfp_months["planner"]) == 10, cfp_months
    refunds = partition.refunds.to_pylist()
    declared = {row["id"]: row["declaration_date"] for row in rows}
    for path in ("array", "planner"):
        refunded = [r for r in refunds if accounts[r["account"]]["path"] == path and r["amount_cents"]]
        assert refunded and any(r["date"] - declared[r["account"]] == timedelta(days=21) for r in refunded)
    # The cessation: what remains due 45 days after it (R131-9 IV), on the arrays and replayed alike.
    ceased = [row for row in rows if row["events"] and '"cessation"' in row["events"]]
    settled = 0
    for row in ceased:
        on = date.fromisoformat(json.loads(row["events"])[0]["date"])
        dates = {r["due_date"] for r in partition.instalments.to_pylist() if r["account"] == row["id"]}
        settled += on + timedelta(days=45) in dates
    assert settled >= 3
    # Mayotte's own law from 2026 only: the documents showing 2025 say its amounts are the metropolitan ones.
    mayotte = Counter(a["path"] for a in accounts.values() if "regles_metropolitaines:976" in (a["notes"] or ""))
    assert mayotte["array"] >= 3 and mayotte["planner"] >= 1, mayotte
    packaged = compute_partition(pa.Table.from_pylist([r for r in rows if r["department"] == "976"]), 2026)
    assert not any("regles_metropolitaines" in (n or "") for n in packaged.accounts.column("notes").to_pylist())


def test_the_ledger_and_the_taxation_d_office_follow_the_law_passed_in(tmp_path: Path) -> None:
    """R243-16 I at 8 % instead of 5 %: the majorations of a quarterly payer's missed instalment (due from the
    first incident, R613-3 I); R613-1-2: a taxation d'office's base raised by 50 % instead of 25 %, its first due
    date at least 45 days after the notice instead of 15. (The calendar kept: the same due dates under both.)"""
    law = law_overriding(tmp_path, tuple(o for o in SCHEDULE_OVERRIDES if o[0] != "echeances"))
    row = {
        "id": "quarterly-missed",
        "profession": "artisan",
        "activity_start": date(2010, 3, 1),
        "frequency": "quarterly",
        "day": 5,
        "direct_debit": True,
        "department": "75",
        "acre": False,
        "rsa": False,
        "income_n2": "30000",
        "income_n1": "36000",
        "declaration_date": date(2026, 5, 20),
        "events": json.dumps([{"date": "2026-02-05", "type": "missed_payment"}]),
        "scenario": None,
    }
    packaged, raised = echeancier_of_row(row, 2026), echeancier_of_row(row, 2026, law)
    first = [m for m in packaged.majorations if m.initial], [m for m in raised.majorations if m.initial]
    assert len(first[0]) == len(first[1]) == 1
    before, after = first[0][0], first[1][0]
    # 5 % then 8 % of the same unpaid base, each rounded to the cent (R243-16 I).
    assert before.initial == (before.unpaid_base * Decimal("0.05")).quantize(Decimal("0.01"))
    assert after.initial == (after.unpaid_base * Decimal("0.08")).quantize(Decimal("0.01"))
    # The campaign computes such an account on the arrays with the same Law (the ledger's own functions).
    partition = compute_partition(pa.Table.from_pylist([row]), 2026, law=law)
    assert not differences([row], 2026, partition.instalments, partition.refunds, partition.accounts, law)
    assert partition.accounts.column("path").to_pylist() == ["array"]
    # A droit à l'erreur of 120 days (R243-11) would let the sum carried to 5 May (89 days) be paid in time: the
    # other conditions then decide, which only the ledger weighs — the row is replayed, and equal.
    waiting = law_overriding(
        tmp_path / "waiting",
        (("majorations", '{value: 30, reference: "CSS R243-11 al. 1', '{value: 120, reference: "CSS R243-11 al. 1'),),
    )
    waived = compute_partition(pa.Table.from_pylist([row]), 2026, law=waiting)
    assert not differences([row], 2026, waived.instalments, waived.refunds, waived.accounts, waiting)
    assert waived.accounts.column("path").to_pylist() == ["planner"]
    assert not any(p["kind"] == "majoration" for r in waived.instalments.to_pylist() for p in r["parts"])
    assert sum(
        p["amount_cents"] for r in partition.instalments.to_pylist() for p in r["parts"] if p["kind"] == "majoration"
    ) == _cents(sum((m.amount for m in raised.majorations if m.status == "definitive"), Decimal(0)))
    # The taxation d'office of 2025's income, notified on 1 August 2026 (R613-1-2 IV: 30 to 180 days after the
    # deadline), of a monthly payer: base = max(average of 2024 and 2023, 50 % of the PASS) × 1.50 instead of × 1.25;
    # its first due date the 5 October (45 days or more) instead of the 5 September.
    taxed = dict(
        row,
        frequency="monthly",
        declaration_date=None,
        events=json.dumps([{"date": "2026-08-01", "type": "taxation_office", "year": 2025}]),
    )
    for given, uplift, delay in ((None, Decimal("1.25"), 15), (law, Decimal("1.5"), 45)):
        result = echeancier_of_row(taxed, 2026, given)
        (taxation,) = result.taxations
        assert taxation.base.base == (taxation.base.unraised * uplift).quantize(Decimal(1))
        assert taxation.effect >= date(2026, 8, 1) + timedelta(days=delay)
    assert echeancier_of_row(taxed, 2026, law).taxations[0].effect > echeancier_of_row(taxed, 2026).taxations[0].effect


def test_the_years_a_situation_may_have_are_those_of_the_law_passed_in(tmp_path: Path) -> None:
    """A Law whose figures are checked only until 2025 covers no income of 2026: `simulate` (its Situation) and
    `simulate_many` refuse that year under it, and compute it under the packaged law."""
    law = law_overriding(
        tmp_path, (("majorations", "last_value_still_valid_on: 2026-12-31", "last_value_still_valid_on: 2025-12-31"),)
    )
    situation = {"year": 2026, "profession": "artisan", "income": 40_000}
    assert simulate(situation).total > 0
    with pytest.raises(InputError, match="2026"):
        simulate(situation, law)
    columns = {"year": [2026, 2025], "profession": ["artisan", "artisan"], "income": [40_000, 40_000]}
    simulate_many(columns)
    with pytest.raises(RowInputError, match="2026"):
        simulate_many(columns, law=law)
