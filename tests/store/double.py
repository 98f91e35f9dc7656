"""A stand-in for the ledger's projector (not the ledger: the store must work with any projector).

Debits (`debit`, `rejected_debit`) and `payment`s are summed in cents; an event cited by a later one's `corrects`
no longer counts. The account is late from the effective date of its first debit while debits exceed payments.
"""

from __future__ import annotations

from datetime import date

from echeancier.store import AccountRecord, Projection, StoredEvent
from echeancier.store.bank import BankLine

DEBITS = ("debit", "rejected_debit")


def projector(account: AccountRecord, events: list[StoredEvent]) -> Projection:
    corrected = {event.corrects for event in events if event.corrects is not None}
    counted = [event for event in events if event.sequence not in corrected and event.corrects is None]
    paid = sum(int(event.payload.get("amount_cents", 0)) for event in counted if event.type == "payment")
    debited = sum(int(event.payload.get("amount_cents", 0)) for event in counted if event.type in DEBITS)
    first_debit = min((event.effective_date for event in counted if event.type in DEBITS), default=None)
    outstanding = max(0, debited - paid)
    return Projection(
        balance_cents=debited - paid,
        outstanding_cents=outstanding,
        credit_cents=max(0, paid - debited),
        next_due_date=None,
        late_since=first_debit if outstanding else None,
        late_amount_cents=outstanding,
        organism=account.contributor.get("organism"),
        payload={"events": len(events)},
    )


def payment_lines(count: int, accounts: int, unmatched_every: int = 97) -> list[BankLine]:
    """`count` credit lines spread over accounts A0000…, one in `unmatched_every` with an unknown reference."""
    lines = []
    for number in range(1, count + 1):
        reference = f"UNKNOWN-{number}" if number % unmatched_every == 0 else f"R{number % accounts:04d}"
        lines.append(
            BankLine(
                key=f"bank-{number}",
                kind="credit",
                date=date(2026, 1 + number % 12, 1 + number % 28),
                amount_cents=100 + number,
                reference=reference,
                bank_id=f"TX{number}",
                line=number,
                raw=f"2026-01-01;{(100 + number) / 100};{reference}",
            )
        )
    return lines


def account_id(index: int) -> str:
    return f"A{index:04d}"


def create_accounts(store: object, accounts: int) -> None:
    from echeancier.store import EventStore

    assert isinstance(store, EventStore)
    for index in range(accounts):
        store.create_account(account_id(index), {"profession": "artisan"}, references=[f"R{index:04d}"])
