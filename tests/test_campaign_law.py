"""A campaign row without a payment day pays on the campaign law's day "à défaut de choix" (CSS R613-2 I al. 2,
law-choices 431) on both paths: the arrays (`campaign_many`) as the replay (`with_default_day`). Here the 6th, in
a temporary copy of the YAML; every account equals the replay under that law, whether the day is null, an empty
text (as a CSV gives it) or its column absent."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from echeancier.law.loader import Law
from echeancier.schedule.campaign import compute_partition
from tests.test_campaign import differences, random_accounts
from tests.test_portfolio_law import default_6

YEAR = 2026


def without_day(kind: str) -> list[dict[str, Any]]:
    """Random accounts of every kind, a third with the day 20 and the others none (`kind`: how none is written);
    a change of payment day goes from the law's default to the 20th (`absent`: no row has the column)."""
    rows = random_accounts(8, YEAR, 210)
    for number, row in enumerate(rows):
        events = json.loads(row["events"]) if row.get("events") else []
        changes = [e for e in events if e["type"] == "payment_day_change"]
        if changes or number % 3:
            row["day"] = {"null": None, "text": "", "absent": None}[kind]
            for event in changes:
                event["day"] = 20
            if changes:
                row["events"] = json.dumps(events)
        else:
            row["day"] = "20" if kind == "text" else 20
        if kind == "absent":
            del row["day"]
    return rows


def due_days(partition: Any, path: str) -> Counter[int]:
    paths = {a["account"]: a["path"] for a in partition.accounts.to_pylist()}
    return Counter(
        due.day
        for account, due in zip(
            partition.instalments.column("account").to_pylist(),
            partition.instalments.column("due_date").to_pylist(),
            strict=True,
        )
        if paths[account] == path and due.year == YEAR and due.month not in (2, 5, 8, 11)
    )


@pytest.mark.parametrize("kind", ["null", "text", "absent"])
def test_an_overridden_default_day_reaches_the_arrays_and_the_replay_the_same_way(tmp_path: Path, kind: str) -> None:
    law: Law = default_6(tmp_path)
    rows = without_day(kind)
    partition = compute_partition(pa.Table.from_pylist(rows), YEAR, law=law)
    found = differences(rows, YEAR, partition.instalments, partition.refunds, partition.accounts, law)
    assert not found, "\n".join(found[:3])
    paths = Counter(partition.accounts.column("path").to_pylist())
    assert paths["array"] >= 60 and paths["planner"] >= 20, paths
    # Both paths have monthly instalments on the 6th, none on the packaged law's 5th outside the quarters' months.
    for path in ("array", "planner"):
        days = due_days(partition, path)
        assert days[6] > 0 and days[5] == 0, (path, days)
    # Under the packaged law the same rows pay on the 5th (the default is the law's, not a figure of the arrays).
    packaged = compute_partition(pa.Table.from_pylist(without_day(kind)), YEAR)
    assert due_days(packaged, "array")[5] > 0 and due_days(packaged, "array")[6] == 0
