"""Modulations, payment-day changes, quarterly options and their renunciation on the campaign's arrays
(`schedule/campaign_changes.py`) equal the replay `build_echeancier` account by account: random accounts of each
class (before and after the declaration, steady state and first years, ACRE, RSA, overseas, quarterly without
direct debit), the hostile cases (a change on the last due dates, before the first one, several changes, a
modulation whose effect falls in N+1), and rows the arrays cannot take go to the replay, never computed wrong."""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import date, timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from echeancier.contributions.exact import SCALAR
from echeancier.schedule.campaign import compute_partition, echeancier_of_row, lone_change
from echeancier.schedule.echeancier import payment_day_effect, quarterly_option_effect, renunciation_effect
from echeancier.schedule.rules import modulation
from echeancier.schedule.vectorized import campaign_many
from tests.test_campaign import differences, random_account

CLASSES = ("modulation", "payment_day", "quarterly", "renounced")


def _on(rng: random.Random, year: int) -> date:
    return date(year, 1, 1) + timedelta(days=rng.randint(0, 364))


def change_account(rng: random.Random, year: int, number: int, kind: str) -> dict[str, Any]:
    """A random account of `kind` with its one event anywhere in N (before or after its declaration): steady, or
    in its first or second year, with ACRE or RSA, monthly on the 5th or the 20th, or quarterly (on option or
    without direct debit)."""
    start = rng.random()
    base = "first_year" if start < 0.15 else "second_year" if start < 0.3 else "steady"
    row = random_account(rng, year, number, base)
    row["id"] = f"{kind}-{number}"
    row["acre"] = base != "steady" and rng.random() < 0.4
    row["rsa"] = rng.random() < 0.15
    on = _on(rng, year)
    if kind == "modulation":
        estimated = rng.choice((0, rng.randint(-5_000, 0), rng.randint(0, 40_000), rng.randint(0, 250_000)))
        event: dict[str, Any] = {"date": on.isoformat(), "type": "modulation", "estimated_income": estimated}
    elif kind == "payment_day":
        event = {"date": on.isoformat(), "type": "payment_day_change", "day": rng.choice((5, 20))}
    elif kind == "renounced":  # R613-3 II: monthly again, from a quarterly option (or already monthly)
        row["frequency"], row["direct_debit"] = ("quarterly" if rng.random() < 0.85 else "monthly"), True
        event = {"date": on.isoformat(), "type": "quarterly_renounced"}
    else:
        event = {"date": on.isoformat(), "type": "quarterly_option"}
        if on < date(year, 12, 1) and rng.random() < 0.4:
            event["start"] = "next_year"
        elif rng.random() < 0.3:
            event["start"] = "in_year"
    if rng.random() < 0.05:
        row["declaration_date"] = on  # the same day: the declaration first (EVENT_ORDER)
    row["events"] = json.dumps([event])
    return row


@pytest.mark.parametrize("year", [2025, 2026])
@pytest.mark.parametrize("kind", CLASSES)
def test_each_class_on_the_arrays_equals_the_replay(year: int, kind: str) -> None:
    """300 random accounts of each class: each equal to the replay; all but a few on the arrays (a modulation in
    December whose provisional contributions of N spill into N+1 is the replay's)."""
    rng = random.Random(f"{kind}-{year}")
    rows = [change_account(rng, year, number, kind) for number in range(300)]
    partition = compute_partition(pa.Table.from_pylist(rows), year)
    found = differences(rows, year, partition.instalments, partition.refunds, partition.accounts)
    assert not found, "\n".join(found[:3])
    paths = Counter(partition.accounts.column("path").to_pylist())
    assert paths["array"] >= 285 and paths["error"] == 0, paths
    before = sum(1 for row in rows if json.loads(row["events"])[0]["date"] < row["declaration_date"].isoformat())
    assert 60 <= before <= 240  # both orders of the event and the declaration


def _row(year: int, number: int, event: dict[str, Any] | list[dict[str, Any]], **given: Any) -> dict[str, Any]:
    row = random_account(random.Random(number), year, number, "steady")
    row.update(
        id=f"hostile-{number}",
        frequency="monthly",
        direct_debit=True,
        department="75",
        income_n2="42000",
        income_n1="38000",
    )
    row.update(given)
    row["events"] = json.dumps(event if isinstance(event, list) else [event])
    return row


def test_hostile_cases_are_exact_or_replayed() -> None:
    """Changes on the last due dates of N, before the first one, on the day of the declaration, a modulation whose
    effect is in N+1, several changes in a year, an option after 1 December, a quarterly payer's changes: every
    row equal to the replay (or the replay's error), and the ones the slots cannot hold not on the arrays."""
    year = 2026
    cases: list[tuple[dict[str, Any], str | None]] = []
    for day in (5, 20):
        for on in ("2026-01-01", "2026-09-30", "2026-10-01", "2026-10-31", "2026-11-01", "2026-11-30", "2026-12-31"):
            event = {"date": on, "type": "payment_day_change", "day": 25 - day}
            cases.append(({"day": day, "declaration_date": date(2026, 5, 20), "events": event}, "array"))
            cases.append(({"day": day, "declaration_date": date(2026, 12, 20), "events": event}, "array"))
        for on in ("2026-01-01", "2026-10-05", "2026-10-06", "2026-11-05", "2026-11-30", "2026-12-01", "2026-12-31"):
            event = {"date": on, "type": "quarterly_option"}
            cases.append(({"day": day, "declaration_date": date(2026, 4, 2), "events": event}, "array"))
            cases.append(({"day": day, "declaration_date": date(2026, 10, 21), "events": event}, "array"))
    # A modulation before the first due date, on the declaration's day, on the last due dates of N.
    for on in ("2026-01-01", "2026-05-20", "2026-11-20", "2026-12-05"):
        event = {"date": on, "type": "modulation", "estimated_income": 90_000}
        cases.append(({"day": 20, "declaration_date": date(2026, 5, 20), "events": event}, "array"))
    # Its effect in January N+1 with more to call: the provisional contributions of N in N+1, the replay's.
    event = {"date": "2026-12-20", "type": "modulation", "estimated_income": 150_000}
    cases.append(({"declaration_date": date(2026, 3, 2), "events": event}, "planner"))
    # Its effect in N+1 with nothing more to call (an excess already paid): on the arrays.
    event = {"date": "2026-12-20", "type": "modulation", "estimated_income": 0}
    cases.append(({"declaration_date": date(2026, 3, 2), "events": event}, "array"))
    # A quarterly payer (on option, or without a direct debit): a change of day re-spreads on the same dates.
    for given in ({"frequency": "quarterly"}, {"direct_debit": False}):
        for on in ("2026-02-03", "2026-07-15"):
            event = {"date": on, "type": "payment_day_change", "day": 20}
            cases.append(({**given, "declaration_date": date(2026, 6, 1), "events": event}, "array"))
            event = {"date": on, "type": "quarterly_option"}
            cases.append(({**given, "declaration_date": date(2026, 6, 1), "events": event}, "array"))
    # The renunciation of the quarterly option (R613-3 II): monthly again from the first day of the second month
    # after it, on the 5th or the 20th; in November or December, from January or February N+1; without a direct
    # debit, the replay's error.
    for day in (5, 20):
        for on in ("2026-01-01", "2026-10-31", "2026-11-02", "2026-12-31"):
            event = {"date": on, "type": "quarterly_renounced"}
            given = {"frequency": "quarterly", "day": day, "declaration_date": date(2026, 6, 1)}
            cases.append(({**given, "events": event}, "array"))
    event = {"date": "2026-03-01", "type": "quarterly_renounced"}
    cases.append(({"direct_debit": False, "declaration_date": date(2026, 6, 1), "events": event}, "error"))
    # Several changes in a year, or a change and a cessation: the replay's.
    several = [
        {"date": "2026-02-10", "type": "payment_day_change", "day": 20},
        {"date": "2026-06-10", "type": "quarterly_option"},
    ]
    cases.append(({"declaration_date": date(2026, 4, 1), "events": several}, "planner"))
    modulations = [
        {"date": "2026-03-10", "type": "modulation", "estimated_income": 20_000},
        {"date": "2026-08-10", "type": "modulation", "estimated_income": 60_000},
    ]
    cases.append(({"declaration_date": date(2026, 4, 1), "events": modulations}, "planner"))
    ceasing = [{"date": "2026-03-10", "type": "modulation", "estimated_income": 20_000}]
    ceasing.append({"date": "2026-09-30", "type": "cessation"})
    cases.append(({"declaration_date": date(2026, 4, 1), "events": ceasing}, "planner"))
    # An option for 1 January made after 1 December: refused by the replay, the row's error.
    late = {"date": "2026-12-02", "type": "quarterly_option", "start": "next_year"}
    cases.append(({"declaration_date": date(2026, 4, 1), "events": late}, "error"))
    # A first year whose first due date (R613-4) comes after the change.
    event = {"date": "2026-01-02", "type": "quarterly_option"}
    first = {"activity_start": date(2025, 12, 1), "income_n2": None}
    cases.append(({**first, "declaration_date": date(2026, 3, 1), "events": event}, "array"))
    rows = []
    for number, (given, _) in enumerate(cases):
        events = given.pop("events")
        rows.append(_row(year, number, events, **given))
    partition = compute_partition(pa.Table.from_pylist(rows), year)
    found = differences(rows, year, partition.instalments, partition.refunds, partition.accounts)
    assert not found, "\n".join(found[:3])
    paths = {a["account"]: a["path"] for a in partition.accounts.to_pylist()}
    for row, (_, path) in zip(rows, cases, strict=True):
        assert paths[row["id"]] == path, (row["events"], paths[row["id"]])


def test_the_effect_dates_by_hand() -> None:
    """R613-2 I al. 3: received on 10 March, a new payment day governs from 1 May; on 15 November, from 1 January.
    R613-3 I: an option on 2 April takes effect on 5 May (33 days later), on 6 April on 5 August (5 May is 29 days
    away); on 10 October on 1 January (no quarterly due date left 30 days away, before 1 December), on 5 December on
    5 February; `next_year` before 1 December on 1 January, after it refused (None)."""
    assert payment_day_effect(date(2026, 3, 10)) == date(2026, 5, 1)
    assert payment_day_effect(date(2026, 11, 15)) == date(2027, 1, 1)
    assert quarterly_option_effect(date(2026, 4, 2), "in_year") == date(2026, 5, 5)
    assert quarterly_option_effect(date(2026, 4, 6), "in_year") == date(2026, 8, 5)
    assert quarterly_option_effect(date(2026, 10, 10), "in_year") == date(2027, 1, 1)
    assert quarterly_option_effect(date(2026, 12, 5), "in_year") == date(2027, 2, 5)
    assert quarterly_option_effect(date(2026, 11, 30), "next_year") == date(2027, 1, 1)
    assert quarterly_option_effect(date(2026, 12, 1), "next_year") is None
    assert renunciation_effect(date(2026, 11, 2)) == date(2027, 1, 1)


def test_the_modulation_rule_by_hand() -> None:
    """R613-1-4 II: 6,000 € estimated, 2,500 € of provisional and 500 € of ajustement already called: 3,000 € more
    over the instalments to come, the ajustement stops; 2,000 € estimated: nothing more, 1,000 € paid in excess."""
    assert modulation(SCALAR, 600_000, 250_000, 50_000) == (550_000, 50_000, 0)
    assert modulation(SCALAR, 200_000, 250_000, 50_000) == (250_000, 50_000, 100_000)


def test_only_one_readable_change_of_n_is_taken() -> None:
    """`lone_change` takes exactly one event of the three kinds in N with the keys the replay reads; anything else
    (another year, a key more, an amount as text, a day the law refuses) is left to the replay."""
    take = {"date": "2026-03-01", "type": "modulation", "estimated_income": 12_000}
    assert lone_change(json.dumps([take]), 2026) == ("modulation", date(2026, 3, 1), 12_000)
    assert lone_change(json.dumps([{**take, "date": "2025-03-01"}]), 2026) is None
    assert lone_change(json.dumps([{**take, "key": "x"}]), 2026) is None
    assert lone_change(json.dumps([{**take, "estimated_income": "12 000"}]), 2026) is None
    assert lone_change(json.dumps([take, take]), 2026) is None
    day = {"date": "2026-03-01", "type": "payment_day_change", "day": 15}
    assert lone_change(json.dumps([day]), 2026) is None
    assert lone_change(json.dumps([{**day, "day": 20}]), 2026) == ("payment_day_change", date(2026, 3, 1), 20)
    option = {"date": "2026-12-01", "type": "quarterly_option", "start": "next_year"}
    assert lone_change(json.dumps([option]), 2026) is None
    assert lone_change(json.dumps([{**option, "start": "in_year"}]), 2026) == (
        "quarterly_option",
        date(2026, 12, 1),
        "in_year",
    )
    renounced = {"date": "2026-03-01", "type": "quarterly_renounced"}
    assert lone_change(json.dumps([renounced]), 2026) == ("quarterly_renounced", date(2026, 3, 1), None)
    assert lone_change(json.dumps([{**renounced, "start": "in_year"}]), 2026) is None


def test_campaign_many_with_typed_event_columns_equals_the_replay() -> None:
    """`campaign_many` called directly, its event columns as NumPy arrays (dates as datetime64, the estimate and
    the day as integers): each row's `Campaign.instalments`, `refunds` and `notes` equal the replay's objects."""
    year = 2026
    rng = random.Random("typed")
    rows = [change_account(rng, year, number, CLASSES[number % len(CLASSES)]) for number in range(120)]
    events = [json.loads(row["events"])[0] for row in rows]
    columns: dict[str, Any] = {
        name: [row[name] for row in rows]
        for name in (
            *("profession", "frequency", "day", "direct_debit", "department", "income_n2", "income_n1"),
            *("declaration_date", "activity_start", "acre", "rsa"),
        )
    }
    # CSS L756-4: the row's flag, true where not given (as the campaign reads the column).
    columns["abattement_outre_mer"] = np.array([row.get("abattement_outre_mer") is not False for row in rows])
    columns["event"] = np.array([e["type"] for e in events])
    columns["event_date"] = np.array([e["date"] for e in events], dtype="datetime64[D]")
    columns["estimated_income"] = np.array([e.get("estimated_income", 0) for e in events], dtype=np.int64)
    columns["new_day"] = np.array([e.get("day", 5) for e in events], dtype=np.int64)
    columns["quarterly_start"] = np.array([e.get("start", "in_year") for e in events])
    campaign = campaign_many(columns, year)
    replay = campaign.replay if campaign.replay is not None else np.zeros(len(rows), dtype=np.bool_)
    for index, row in enumerate(rows):
        if replay[index]:
            continue
        expected = echeancier_of_row(row, year)
        assert campaign.instalments(index) == expected.instalments, row
        assert campaign.refunds(index) == expected.refunds, row
        assert campaign.notes(index) == expected.notes, row
    assert replay.sum() <= 5


def test_a_partition_of_rows_the_slots_cannot_hold_is_all_replayed() -> None:
    """Every row of the partition left to the replay by the arrays (modulations in December with more to call):
    all replayed, equal to the replay, nothing from the arrays."""
    event = {"date": "2026-12-20", "type": "modulation", "estimated_income": 150_000}
    rows = [_row(2026, number, event, declaration_date=date(2026, 3, 2)) for number in range(3)]
    partition = compute_partition(pa.Table.from_pylist(rows), 2026)
    assert partition.accounts.column("path").to_pylist() == ["planner"] * 3
    found = differences(rows, 2026, partition.instalments, partition.refunds, partition.accounts)
    assert not found, "\n".join(found[:3])
