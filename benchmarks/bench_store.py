"""Benchmark of the account store (`echeancier.store`) on SQLite and on PostgreSQL. It prints figures only; nothing
here asserts a time.

Run: .venv/bin/python benchmarks/bench_store.py [sqlite|postgresql ...]

- import: events appended per second by `import_bank_lines` (batches of 500 lines, one transaction each) for a file
  of 20,000 credit lines over 2,000 accounts, then the same file again (every line already present);
- appends: single-event `append` calls per second with `expected_sequence` (one transaction each);
- rebuild: the time to rebuild one account with ten years of events (monthly debits and payments, a rejection a
  year: 250 events) — read its events, run the projector, write its projection. The projector here is a stand-in
  that sums payments and debits (not the ledger of `echeancier.account`): the figure is the store's share;
- late: `projections(late_only=True)` over 100,000 accounts of which a tenth are late, from the projections table
  (its rows are bulk-inserted here: the listing reads only that table).

PostgreSQL: ECHEANCIER_BENCH_POSTGRESQL_URL (default: user postgres on 127.0.0.1:5432, database test), in a
schema made for the run and dropped after it.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, text

from echeancier.store import AccountRecord, BankLine, EventStore, NewEvent, Projection, StoredEvent, schema

POSTGRESQL_URL = os.environ.get("ECHEANCIER_BENCH_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IMPORT_LINES, IMPORT_ACCOUNTS, BATCH = 20_000, 2_000, 500
APPENDS = 300
LISTED_ACCOUNTS = 100_000


def projector(account: AccountRecord, events: list[StoredEvent]) -> Projection:
    """A stand-in for the ledger: payments minus debits, late from the first debit while debits exceed payments."""
    paid = sum(int(e.payload.get("amount_cents", 0)) for e in events if e.type == "payment")
    debited = sum(int(e.payload.get("amount_cents", 0)) for e in events if e.type in ("debit", "rejected_debit"))
    first_debit = min((e.effective_date for e in events if e.type == "debit"), default=None)
    return Projection(
        balance_cents=debited - paid,
        outstanding_cents=max(0, debited - paid),
        credit_cents=max(0, paid - debited),
        late_since=first_debit if debited > paid else None,
        late_amount_cents=max(0, debited - paid),
    )


@contextmanager
def database(backend: str, folder: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'bench.db'}"
        return
    name = f"bench_store_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRESQL_URL)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {name}"))
    try:
        separator = "&" if "?" in POSTGRESQL_URL else "?"
        yield f"{POSTGRESQL_URL}{separator}options=-csearch_path%3D{name}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {name} CASCADE"))
        admin.dispose()


def bulk_accounts(store: EventStore, count: int, prefix: str) -> list[str]:
    """Accounts and empty projections written in one statement each (the setup of a benchmark, not the API)."""
    ids = [f"{prefix}{index:06d}" for index in range(count)]
    created = datetime.now(UTC)
    with store.engine.begin() as connection:
        connection.execute(
            insert(schema.accounts), [{"account_id": i, "contributor": {}, "created_at": created} for i in ids]
        )
    return ids


def bench_import(store: EventStore) -> None:
    ids = bulk_accounts(store, IMPORT_ACCOUNTS, "I")
    store.rebuild_projections(ids)
    lines = [
        BankLine(f"line-{n}", "credit", date(2026, 1, 1) + timedelta(days=n % 365), 1_000 + n, ids[n % len(ids)])
        for n in range(IMPORT_LINES)
    ]
    start = time.perf_counter()
    result = store.import_bank_lines(lines, "bench.csv", batch_size=BATCH)
    elapsed = time.perf_counter() - start
    print(f"  import  {result.recorded:,} lines in {elapsed:.2f} s: {result.recorded / elapsed:,.0f} events/s")
    start = time.perf_counter()
    again = store.import_bank_lines(lines, "bench.csv", batch_size=BATCH)
    elapsed = time.perf_counter() - start
    print(f"  again   {again.already_present:,} lines already present in {elapsed:.2f} s")


def bench_appends(store: EventStore) -> None:
    store.create_account("APPEND", {})
    start = time.perf_counter()
    for n in range(APPENDS):
        event = NewEvent("payment", {"amount_cents": 100}, date(2026, 1, 1), f"append-{n}")
        store.append("APPEND", [event], expected_sequence=n)
    elapsed = time.perf_counter() - start
    print(f"  append  {APPENDS} single-event appends to one account: {APPENDS / elapsed:,.0f} per second")


def bench_rebuild(store: EventStore) -> None:
    store.create_account("TEN-YEARS", {})
    events = []
    for month in range(120):
        due = date(2016 + month // 12, 1 + month % 12, 5)
        events.append(NewEvent("debit", {"amount_cents": 50_000}, due, f"d-{month}"))
        events.append(NewEvent("payment", {"amount_cents": 50_000}, due, f"p-{month}"))
        if month % 12 == 6:
            events.append(NewEvent("rejected_debit", {"amount_cents": 50_000, "due_date": due}, due, f"r-{month}"))
    store.append("TEN-YEARS", events)
    runs = 20
    start = time.perf_counter()
    for _ in range(runs):
        store.rebuild_projections(["TEN-YEARS"])
    elapsed = (time.perf_counter() - start) / runs
    print(f"  rebuild one account, {len(events)} events over ten years: {elapsed * 1000:.1f} ms (stand-in projector)")


def bench_late(store: EventStore) -> None:
    ids = bulk_accounts(store, LISTED_ACCOUNTS, "L")
    rows = [
        {
            "account_id": account_id,
            "last_sequence": 0,
            "balance_cents": 12_345 if index % 10 == 0 else 0,
            "outstanding_cents": 12_345 if index % 10 == 0 else 0,
            "credit_cents": 0,
            "majorations_cents": 0,
            "next_due_date": date(2027, 1, 5),
            "late_since": date(2026, 1 + index % 12, 6) if index % 10 == 0 else None,
            "late_amount_cents": 12_345 if index % 10 == 0 else 0,
            "organism": None,
            "payload": {},
        }
        for index, account_id in enumerate(ids)
    ]
    with store.engine.begin() as connection:
        connection.execute(insert(schema.projections), rows)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        late = store.projections(late_only=True, as_of=date(2026, 12, 31))
        best = min(best, time.perf_counter() - start)
    print(f"  late    {len(late):,} late accounts among {LISTED_ACCOUNTS:,}: {best * 1000:.0f} ms (best of 3)")


def main(backends: list[str]) -> None:
    for backend in backends:
        print(f"{backend}:", flush=True)
        with tempfile.TemporaryDirectory() as folder, database(backend, Path(folder)) as url:
            with EventStore(url, projector=projector) as store:
                bench_import(store)
                bench_appends(store)
                bench_rebuild(store)
                bench_late(store)


if __name__ == "__main__":
    main(sys.argv[1:] or ["sqlite", "postgresql"])
