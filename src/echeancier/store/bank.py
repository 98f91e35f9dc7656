"""One line of a bank file, as the account store imports it (issue #6, `echeancier payments import FILE`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class BankLine:
    key: str  # unique: the bank transaction id, or sha256(file content) + ":" + line/entry number
    kind: Literal["credit", "rejection"]
    date: datetime.date  # booking/value date of the credit, or the date of the rejection
    amount_cents: int  # > 0
    reference: str  # the account ID or a payment reference given to the account (end-to-end id / remittance info)
    bank_id: str | None  # the bank's transaction id when the file has one
    due_date: datetime.date | None  # rejections: the due date (requested collection date) of the direct debit rejected
    reason: str | None  # rejections: the ISO reason code (AM04, MS02, AC04…)
    line: int  # line number (CSV) or entry index (XML), for messages
    raw: str  # the original line or XML fragment, kept for the suspense list
