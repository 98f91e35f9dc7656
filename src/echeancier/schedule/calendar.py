"""Calendar of the échéancier: due dates (CSS R613-2 I, R613-3 I), delays counted to a due date, and debit dates.

A due date is the legal exigibility date: the 5th (default) or the 20th of each month, or 5 February, 5 May,
5 August and 5 November for a quarterly payer. The debit date is the due date moved to the next business day of
the contributor's département when it falls on a weekend or a public holiday (DESIGN §2, decisions 4 and 9). The
figures come from `law/parameters/echeances.yaml`; the holidays from the `holidays` library.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cache, lru_cache
from typing import Final

from holidays import HolidayBase, country_holidays
from holidays.constants import PUBLIC

from echeancier.kernel.dates import ONE_DAY, add_months
from echeancier.law import Law, LawError, load_law
from echeancier.organisms import UnknownTerritory, normalise_department


class Frequency(StrEnum):
    """How the contributions are paid: monthly (R613-2 I, the rule) or quarterly (R613-3 I, the option)."""

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


# ---------------------------------------------------------------------------------------------------------------
# Due dates — CSS R613-2 I and R613-3 I


@dataclass(frozen=True, slots=True)
class _Rules:
    default_day: int
    other_day: int
    quarterly_day: int
    quarterly_months: tuple[int, ...]


# LAW (docs/law-choices.md, 220): how many years after the last checked one the due dates are placed with the
# last known values (DESIGN §2 decision 6): two, what a 24-month forecast from the last checked day reaches
# (schedule/forecast.py `HORIZON_MONTHS`). Further, the calendar refuses (no figure rests on nothing checked).
ESTIMATED_YEARS: Final = 2


def _law_day(year: int, law: Law) -> date:
    # LAW: the échéancier sent after the declaration of year N already calls the provisional instalments of N+1
    # (R613-5 I 3°), so the due dates of the years after the last checked one are needed before their law is
    # checked. As for every figure of those years (DESIGN §2 decision 6) the last known value is used, for at most
    # `ESTIMATED_YEARS` years.
    checked_until = law.parameter("echeances.jour_par_defaut").valid_until
    if checked_until.year < year <= checked_until.year + ESTIMATED_YEARS:
        return checked_until
    return date(year, 1, 1)


def _rules(year: int, law: Law | None) -> _Rules:
    """The calendar figures of `year` in `law` (the packaged law when None), built once per Law object."""
    law = law or load_law()
    key = ("calendar", year)
    found = law.cache.get(key)
    if found is None:
        found = law.cache[key] = _build_rules(year, law)
    assert isinstance(found, _Rules)
    return found


def _build_rules(year: int, law: Law) -> _Rules:
    day = _law_day(year, law)

    def number(name: str) -> int:
        value = law.value(f"echeances.{name}", day).value
        if not isinstance(value, int):
            raise LawError(f"echeances.{name}: expected a whole number, got {value!r}")
        return value

    months = tuple(number(f"mois_trimestriel_{n}") for n in range(1, 5))
    return _Rules(number("jour_par_defaut"), number("jour_au_choix"), number("jour_trimestriel"), months)


def _due_dates(law: Law | None, year: int, frequency: Frequency, day: int) -> tuple[date, ...]:
    law = law or load_law()
    key = (f"due_dates:{frequency}:{day}", year)
    found = law.cache.get(key)
    if found is None:
        found = law.cache[key] = _build_due_dates(_rules(year, law), year, frequency, day)
    assert isinstance(found, tuple)
    return found


def _build_due_dates(rules: _Rules, year: int, frequency: Frequency, day: int) -> tuple[date, ...]:
    if frequency is Frequency.QUARTERLY:
        return tuple(date(year, month, rules.quarterly_day) for month in rules.quarterly_months)
    return tuple(date(year, month, day) for month in range(1, 13))


def _check_year(year: int) -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not date.min.year < year < date.max.year:
        raise ValueError(f"year: expected a year such as 2026, got {year!r}")
    return year


def payment_days(year: int, *, law: Law | None = None) -> tuple[int, int]:
    """The days of the month a monthly payer may choose, the default first: (5, 20) — CSS R613-2 I al. 2.
    `law`: the parameters (the packaged law when None)."""
    rules = _rules(_check_year(year), law)
    return rules.default_day, rules.other_day


def due_dates(year: int, frequency: Frequency, day: int | None = None, *, law: Law | None = None) -> list[date]:
    """The legal due dates of `year`, in order — CSS R613-2 I (monthly) and R613-3 I al. 1 (quarterly).

    Monthly: the `day` of each month from January to December, `day` being the 5th or the 20th as chosen by the
    contributor, the 5th "à défaut de choix d'une date de paiement". Quarterly: 5 February, 5 May, 5 August and
    5 November, whatever day was chosen for monthly payments (R613-3 I fixes them; the chosen day is still checked).
    """
    rules = _rules(_check_year(year), law)
    try:
        frequency = Frequency(frequency)
    except ValueError:
        raise ValueError(f"frequency: expected one of {', '.join(Frequency)}, got {frequency!r}") from None
    chosen = rules.default_day if day is None else day
    if isinstance(chosen, bool) or chosen not in (rules.default_day, rules.other_day):
        raise ValueError(
            f"day: the payment day is the {rules.default_day} or the {rules.other_day} of the month "
            f"(CSS R613-2 I), got {day!r}"
        )
    return list(_due_dates(law, year, frequency, chosen))


def dates_are_estimated(year: int, *, law: Law | None = None) -> bool:
    """True when the due dates of `year` use the last known law, not one checked for that year (DESIGN §2.6).

    The échéancier then shows them as an estimate, recomputed once `echeances.yaml` is checked for `year`.
    """
    return _law_day(_check_year(year), law or load_law()) != date(year, 1, 1)


def frequency_for(direct_debit: bool, requested: Frequency) -> Frequency:
    """The frequency that applies: the one requested, but quarterly without a direct-debit authorisation.

    URSSAF practice (page "Je choisis le prélèvement mensuel", domain.md §1.7): "En l'absence d'autorisation de
    prélèvement, les cotisations et contributions sociales sont exigibles trimestriellement."
    """
    # LAW: R613-2 I al. 2 only says the monthly payer sends "s'ils ont choisi ce mode de règlement une autorisation
    # de prélèvement"; the quarterly fallback is URSSAF's reading, followed here.
    if not direct_debit:
        return Frequency.QUARTERLY
    return Frequency(requested)


# ---------------------------------------------------------------------------------------------------------------
# Delays counted to a due date


def first_due_date_on_or_after(day: date, year_dates: Iterable[date]) -> date | None:
    """The earliest of `year_dates` on or after `day` (None when all are before it); the order does not matter."""
    return min((d for d in year_dates if d >= day), default=None)


def first_due_date_at_least(after: date, days: int, dates: Iterable[date]) -> date | None:
    """The earliest due date that follows `after` by at least `days` days (None when none does).

    Used for "la prochaine échéance qui suit d'au moins quinze jours la date de cette déclaration" (ajustement,
    modulation R613-1-4 II), "qui suit d'au moins trente jours la date de cette demande" (R613-3 I al. 3) and "ne
    peut intervenir moins de quatre-vingt-dix jours après le début ou la reprise d'activité" (R613-4).
    """
    # LAW: "at least N days after X" is read as d - X >= N calendar days: the day X is not counted and the due
    # date is. Declared on 20 May, 5 June is 16 days later and qualifies for 15 days; declared on 21 May (15 days)
    # it still does; declared on 22 May (14 days) the next due date is 5 July.
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise ValueError(f"days: expected a whole number of days, zero or more, got {days!r}")
    return first_due_date_on_or_after(after + timedelta(days=days), dates)


def months_effective(received: date, months_after: int) -> date:
    """The first day of the month `months_after` months after the month `received` falls in.

    For "la demande prend effet au plus tard le deuxième mois suivant celui de sa réception" (change of payment
    day, R613-2 I al. 3) and the renunciation of the quarterly option (R613-3 II): received on 10 March, with 2,
    the new choice governs every due date from 1 May.
    """
    # LAW: "au plus tard": URSSAF may apply the request earlier (from the next due date); the engine takes the latest
    # date the text allows, the whole second month following the receipt, so May's due date already follows it.
    if isinstance(months_after, bool) or not isinstance(months_after, int) or months_after < 0:
        raise ValueError(f"months_after: expected a whole number of months, zero or more, got {months_after!r}")
    return add_months(date(received.year, received.month, 1), months_after)


# ---------------------------------------------------------------------------------------------------------------
# Départements and business days

# Subdivisions of `holidays.France`: Moselle and Alsace (the Collectivité européenne d'Alsace, '6AE', not 67/68)
# keep the local holidays of the 1892 law (Vendredi saint, Saint-Étienne); each overseas département and the
# collectivities of Saint-Barthélemy ('BL') and Saint-Martin ('MF') have their own abolition-of-slavery day (loi
# 83-550, décret 83-1003). Everywhere else: the metropolitan calendar.
_SUBDIVISIONS: Final[dict[str, str]] = {"57": "57", "67": "6AE", "68": "6AE", "977": "BL", "978": "MF"} | {
    code: code for code in ("971", "972", "973", "974", "976")
}


def _bad_department(error: UnknownTerritory) -> ValueError:
    return ValueError(f"department: {error.message}")


@dataclass(frozen=True, slots=True)
class Departement:
    """A French département or collectivity served by a collecting organism, by its COG code ('01', '2A', '974'…).

    The codes are those of `echeancier.organisms` (every COG code of a département, 977 and 978); the others are
    refused with the reason (the former '20', Saint-Pierre-et-Miquelon's own regime…).
    """

    code: str

    def __post_init__(self) -> None:
        try:
            normalised = normalise_department(self.code)
        except UnknownTerritory as error:
            raise _bad_department(error) from None
        if normalised != self.code:
            raise ValueError(f"department: {self.code!r} is not written as a COG code ({normalised!r})")

    @classmethod
    def parse(cls, value: Departement | str | int) -> Departement:
        """Read a code: '75', ' 2a ' (trimmed, upper-cased), 1 or '1' (→ '01') or 971; anything else is refused."""
        if isinstance(value, Departement):
            return value
        try:
            return cls(normalise_department(value))
        except UnknownTerritory as error:
            raise _bad_department(error) from None

    @property
    def subdivision(self) -> str | None:
        """The `holidays.France` subdivision whose holidays apply ('57', '6AE', '971', 'BL'…), None for the others."""
        return _SUBDIVISIONS.get(self.code)

    def __str__(self) -> str:
        return self.code


@lru_cache(maxsize=256, typed=True)
def _subdivision_of(department: Departement | str | int) -> str | None:
    return Departement.parse(department).subdivision


_CALENDAR_LOCK: Final = threading.Lock()


@cache
def _calendar(subdivision: str | None) -> HolidayBase:
    # One calendar per subdivision, built without years: it adds a year the first time a date of that year is
    # looked up (`expand=True`), which mutates it — hence the lock and the frozen copy per year below.
    return country_holidays("FR", subdiv=subdivision, categories=PUBLIC, language="fr")


@cache
def _holidays(subdivision: str | None, year: int) -> frozenset[date]:
    with _CALENDAR_LOCK:
        calendar = _calendar(subdivision)
        if not calendar.start_year <= year <= calendar.end_year:
            # Outside that range the library answers "no holiday" instead of failing.
            raise ValueError(
                f"day: French public holidays are known from {calendar.start_year} to {calendar.end_year}, not {year}"
            )
        calendar.get(date(year, 1, 1))  # expands the calendar to `year`
        return frozenset(day for day in calendar if day.year == year)


def _check_date(day: date, name: str) -> date:
    # A datetime is a date, but never equal to one: it would never be found among the holidays.
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError(f"{name}: expected a date, got {day!r}")
    return day


def _is_business_day(day: date, subdivision: str | None) -> bool:
    return day.weekday() < 5 and day not in _holidays(subdivision, day.year)


def is_business_day(day: date, department: Departement | str | int) -> bool:
    """Whether `day` is a jour ouvré in `department`: Monday to Friday and not a public holiday there.

    The public holidays are those of `holidays.France` for the département's subdivision: the eleven of Code du
    travail L3133-1 (the Lundi de Pentecôte included: the journée de solidarité does not take it off the list),
    plus Vendredi saint and Saint-Étienne in Moselle and Alsace, and the local days of the overseas départements.
    """
    return _is_business_day(_check_date(day, "day"), _subdivision_of(department))


def next_business_day(day: date, department: Departement | str | int) -> date:
    """`day` itself when it is a business day in `department`, else the first business day after it."""
    subdivision = _subdivision_of(department)
    day = _check_date(day, "day")
    while not _is_business_day(day, subdivision):
        day += ONE_DAY
    return day


def debit_date(due_date: date, department: Departement | str | int) -> date:
    """The date the instalment due on `due_date` is debited: the due date, or the next business day after it.

    ACOSS lettre-circulaire 2000-110: "report au jour ouvré suivant immédiatement" (domain-addendum Q4).
    """
    # LAW: no article of the CSS moves the due date of a travailleur indépendant (R613-2 I: "exigibles le 5 de
    # chaque mois"; R613-3 I: "exigibles le 5 février…"): it stays the exigibility date, from which the majorations
    # of R243-16 run (DESIGN §2.4). Only the debit moves, by URSSAF's tolerance for days when it is closed, and a
    # payment on that date is not late (DESIGN §2.9, an option of the account).
    return next_business_day(_check_date(due_date, "due_date"), department)
