"""One line of a bank file, as the parsers of `echeancier.payments` give it to the store (issue #6,
`echeancier payments import FILE`).

The store turns each line into an account event (`EventStore.import_bank_lines`): a credit becomes a `payment`, a
rejected direct debit a `rejected_debit`; a line whose reference matches no account is kept in the suspense list.
Amounts are positive integer cents, whatever the sign the bank file uses.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Literal

BankLineKind = Literal["credit", "rejection"]


@dataclass(frozen=True, slots=True)
class BankLine:
    """A credit received or a direct debit rejected, as read from a bank file. `key` becomes the event's
    idempotency key, so importing a file twice changes nothing."""

    key: str  # unique: the bank transaction id, or sha256(file content) + ":" + line/entry number
    kind: BankLineKind  # credit (money received) or rejection (a direct debit the bank rejected)
    date: datetime.date  # booking/value date of the credit, or the date of the rejection
    amount_cents: int  # > 0
    reference: str  # the account ID or a payment reference given to the account (end-to-end id / remittance info)
    bank_id: str | None = None  # the bank's transaction id when the file has one
    due_date: datetime.date | None = None  # rejections: the due date (requested collection date) of the debit
    reason: str | None = None  # rejections: the ISO reason code (AM04, MS02, AC04…)
    line: int = 0  # line number (CSV) or entry index (XML), for messages (0: not known)
    raw: str = ""  # the original line or XML fragment, kept for the suspense list
