"""Calendar helpers: periods of activity within a civil year."""

from __future__ import annotations

import calendar
from datetime import date, timedelta


def year_start(year: int) -> date:
    return date(year, 1, 1)


def year_end(year: int) -> date:
    return date(year, 12, 31)


def days_in_year(year: int) -> int:
    return 366 if calendar.isleap(year) else 365


def days_between_inclusive(first: date, last: date) -> int:
    """Number of days from `first` to `last`, both included (0 when last < first)."""
    return max(0, (last - first).days + 1)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the end of the month (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def overlap_days(a_first: date, a_last: date, b_first: date, b_last: date) -> int:
    """Days shared by two inclusive periods."""
    return days_between_inclusive(max(a_first, b_first), min(a_last, b_last))


ONE_DAY = timedelta(days=1)
