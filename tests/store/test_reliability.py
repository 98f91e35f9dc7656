"""The store loses nothing and doubles nothing: an import killed with SIGKILL then run again, two processes
writing to one account at once, projections rebuilt from the events, random appends and retries (Hypothesis)."""

from __future__ import annotations

import multiprocessing
import random
import signal
import time
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from sqlalchemy import Engine, create_engine, func, select

from echeancier.store import ConcurrencyError, EventStore, NewEvent, StoredEvent, StoreInputError, schema
from tests.store.conftest import NewDatabase
from tests.store.double import create_accounts, payment_lines, projector
from tests.store.workers import import_payments, record_payments

SPAWN = multiprocessing.get_context("spawn")
PAYMENTS = 10_000
ACCOUNTS = 50
BATCH = 500


def content(events: list[StoredEvent]) -> list[tuple[Any, ...]]:
    """An account's events without the time they were received."""
    return [(e.sequence, e.type, e.payload, e.effective_date, e.idempotency_key, e.corrects) for e in events]


def event_count(url: str) -> int:
    engine = create_engine(url)
    try:
        return count_events(engine)
    finally:
        engine.dispose()


def count_events(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(schema.events)).scalar_one())


def test_an_import_killed_at_a_random_point_then_run_again_records_every_payment_once(
    new_database: NewDatabase,
) -> None:
    lines = payment_lines(PAYMENTS, ACCOUNTS)
    unmatched = sum(1 for line in lines if line.reference.startswith("UNKNOWN"))
    killed_url, clean_url = new_database(), new_database()
    for url in (killed_url, clean_url):
        with EventStore(url, projector=projector) as store:
            create_accounts(store, ACCOUNTS)

    # kill -9 the importing process once a random number of payments is committed, in the middle of a batch
    kill_after = random.randrange(1, PAYMENTS - unmatched - 2 * BATCH)
    importer = SPAWN.Process(target=import_payments, args=(killed_url, PAYMENTS, ACCOUNTS, BATCH))
    watcher = create_engine(killed_url)
    importer.start()
    while count_events(watcher) < kill_after and importer.is_alive():
        time.sleep(0.005)
    time.sleep(random.uniform(0, 0.02))
    importer.kill()
    importer.join()
    watcher.dispose()
    assert importer.exitcode == -signal.SIGKILL, "the import ended before it could be killed"
    committed = event_count(killed_url)
    assert 0 < committed < PAYMENTS - unmatched

    with EventStore(killed_url, projector=projector) as resumed, EventStore(clean_url, projector=projector) as clean:
        again = resumed.import_bank_lines(lines, "payments.csv", batch_size=BATCH)
        once = clean.import_bank_lines(lines, "payments.csv", batch_size=BATCH)
        assert (once.recorded, once.already_present, once.suspense) == (PAYMENTS - unmatched, 0, unmatched)
        assert again.recorded + again.suspense + again.already_present == PAYMENTS
        assert again.recorded == PAYMENTS - unmatched - committed
        assert event_count(killed_url) == PAYMENTS - unmatched
        keys = [e.idempotency_key for account in resumed.accounts() for e in resumed.events(account.account_id)]
        assert len(keys) == len(set(keys)) == PAYMENTS - unmatched
        for account in clean.accounts():
            assert content(resumed.events(account.account_id)) == content(clean.events(account.account_id))
        assert resumed.projections() == clean.projections()
        assert [s.key for s in resumed.suspense_lines()] == [s.key for s in clean.suspense_lines()]


def test_two_processes_writing_to_one_account_lose_nothing_and_double_nothing(database_url: str) -> None:
    per_worker = 25
    with EventStore(database_url, projector=projector) as store:
        store.create_account("A1", {"profession": "artisan"})
    barrier, results = SPAWN.Barrier(2), SPAWN.Queue()
    workers = [
        SPAWN.Process(target=record_payments, args=(database_url, name, per_worker, barrier, results))
        for name in ("w1", "w2")
    ]
    for worker in workers:
        worker.start()
    retries = dict(results.get(timeout=120) for _ in workers)
    for worker in workers:
        worker.join()
        assert worker.exitcode == 0
    with EventStore(database_url, projector=projector) as store:
        events = store.events("A1")
        assert [e.sequence for e in events] == list(range(1, 2 * per_worker + 1))
        assert sorted(e.idempotency_key for e in events) == sorted(
            f"{name}-{index}" for name in ("w1", "w2") for index in range(per_worker)
        )
        # each event was built from all the events before it: none was written on a stale read
        assert [e.payload["amount_cents"] for e in events] == [e.sequence for e in events]
        projection = store.projection("A1")
        assert projection is not None and projection.last_sequence == 2 * per_worker
    assert sum(retries.values()) > 0, "the writers never collided: the test proved nothing"


def test_two_processes_importing_the_same_file_at_once_record_each_line_once(new_database: NewDatabase) -> None:
    url = new_database()
    with EventStore(url, projector=projector) as store:
        create_accounts(store, 20)
    importers = [SPAWN.Process(target=import_payments, args=(url, 1_000, 20, 50)) for _ in range(2)]
    for importer in importers:
        importer.start()
    for importer in importers:
        importer.join()
        assert importer.exitcode == 0
    lines = payment_lines(1_000, 20)
    matched = sum(1 for line in lines if not line.reference.startswith("UNKNOWN"))
    assert event_count(url) == matched
    with EventStore(url, projector=projector) as store:
        assert len(store.suspense_lines()) == len(lines) - matched
        for account in store.accounts():
            assert [e.sequence for e in store.events(account.account_id)] == list(
                range(1, len(store.events(account.account_id)) + 1)
            )


def test_rebuilding_every_projection_gives_the_stored_projections(store: EventStore) -> None:
    rng = random.Random(6)
    create_accounts(store, 30)
    store.import_bank_lines(payment_lines(1_500, 30), "payments.csv", batch_size=200)
    for index in range(30):
        account_id = f"A{index:04d}"
        debits = [
            NewEvent("debit", {"amount_cents": rng.randrange(1, 100_000)}, date(2026, 1, 5), f"d-{index}-{n}")
            for n in range(rng.randrange(0, 4))
        ]
        store.append(account_id, debits)
    stored = store.projections()
    assert store.rebuild_projections() == 30
    assert store.projections() == stored
    assert [p.projection for p in stored] == [
        projector(account, store.events(account.account_id)) for account in store.accounts()
    ]


class Appends(RuleBasedStateMachine):
    """Random appends, re-runs, stale writes, refused batches and corrections against a model list of events."""

    def __init__(self, store: EventStore, account_id: str) -> None:
        super().__init__()
        self.store = store
        self.account_id = account_id
        self.model: list[tuple[str, int, int | None]] = []  # (key, cents, corrects)
        self.batches: list[list[NewEvent]] = []
        self.counter = 0

    def new_event(self, cents: int, corrects: int | None = None) -> NewEvent:
        self.counter += 1
        day = date(2026, 1, 1) + timedelta(days=self.counter)
        return NewEvent("payment", {"amount_cents": cents}, day, f"{self.account_id}-{self.counter}", corrects)

    @initialize()
    def create(self) -> None:
        self.store.create_account(self.account_id, {"profession": "commercant"})

    @rule(amounts=st.lists(st.integers(1, 10**9), min_size=1, max_size=4), expect=st.booleans())
    def append(self, amounts: list[int], expect: bool) -> None:
        batch = [self.new_event(cents) for cents in amounts]
        written = self.store.append(self.account_id, batch, expected_sequence=len(self.model) if expect else None)
        assert [e.sequence for e in written] == list(range(len(self.model) + 1, len(self.model) + len(batch) + 1))
        self.model += [(e.idempotency_key, int(e.payload["amount_cents"]), None) for e in batch]
        self.batches.append(batch)

    @rule(data=st.data())
    def rerun(self, data: st.DataObject) -> None:
        if not self.batches:
            return
        batch = data.draw(st.sampled_from(self.batches))
        stale = data.draw(st.integers(0, len(self.model)))
        written = self.store.append(self.account_id, batch, expected_sequence=stale)
        assert [e.idempotency_key for e in written] == [e.idempotency_key for e in batch]

    @rule(behind=st.integers(1, 3))
    def stale_write(self, behind: int) -> None:
        if len(self.model) < behind:
            return
        try:
            self.store.append(self.account_id, [self.new_event(1)], expected_sequence=len(self.model) - behind)
        except ConcurrencyError as error:
            assert error.actual == len(self.model)
        else:
            raise AssertionError("a stale write was accepted")

    @rule()
    def refused(self) -> None:
        def refuse(*_: object) -> None:
            raise StoreInputError("payment", "refused")

        try:
            self.store.append(self.account_id, [self.new_event(5), self.new_event(6)], validate=refuse)
        except StoreInputError:
            pass
        else:
            raise AssertionError("a refused batch was accepted")

    @rule(data=st.data())
    def correct(self, data: st.DataObject) -> None:
        if not self.model:
            return
        target = data.draw(st.integers(1, len(self.model)))
        event = self.new_event(1, corrects=target)
        [written] = self.store.append(self.account_id, [event])
        assert written.corrects == target
        self.model.append((event.idempotency_key, 1, target))

    @rule(racing=st.integers(1, 3))
    def retry_after_a_race(self, racing: int) -> None:
        rivals = [self.new_event(7) for _ in range(racing)]
        mine = self.new_event(8)

        def build(existing: list[StoredEvent]) -> list[NewEvent]:
            if rivals:  # another writer gets in between each read and append, `racing` times
                rival = rivals.pop(0)
                self.store.append(self.account_id, [rival])
                self.model.append((rival.idempotency_key, 7, None))
            return [mine]

        written = self.store.append_with_retry(self.account_id, build)
        assert written[0].sequence == len(self.model) + 1
        self.model.append((mine.idempotency_key, 8, None))

    def events(self) -> list[StoredEvent]:
        return self.store.events(self.account_id)

    @invariant()
    def the_store_holds_the_model(self) -> None:
        events = self.events()
        assert [e.sequence for e in events] == list(range(1, len(events) + 1))
        assert [(e.idempotency_key, e.payload["amount_cents"], e.corrects) for e in events] == self.model
        projection = self.store.projection(self.account_id)
        account = self.store.account(self.account_id)
        assert projection is not None
        assert (projection.last_sequence, projection.projection) == (len(events), projector(account, events))


def test_random_appends_and_retries_keep_the_events_in_order(store: EventStore) -> None:
    accounts = iter(range(10**6))
    run_state_machine_as_test(
        lambda: Appends(store, f"H{next(accounts)}"),
        settings=settings(
            max_examples=15, stateful_step_count=10, deadline=None, suppress_health_check=list(HealthCheck)
        ),
    )
