"""The plain Python values the store takes and gives: accounts, events, projections, import counts, errors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from echeancier.contributions.situation import InputError

MAX_KEY_LENGTH = 200
MAX_ID_LENGTH = 100
MAX_TYPE_LENGTH = 64
MAX_INT = 2**63 - 1


class StoreInputError(InputError):
    """A write the store refuses (unknown account, reused key, bad field); nothing of it was written."""


class ConcurrencyError(Exception):
    """The account received events since the caller read it: reload and try again (`append_with_retry`)."""

    def __init__(self, account_id: str, expected: int, actual: int) -> None:
        super().__init__(f"account {account_id}: expected last sequence {expected}, found {actual}")
        self.account_id = account_id
        self.expected = expected
        self.actual = actual


@dataclass(frozen=True)
class AccountRecord:
    """An account as created: its contributor (a JSON object) and the payment references that reach it."""

    account_id: str
    contributor: dict[str, Any]
    created_at: datetime
    references: tuple[str, ...] = ()
    idempotency_key: str | None = None


@dataclass(frozen=True)
class NewEvent:
    """An event to append. `payload` is a JSON object (amounts in integer cents, dates as ISO strings);
    `corrects` is the sequence number of the event of the same account that this one corrects."""

    type: str
    payload: Mapping[str, Any]
    effective_date: date
    idempotency_key: str
    corrects: int | None = None


@dataclass(frozen=True)
class StoredEvent:
    """An event as stored: numbered from 1 per account, without gaps, never updated nor deleted."""

    account_id: str
    sequence: int
    type: str
    payload: dict[str, Any]
    effective_date: date
    idempotency_key: str
    received_at: datetime
    corrects: int | None = None


@dataclass(frozen=True)
class Projection:
    """What a projector computes from an account's events: a cache, rebuilt from the events at will.

    `late_since` is the first day on which an exigible sum was unpaid (None if nothing is), so that the accounts
    late on a date D are those with `late_since <= D`; `payload` holds anything else the projector keeps.
    """

    balance_cents: int = 0
    outstanding_cents: int = 0
    credit_cents: int = 0
    majorations_cents: int = 0
    next_due_date: date | None = None
    late_since: date | None = None
    late_amount_cents: int = 0
    organism: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StoredProjection:
    """An account's projection as written after its event `last_sequence`."""

    account_id: str
    last_sequence: int
    projection: Projection


@dataclass(frozen=True)
class SuspenseLine:
    """A bank line that matched no account, kept as read (never dropped)."""

    key: str
    kind: str
    file_name: str
    line_date: date
    amount_cents: int
    reference: str
    reason: str
    line: int | None
    raw: str
    details: dict[str, Any]
    received_at: datetime


@dataclass(frozen=True)
class ImportResult:
    """Counts of an import of bank lines: new events, lines already imported (events or suspense), new suspense."""

    recorded: int = 0
    already_present: int = 0
    suspense: int = 0
