"""What the processes of the reliability tests run (importable, for multiprocessing's spawn)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from typing import Any

from echeancier.store import EventStore, NewEvent, StoredEvent
from tests.store.double import payment_lines, projector


def import_payments(url: str, count: int, accounts: int, batch_size: int) -> None:
    with EventStore(url, projector=projector, migrate=False) as store:
        store.import_bank_lines(payment_lines(count, accounts), "payments.csv", batch_size=batch_size)


def record_payments(url: str, worker: str, count: int, barrier: Any, results: Any) -> None:
    """Append `count` payments one at a time to account A1, each built from the events read just before, as a
    command would; report how many times it had to rebuild (its losses to the other writer)."""
    builds = 0

    def payment(key: str) -> Callable[[list[StoredEvent]], list[NewEvent]]:
        def build(existing: list[StoredEvent]) -> list[NewEvent]:
            nonlocal builds
            builds += 1
            time.sleep(0.002)  # the time a command takes between reading the account and writing to it
            return [NewEvent("payment", {"amount_cents": len(existing) + 1}, date(2026, 1, 1), key)]

        return build

    with EventStore(url, projector=projector, migrate=False) as store:
        barrier.wait()
        for index in range(count):
            store.append_with_retry("A1", payment(f"{worker}-{index}"), attempts=1_000)
    results.put((worker, builds - count))
