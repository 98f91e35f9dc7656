"""Benchmark of the recovery worklist (`echeancier.recovery.service.worklist`) over a store of many accounts, on
SQLite. It prints figures only; nothing here asserts a time.

Run: .venv/bin/python benchmarks/bench_recovery_worklist.py [ACCOUNTS] [LATE_SHARE]   (default 100000 0.1)

The store is built quickly: a few account templates (a paying artisan; an artisan whose direct debits of May, June
and August 2026 were rejected, relancé and mis en demeure; a commerçant in Corsica with two rejections) are
replayed once each by the real projector (the ledger, `cli_account._projector`, on 1 July 2026), then their
accounts, events and projections are bulk-inserted with fresh ids. The worklist then reads the projections
table, keeps the accounts that may have a step due (`may_have_work`) and replays only those with the ledger.
A naive replay of a sample of accounts gives the cost per account that the projections spare.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from echeancier.account.service import idempotency_key
from echeancier.cli_account import _projector
from echeancier.recovery.service import account_procedure, payloads_of, prepare_step, worklist
from echeancier.store import AccountRecord, EventStore, StoredEvent, schema
from echeancier.store.store import _event_row, _projection_row

AS_OF = date(2026, 7, 1)
CHUNK = 5_000


def contributor(department: str = "75", profession: str = "artisan") -> dict[str, Any]:
    return {
        "contributor": {
            "profession": profession,
            "activity_start": "2015-01-01",
            "department": department,
            "payment": {"frequency": "monthly", "day": 5, "direct_debit": True},
        },
        "incomes": {"2024": "30000", "2025": "30000"},
    }


def rejection(month: str) -> dict[str, Any]:
    return {"type": "rejected_debit", "date": f"2026-{month}-07", "due_date": f"2026-{month}-05", "reason": "AM04"}


def templates() -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """(contributor, event payloads): one paying account, then two late ones (the late share is split between them)."""
    late = contributor()
    events = [rejection("05"), rejection("06")]
    for kind, day in (("relance", "2026-05-20"), ("mise_en_demeure", "2026-06-04")):
        events.append(prepare_step(late, events, {"type": kind, "date": day, "agent": "bench"}))
    corse = contributor("2B", "commercant")
    return [(contributor(), []), (late, events), (corse, [rejection("04"), rejection("05")])]


def build(url: str, accounts: int, late_share: float) -> float:
    """Bulk-insert the accounts; returns the seconds taken."""
    import echeancier.cli_account as cli_account

    cli_account._today = lambda: AS_OF  # type: ignore[assignment]  # the projections' "today"
    started = time.perf_counter()
    now = datetime(2026, 7, 1, tzinfo=UTC)
    shapes = []
    for person, events in templates():
        record = AccountRecord("template", person, now)
        stored = [
            StoredEvent("template", i + 1, str(e["type"]), {k: v for k, v in e.items() if k not in ("type", "date")},
                        date.fromisoformat(str(e["date"])), f"k{i}", now)
            for i, e in enumerate(events)
        ]  # fmt: skip
        shapes.append((person, stored, _projector(record, stored)))
    late = int(accounts * late_share)
    with EventStore(url, projector=_projector) as store:
        with store.engine.begin() as connection:
            rows: dict[str, list[dict[str, Any]]] = {"accounts": [], "events": [], "projections": []}

            def flush() -> None:
                for table in ("accounts", "events", "projections"):
                    if rows[table]:
                        connection.execute(insert(getattr(schema, table)), rows[table])
                        rows[table].clear()

            for n in range(accounts):
                shape = 0 if n >= late else 1 + n % 2
                person, stored, projection = shapes[shape]
                account_id = f"TI-{n:06d}"
                rows["accounts"].append(
                    {"account_id": account_id, "contributor": person, "created_at": now, "idempotency_key": None}
                )
                for event in stored:
                    row = _event_row(event)
                    row["account_id"] = account_id
                    row["idempotency_key"] = idempotency_key(account_id, {"n": event.sequence, **event.payload})
                    rows["events"].append(row)
                rows["projections"].append(_projection_row(account_id, len(stored), projection))
                if len(rows["accounts"]) >= CHUNK:
                    flush()
            flush()
    return time.perf_counter() - started


def main() -> None:
    accounts = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    late_share = float(sys.argv[2]) if len(sys.argv) > 2 else 0.1
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        built = build(url, accounts, late_share)
        print(f"store of {accounts:,} accounts ({late_share:.0%} late) built in {built:.1f} s (SQLite, bulk insert)")
        with EventStore(url, projector=_projector) as store:
            started, cpu = time.perf_counter(), time.process_time()
            items = worklist(store, AS_OF)
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            steps: dict[str, int] = {}
            for item in items:
                steps[item.step] = steps.get(item.step, 0) + 1
            print(
                f"worklist on {AS_OF}: {len(items):,} steps due on {len({i.account for i in items}):,} accounts in "
                f"{elapsed:.1f} s, {cpu:.1f} s of CPU ({cpu / max(1, int(accounts * late_share)) * 1000:.2f} ms of "
                f"CPU per late account replayed) — {steps}"
            )
            sample = [p.account_id for p in store.projections()][-200:]  # paying accounts
            started = time.process_time()
            for account_id in sample:
                account = store.account(account_id)
                account_procedure(account.contributor, payloads_of(store.events(account_id)), AS_OF)
            naive = (time.process_time() - started) / len(sample)
            print(
                f"naive replay: {naive * 1000:.2f} ms of CPU per account, so about {naive * accounts:.0f} s for all "
                f"{accounts:,}; the projections spare the replay of {accounts - int(accounts * late_share):,}"
            )


if __name__ == "__main__":
    main()
