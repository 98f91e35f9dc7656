"""Majorations de retard — CSS R243-16 (since 1 January 2020, décret 2019-1050).

I. 5 % of the contributions not paid at their due date; II. plus 0.2 % of the contributions due per month or
fraction of month elapsed from the due date. For a monthly payer they apply only from the second consecutive
payment incident of the civil year (R613-2 III al. 2); for a quarterly payer from the first (R613-3 I).

The amounts are computed once, in integer cents, by `account.ledger` (`initial_majoration`, `portion`), for the
ledger and the campaign's arrays; this module counts the months elapsed and holds the record a statement shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from echeancier.kernel.dates import add_months


def months_elapsed(due: date, paid: date) -> int:
    """Months or fractions of a month elapsed from `due` to `paid` (R243-16 II).

    LAW: the month runs from the due date to the same day of the next month; a payment on that day completes the
    month, one day later starts another (5 June → 5 August is two months, → 6 August three). Paid on or before the
    due date: none.
    """
    if paid <= due:
        return 0
    months = 0
    while add_months(due, months) < paid:
        months += 1
    return months


@dataclass(frozen=True, slots=True)
class Majoration:
    """The surcharges on one unpaid amount, from its due date to the date it is paid."""

    due_date: date
    paid_on: date
    base: Decimal
    initial: Decimal  # R243-16 I, 5 %
    months: int
    complementary: Decimal  # R243-16 II, 0.2 % per month or fraction of month
    # definitive (the portion is settled and the majoration posted), provisional (still accruing on the date of
    # the statement), suspended (under a payment plan), not_due (R243-11), lifted (a broken plan)
    status: str = "definitive"
    settled_on: date | None = None
    unpaid_base: Decimal | None = None  # the whole sum unpaid on the due date, the base of the 5 %

    @property
    def amount(self) -> Decimal:
        return self.initial + self.complementary
